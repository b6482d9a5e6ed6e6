"""The console's client for the Rasa server: the REST channel and the HTTP API."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import requests


class AssistantUnavailable(RuntimeError):
    """The Rasa server could not be reached or answered with an error."""


class RasaClient:
    """Sends test messages through the REST channel and reads trackers.

    Messages go through the same REST webhook a website would use, so a staff
    test exercises the real pipeline: NLU, policies, the action server and the
    database answers.
    """

    def __init__(self, base_url: str, token: str, timeout: float = 30.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout = timeout

    def send(self, sender_id: str, text: str) -> list[dict[str, Any]]:
        """Post one message; returns the bot's replies."""
        try:
            response = requests.post(
                f"{self.base_url}/webhooks/rest/webhook",
                json={"sender": sender_id, "message": text},
                timeout=self.timeout,
            )
            response.raise_for_status()
            replies = response.json()
        except (requests.RequestException, ValueError) as problem:
            raise AssistantUnavailable(type(problem).__name__) from None
        return replies if isinstance(replies, list) else []

    def tracker(self, sender_id: str) -> dict[str, Any]:
        """The conversation's tracker (its events since the last restart)."""
        try:
            response = requests.get(
                f"{self.base_url}/conversations/{quote(sender_id, safe='')}/tracker",
                # Rasa's token authentication reads the token from the query string.
                params={"token": self.token},
                timeout=self.timeout,
            )
            response.raise_for_status()
            tracker = response.json()
        except (requests.RequestException, ValueError) as problem:
            raise AssistantUnavailable(type(problem).__name__) from None
        return tracker if isinstance(tracker, dict) else {}
