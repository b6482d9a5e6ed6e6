"""A stand-in for Meta's Graph API on loopback, recording the messages sent to it."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

from aiohttp import web


def message_text(message: dict[str, Any]) -> str:
    """The visible text of a sent message: text body, or interactive body and titles
    (of reply buttons or list rows)."""
    if message.get("type") == "text":
        return message["text"]["body"]
    if message.get("type") == "interactive":
        interactive = message["interactive"]
        action = interactive["action"]
        if interactive["type"] == "list":
            rows = [row for section in action["sections"] for row in section["rows"]]
            titles = [row["title"] for row in rows]
        else:
            titles = [b["reply"]["title"] for b in action["buttons"]]
        return "\n".join([interactive["body"]["text"], *titles])
    return ""


class FakeGraphApi:
    """Serves `POST /{phone_number_id}/messages` on 127.0.0.1 in a thread of its own.

    Requests without `Authorization: Bearer <access_token>` get Graph's 401 error
    and are counted in `rejected`; accepted message bodies are kept in order.
    """

    def __init__(self, phone_number_id: str, access_token: str, port: int) -> None:
        self.phone_number_id = phone_number_id
        self.access_token = access_token
        self.port = port
        self.url = f"http://127.0.0.1:{port}/v19.0"
        self.rejected = 0
        self._sent: list[dict[str, Any]] = []
        self._ids: list[str] = []
        self._lock = threading.Lock()
        self._ready = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: web.AppRunner | None = None
        self._thread = threading.Thread(target=self._serve, daemon=True)

    # --- server -----------------------------------------------------------------

    async def _messages(self, request: web.Request) -> web.Response:
        if request.headers.get("Authorization") != f"Bearer {self.access_token}":
            with self._lock:
                self.rejected += 1
            return web.json_response(
                {
                    "error": {
                        "message": "Invalid OAuth access token.",
                        "type": "OAuthException",
                        "code": 190,
                        "fbtrace_id": "FAKE-TRACE",
                    }
                },
                status=401,
            )
        body = await request.json()
        with self._lock:
            message_id = f"wamid.fake-outgoing-{len(self._sent) + 1}"
            self._sent.append(body)
            self._ids.append(message_id)
        return web.json_response(
            {
                "messaging_product": "whatsapp",
                "contacts": [{"input": body.get("to"), "wa_id": body.get("to")}],
                "messages": [{"id": message_id}],
            }
        )

    def _serve(self) -> None:
        self._loop = asyncio.new_event_loop()
        app = web.Application()
        app.router.add_post(f"/v19.0/{self.phone_number_id}/messages", self._messages)
        self._runner = web.AppRunner(app)
        self._loop.run_until_complete(self._runner.setup())
        site = web.TCPSite(self._runner, "127.0.0.1", self.port)
        self._loop.run_until_complete(site.start())
        self._ready.set()
        self._loop.run_forever()
        self._loop.run_until_complete(self._runner.cleanup())
        self._loop.close()

    def start(self) -> FakeGraphApi:
        self._thread.start()
        if not self._ready.wait(timeout=10):
            raise RuntimeError("the fake Graph API did not start")
        return self

    def stop(self) -> None:
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)

    # --- what was sent ----------------------------------------------------------

    def sent_to(self, wa_id: str) -> list[dict[str, Any]]:
        """Every message accepted for `wa_id`, oldest first."""
        with self._lock:
            return [message for message in self._sent if message.get("to") == wa_id]

    def ids_sent_to(self, wa_id: str) -> list[str]:
        """The ids the API gave the messages in `sent_to(wa_id)`, in that order."""
        with self._lock:
            return [
                message_id
                for message_id, message in zip(self._ids, self._sent, strict=True)
                if message.get("to") == wa_id
            ]

    def wait_for_reply(
        self,
        wa_id: str,
        since: int = 0,
        containing: str | None = None,
        timeout: float = 90.0,
        settle: float = 1.0,
    ) -> list[dict[str, Any]]:
        """Messages to `wa_id` after the first `since`, once the reply is complete.

        Complete means: a message containing `containing` (case-insensitive) has
        arrived, or with `containing` None any message has, and then nothing
        more for `settle` seconds.
        """
        deadline = time.monotonic() + timeout
        seen, quiet_since = -1, time.monotonic()
        while time.monotonic() < deadline:
            new = self.sent_to(wa_id)[since:]
            if len(new) != seen:
                seen, quiet_since = len(new), time.monotonic()
            found = any(
                containing is None or containing.lower() in message_text(m).lower()
                for m in new
            )
            if new and found and time.monotonic() - quiet_since >= settle:
                return new
            time.sleep(0.1)
        texts = [message_text(m)[:80] for m in self.sent_to(wa_id)[since:]]
        raise AssertionError(
            f"no complete reply to {wa_id} containing {containing!r} "
            f"within {timeout:.0f}s; got {texts}"
        )
