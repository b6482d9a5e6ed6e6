"""Reading conversations from Rasa's SQL tracker store (the `events` table).

Rasa creates the table in the clinic database, one row per event: `sender_id`
is the conversation, `data` the event as JSON text. The table is reflected
rather than declared, because Rasa owns its schema; every query is built with
SQLAlchemy Core, so values are always bound parameters.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import MetaData, Table, func, inspect, not_, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

EVENTS_TABLE = "events"

_tables: dict[str, Table] = {}


def events_table(session: Session) -> Table | None:
    """The reflected `events` table, or None while Rasa has not created it."""
    bind = session.get_bind()
    engine: Engine = bind.engine if hasattr(bind, "engine") else bind
    key = str(engine.url)
    if key not in _tables:
        if not inspect(engine).has_table(EVENTS_TABLE):
            return None
        _tables[key] = Table(EVENTS_TABLE, MetaData(), autoload_with=engine)
    return _tables[key]


def like_prefix(prefix: str) -> str:
    """A LIKE pattern matching `prefix` literally (escape character `\\`)."""
    escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped + "%"


def is_staff_test(table: Table, prefix: str) -> ColumnElement:
    return table.c.sender_id.like(like_prefix(prefix), escape="\\")


def visitor_only(table: Table, prefix: str) -> ColumnElement:
    return not_(is_staff_test(table, prefix))


def decode(data: str | None) -> dict[str, Any]:
    """An event's JSON text as a dict (an unreadable row becomes empty)."""
    try:
        value = json.loads(data or "{}")
    except (TypeError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


def conversation_events(session: Session, sender_id: str) -> list[dict[str, Any]]:
    """Every stored event of one conversation, oldest first, as Rasa's dicts."""
    table = events_table(session)
    if table is None:
        return []
    rows = session.execute(
        select(table.c.type_name, table.c.timestamp, table.c.data)
        .where(table.c.sender_id == sender_id)
        .order_by(table.c.id)
    ).all()
    events = []
    for row in rows:
        event = decode(row.data)
        event.setdefault("event", row.type_name)
        event.setdefault("timestamp", row.timestamp)
        events.append(event)
    return events


def last_activity(session: Session) -> list[tuple[str, float]]:
    """(sender id, latest event time) of every conversation."""
    table = events_table(session)
    if table is None:
        return []
    rows = session.execute(
        select(table.c.sender_id, func.max(table.c.timestamp)).group_by(
            table.c.sender_id
        )
    ).all()
    return [(row[0], float(row[1] or 0.0)) for row in rows]


def senders_matching_text(session: Session, needle: str, limit: int = 200) -> list[str]:
    """Conversations in which a visitor typed `needle` (case-insensitive)."""
    table = events_table(session)
    if table is None or not needle.strip():
        return []
    pattern = "%" + like_prefix(needle.strip().lower())[:-1] + "%"
    rows = session.scalars(
        select(table.c.sender_id)
        .where(
            table.c.type_name == "user",
            func.lower(table.c.data).like(pattern, escape="\\"),
        )
        .distinct()
        .limit(limit)
    ).all()
    return list(rows)
