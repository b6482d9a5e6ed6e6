"""Queries behind the console's conversation list, analytics and unanswered review.

They read Rasa's `events` table through `smp.conversations`, always leaving out
the console's own test conversations unless asked for them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import JSON, Table, and_, case, cast, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from console.dates import DateRange
from console.paging import PageOf, page_count
from console.turns import FALLBACK_ACTION, is_payload
from smp.conversations import (
    decode,
    events_table,
    is_staff_test,
    like_prefix,
    visitor_only,
)
from smp.db import BookingRequest, HandoffRequest
from smp.topics import FALLBACK_INTENT


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
    # Words a visitor typed, a conversation id, an email address or a
    # booking or callback reference (see `search_condition`).
    query: str = ""


@dataclass(frozen=True)
class ConversationSummary:
    """One row of the conversation list."""

    sender_id: str
    started_at: float
    last_at: float
    # Messages the visitor typed: payloads (`/greet`, button clicks) left out.
    user_messages: int
    had_fallback: bool
    first_message: str = ""


def _fallback_flag(table: Table) -> ColumnElement:
    hit = or_(
        and_(table.c.type_name == "user", table.c.intent_name == FALLBACK_INTENT),
        and_(table.c.type_name == "action", table.c.action_name == FALLBACK_ACTION),
    )
    return func.max(case((hit, 1), else_=0))


def _containing(needle: str) -> str:
    """A LIKE pattern (escape `\\`) matching `needle` anywhere, literally."""
    return "%" + like_prefix(needle)


def message_text(session: Session, table: Table) -> ColumnElement:
    """The text of a user event, read from its JSON by the database itself."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return cast(table.c.data, JSON)["text"].as_string()
    if dialect == "sqlite":
        return case(
            (
                func.json_valid(table.c.data) == 1,
                func.json_extract(table.c.data, "$.text"),
            ),
            else_=None,
        )
    return table.c.data


def search_condition(session: Session, table: Table, query: str) -> ColumnElement:
    """Conversations a search finds: part of their id, part of what a visitor typed,
    or part of the email address or the reference of its booking or callback.

    Every part of the query is matched literally and without regard to case
    (`%` and `_` are no wildcards); the database does the filtering.
    """
    pattern = _containing(query)
    text = message_text(session, table)
    typed = select(table.c.sender_id).where(
        table.c.type_name == "user",
        text.ilike(pattern, escape="\\"),
        # Payloads (`/greet`, button clicks) were not typed.
        text.not_like("/%"),
    )
    requested = [
        select(model.conversation_id).where(
            or_(
                model.email.ilike(pattern, escape="\\"),
                model.reference.ilike(pattern, escape="\\"),
                model.phone.ilike(pattern, escape="\\"),
            )
        )
        for model in (BookingRequest, HandoffRequest)
    ]
    return or_(
        table.c.sender_id.ilike(pattern, escape="\\"),
        table.c.sender_id.in_(typed),
        *(table.c.sender_id.in_(found) for found in requested),
    )


def list_conversations(
    session: Session,
    filters: ConversationFilter,
    *,
    page: int = 1,
    page_size: int = 25,
    staff_prefix: str,
) -> PageOf[ConversationSummary]:
    """Conversations, the most recently active first, one page at a time."""
    table = events_table(session)
    if table is None:
        return PageOf([], 0, 1, page_size)
    user_count = func.sum(case((table.c.type_name == "user", 1), else_=0))
    # Payloads (`/greet` when the widget opens, button clicks) were not typed.
    typed = and_(
        table.c.type_name == "user",
        message_text(session, table).not_like("/%"),
    )
    typed_count = func.sum(case((typed, 1), else_=0))
    had_fallback = _fallback_flag(table)
    last_at = func.max(table.c.timestamp)
    grouped = select(
        table.c.sender_id.label("sender_id"),
        func.min(table.c.timestamp).label("started_at"),
        last_at.label("last_at"),
        typed_count.label("user_messages"),
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
    if filters.query:
        grouped = grouped.where(search_condition(session, table, filters.query))
    if filters.dates.start_epoch is not None:
        grouped = grouped.having(last_at >= filters.dates.start_epoch)
    if filters.dates.end_epoch is not None:
        grouped = grouped.having(func.min(table.c.timestamp) < filters.dates.end_epoch)
    # Conversations where nothing was said yet (only a session start) are noise;
    # one where the visitor only clicked buttons is not.
    grouped = grouped.having(user_count > 0)
    if filters.fallback_only:
        grouped = grouped.having(had_fallback == 1)

    subquery = grouped.subquery()
    total = session.execute(select(func.count()).select_from(subquery)).scalar_one()
    page = max(1, min(page, page_count(total, page_size)))
    rows = session.execute(
        select(subquery)
        .order_by(subquery.c.last_at.desc(), subquery.c.sender_id)
        .limit(page_size)
        .offset((page - 1) * page_size)
    ).all()
    firsts = first_messages(session, [row.sender_id for row in rows])
    return PageOf(
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
    """The first thing each visitor typed (for the list's preview column).

    Payloads (`/greet` when the widget opens, button clicks) were not typed and
    are passed over.
    """
    table = events_table(session)
    if table is None or not sender_ids:
        return {}
    rows = session.execute(
        select(table.c.sender_id, table.c.data)
        .where(table.c.type_name == "user", table.c.sender_id.in_(list(sender_ids)))
        .order_by(table.c.id)
    )
    firsts: dict[str, str] = {}
    for row in rows:
        if row.sender_id in firsts:
            continue
        text = str(decode(row.data).get("text") or "")
        if text and not is_payload(text):
            firsts[row.sender_id] = text
    return firsts


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
    # The classifier's best real intent: the top of its ranking other than
    # "not understood" (which the fallback classifier puts first).
    guess: str = ""
    guess_confidence: float = 0.0


def best_guess(parse_data: dict[str, Any]) -> tuple[str, float]:
    """The top intent of a parse's ranking, leaving out `nlu_fallback`."""
    ranking = list(parse_data.get("intent_ranking") or [])
    ranking.append(parse_data.get("intent") or {})
    for item in ranking:
        name = str(item.get("name") or "")
        if name and name != FALLBACK_INTENT:
            return name, float(item.get("confidence") or 0.0)
    return "", 0.0


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
        if not text or is_payload(text):
            continue
        if active_form.get(row.sender_id) and not include_form_answers:
            continue
        parse_data = event.get("parse_data") or {}
        intent = parse_data.get("intent") or {}
        guess, guess_confidence = best_guess(parse_data)
        messages.append(
            UserMessage(
                event_id=row.id,
                sender_id=row.sender_id,
                timestamp=float(row.timestamp or 0.0),
                text=text,
                intent=str(intent.get("name") or row.intent_name or ""),
                confidence=float(intent.get("confidence") or 0.0),
                guess=guess,
                guess_confidence=guess_confidence,
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
