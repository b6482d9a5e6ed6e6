"""The words the actions put together, read from `domain.yml`'s responses.

Every visitor-facing sentence lives in `domain.yml`. Whole messages are sent
with `dispatcher.utter_message(response=...)`, and Rasa fills their `{slots}`
and variables; this module serves the pieces an action composes itself, such as
button labels next to an answer from the database.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from smp.settings import PROJECT_ROOT

DOMAIN_FILE = PROJECT_ROOT / "domain.yml"
_VARIABLE = re.compile(r"\{(\w+)\}")


@lru_cache(maxsize=4)
def responses(path: Path = DOMAIN_FILE) -> dict[str, list[dict[str, Any]]]:
    """Every response of the domain file, by name."""
    domain = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return dict(domain.get("responses") or {})


def text(name: str, **values: object) -> str:
    """The first text of response `name`, with its `{variables}` filled in.

    Raises:
        KeyError: the domain has no such response, or a variable has no value.
    """
    template = str(responses()[name][0]["text"])
    return _VARIABLE.sub(lambda match: str(values[match.group(1)]), template)


def button(label_response: str, payload: str) -> dict[str, str]:
    """A button whose title is the text of `label_response`."""
    return {"title": text(label_response), "payload": payload}


def book_button() -> dict[str, str]:
    """The booking button; `short_title` is its label where titles must be short."""
    return {
        **button("utter_label_book_consultation", "/book_consultation"),
        "short_title": text("utter_label_book_consultation_short"),
    }


def human_button() -> dict[str, str]:
    return button("utter_label_request_human", "/request_human")


def topic_name(intent: str) -> str | None:
    """How a conversation intent is named in "Did you mean…?" (None if unnamed)."""
    name = f"utter_topic_{intent}"
    return text(name) if name in responses() else None
