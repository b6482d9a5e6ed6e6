"""The website widget's channel: Rasa's socket.io channel, made safe to expose.

Rasa's own channel lets a browser name the conversation it joins: whoever
sends another visitor's `session_id` in `session_request` (or in a message)
reads their replies and writes in their booking. Here a conversation id is
only a name; the right to a conversation is a token:

- `session_request {session_id, token}` joins the conversation only when the
  token is the one this server signed for that id (channels/tokens.py).
  Anything else (no id, an unknown id, an id without its token) gets a NEW
  conversation and its token. Either way the answer is
  `session_confirm {session_id, token}`, which the widget keeps. Tabs that
  hold the same token share the conversation.
- A message goes to the conversation this connection was confirmed into,
  never to one it names: a message naming another conversation is dropped.
- One visitor address may hold at most `MAX_CONNECTIONS_PER_ADDRESS` open
  connections (20); the next is refused until one closes.
- A message the Rasa server fails to process (the conversation store
  unreachable, say) is answered with `utter_turn_failed` marked
  `turn_failed: true`: the widget keeps the message and offers "Try again".
- Each message passes the guard (channels/guard.py): per-conversation and
  per-address rate limits and a length cap, answered with a polite bot
  message instead of reaching the assistant. Frames larger than
  `MAX_BODY_BYTES` close the connection.
- Only pages from `WIDGET_ALLOWED_ORIGINS` may connect; the check covers the
  whole Rasa server (channels/callers.py).

It also awaits `enter_room`, which Rasa 3.6 forgets to do with python-socketio
>= 5.10 (RasaHQ/rasa#13027: no reply ever reached the browser).
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import UserMessage, decode_bearer_token
from rasa.core.channels.socketio import SocketBlueprint
from rasa.core.channels.socketio import SocketIOInput as RasaSocketIOInput
from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncServer

from channels import action_calls
from channels.bodies import MAX_DEPTH, as_visitor_text, nesting_depth
from channels.callers import Caller, OriginPolicy, caller_of, install_origin_check
from channels.guard import ChannelGuard, fingerprint, reply_text, shared_guard
from channels.spec import ChannelSpec
from channels.tokens import ConversationSigner, new_conversation_id, session_signer
from channels.widget_output import WidgetOutput
from smp.settings import get_settings

logger = logging.getLogger(__name__)

# Always on: the website widget's channel. Allowed origins come from settings.
CHANNEL = ChannelSpec(
    name="Website widget", credentials_key=f"{__name__}.SocketIOInput"
)


class OriginCheckedSocketBlueprint(SocketBlueprint):
    """Rasa's socket.io blueprint that also makes the app check origins."""

    def __init__(self, policy: OriginPolicy, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.ctx.origin_policy = policy

    def register(self, app: Sanic, options: dict[str, Any]) -> None:
        install_origin_check(app, self.ctx.origin_policy)
        super().register(app, options)


class SocketIOInput(RasaSocketIOInput):
    """Rasa's socket.io input channel with server-issued conversation tokens."""

    allowed_origins: list[str] = []
    signer: ConversationSigner | None = None
    guard: ChannelGuard | None = None

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> SocketIOInput:
        channel = super().from_credentials(credentials)
        origins = (credentials or {}).get("allowed_origins") or list(
            get_settings().widget_allowed_origins
        )
        channel.allowed_origins = [str(origin).rstrip("/") for origin in origins]
        return channel

    def _room_of(self, sid: str, conversation: str) -> str:
        return conversation if self.session_persistence else sid

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Blueprint:
        settings = get_settings()
        # The widget's channel is always on: it sets up the server's action calls.
        action_calls.install()
        if self.signer is None:
            self.signer = session_signer()
        if self.guard is None:
            self.guard = shared_guard()
        signer, guard = self.signer, self.guard
        # Origins are checked for the whole app (OriginCheckedSocketBlueprint);
        # `[]` keeps Engine.IO from adding a second set of CORS headers.
        sio = AsyncServer(
            async_mode="sanic",
            cors_allowed_origins=[],
            max_http_buffer_size=settings.channel_limits.max_body_bytes,
        )
        blueprint = OriginCheckedSocketBlueprint(
            OriginPolicy(self.allowed_origins),
            sio,
            self.socketio_path,
            "socketio_webhook",
            __name__,
        )
        self.sio = sio
        namespace = self.namespace

        @blueprint.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        async def state_of(sid: str) -> dict[str, Any]:
            return dict(await sio.get_session(sid, namespace=namespace))

        def report(state: dict[str, Any], what: str) -> None:
            caller = state.get("caller") or Caller(address="unknown", local=False)
            guard.report(caller.address, what)

        @sio.on("connect", namespace=namespace)
        async def connect(sid: str, environ: dict, auth: Any = None) -> bool:
            if self.jwt_key:
                token = auth.get("token") if isinstance(auth, dict) else None
                if not token or not decode_bearer_token(
                    token, self.jwt_key, self.jwt_algorithm
                ):
                    return False
            request = environ.get("sanic.request")
            caller = (
                caller_of(request)
                if request is not None
                else Caller(address="unknown", local=False)
            )
            if not guard.connect(caller):
                return False
            await sio.save_session(sid, {"caller": caller}, namespace=namespace)
            return True

        @sio.on("disconnect", namespace=namespace)
        async def disconnect(sid: str) -> None:
            caller = (await state_of(sid)).get("caller")
            if caller is not None:
                guard.disconnect(caller)

        @sio.on("session_request", namespace=namespace)
        async def session_request(sid: str, data: Any) -> None:
            data = data if isinstance(data, dict) else {}
            requested, token = data.get("session_id"), data.get("token")
            state = await state_of(sid)
            if signer.verify(requested, token):
                conversation = str(requested)
            else:
                if requested:
                    report(
                        state,
                        "a conversation id without its token (given a new one)",
                    )
                conversation = new_conversation_id()
                token = signer.sign(conversation)
            previous = state.get("conversation")
            if self.session_persistence:
                if previous and previous != conversation:
                    await sio.leave_room(sid, previous, namespace=namespace)
                joined = sio.enter_room(sid, conversation, namespace=namespace)
                if inspect.isawaitable(joined):  # python-socketio >= 5.10
                    await joined
            state["conversation"] = conversation
            await sio.save_session(sid, state, namespace=namespace)
            await sio.emit(
                "session_confirm",
                {"session_id": conversation, "token": token},
                room=sid,
                namespace=namespace,
            )

        @sio.on(self.user_message_evt, namespace=namespace)
        async def handle_message(sid: str, data: Any) -> None:
            state = await state_of(sid)
            conversation = (
                state.get("conversation") if self.session_persistence else sid
            )
            if not conversation:
                report(state, "a message before session_request (ignored)")
                return
            if not isinstance(data, dict):
                report(state, "a message that is not an object (ignored)")
                return
            named = data.get("session_id")
            if self.session_persistence and named not in (None, conversation):
                report(state, "a message naming another conversation (ignored)")
                return
            text = data.get("message", "")
            if not isinstance(text, str):
                report(state, "a message whose text is not a string (ignored)")
                return
            text = as_visitor_text(text)
            caller = state.get("caller") or Caller(address="unknown", local=False)
            admission = await guard.admit(conversation, caller, text)
            room = self._room_of(sid, conversation)
            if not admission.allowed:
                await sio.emit(
                    self.bot_message_evt,
                    {"text": admission.reply},
                    room=room,
                    namespace=namespace,
                )
                return
            metadata = data.get(self.metadata_key)
            if not isinstance(metadata, dict) or nesting_depth(metadata) > MAX_DEPTH:
                metadata = {}
            try:
                await on_new_message(
                    UserMessage(
                        text,
                        WidgetOutput(sio, self.bot_message_evt),
                        conversation,
                        input_channel=self.name(),
                        metadata=metadata,
                    )
                )
            except Exception:
                # Logged by its length and hash: the text may hold contact details.
                logger.exception("A widget message (%s) failed.", fingerprint(text))
                # Nothing of the turn was stored: the visitor is told, and the
                # widget keeps the message for "Try again".
                await sio.emit(
                    self.bot_message_evt,
                    {"text": reply_text("turn_failed"), "turn_failed": True},
                    room=room,
                    namespace=namespace,
                )

        return blueprint
