"""Every channel the Rasa server can run, in one list.

The launcher writes Rasa's credentials from it, the schema includes each
channel's tables, and the tests loop over it. Adding a channel: write its
module with a `CHANNEL = ChannelSpec(...)` and add it here (docs/channels.md).
"""

from __future__ import annotations

from channels import feedback, rest, socketio, telegram, whatsapp
from channels.spec import ChannelSpec

CHANNELS: tuple[ChannelSpec, ...] = (
    socketio.CHANNEL,
    feedback.CHANNEL,
    rest.CHANNEL,
    whatsapp.CHANNEL,
    telegram.CHANNEL,
)


def by_name(name: str) -> ChannelSpec:
    """The channel called `name` (case-insensitive)."""
    for channel in CHANNELS:
        if channel.name.lower() == name.lower():
            return channel
    raise KeyError(name)
