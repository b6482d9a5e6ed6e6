"""Template filters: dates in the clinic's timezone, percentages, labels."""

from __future__ import annotations

import datetime as dt

from flask import Flask

from console.answer_editing import message_html
from console.dates import day_text, from_epoch, from_naive_utc, moment_text
from console.labels import topic_label
from console.turns import confidence_text


def _moment(value: object) -> dt.datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, (int, float)):
        return from_epoch(value)
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else from_naive_utc(value)
    return None


def when(value: object) -> str:
    """`3 Mar 2025, 14:05` in the clinic's timezone."""
    moment = _moment(value)
    return moment_text(moment) if moment else "—"


def day(value: object) -> str:
    """`3 Mar 2025`: a calendar day as it is, a moment in the clinic's timezone."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return day_text(value)
    moment = _moment(value)
    return day_text(moment) if moment else "—"


def percent(value: float | None, digits: int = 0) -> str:
    if value is None:
        return "—"
    return f"{value * 100:.{digits}f}%"


def intent_label(name: str | None) -> str:
    return name or "—"


def register_filters(app: Flask) -> None:
    app.jinja_env.filters.update(
        when=when,
        day=day,
        percent=percent,
        confidence=confidence_text,
        intent_label=intent_label,
        topic_label=topic_label,
        message_html=message_html,
    )
