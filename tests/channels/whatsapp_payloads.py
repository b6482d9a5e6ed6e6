"""Webhook deliveries shaped like the WhatsApp Cloud API's, and their signatures."""

from __future__ import annotations

import hashlib
import hmac
import time
import uuid
from typing import Any

PHONE_NUMBER_ID = "109876543210"
ACCESS_TOKEN = "test-graph-access-token"  # noqa: S105
VERIFY_TOKEN = "test-verify-token"  # noqa: S105
APP_SECRET = "test-app-secret"  # noqa: S105


def sign(body: bytes, app_secret: str) -> str:
    """The `X-Hub-Signature-256` header Meta sends with `body`."""
    return "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


def new_message_id() -> str:
    return f"wamid.TEST{uuid.uuid4().hex.upper()}"


def delivery(
    messages: list[dict[str, Any]] | None = None,
    statuses: list[dict[str, Any]] | None = None,
    sender: str | None = None,
    phone_number_id: str = PHONE_NUMBER_ID,
) -> dict[str, Any]:
    """One webhook delivery holding `messages` and/or `statuses`."""
    value: dict[str, Any] = {
        "messaging_product": "whatsapp",
        "metadata": {
            "display_phone_number": "15550001111",
            "phone_number_id": phone_number_id,
        },
    }
    if sender is not None:
        value["contacts"] = [{"profile": {"name": "Test Visitor"}, "wa_id": sender}]
    if messages is not None:
        value["messages"] = messages
    if statuses is not None:
        value["statuses"] = statuses
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {"id": "WABA-ID", "changes": [{"value": value, "field": "messages"}]}
        ],
    }


def _message(sender: str, kind: str, message_id: str | None, **content: Any) -> dict:
    return {
        "from": sender,
        "id": message_id or new_message_id(),
        "timestamp": str(int(time.time())),
        "type": kind,
        **content,
    }


def text_message(sender: str, text: str, message_id: str | None = None) -> dict:
    """A delivery with one typed text message."""
    message = _message(sender, "text", message_id, text={"body": text})
    return delivery([message], sender=sender)


def button_reply(sender: str, payload: str, title: str = "Option") -> dict:
    """A delivery with a tap on an interactive reply button."""
    interactive = {
        "type": "button_reply",
        "button_reply": {"id": payload, "title": title},
    }
    message = _message(sender, "interactive", None, interactive=interactive)
    return delivery([message], sender=sender)


def list_reply(sender: str, payload: str, title: str = "Option") -> dict:
    """A delivery with a choice from an interactive list."""
    interactive = {
        "type": "list_reply",
        "list_reply": {"id": payload, "title": title, "description": ""},
    }
    message = _message(sender, "interactive", None, interactive=interactive)
    return delivery([message], sender=sender)


def template_button(sender: str, payload: str, text: str = "Option") -> dict:
    """A delivery with a tap on a template's quick-reply button."""
    message = _message(
        sender, "button", None, button={"payload": payload, "text": text}
    )
    return delivery([message], sender=sender)


def reaction(
    sender: str, reacted_to: str, emoji: str, message_id: str | None = None
) -> dict:
    """A delivery with an emoji reaction ("" when taken back) to a sent message."""
    content = {"message_id": reacted_to, "emoji": emoji}
    message = _message(sender, "reaction", message_id, reaction=content)
    return delivery([message], sender=sender)


def image_message(sender: str) -> dict:
    """A delivery with a photo."""
    image = {"mime_type": "image/jpeg", "sha256": "abc", "id": "MEDIA-ID"}
    return delivery([_message(sender, "image", None, image=image)], sender=sender)


def status_update(recipient: str, status: str = "delivered") -> dict:
    """A delivery reporting the status of a message the assistant sent."""
    return delivery(
        statuses=[
            {
                "id": new_message_id(),
                "status": status,
                "timestamp": str(int(time.time())),
                "recipient_id": recipient,
            }
        ]
    )
