"""The clinic's staff console (Flask): test chat, conversations, answers, requests."""
