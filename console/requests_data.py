"""Booking and callback (handoff) requests: lists, filters and the CSV export."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from console.dates import DateRange, day_text, from_naive_utc
from smp.db import REQUEST_STATUSES, BookingRequest, HandoffRequest


@dataclass(frozen=True)
class RequestKind:
    """Bookings or callbacks: the model and how the console names them."""

    slug: str
    model: type[BookingRequest] | type[HandoffRequest]
    title: str
    singular: str
    columns: tuple[tuple[str, str], ...]  # (attribute, CSV heading)


_COMMON_HEAD = (
    ("reference", "Reference"),
    ("created_at", "Created (UTC)"),
    ("status", "Status"),
    ("name", "Name"),
    ("email", "Email"),
    ("phone", "Phone"),
)
_COMMON_TAIL = (
    ("staff_note", "Staff note"),
    ("channel", "Channel"),
    ("conversation_id", "Conversation"),
    ("updated_at", "Updated (UTC)"),
)

BOOKINGS = RequestKind(
    "bookings",
    BookingRequest,
    "Consultation bookings",
    "booking",
    _COMMON_HEAD
    + (
        ("preferred_time_text", "Preferred time"),
        ("preferred_date", "Preferred date"),
        ("concern", "Concern"),
        ("consent_given_at", "Consent given (UTC)"),
    )
    + _COMMON_TAIL,
)
CALLBACKS = RequestKind(
    "callbacks",
    HandoffRequest,
    "Callback requests",
    "callback",
    _COMMON_HEAD
    + (("topic", "Topic"), ("reply_expected_at", "Reply expected (UTC)"))
    + _COMMON_TAIL,
)
KINDS = {kind.slug: kind for kind in (BOOKINGS, CALLBACKS)}


@dataclass(frozen=True)
class RequestRow:
    """One request as the console lists it."""

    id: int
    reference: str
    kind: str
    status: str
    name: str
    email: str
    phone: str
    detail: str  # preferred time (bookings) or topic (callbacks)
    concern: str
    staff_note: str
    conversation_id: str
    created_at: object
    updated_at: object


def _row(kind: RequestKind, item: BookingRequest | HandoffRequest) -> RequestRow:
    if kind is BOOKINGS:
        detail = item.preferred_time_text or ""
        if item.preferred_date:
            detail = (
                f"{detail} ({item.preferred_date:%a} {day_text(item.preferred_date)})"
            )
            detail = detail.strip()
        concern = item.concern or ""
    else:
        detail = ""
        concern = item.topic or ""
    return RequestRow(
        id=item.id,
        reference=item.reference,
        kind=kind.slug,
        status=item.status,
        name=item.name or "",
        email=item.email or "",
        phone=item.phone or "",
        detail=detail,
        concern=concern,
        staff_note=item.staff_note or "",
        conversation_id=item.conversation_id,
        created_at=from_naive_utc(item.created_at),
        updated_at=from_naive_utc(item.updated_at),
    )


def _query(kind: RequestKind, status: str, dates: DateRange):
    model = kind.model
    query = select(model)
    if status in REQUEST_STATUSES:
        query = query.where(model.status == status)
    if dates.start_utc is not None:
        query = query.where(model.created_at >= dates.start_utc)
    if dates.end_utc is not None:
        query = query.where(model.created_at < dates.end_utc)
    return query


def list_requests(
    session: Session,
    kind: RequestKind,
    *,
    status: str = "",
    dates: DateRange = DateRange(),
) -> list[RequestRow]:
    """Requests of one kind, newest first, optionally of one status."""
    model = kind.model
    items = session.scalars(
        _query(kind, status, dates).order_by(model.created_at.desc(), model.id.desc())
    ).all()
    return [_row(kind, item) for item in items]


def status_counts(session: Session, kind: RequestKind) -> dict[str, int]:
    model = kind.model
    rows = session.execute(
        select(model.status, func.count()).group_by(model.status)
    ).all()
    counts = dict.fromkeys(REQUEST_STATUSES, 0)
    counts.update({status: count for status, count in rows})
    return counts


def requests_for_conversation(
    session: Session, conversation_id: str
) -> list[RequestRow]:
    found = []
    for kind in KINDS.values():
        items = session.scalars(
            select(kind.model).where(kind.model.conversation_id == conversation_id)
        ).all()
        found.extend(_row(kind, item) for item in items)
    return found


def conversations_with_requests(
    session: Session, conversation_ids: Sequence[str]
) -> dict[str, list[str]]:
    """Which of these conversations produced a booking or callback."""
    found: dict[str, list[str]] = {}
    if not conversation_ids:
        return found
    for kind in KINDS.values():
        rows = session.scalars(
            select(kind.model.conversation_id).where(
                kind.model.conversation_id.in_(list(conversation_ids))
            )
        ).all()
        for conversation_id in rows:
            found.setdefault(conversation_id, []).append(kind.singular)
    return found


# Spreadsheet programs run a cell that starts with one of these as a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """A CSV cell that a spreadsheet will show as text, never run as a formula."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        text = value.replace(microsecond=0).isoformat(sep=" ")
    elif isinstance(value, dt.date):
        text = value.isoformat()
    else:
        text = str(value)
    if text.startswith(_FORMULA_START):
        return "'" + text
    return text


def export_csv(
    session: Session,
    kind: RequestKind,
    *,
    status: str = "",
    dates: DateRange = DateRange(),
) -> str:
    """The requests as CSV, one row each, every column in `kind.columns`."""
    model = kind.model
    items = session.scalars(
        _query(kind, status, dates).order_by(model.created_at, model.id)
    ).all()
    return rows_to_csv(
        [heading for _, heading in kind.columns],
        ([getattr(item, attr) for attr, _ in kind.columns] for item in items),
    )


def rows_to_csv(headings: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow([safe_cell(h) for h in headings])
    for row in rows:
        writer.writerow([safe_cell(value) for value in row])
    return buffer.getvalue()
