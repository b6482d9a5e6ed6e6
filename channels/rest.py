"""The REST channel (`POST /webhooks/rest/webhook`), closed to strangers.

Rasa's own REST channel lets anyone continue any conversation by naming its
`sender` (reading back a stranger's booking), puts every request without a
`sender` into one shared conversation called `default`, and answers malformed
bodies with a server error or a silent `[]`. This channel, registered in its
place under the same URL:

- requires `Authorization: Bearer <REST_API_TOKEN>` from every caller that is
  not a local tool on this machine (channels/callers.py); without
  `REST_API_TOKEN` a token is generated into `var/rest_api_token`;
- requires a `sender` (400 without one: there is no shared conversation);
- reads at most `MAX_BODY_BYTES` (413) and checks the body's shape before
  anything else reads it (400 with the reason, channels/bodies.py);
- answers in plain text, without markdown markers (channels/plain_text.py),
  streamed (`?stream=true`, one reply a line) or whole;
- answers 503 with `Retry-After` when a message could not be processed (the
  conversation store unreachable, say), never the replies of a turn that was
  not stored; a streamed answer, whose status is already sent, ends with the
  same error as its last line instead of hanging;
- passes each message through the guard (channels/guard.py): 429 with
  `Retry-After` when a conversation or an address sends too fast, and a
  friendly reply instead of the assistant's for a message over
  `MAX_MESSAGE_CHARS`.
"""

from __future__ import annotations

import hmac
import logging
from asyncio import CancelledError, Queue
from collections.abc import Awaitable, Callable
from typing import Any

import rasa.utils.endpoints
from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput as RasaRestInput
from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse, ResponseStream

from channels.bodies import BodyError, parse_message_body
from channels.callers import OriginPolicy, caller_of, install_origin_check
from channels.guard import ChannelGuard, fingerprint, shared_guard
from channels.plain_text import PlainTextCollector, PlainTextQueue
from channels.spec import ChannelSpec
from channels.tokens import REST_TOKEN_FILE, configured_or_generated
from smp.settings import get_settings

# Always on: the REST channel (the staff console's test chat, integrations).
CHANNEL = ChannelSpec(name="REST", credentials_key=f"{__name__}.RestInput")

logger = logging.getLogger(__name__)

NOT_PROCESSED = "the message could not be processed; send it again"


def error(
    status: int,
    code: str,
    reason: str,
    headers: dict[str, str] | None = None,
    **fields: Any,
) -> HTTPResponse:
    """A JSON error answer a developer can act on: `{error, reason, …fields}`."""
    return response.json(
        {"error": code, "reason": reason, **fields}, status=status, headers=headers
    )


def bearer_token(request: Request) -> str | None:
    """The token of an `Authorization: Bearer …` header, if any."""
    scheme, _, token = (request.headers.get("authorization") or "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


async def read_body(request: Request, max_bytes: int) -> bytes:
    """The request body, read no further than `max_bytes` (then `BodyError`)."""
    too_large = BodyError(413, f"the body is larger than {max_bytes} bytes")
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > max_bytes:
        raise too_large
    if request.stream is None:  # Not a streaming route (tests): already read.
        body = request.body or b""
    else:
        chunks: list[bytes] = []
        size = 0
        while (chunk := await request.stream.read()) is not None:
            size += len(chunk)
            if size > max_bytes:
                raise too_large
            chunks.append(chunk)
        body = b"".join(chunks)
    if len(body) > max_bytes:
        raise too_large
    return body


class OriginCheckedBlueprint(Blueprint):
    """A blueprint that also makes the app check origins (channels/callers.py)."""

    def __init__(self, policy: OriginPolicy, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.ctx.origin_policy = policy

    def register(self, app: Sanic, options: dict[str, Any]) -> None:
        install_origin_check(app, self.ctx.origin_policy)
        super().register(app, options)


class RestInput(RasaRestInput):
    """Rasa's REST channel with authentication, body checks and rate limits."""

    api_token: str = ""
    guard: ChannelGuard | None = None

    @classmethod
    def name(cls) -> str:
        # Same name, so the same URL: /webhooks/rest/webhook.
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> RestInput:
        return cls()

    @staticmethod
    async def on_message_wrapper(
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
        text: str,
        queue: Queue,
        sender_id: str,
        input_channel: str,
        metadata: dict[str, Any] | None,
    ) -> None:
        """Rasa's streamed turn (`?stream=true`), its replies made plain text.

        Rasa's own ends the stream only when the turn succeeds: a failed turn
        left the caller waiting for ever.
        """
        try:
            await on_new_message(
                UserMessage(
                    text,
                    PlainTextQueue(queue),
                    sender_id,
                    input_channel=input_channel,
                    metadata=metadata,
                )
            )
        except Exception:
            logger.exception("A streamed REST message (%s) failed.", fingerprint(text))
            await queue.put({"error": "not_processed", "reason": NOT_PROCESSED})
        await queue.put("DONE")

    def authorised(self, request: Request) -> bool:
        """Whether the request carries the REST API token."""
        token = bearer_token(request)
        return token is not None and hmac.compare_digest(
            token.encode("utf-8"), self.api_token.encode("utf-8")
        )

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Blueprint:
        settings = get_settings()
        if not self.api_token:
            self.api_token = configured_or_generated(
                settings.rest_api_token, REST_TOKEN_FILE, "REST_API_TOKEN"
            )
        if self.guard is None:
            self.guard = shared_guard()
        guard = self.guard
        max_bytes = settings.channel_limits.max_body_bytes
        webhook = OriginCheckedBlueprint(
            OriginPolicy(settings.widget_allowed_origins),
            f"smp_rest_webhook_{type(self).__name__}",
        )

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"], stream=True)
        async def receive(request: Request) -> ResponseStream | HTTPResponse:
            caller = caller_of(request)
            if not caller.local and not self.authorised(request):
                guard.report(caller.address, "REST message without a valid token")
                return error(
                    401,
                    "unauthorised",
                    "send Authorization: Bearer <REST_API_TOKEN>",
                    headers={"WWW-Authenticate": 'Bearer realm="rest"'},
                )
            try:
                body = await read_body(request, max_bytes)
                message = parse_message_body(body, max_bytes)
            except BodyError as refused:
                guard.report(caller.address, f"REST body refused, {refused.reason}")
                code = "too_large" if refused.status == 413 else "bad_request"
                return error(refused.status, code, refused.reason)

            admission = await guard.admit(message.sender, caller, message.text)
            if admission.reason == "rate_limited":
                return error(
                    429,
                    "rate_limited",
                    admission.reply,
                    retry_after=admission.retry_after,
                    headers={"Retry-After": str(admission.retry_after)},
                )
            if not admission.allowed:
                return response.json(
                    [{"recipient_id": message.sender, "text": admission.reply}]
                )

            if rasa.utils.endpoints.bool_arg(request, "stream", default=False):
                return response.stream(
                    self.stream_response(
                        on_new_message,
                        message.text,
                        message.sender,
                        self.name(),
                        message.metadata,
                    ),
                    content_type="text/event-stream",
                )
            collector = PlainTextCollector()
            try:
                await on_new_message(
                    UserMessage(
                        message.text,
                        collector,
                        message.sender,
                        input_channel=self.name(),
                        metadata=message.metadata,
                    )
                )
            except CancelledError:
                logger.error(
                    "A REST message (%s) timed out.", fingerprint(message.text)
                )
            except Exception:
                # Nothing of this turn was stored (the conversation store may be
                # down): replies already collected must not read as done.
                logger.exception(
                    "A REST message (%s) failed.", fingerprint(message.text)
                )
                return error(
                    503,
                    "not_processed",
                    NOT_PROCESSED,
                    headers={"Retry-After": "1"},
                )
            return response.json(collector.messages)

        return webhook
