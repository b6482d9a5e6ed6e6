"""Replies as plain text, for channels that show markdown markers literally.

REST callers (whole or streamed) and Telegram (sent without a parse mode) would
show the answers' `**bold**` as asterisks; these output channels send
`smp.markup.to_plain()` of every text instead.
"""

from __future__ import annotations

from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel
from rasa.core.channels.rest import QueueOutputChannel

from smp.markup import to_plain


def plain_message(message: dict[str, Any]) -> dict[str, Any]:
    """A reply with its text (if any) made plain, everything else kept."""
    if message.get("text"):
        return {**message, "text": to_plain(str(message["text"]))}
    return message


class PlainTextCollector(CollectingOutputChannel):
    """Collects a turn's replies (the REST channel's answer), texts made plain."""

    async def _persist_message(self, message: dict[str, Any]) -> None:
        await super()._persist_message(plain_message(message))


class PlainTextQueue(QueueOutputChannel):
    """Queues a turn's replies as they come (REST's `?stream=true`), made plain."""

    async def _persist_message(self, message: dict[str, Any]) -> None:
        await super()._persist_message(plain_message(message))
