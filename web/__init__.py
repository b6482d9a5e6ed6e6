"""The website chat widget, its demo clinic pages and the server for both."""
