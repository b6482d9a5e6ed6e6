"""Deleting what the clinic holds about a visitor, and the retention purge.

Everything about a visitor hangs off their conversation id: Rasa's `events`
rows (`sender_id`) and the clinic's requests (`conversation_id`). The tables are
discovered from the live database schema, so tables that other modules add
later with either column are covered without changes here.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import MetaData, Table, delete, func, inspect, select
from sqlalchemy.orm import Session

from smp import repository
from smp.conversations import events_table, last_activity, senders_matching_text
from smp.db import BookingRequest, HandoffRequest

CONVERSATION_COLUMNS = ("conversation_id", "sender_id")
# Large IN lists are split so every database accepts them.
_CHUNK = 400


@dataclass(frozen=True)
class ConversationTable:
    """A table with a column that holds a conversation id."""

    name: str
    column: str


def conversation_tables(session: Session) -> list[ConversationTable]:
    """Every table in the database with a `conversation_id` or `sender_id` column."""
    inspector = inspect(session.get_bind())
    found = []
    for name in sorted(inspector.get_table_names()):
        columns = {column["name"] for column in inspector.get_columns(name)}
        for column in CONVERSATION_COLUMNS:
            if column in columns:
                found.append(ConversationTable(name, column))
    return found


def _table(session: Session, name: str) -> Table:
    return Table(name, MetaData(), autoload_with=session.get_bind())


def _chunks(ids: Sequence[str]) -> Iterable[list[str]]:
    for start in range(0, len(ids), _CHUNK):
        yield list(ids[start : start + _CHUNK])


@dataclass
class VisitorData:
    """What the clinic holds about the conversations found for a search."""

    conversation_ids: list[str]
    counts: dict[str, int] = field(default_factory=dict)  # table name → rows

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def empty(self) -> bool:
        return self.total == 0


def find_conversations(session: Session, query: str) -> list[str]:
    """Conversation ids that a conversation id, email address or phone number finds.

    An email or phone finds the conversations of every booking or callback that
    used it, and every conversation in which a visitor typed it.
    """
    query = (query or "").strip()
    if not query:
        return []
    found: set[str] = set()
    found.update(_ids_in_any_table(session, [query]))
    found.update(repository.conversations_for_contact(session, query))
    if "@" in query or sum(ch.isdigit() for ch in query) >= 6:
        found.update(senders_matching_text(session, query))
    return sorted(found)


def _ids_in_any_table(session: Session, ids: Sequence[str]) -> set[str]:
    present: set[str] = set()
    for spec in conversation_tables(session):
        table = _table(session, spec.name)
        column = table.c[spec.column]
        present.update(
            session.scalars(
                select(column).where(column.in_(list(ids))).distinct()
            ).all()
        )
    return present


def preview(session: Session, conversation_ids: Sequence[str]) -> VisitorData:
    """How many rows of each table belong to these conversations."""
    ids = sorted(set(conversation_ids))
    data = VisitorData(ids)
    if not ids:
        return data
    for spec in conversation_tables(session):
        table = _table(session, spec.name)
        column = table.c[spec.column]
        count = 0
        for chunk in _chunks(ids):
            count += session.execute(
                select(func.count()).select_from(table).where(column.in_(chunk))
            ).scalar_one()
        if count:
            data.counts[spec.name] = data.counts.get(spec.name, 0) + count
    return data


def delete_conversations(
    session: Session, conversation_ids: Sequence[str]
) -> VisitorData:
    """Delete every row of these conversations from every table.

    Runs in the caller's session: the caller's `session_scope()` commits all of
    it at once, or nothing if anything fails.

    Returns:
        How many rows each table had for these conversations (now deleted).
    """
    removed = preview(session, conversation_ids)
    if removed.empty:
        return removed
    ids = removed.conversation_ids
    repository.delete_requests_for_conversations(session, ids)
    session.flush()
    for spec in conversation_tables(session):
        table = _table(session, spec.name)
        column = table.c[spec.column]
        for chunk in _chunks(ids):
            session.execute(delete(table).where(column.in_(chunk)))
    return removed


def stale_conversations(
    session: Session, days: int, now: float | None = None
) -> list[str]:
    """Conversations whose latest event is more than `days` days old."""
    cutoff = (now if now is not None else time.time()) - days * 86400
    has_events = events_table(session) is not None
    activity = dict(last_activity(session)) if has_events else {}
    stale = {sender for sender, last in activity.items() if last < cutoff}
    # Requests whose conversation left no events (or was purged before) go by
    # their own last update instead.
    cutoff_utc = dt.datetime.fromtimestamp(cutoff, tz=dt.timezone.utc).replace(
        tzinfo=None
    )
    for model in (BookingRequest, HandoffRequest):
        rows = session.execute(select(model.conversation_id, model.updated_at)).all()
        for conversation_id, updated_at in rows:
            if conversation_id in activity:
                continue
            if updated_at is not None and updated_at < cutoff_utc:
                stale.add(conversation_id)
    return sorted(stale)


@dataclass(frozen=True)
class PurgeResult:
    conversations: int
    rows_by_table: dict[str, int]


def purge(session: Session, days: int, now: float | None = None) -> PurgeResult:
    """Delete conversations older than the retention period, with their requests."""
    if days < 1:
        raise ValueError("The retention period must be at least one day.")
    stale = stale_conversations(session, days, now)
    removed = delete_conversations(session, stale)
    return PurgeResult(len(stale), dict(removed.counts))
