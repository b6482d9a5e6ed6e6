"""A stand-in for Rasa's socket.io channel, for widget tests that script the bot.

Speaks the same events as the project's channel (channels/socketio.py):
`session_request {session_id, token}` -> `session_confirm {session_id, token}`
(the same conversation only with its token, otherwise a new one),
`user_uttered` -> `bot_uttered` to the conversation's room, and answers from a
fixed script, so tests can make the bot say exactly what they need and can
kill and restart the "server". Its tokens are a plain hash: it checks the
widget's side of the protocol, not the signing.

Every `user_uttered` it receives is appended to the JSON-lines file given with
`--log`, so tests can count what the widget really sent.

    python tests/web/fake_rasa.py --port 5999 --log /tmp/received.jsonl
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import inspect
import json
import uuid
from pathlib import Path

import socketio
from aiohttp import web

WELCOME = "Hello from the test clinic."
HOSTILE = '<img src=x onerror=alert(1)><script>alert("bot")</script>'
MARKDOWN = (
    "**Bold claim** and *a gentle aside*.\n"
    "- first point\n"
    "- second point with https://clinic.example/aftercare.\n"
    "Write to hello@clinic.example or [see the guide](https://clinic.example/guide).\n"
    "[Do not click](javascript:alert(1))"
)
PHONE_TEXT = (
    "Call us on **+44 (0)1244 555 010** or 01244 555010.\n"
    "Booking BK-20240512-0042 on 2024-05-12, from £1,800.\n"
    '<a href="tel:1">+44 1244 555 010</a><img src=x onerror=alert(1)>'
)
LONG_ANSWER = "\n\n".join(
    [
        "**Aftercare, day by day.** Keep the scalp dry for the first four days: no "
        "washing, no swimming, no sauna and no heavy exercise that makes you sweat.",
        "From day five you can wet the scalp again with lukewarm water only. Pat it "
        "dry, never rub, and leave any flaking to fall away on its own.",
        "For four weeks avoid direct sun and sunbeds. After that, sunscreen of SPF 30 "
        "or more keeps the pigment from fading and keeps the colour even.",
    ]
)
VERY_LONG_ANSWER = "\n\n".join([LONG_ANSWER] * 3)
FOLLOW_UPS = [
    {"title": "How long does it last?", "payload": "/faq_longevity"},
    {"title": "Does it hurt?", "payload": "/faq_pain"},
    {"title": "Prices", "payload": "/faq_price"},
    {"title": "Book a consultation", "payload": "/book"},
]
# Messages starting "lost once:" get no reply the first time they arrive.
_lost_once: set[str] = set()


def replies_to(message: str) -> tuple[float, list[dict]]:
    """(delay in seconds, bot messages) for one visitor message."""
    if message == "/greet":
        return 0, [
            {
                "text": WELCOME,
                "quick_replies": [
                    {"content_type": "text", "title": "Say hi", "payload": "hi there"},
                ],
            }
        ]
    if message == "markdown please":
        return 0, [{"text": MARKDOWN}]
    if message == "hostile please":
        return 0, [{"text": HOSTILE}]
    if message.startswith("slow:"):
        return 1.5, [{"text": f"Slow echo: {message[5:].strip()}"}]
    if message == "phone please":
        return 0, [{"text": PHONE_TEXT}]
    if message == "long answer please":
        return 0, [{"text": LONG_ANSWER, "buttons": FOLLOW_UPS}]
    if message == "very long answer please":
        return 0, [{"text": VERY_LONG_ANSWER, "buttons": FOLLOW_UPS}]
    if message.startswith("lost once:") and message not in _lost_once:
        _lost_once.add(message)
        return 0, []
    if message.startswith("bubbles:"):
        # Several bubbles, half a second apart ("pause": seconds before each).
        count = int(message[8:])
        return 0.2, [
            {"text": f"Bubble {n} of {count}", "pause": 0.5 if n > 1 else 0}
            for n in range(1, count + 1)
        ]
    if message.startswith("burst "):
        return 0.2, [
            {"text": f"Answer to {message}, part 1"},
            {"text": f"Answer to {message}, part 2", "pause": 0.3},
        ]
    return 0, [{"text": f"Echo: {message}"}]


def token_for(session_id: str) -> str:
    """The fake server's conversation token (a real server signs it)."""
    return hashlib.sha256(f"fake:{session_id}".encode()).hexdigest()[:43]


def create_app(log_path: Path) -> web.Application:
    # Pings a minute apart (Rasa: 25 s), so a test may move the page's clock
    # past the widget's 45 s reply timeout without socket.io calling the
    # connection dead.
    sio = socketio.AsyncServer(
        async_mode="aiohttp", cors_allowed_origins="*", ping_interval=60
    )
    app = web.Application()
    sio.attach(app)

    async def health(_request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    app.router.add_get("/", health)

    @sio.on("session_request")
    async def session_request(sid: str, data: dict | None) -> None:
        session_id = (data or {}).get("session_id")
        if not session_id or (data or {}).get("token") != token_for(session_id):
            session_id = uuid.uuid4().hex
        joined = sio.enter_room(sid, session_id)
        if inspect.isawaitable(joined):
            await joined
        await sio.emit(
            "session_confirm",
            {"session_id": session_id, "token": token_for(session_id)},
            room=sid,
        )

    @sio.on("user_uttered")
    async def user_uttered(sid: str, data: dict) -> None:
        session_id = data.get("session_id")
        message = str(data.get("message", ""))
        with log_path.open("a", encoding="utf-8") as log:
            log.write(json.dumps({"session_id": session_id, "message": message}) + "\n")
        delay, replies = replies_to(message)
        if delay:
            await asyncio.sleep(delay)
        for reply in replies:
            pause = reply.pop("pause", 0)
            if pause:
                await asyncio.sleep(pause)
            await sio.emit("bot_uttered", reply, room=session_id)

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--log", type=Path, required=True)
    args = parser.parse_args()
    web.run_app(
        create_app(args.log),
        host="127.0.0.1",
        port=args.port,
        print=None,
        shutdown_timeout=1.0,
    )


if __name__ == "__main__":
    main()
