"""A stand-in for Telegram's Bot API on loopback: answers getMe, records the
webhook registrations and the messages the bot sends."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

from aiohttp import web


class FakeTelegramApi:
    """Serves `/bot<token>/<method>` on 127.0.0.1 in a thread of its own.

    Calls with another token get Telegram's 401; `setWebhook` and
    `sendMessage` parameters are kept in order.
    """

    def __init__(self, access_token: str, bot_name: str, port: int) -> None:
        self.access_token = access_token
        self.bot_name = bot_name
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.webhooks: list[dict[str, str]] = []
        # Every other method called, with its parameters, in order.
        self.calls: list[tuple[str, dict[str, str]]] = []
        self._sent: list[dict[str, str]] = []
        self._lock = threading.Lock()
        self._ready = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread = threading.Thread(target=self._serve, daemon=True)

    async def _method(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.access_token:
            return web.json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"},
                status=401,
            )
        method = request.match_info["method"].lower()
        params: dict[str, str] = {str(k): str(v) for k, v in request.query.items()}
        if request.can_read_body:
            params.update({str(k): str(v) for k, v in (await request.post()).items()})
        if method == "getme":
            result: Any = {
                "id": 1,
                "is_bot": True,
                "first_name": "Clinic",
                "username": self.bot_name,
            }
        elif method == "setwebhook":
            with self._lock:
                self.webhooks.append(params)
            result = True
        elif method == "sendmessage":
            with self._lock:
                self._sent.append(params)
                number = len(self._sent)
            result = {
                "message_id": number,
                "date": int(time.time()),
                "chat": {"id": int(params["chat_id"]), "type": "private"},
                "text": params.get("text", ""),
            }
        else:
            with self._lock:
                self.calls.append((method, params))
            result = True
        return web.json_response({"ok": True, "result": result})

    def _serve(self) -> None:
        self._loop = asyncio.new_event_loop()
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._method)
        runner = web.AppRunner(app)
        self._loop.run_until_complete(runner.setup())
        self._loop.run_until_complete(
            web.TCPSite(runner, "127.0.0.1", self.port).start()
        )
        self._ready.set()
        self._loop.run_forever()
        self._loop.run_until_complete(runner.cleanup())
        self._loop.close()

    def start(self) -> FakeTelegramApi:
        self._thread.start()
        if not self._ready.wait(timeout=10):
            raise RuntimeError("the fake Telegram API did not start")
        return self

    def stop(self) -> None:
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)

    def sent_to(self, chat_id: int) -> list[dict[str, str]]:
        """Every message the bot sent to `chat_id`, oldest first."""
        with self._lock:
            return [m for m in self._sent if m.get("chat_id") == str(chat_id)]

    def called(self, method: str) -> list[dict[str, str]]:
        """The parameters of every call of `method` (lower case), oldest first."""
        with self._lock:
            return [params for name, params in self.calls if name == method]

    def wait_for_reply(
        self, chat_id: int, containing: str, timeout: float = 90.0
    ) -> list[dict[str, str]]:
        """The messages to `chat_id` once one contains `containing`."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            sent = self.sent_to(chat_id)
            if any(containing.lower() in m.get("text", "").lower() for m in sent):
                return sent
            time.sleep(0.2)
        raise AssertionError(
            f"no message to {chat_id} containing {containing!r}: {self.sent_to(chat_id)}"
        )
