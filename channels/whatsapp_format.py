"""Turning the assistant's replies into WhatsApp messages, and numbered replies back.

WhatsApp limits what a message may hold: at most 3 reply buttons, each title
at most 20 characters; a list message of at most 10 rows, each title at most
24 characters; a body of at most 1,024 characters next to either, and 4,096
characters in a text message. A button may carry a `short_title` for where
its title is too long. Replies are sent as reply buttons where they fit, as a
list message where they do not, and otherwise as text with a numbered list;
`choice_number()` reads a later "2". Text is formatted by `smp.markup`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from smp.markup import to_whatsapp

TEXT_LIMIT = 4096
INTERACTIVE_BODY_LIMIT = 1024
MAX_REPLY_BUTTONS = 3
BUTTON_TITLE_LIMIT = 20
BUTTON_ID_LIMIT = 256
MAX_LIST_ROWS = 10
LIST_TITLE_LIMIT = 24
LIST_ID_LIMIT = 200

CHOICE_PROMPT = "Reply with a number:"
LIST_BUTTON_LABEL = "Choose an option"
TEXT_ONLY_REPLY = (
    "Sorry, I can only read text messages. Please type your question, "
    "or reply with one of the options."
)

# "2", " 2 ", "2." or "2)": a visitor picking an option from a numbered list.
_CHOICE = re.compile(r"^\s*(\d{1,2})\s*[.)]?\s*$")


def to_whatsapp_markup(text: str) -> str:
    """The answers' markdown in WhatsApp's formatting (`*bold*`, `_italic_`)."""
    return to_whatsapp(text)


def split_text(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """Split `text` into parts of at most `limit` characters.

    Cuts at the last paragraph break, else line break, else space before the
    limit, so words and paragraphs stay whole where possible.
    """
    text = text.strip()
    parts: list[str] = []
    while len(text) > limit:
        window = text[: limit + 1]
        cut = -1
        for separator in ("\n\n", "\n", " "):
            cut = window.rfind(separator)
            if cut > 0:
                break
        if cut <= 0:
            cut = limit
        parts.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    if text:
        parts.append(text)
    return parts


def button_payload(button: dict[str, Any]) -> str:
    """What a button sends back when chosen (its payload, else its title)."""
    return str(button.get("payload") or button.get("title") or "")


def button_title(button: dict[str, Any], limit: int) -> str:
    """The button's title, or its `short_title` when the title is over `limit`."""
    title = str(button.get("title") or "")
    if len(title) > limit and button.get("short_title"):
        return str(button["short_title"])
    return title


def _fits(
    text: str,
    buttons: Sequence[dict[str, Any]],
    most: int,
    title_limit: int,
    id_limit: int,
) -> bool:
    titles = [button_title(button, title_limit) for button in buttons]
    return (
        0 < len(buttons) <= most
        and 0 < len(text) <= INTERACTIVE_BODY_LIMIT
        and all(0 < len(title) <= title_limit for title in titles)
        and len(set(titles)) == len(titles)
        and all(0 < len(button_payload(b)) <= id_limit for b in buttons)
    )


def fits_reply_buttons(text: str, buttons: Sequence[dict[str, Any]]) -> bool:
    """Whether `text` and `buttons` fit one interactive reply-buttons message."""
    return _fits(text, buttons, MAX_REPLY_BUTTONS, BUTTON_TITLE_LIMIT, BUTTON_ID_LIMIT)


def fits_list(text: str, buttons: Sequence[dict[str, Any]]) -> bool:
    """Whether `text` and `buttons` fit one interactive list message."""
    return _fits(text, buttons, MAX_LIST_ROWS, LIST_TITLE_LIMIT, LIST_ID_LIMIT)


def reply_buttons(text: str, buttons: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The `interactive` object of a reply-buttons message (ids carry payloads)."""
    return {
        "type": "button",
        "body": {"text": text},
        "action": {
            "buttons": [
                {
                    "type": "reply",
                    "reply": {
                        "id": button_payload(button),
                        "title": button_title(button, BUTTON_TITLE_LIMIT),
                    },
                }
                for button in buttons
            ]
        },
    }


def list_message(text: str, buttons: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The `interactive` object of a list message: one row per button."""
    return {
        "type": "list",
        "body": {"text": text},
        "action": {
            "button": LIST_BUTTON_LABEL,
            "sections": [
                {
                    "rows": [
                        {
                            "id": button_payload(button),
                            "title": button_title(button, LIST_TITLE_LIMIT),
                        }
                        for button in buttons
                    ]
                }
            ],
        },
    }


def interactive_for(
    text: str, buttons: Sequence[dict[str, Any]]
) -> dict[str, Any] | None:
    """Reply buttons where they fit, else a list message, else None."""
    if fits_reply_buttons(text, buttons):
        return reply_buttons(text, buttons)
    if fits_list(text, buttons):
        return list_message(text, buttons)
    return None


def numbered_list(text: str, buttons: Sequence[dict[str, Any]], start: int = 1) -> str:
    """`text` followed by the buttons as a numbered list starting at `start`."""
    lines = [
        f"{start + index}. {button.get('title', '')}"
        for index, button in enumerate(buttons)
    ]
    options = "\n".join(lines)
    return (
        f"{text}\n\n{CHOICE_PROMPT}\n{options}"
        if text
        else f"{CHOICE_PROMPT}\n{options}"
    )


def choice_number(text: str) -> int | None:
    """The option number a visitor typed ("2", "2.", " 2 "), or None."""
    match = _CHOICE.match(text)
    return int(match.group(1)) if match else None


def chosen_payload(text: str, options: Sequence[dict[str, str]]) -> str | None:
    """The payload of the numbered option `text` picks from `options`, if any."""
    number = choice_number(text)
    if number is None or not 1 <= number <= len(options):
        return None
    return options[number - 1]["payload"]
