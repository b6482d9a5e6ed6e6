"""Rasa's socket.io channel, fixed for python-socketio >= 5.10.

Rasa 3.6 calls `sio.enter_room()` without `await`. Since python-socketio 5.10
that method is a coroutine, so with `session_persistence: true` the browser
never joins its conversation's room and no reply reaches it
(RasaHQ/rasa#13027). This subclass re-registers `session_request` with the
join awaited; everything else is Rasa's own channel.

It also takes `allowed_origins` (a list of site origins such as
`https://www.example-clinic.com`): Rasa accepts socket.io connections from any
site, so a clinic can limit the chat to its own pages.
"""

from __future__ import annotations

import inspect
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketIOInput as RasaSocketIOInput
from sanic import Blueprint

from channels.spec import ChannelSpec

# Always on: the website widget's channel. Allowed origins come from settings.
CHANNEL = ChannelSpec(
    name="Website widget", credentials_key=f"{__name__}.SocketIOInput"
)


class SocketIOInput(RasaSocketIOInput):
    """Rasa's socket.io input channel, with the session's room really joined."""

    allowed_origins: list[str] = []

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> SocketIOInput:
        channel = super().from_credentials(credentials)
        origins = (credentials or {}).get("allowed_origins") or []
        channel.allowed_origins = [str(origin).rstrip("/") for origin in origins]
        return channel

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Blueprint:
        blueprint = super().blueprint(on_new_message)
        sio = self.sio
        assert sio is not None
        if self.allowed_origins:
            # Engine.IO refuses a connection whose Origin header is not listed.
            sio.eio.cors_allowed_origins = list(self.allowed_origins)

        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: str, data: dict | None) -> None:
            data = data or {}
            if not data.get("session_id"):
                data["session_id"] = uuid.uuid4().hex
            if self.session_persistence:
                joined = sio.enter_room(
                    sid, data["session_id"], namespace=self.namespace
                )
                if inspect.isawaitable(joined):  # python-socketio >= 5.10
                    await joined
            await sio.emit(
                "session_confirm",
                data["session_id"],
                room=sid,
                namespace=self.namespace,
            )

        return blueprint
