"""Telegram, through Rasa's connector, with replies sent as plain text.

Rasa's connector registers its webhook with Telegram when the server starts, so
the channel must not start half-configured or offline: it is enabled only when
all three variables are set.

Incoming updates are authenticated: the webhook is registered with a secret
token (`TELEGRAM_SECRET_TOKEN`, or one derived from the bot's access token),
which Telegram sends back in `X-Telegram-Bot-Api-Secret-Token` with every
update; a request to the webhook or to `set_webhook` without it gets 401 and
reaches neither the assistant nor Telegram. `TELEGRAM_API_URL` points the
channel at another Bot API server (a self-hosted one).

Under an FAQ answer, a second row of buttons asks "Was this helpful?" as the
widget does. A press comes back as a callback query `vote:<answer>:<version>:<1|0>`;
it is stored as the chat's vote on that answer version, if the assistant served
it in that chat, and never reaches the assistant as a message.

Rasa's output sends text without a parse mode, so the answers' `**bold**`
would arrive as asterisks: `TelegramInput` replies through `PlainTextTelegramOutput`,
which sends `smp.markup.to_plain()` of every text. The URL stays
`/webhooks/telegram/webhook`.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram.bot.api import TelegramAPIServer
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.exceptions import TelegramAPIError
from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.channels.telegram import TelegramInput as RasaTelegramInput
from rasa.core.channels.telegram import TelegramOutput
from rasa.shared.exceptions import RasaException
from sanic import Blueprint, HTTPResponse, Request, response
from sqlalchemy.exc import SQLAlchemyError

from channels.feedback import save_vote, served_question
from channels.guard import reply_text
from channels.rest import error as error_answer
from channels.spec import ChannelSpec
from channels.widget_output import answer_reference
from smp import repository
from smp.markup import to_plain

CHANNEL = ChannelSpec(
    name="Telegram",
    credentials_key=f"{__name__}.TelegramInput",
    variables={
        "access_token": "TELEGRAM_ACCESS_TOKEN",
        "verify": "TELEGRAM_BOT_NAME",
        "webhook_url": "TELEGRAM_WEBHOOK_URL",
    },
    optional_variables={
        "secret_token": "TELEGRAM_SECRET_TOKEN",
        "api_url": "TELEGRAM_API_URL",
    },
    secrets=frozenset({"access_token", "secret_token"}),
)
# The header Telegram sends the webhook's secret token in.
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name
# What Telegram accepts as a secret token.
SECRET_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{1,256}")
# A "Was this helpful?" button's callback data: answer id, version, 1 or 0.
VOTE_DATA = re.compile(r"vote:([1-9][0-9]{0,9}):([1-9][0-9]{0,9}):([01])")

logger = logging.getLogger(__name__)


def vote_data(answer: dict[str, int], helpful: bool) -> str:
    """The callback data of a vote button on `answer` ({id, version})."""
    return f"vote:{answer['id']}:{answer['version']}:{int(helpful)}"


def parse_vote_data(data: object) -> tuple[int, int, bool] | None:
    """(answer id, version, helpful) of a vote button's data, else None."""
    match = VOTE_DATA.fullmatch(data) if isinstance(data, str) else None
    if match is None:
        return None
    return int(match[1]), int(match[2]), match[3] == "1"


def webhook_secret(access_token: str, configured: str | None = None) -> str:
    """The secret token Telegram must send with every update: the configured
    one, else one derived from the bot's access token (stable across restarts
    and servers, and secret as long as the access token is)."""
    if configured:
        if not SECRET_TOKEN_SHAPE.fullmatch(configured):
            raise RasaException(
                "TELEGRAM_SECRET_TOKEN must be 1 to 256 letters, digits, _ or -."
            )
        return configured
    return hmac.new(
        access_token.encode("utf-8"), b"smp telegram webhook", hashlib.sha256
    ).hexdigest()


class PlainTextTelegramOutput(TelegramOutput):
    """Rasa's Telegram output with every text made plain, registering its
    webhook with the secret token."""

    def __init__(
        self,
        access_token: str | None,
        secret_token: str | None = None,
        api_url: str | None = None,
    ) -> None:
        server = TelegramAPIServer.from_base(api_url) if api_url else None
        if server is None:
            super().__init__(access_token)
        else:
            super(TelegramOutput, self).__init__(access_token, server=server)
        self.secret_token = secret_token

    async def set_webhook(self, url: str, **kwargs: Any) -> bool:
        """Register the webhook, with the secret token Telegram sends back."""
        if not self.secret_token:
            return bool(await super().set_webhook(url, **kwargs))
        answer = await self.request(
            "setWebhook", {"url": url, "secret_token": self.secret_token, **kwargs}
        )
        return bool(answer)

    async def send_text_message(
        self, recipient_id: str, text: str, **kwargs: Any
    ) -> None:
        await super().send_text_message(recipient_id, to_plain(text), **kwargs)

    async def send_text_with_buttons(
        self,
        recipient_id: str,
        text: str,
        buttons: list[dict[str, Any]],
        button_type: str | None = "inline",
        **kwargs: Any,
    ) -> None:
        answer = answer_reference(kwargs.get("answer"))
        if answer is None or button_type != "inline":
            await super().send_text_with_buttons(
                recipient_id, to_plain(text), buttons, button_type, **kwargs
            )
            return
        # An answer: its buttons in a row, "Was this helpful?" in a row below.
        keyboard = InlineKeyboardMarkup()
        keyboard.row(
            *[
                InlineKeyboardButton(b["title"], callback_data=b["payload"])
                for b in buttons
            ]
        )
        keyboard.row(
            InlineKeyboardButton(
                reply_text("vote_helpful_button"), callback_data=vote_data(answer, True)
            ),
            InlineKeyboardButton(
                reply_text("vote_not_helpful_button"),
                callback_data=vote_data(answer, False),
            ),
        )
        await self.send_message(recipient_id, to_plain(text), reply_markup=keyboard)


class TelegramInput(RasaTelegramInput):
    """Rasa's Telegram channel, answering through `PlainTextTelegramOutput`,
    and taking only updates that carry the webhook's secret token."""

    def __init__(
        self,
        access_token: str | None,
        verify: str | None,
        webhook_url: str | None,
        debug_mode: bool = True,
        secret_token: str | None = None,
        api_url: str | None = None,
    ) -> None:
        super().__init__(access_token, verify, webhook_url, debug_mode)
        self.secret_token = webhook_secret(access_token or "", secret_token)
        self.api_url = api_url or None

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        if not credentials:
            cls.raise_missing_credentials_exception()
        return cls(
            credentials.get("access_token"),
            credentials.get("verify"),
            credentials.get("webhook_url"),
            secret_token=credentials.get("secret_token") or None,
            api_url=credentials.get("api_url") or None,
        )

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Blueprint:
        webhook = super().blueprint(on_new_message)

        @webhook.middleware("request")
        async def only_from_telegram(request: Request) -> HTTPResponse | None:
            # The health check (".../telegram/") stays open.
            if request.path.rstrip("/").endswith("/telegram"):
                return None
            given = request.headers.get(SECRET_HEADER, "")
            if not hmac.compare_digest(given.encode(), self.secret_token.encode()):
                return error_answer(
                    401,
                    "unauthorised",
                    f"only Telegram may call this: {SECRET_HEADER} is missing or wrong",
                )
            if request.method == "POST" and request.path.endswith("/webhook"):
                return await self._vote(request)
            return None

        return webhook

    async def _vote(self, request: Request) -> HTTPResponse | None:
        """Store a "Was this helpful?" press; None for any other update."""
        try:
            update = json.loads(request.body or b"")
        except ValueError:
            update = None
        if not isinstance(update, dict):
            return error_answer(
                400, "bad_request", "the body must be a Telegram update, a JSON object"
            )
        query = update.get("callback_query")
        if not isinstance(query, dict):
            return None
        vote = parse_vote_data(query.get("data"))
        if vote is None:
            return None
        chat = ((query.get("message") or {}).get("chat") or {}).get("id")
        if chat is not None:
            notice = await self._store_vote(request, str(chat), *vote)
            await self._notify(str(query.get("id") or ""), notice)
        return response.text("success")

    async def _store_vote(
        self, request: Request, chat: str, answer_id: int, version: int, helpful: bool
    ) -> str:
        """Store the chat's vote; the notice Telegram shows the visitor."""
        tracker = await request.app.ctx.agent.tracker_store.retrieve(chat)
        question = served_question(
            tracker.events if tracker else [], answer_id, version
        )
        if question is None:
            return reply_text("vote_not_served")
        vote = repository.FeedbackVote(
            conversation_id=chat,
            answer_id=answer_id,
            answer_version=version,
            helpful=helpful,
            question=question,
            channel=self.name(),
        )
        try:
            saved = await asyncio.to_thread(save_vote, vote)
        except SQLAlchemyError as exc:
            logger.error("Could not store a Telegram vote: %s", type(exc).__name__)
            return reply_text("vote_failed")
        if not saved:
            return reply_text("vote_not_served")
        return reply_text("vote_helpful" if helpful else "vote_not_helpful")

    async def _notify(self, query_id: str, notice: str) -> None:
        """Show `notice` on the pressed button (Telegram's answerCallbackQuery)."""
        output = getattr(self, "_output", None)
        if output is None or not query_id:
            return
        try:
            await output.answer_callback_query(query_id, text=notice)
        except TelegramAPIError as exc:
            logger.warning("Telegram did not show a vote's notice: %s", exc)

    async def _register(self, channel: PlainTextTelegramOutput) -> None:
        """Register the webhook, then close the HTTP session it opened: that
        session belongs to this short-lived event loop, and the channel's
        later calls (from the server's loop) must open their own."""
        try:
            await channel.set_webhook(url=self.webhook_url)
        finally:
            await channel.session.close()

    def get_output_channel(self) -> TelegramOutput:
        channel = PlainTextTelegramOutput(
            self.access_token, self.secret_token, self.api_url
        )
        try:
            asyncio.run(self._register(channel))
        except TelegramAPIError as error:
            raise RasaException(
                "Failed to set channel webhook: " + str(error)
            ) from error
        self._output = channel
        return channel
