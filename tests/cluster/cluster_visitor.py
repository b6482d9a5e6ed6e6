"""A visitor talking to the cluster through HAProxy over REST, as a browser
would: it keeps the load balancer's cookie, so it stays on one Rasa server
until that server is gone."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
import uuid
from http.cookies import SimpleCookie
from typing import Any

from sqlalchemy import func, select

from launcher.cluster import Cluster
from smp.conversations import conversation_events
from smp.db import BookingRequest, session_scope

REST_PATH = "/webhooks/rest/webhook"
COOKIE = "SMP_RASA"


class Visitor:
    """One conversation through the load balancer."""

    def __init__(self, cluster: Cluster, prefix: str = "visitor") -> None:
        self.cluster = cluster
        self.sender = f"{prefix}-{uuid.uuid4().hex[:10]}"
        self.server: str | None = None
        self.sent: list[str] = []

    def post(self, text: str, timeout: float = 60) -> tuple[int, Any]:
        """Send one message; (status, body) whatever comes back."""
        headers = {
            "Content-Type": "application/json",
            "Authorization": f"Bearer {self.cluster.rest_token}",
        }
        if self.server:
            headers["Cookie"] = f"{COOKIE}={self.server}"
        request = urllib.request.Request(
            self.cluster.public_url + REST_PATH,
            data=json.dumps({"sender": self.sender, "message": text}).encode(),
            headers=headers,
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
                self._keep_cookie(response.headers.get_all("Set-Cookie") or [])
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode("utf-8", "replace")
        except (urllib.error.URLError, OSError) as error:
            return 0, str(error)

    def say(self, text: str) -> str:
        """Send a message that must be answered; the answer's text."""
        status, body = self.post(text)
        assert status == 200, (status, body)
        self.sent.append(text)
        return "\n".join(str(message.get("text", "")) for message in body)

    def _keep_cookie(self, headers: list[str]) -> None:
        for header in headers:
            cookie = SimpleCookie(header)
            if COOKIE in cookie:
                self.server = cookie[COOKIE].value

    def stored_user_turns(self) -> list[str]:
        """The visitor's messages in the shared tracker store, in order."""
        with session_scope(self.cluster.database_url) as session:
            events = conversation_events(session, self.sender)
        return [
            str(event.get("text")) for event in events if event.get("event") == "user"
        ]

    def stored_bookings(self) -> int:
        with session_scope(self.cluster.database_url) as session:
            return int(
                session.scalar(
                    select(func.count())
                    .select_from(BookingRequest)
                    .where(BookingRequest.conversation_id == self.sender)
                )
                or 0
            )
