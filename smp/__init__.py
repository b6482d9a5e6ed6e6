"""Core of the SMP clinic assistant: settings, storage, clinic config and NLP."""
