"""Clients for attacking the real servers: a socket.io widget visitor and REST calls.

`WidgetVisitor` speaks the widget's protocol (session_request, user_uttered,
session_confirm, bot_uttered) over HTTP long-polling, with any `Origin` and, to
play a visitor arriving through the clinic's reverse proxy, an
`X-Forwarded-For` address. `post_rest` sends raw bytes to the REST channel and
returns whatever comes back, errors included.
"""

from __future__ import annotations

import asyncio
import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

import socketio

REST_PATH = "/webhooks/rest/webhook"


class WidgetVisitor:
    """One browser tab's socket.io connection to the Rasa server."""

    def __init__(
        self, rasa_url: str, origin: str, forwarded_for: str | None = None
    ) -> None:
        self.rasa_url = rasa_url
        self.origin = origin
        self.forwarded_for = forwarded_for
        self.messages: list[dict[str, Any]] = []
        self._confirmed: asyncio.Queue[Any] = asyncio.Queue()
        self.client = socketio.AsyncClient(reconnection=False)
        self.client.on("bot_uttered", self._on_bot)
        self.client.on("session_confirm", self._on_confirm)

    async def _on_bot(self, data: Any) -> None:
        self.messages.append(data if isinstance(data, dict) else {"raw": data})

    async def _on_confirm(self, data: Any) -> None:
        await self._confirmed.put(data)

    async def connect(self) -> WidgetVisitor:
        headers = {"Origin": self.origin}
        if self.forwarded_for:
            headers["X-Forwarded-For"] = self.forwarded_for
        await self.client.connect(
            self.rasa_url,
            headers=headers,
            # aiohttp 3.9 (Rasa's pin) lacks what the WebSocket client needs.
            transports=["polling"],
            socketio_path="/socket.io",
            wait_timeout=10,
        )
        return self

    async def close(self) -> None:
        await self.client.disconnect()

    async def request_session(
        self, session_id: str | None = None, token: str | None = None
    ) -> tuple[str, str | None]:
        """Ask for a conversation; returns the (id, token) the server confirms."""
        payload: dict[str, Any] = {"session_id": session_id}
        if token is not None:
            payload["token"] = token
        await self.client.emit("session_request", payload)
        confirmed = await asyncio.wait_for(self._confirmed.get(), timeout=15)
        if isinstance(confirmed, str):  # Rasa's own channel: a bare id.
            return confirmed, None
        return confirmed["session_id"], confirmed.get("token")

    async def send(self, text: str, session_id: str | None) -> None:
        await self.client.emit(
            "user_uttered", {"message": text, "session_id": session_id}
        )

    async def say(
        self, text: str, session_id: str | None, timeout: float = 30
    ) -> list[dict[str, Any]]:
        """Send a message and return the bot messages that answer it."""
        start = len(self.messages)
        await self.send(text, session_id)
        return await self.replies_since(start, timeout=timeout)

    async def replies_since(
        self, start: int, timeout: float = 30, quiet: float = 1.5
    ) -> list[dict[str, Any]]:
        """Bot messages after the first `start`, once they stop coming."""
        deadline = time.monotonic() + timeout
        while len(self.messages) <= start and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        seen = -1
        while seen != len(self.messages) and time.monotonic() < deadline:
            seen = len(self.messages)
            await asyncio.sleep(quiet)
        return self.messages[start:]


def texts(messages: list[dict[str, Any]]) -> str:
    return "\n".join(str(message.get("text", "")) for message in messages)


@dataclass
class RestAnswer:
    status: int
    headers: dict[str, str]
    body: Any


def post_rest(
    rasa_url: str,
    body: bytes | dict[str, Any] | list[Any] | str | None,
    headers: dict[str, str] | None = None,
    timeout: float = 60,
    path: str = REST_PATH,
) -> RestAnswer:
    """POST `body` (bytes as they are, anything else as JSON) to the REST channel
    (or another of the Rasa server's `path`s)."""
    raw = body if isinstance(body, bytes) else json.dumps(body).encode("utf-8")
    request = urllib.request.Request(
        rasa_url + path,
        data=raw,
        headers={"Content-Type": "application/json", **(headers or {})},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            status, answer_headers = response.status, dict(response.headers)
            text = response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        status, answer_headers = error.code, dict(error.headers)
        text = error.read().decode("utf-8")
    try:
        parsed: Any = json.loads(text)
    except ValueError:
        parsed = text
    return RestAnswer(status, answer_headers, parsed)


def user_messages(tracker: dict[str, Any]) -> list[str]:
    """The visitor messages a conversation's tracker holds (what was classified)."""
    return [
        str(event.get("text"))
        for event in tracker.get("events") or []
        if event.get("event") == "user"
    ]


def call_action(
    actions_url: str,
    action: str,
    sender: str,
    slots: dict[str, Any],
    headers: dict[str, str] | None = None,
) -> RestAnswer:
    """POST a hand-made action call to the action server, as a forger would."""
    body = {
        "next_action": action,
        "sender_id": sender,
        "version": "3.6.21",
        "domain": {},
        "tracker": {
            "sender_id": sender,
            "slots": slots,
            "latest_message": {"text": "/affirm", "intent": {"name": "affirm"}},
            "events": [],
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": "action_listen",
        },
    }
    request = urllib.request.Request(
        actions_url + "/webhook",
        data=json.dumps(body).encode("utf-8"),
        headers={"Content-Type": "application/json", **(headers or {})},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
            status, text = response.status, response.read().decode("utf-8")
            answer_headers = dict(response.headers)
    except urllib.error.HTTPError as error:
        status, text = error.code, error.read().decode("utf-8")
        answer_headers = dict(error.headers)
    return RestAnswer(status, answer_headers, json.loads(text) if text else None)


def booking_answers(
    contact: str = "jane.doe@example.com", concern: str = "covering my crown"
) -> tuple[str, ...]:
    """What a visitor types through the booking form, up to the read-back."""
    return (
        "I'd like to book a consultation",
        "Jane Doe",
        contact,
        "next Tuesday afternoon",
        concern,
        "/affirm",
    )
