"""Telegram, through Rasa's connector, with replies sent as plain text.

Rasa's connector registers its webhook with Telegram when the server starts, so
the channel must not start half-configured or offline: it is enabled only when
all three variables are set. It does not authenticate incoming updates
(docs/channels.md says how to restrict the path at the proxy).

Rasa's output sends text without a parse mode, so the answers' `**bold**`
would arrive as asterisks: `TelegramInput` replies through `PlainTextTelegramOutput`,
which sends `smp.markup.to_plain()` of every text. The URL stays
`/webhooks/telegram/webhook`.
"""

from __future__ import annotations

import asyncio
from typing import Any

from aiogram.utils.exceptions import TelegramAPIError
from rasa.core.channels.telegram import TelegramInput as RasaTelegramInput
from rasa.core.channels.telegram import TelegramOutput
from rasa.shared.exceptions import RasaException

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
    secrets=frozenset({"access_token"}),
)


class PlainTextTelegramOutput(TelegramOutput):
    """Rasa's Telegram output with every text made plain."""

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
    """Rasa's Telegram channel, answering through `PlainTextTelegramOutput`."""

    def get_output_channel(self) -> TelegramOutput:
        channel = PlainTextTelegramOutput(self.access_token)
        try:
            asyncio.run(channel.set_webhook(url=self.webhook_url))
        except TelegramAPIError as error:
            raise RasaException(
                "Failed to set channel webhook: " + str(error)
            ) from error
        return channel
