"""Replies as plain text, for channels that show markdown markers literally.

REST callers and Telegram (sent without a parse mode) would show the answers'
`**bold**` as asterisks; these output channels send `smp.markup.to_plain()`
of every text instead.
"""

from __future__ import annotations

from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel

from smp.markup import to_plain


class PlainTextCollector(CollectingOutputChannel):
    """Collects a turn's replies (the REST channel's answer), texts made plain."""

    async def _persist_message(self, message: dict[str, Any]) -> None:
        if message.get("text"):
            message = {**message, "text": to_plain(str(message["text"]))}
        await super()._persist_message(message)
