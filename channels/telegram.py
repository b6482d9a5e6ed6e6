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

Rasa's output sends text without a parse mode, so the answers' `**bold**`
would arrive as asterisks: `TelegramInput` replies through `PlainTextTelegramOutput`,
which sends `smp.markup.to_plain()` of every text. The URL stays
`/webhooks/telegram/webhook`.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import re
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram.bot.api import TelegramAPIServer
from aiogram.utils.exceptions import TelegramAPIError
from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.channels.telegram import TelegramInput as RasaTelegramInput
from rasa.core.channels.telegram import TelegramOutput
from rasa.shared.exceptions import RasaException
from sanic import Blueprint, HTTPResponse, Request

from channels.rest import error as error_answer
from channels.spec import ChannelSpec
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
        await super().send_text_with_buttons(
            recipient_id, to_plain(text), buttons, button_type, **kwargs
        )


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
            if hmac.compare_digest(given.encode(), self.secret_token.encode()):
                return None
            return error_answer(
                401,
                "unauthorised",
                f"only Telegram may call this: {SECRET_HEADER} is missing or wrong",
            )

        return webhook

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
        return channel
