"""What a REST message must look like, checked before anything reads it.

`parse_message_body` turns the raw bytes of a POST to the REST channel into a
`RestMessage`, or raises `BodyError` with the HTTP status and a reason a
developer can act on: too large (413), not UTF-8 JSON, not an object, nested
too deep, no `sender`, `message` not a string, `metadata` not an object (400).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

MAX_DEPTH = 16
MAX_SENDER_CHARS = 128


class BodyError(ValueError):
    """A request body the channel refuses, with its HTTP status and reason."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


@dataclass(frozen=True)
class RestMessage:
    """A checked REST message."""

    sender: str
    text: str
    metadata: dict[str, Any] | None = None


def nesting_depth(value: Any, limit: int = MAX_DEPTH) -> int:
    """How deeply lists and objects nest in `value` (a scalar is 0).

    Stops counting once past `limit`, and walks without recursion, so a
    hostile document costs no more than its size.
    """
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, depth + 1)
        if deepest > limit:
            return deepest
        stack.extend((child, depth + 1) for child in children)
    return deepest


def parse_json(raw: bytes, max_bytes: int) -> Any:
    """The JSON document in `raw`, checked for size, encoding and depth."""
    if len(raw) > max_bytes:
        raise BodyError(413, f"the body is larger than {max_bytes} bytes")
    if not raw.strip():
        raise BodyError(400, "the body is empty: send a JSON object")
    try:
        document = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise BodyError(400, "the body is not UTF-8 text") from None
    except RecursionError:
        raise BodyError(400, f"the body nests deeper than {MAX_DEPTH} levels") from None
    except ValueError as error:
        raise BodyError(400, f"the body is not valid JSON ({error})") from None
    if nesting_depth(document) > MAX_DEPTH:
        raise BodyError(400, f"the body nests deeper than {MAX_DEPTH} levels")
    return document


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    return {
        bool: "a boolean",
        int: "a number",
        float: "a number",
        str: "a string",
        list: "a list",
        dict: "an object",
    }.get(type(value), type(value).__name__)


def parse_message_body(raw: bytes, max_bytes: int) -> RestMessage:
    """A REST message from a request body, or `BodyError`."""
    document = parse_json(raw, max_bytes)
    if not isinstance(document, dict):
        raise BodyError(
            400,
            f"the body must be a JSON object with `sender` and `message`, "
            f"not {_kind(document)}",
        )
    sender = document.get("sender")
    if sender is None:
        raise BodyError(400, "`sender` is missing: name the conversation")
    if not isinstance(sender, str):
        raise BodyError(400, f"`sender` must be a string, not {_kind(sender)}")
    if not sender.strip():
        raise BodyError(400, "`sender` is blank: name the conversation")
    if len(sender) > MAX_SENDER_CHARS or not sender.isprintable():
        raise BodyError(
            400,
            f"`sender` must be at most {MAX_SENDER_CHARS} printable characters",
        )
    if "message" not in document:
        raise BodyError(400, "`message` is missing")
    text = document["message"]
    if not isinstance(text, str):
        raise BodyError(400, f"`message` must be a string, not {_kind(text)}")
    metadata = document.get("metadata")
    if metadata is not None and not isinstance(metadata, dict):
        raise BodyError(400, f"`metadata` must be an object, not {_kind(metadata)}")
    return RestMessage(sender=sender, text=as_visitor_text(text), metadata=metadata)


# Rasa's own commands. Typed by a visitor, they would reset or rewind the
# conversation without a word in reply; no button or page of ours sends them.
_RASA_COMMAND = re.compile(r"^(\s*)/(restart|back|session_start)\b", re.IGNORECASE)


def as_visitor_text(text: str) -> str:
    """The message, with a leading Rasa command read as the plain word."""
    return _RASA_COMMAND.sub(r"\1\2", text, count=1)
