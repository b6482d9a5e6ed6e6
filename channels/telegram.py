"""Telegram, through Rasa's built-in connector.

Rasa's connector registers its webhook with Telegram when the server starts, so
the channel must not start half-configured or offline: it is enabled only when
all three variables are set. It does not authenticate incoming updates
(docs/channels.md says how to restrict the path at the proxy).
"""

from __future__ import annotations

from channels.spec import ChannelSpec

CHANNEL = ChannelSpec(
    name="Telegram",
    credentials_key="telegram",
    variables={
        "access_token": "TELEGRAM_ACCESS_TOKEN",
        "verify": "TELEGRAM_BOT_NAME",
        "webhook_url": "TELEGRAM_WEBHOOK_URL",
    },
    secrets=frozenset({"access_token"}),
)
