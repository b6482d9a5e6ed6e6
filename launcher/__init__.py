"""Starting, configuring and maintaining the product.

The one package that may import every area (core, actions, channels, console,
web): it starts the processes, writes Rasa's runtime configuration, generates
the files derived from the topic registry and runs the maintenance commands.
"""
