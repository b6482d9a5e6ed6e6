"""Reading conversations from Rasa's SQL tracker store (the `events` table).

Rasa creates the table in the clinic database (see `smp.runtime`), one row per
event: `sender_id` is the conversation, `data` the event as JSON text. The table
is reflected rather than declared, because Rasa owns its schema; every query
is built with SQLAlchemy Core, so values are always bound parameters.

`build_turns()` works on Rasa's event dicts, so it serves both a stored
conversation and a tracker fetched from Rasa's HTTP API (the test chat).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import (
    MetaData,
    Table,
    and_,
    case,
    func,
    inspect,
    not_,
    or_,
    select,
)
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from console.dates import DateRange

EVENTS_TABLE = "events"
# The classifier's "not understood" intent, and the action Rasa runs when the
# dialogue policies are unsure; either marks a conversation as "had a fallback".
FALLBACK_INTENT = "nlu_fallback"
FALLBACK_ACTION = "action_default_fallback"
UNCLEAR_INTENTS = (FALLBACK_INTENT, "out_of_scope")
# Actions that only mean "waiting for the visitor", not worth showing.
_QUIET_ACTIONS = {"action_listen", "action_session_start"}
_SHOWN_SLOTS = (
    "served_answer",
    "consultation_offered",
    "booking_reference",
    "handoff_reference",
)

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


def in_range(table: Table, dates: DateRange) -> list[ColumnElement]:
    conditions = []
    if dates.start_epoch is not None:
        conditions.append(table.c.timestamp >= dates.start_epoch)
    if dates.end_epoch is not None:
        conditions.append(table.c.timestamp < dates.end_epoch)
    return conditions


@dataclass(frozen=True)
class ConversationFilter:
    """What staff narrowed the conversation list to."""

    dates: DateRange = DateRange()
    intent: str = ""
    fallback_only: bool = False
    staff_tests: bool = False


@dataclass(frozen=True)
class ConversationSummary:
    """One row of the conversation list."""

    sender_id: str
    started_at: float
    last_at: float
    user_messages: int
    had_fallback: bool
    first_message: str = ""


@dataclass(frozen=True)
class ConversationPage:
    conversations: list[ConversationSummary]
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


def _fallback_flag(table: Table) -> ColumnElement:
    hit = or_(
        and_(table.c.type_name == "user", table.c.intent_name == FALLBACK_INTENT),
        and_(table.c.type_name == "action", table.c.action_name == FALLBACK_ACTION),
    )
    return func.max(case((hit, 1), else_=0))


def list_conversations(
    session: Session,
    filters: ConversationFilter,
    *,
    page: int = 1,
    page_size: int = 25,
    staff_prefix: str,
) -> ConversationPage:
    """Conversations, the most recently active first, one page at a time."""
    table = events_table(session)
    if table is None:
        return ConversationPage([], 0, 1, page_size)
    user_count = func.sum(case((table.c.type_name == "user", 1), else_=0))
    had_fallback = _fallback_flag(table)
    last_at = func.max(table.c.timestamp)
    grouped = select(
        table.c.sender_id.label("sender_id"),
        func.min(table.c.timestamp).label("started_at"),
        last_at.label("last_at"),
        user_count.label("user_messages"),
        had_fallback.label("had_fallback"),
    ).group_by(table.c.sender_id)
    if filters.staff_tests:
        grouped = grouped.where(is_staff_test(table, staff_prefix))
    else:
        grouped = grouped.where(visitor_only(table, staff_prefix))
    if filters.intent:
        with_intent = select(table.c.sender_id).where(
            table.c.type_name == "user", table.c.intent_name == filters.intent
        )
        grouped = grouped.where(table.c.sender_id.in_(with_intent))
    if filters.dates.start_epoch is not None:
        grouped = grouped.having(last_at >= filters.dates.start_epoch)
    if filters.dates.end_epoch is not None:
        grouped = grouped.having(func.min(table.c.timestamp) < filters.dates.end_epoch)
    # Conversations where nothing was said yet (only a session start) are noise.
    grouped = grouped.having(user_count > 0)
    if filters.fallback_only:
        grouped = grouped.having(had_fallback == 1)

    subquery = grouped.subquery()
    total = session.execute(select(func.count()).select_from(subquery)).scalar_one()
    page = max(1, min(page, max(1, -(-total // page_size))))
    rows = session.execute(
        select(subquery)
        .order_by(subquery.c.last_at.desc(), subquery.c.sender_id)
        .limit(page_size)
        .offset((page - 1) * page_size)
    ).all()
    firsts = first_messages(session, [row.sender_id for row in rows])
    return ConversationPage(
        [
            ConversationSummary(
                sender_id=row.sender_id,
                started_at=row.started_at or 0.0,
                last_at=row.last_at or 0.0,
                user_messages=int(row.user_messages or 0),
                had_fallback=bool(row.had_fallback),
                first_message=firsts.get(row.sender_id, ""),
            )
            for row in rows
        ],
        total,
        page,
        page_size,
    )


def first_messages(session: Session, sender_ids: Sequence[str]) -> dict[str, str]:
    """The first thing each visitor typed (for the list's preview column)."""
    table = events_table(session)
    if table is None or not sender_ids:
        return {}
    first_ids = (
        select(func.min(table.c.id))
        .where(table.c.type_name == "user", table.c.sender_id.in_(list(sender_ids)))
        .group_by(table.c.sender_id)
    )
    rows = session.execute(
        select(table.c.sender_id, table.c.data).where(table.c.id.in_(first_ids))
    ).all()
    return {row.sender_id: str(decode(row.data).get("text") or "") for row in rows}


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


def known_intents(session: Session, staff_prefix: str) -> list[str]:
    """Intents that occur in visitors' messages (for the list's filter)."""
    table = events_table(session)
    if table is None:
        return []
    rows = session.scalars(
        select(table.c.intent_name)
        .where(
            table.c.type_name == "user",
            table.c.intent_name.is_not(None),
            visitor_only(table, staff_prefix),
        )
        .distinct()
    ).all()
    return sorted(name for name in rows if name)


@dataclass(frozen=True)
class UserMessage:
    """One message a visitor typed, with how it was classified."""

    event_id: int
    sender_id: str
    timestamp: float
    text: str
    intent: str
    confidence: float


def user_messages(
    session: Session,
    *,
    staff_prefix: str,
    dates: DateRange = DateRange(),
    include_form_answers: bool = False,
) -> list[UserMessage]:
    """Messages visitors typed (button clicks, which start with `/`, left out).

    Answers to the booking and callback forms (names, email addresses, phone
    numbers, preferred times) are left out too unless asked for: they are not
    questions, and they are personal data that must not become training data.
    """
    table = events_table(session)
    if table is None:
        return []
    rows = session.execute(
        select(
            table.c.id,
            table.c.sender_id,
            table.c.type_name,
            table.c.timestamp,
            table.c.intent_name,
            table.c.data,
        )
        .where(
            table.c.type_name.in_(("user", "active_loop")),
            visitor_only(table, staff_prefix),
            *in_range(table, dates),
        )
        .order_by(table.c.id)
    ).all()
    active_form: dict[str, bool] = {}
    messages = []
    for row in rows:
        event = decode(row.data)
        if row.type_name == "active_loop":
            active_form[row.sender_id] = bool(event.get("name"))
            continue
        text = str(event.get("text") or "").strip()
        if not text or text.startswith("/"):
            continue
        if active_form.get(row.sender_id) and not include_form_answers:
            continue
        intent = (event.get("parse_data") or {}).get("intent") or {}
        messages.append(
            UserMessage(
                event_id=row.id,
                sender_id=row.sender_id,
                timestamp=float(row.timestamp or 0.0),
                text=text,
                intent=str(intent.get("name") or row.intent_name or ""),
                confidence=float(intent.get("confidence") or 0.0),
            )
        )
    return messages


def slot_values(
    session: Session,
    slot: str,
    *,
    staff_prefix: str,
    dates: DateRange = DateRange(),
) -> list[tuple[str, float, Any]]:
    """(sender id, timestamp, value) of every time `slot` was set."""
    table = events_table(session)
    if table is None:
        return []
    rows = session.execute(
        select(table.c.sender_id, table.c.timestamp, table.c.data).where(
            table.c.type_name == "slot",
            # Narrows the rows read; the decoded name is checked below.
            table.c.data.like(f'%"{slot}"%'),
            visitor_only(table, staff_prefix),
            *in_range(table, dates),
        )
    ).all()
    values = []
    for row in rows:
        event = decode(row.data)
        if event.get("name") == slot:
            values.append(
                (row.sender_id, float(row.timestamp or 0.0), event.get("value"))
            )
    return values


def user_activity(
    session: Session, *, staff_prefix: str, dates: DateRange
) -> list[tuple[str, float, str]]:
    """(sender id, timestamp, intent) of every visitor message in the range."""
    table = events_table(session)
    if table is None:
        return []
    rows = session.execute(
        select(table.c.sender_id, table.c.timestamp, table.c.intent_name).where(
            table.c.type_name == "user",
            visitor_only(table, staff_prefix),
            *in_range(table, dates),
        )
    ).all()
    return [(row[0], float(row[1] or 0.0), row[2] or "") for row in rows]


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


def existing_senders(session: Session, sender_ids: Iterable[str]) -> set[str]:
    table = events_table(session)
    ids = list(sender_ids)
    if table is None or not ids:
        return set()
    return set(
        session.scalars(
            select(table.c.sender_id).where(table.c.sender_id.in_(ids)).distinct()
        ).all()
    )


# --- Turns -------------------------------------------------------------------


@dataclass
class BotMessage:
    text: str
    buttons: list[dict[str, str]] = field(default_factory=list)


@dataclass
class Turn:
    """A visitor's message and everything the assistant did in reply.

    The turn before the first message (`user_text` None) holds whatever the
    assistant said unprompted.
    """

    user_text: str | None = None
    timestamp: float | None = None
    intent: str | None = None
    confidence: float | None = None
    runner_ups: list[tuple[str, float]] = field(default_factory=list)
    entities: list[dict[str, Any]] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)
    replies: list[BotMessage] = field(default_factory=list)
    slots: dict[str, Any] = field(default_factory=dict)
    session_start: bool = False

    @property
    def served_answer(self) -> dict[str, Any] | None:
        value = self.slots.get("served_answer")
        return value if isinstance(value, dict) else None

    @property
    def is_fallback(self) -> bool:
        return self.intent == FALLBACK_INTENT or FALLBACK_ACTION in self.actions

    def as_dict(self) -> dict[str, Any]:
        return {
            "user_text": self.user_text,
            "timestamp": self.timestamp,
            "intent": self.intent,
            "confidence": self.confidence,
            "runner_ups": [
                {"name": name, "confidence": conf} for name, conf in self.runner_ups
            ],
            "entities": self.entities,
            "actions": self.actions,
            "replies": [
                {"text": reply.text, "buttons": reply.buttons} for reply in self.replies
            ],
            "served_answer": self.served_answer,
            "is_fallback": self.is_fallback,
        }


def _entity(entity: dict[str, Any]) -> dict[str, Any]:
    return {
        "entity": entity.get("entity"),
        "value": entity.get("value"),
        "extractor": entity.get("extractor"),
    }


def build_turns(events: Iterable[dict[str, Any]], runner_ups: int = 3) -> list[Turn]:
    """Group Rasa events into turns: each user message and what followed it."""
    turns: list[Turn] = []
    current = Turn()
    pending_session_start = False
    for event in events:
        kind = event.get("event")
        if kind == "user":
            if current.user_text is not None or current.replies or current.actions:
                turns.append(current)
            parse = event.get("parse_data") or {}
            intent = parse.get("intent") or {}
            ranking = [
                (str(item.get("name")), float(item.get("confidence") or 0.0))
                for item in parse.get("intent_ranking") or []
                if item.get("name") != intent.get("name")
            ]
            current = Turn(
                user_text=str(event.get("text") or ""),
                timestamp=event.get("timestamp"),
                intent=intent.get("name"),
                confidence=intent.get("confidence"),
                runner_ups=ranking[:runner_ups],
                entities=[_entity(e) for e in parse.get("entities") or []],
                session_start=pending_session_start,
            )
            pending_session_start = False
        elif kind == "session_started":
            pending_session_start = True
        elif kind == "action":
            name = event.get("name")
            if name and name not in _QUIET_ACTIONS:
                current.actions.append(name)
        elif kind == "bot":
            data = event.get("data") or {}
            buttons = [
                {"title": str(b.get("title", "")), "payload": str(b.get("payload", ""))}
                for b in data.get("buttons") or []
            ]
            current.replies.append(BotMessage(str(event.get("text") or ""), buttons))
        elif kind == "slot" and event.get("name") in _SHOWN_SLOTS:
            current.slots[event["name"]] = event.get("value")
    if current.user_text is not None or current.replies or current.actions:
        turns.append(current)
    return turns
