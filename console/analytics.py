"""Figures for the analytics page, computed from events and requests.

Staff test conversations are never counted. A conversation counts on each day
on which the visitor wrote something; the fallback rate is the share of typed
messages (button clicks excluded) the classifier did not understand.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from console.dates import DateRange, axis_day_text, from_epoch, from_naive_utc
from console.events import (
    slot_values,
    user_activity,
    user_messages,
)
from console.labels import topic_label
from smp import repository
from smp.conversations import like_prefix
from smp.db import BookingRequest, HandoffRequest
from smp.topics import FALLBACK_INTENT


@dataclass
class Analytics:
    dates: DateRange
    days: list[str] = field(default_factory=list)
    conversations_per_day: list[int] = field(default_factory=list)
    bookings_per_day: list[int] = field(default_factory=list)
    handoffs_per_day: list[int] = field(default_factory=list)
    fallback_rate_per_day: list[float | None] = field(default_factory=list)
    top_topics: list[tuple[str, int]] = field(default_factory=list)
    conversations: int = 0
    typed_messages: int = 0
    fallback_messages: int = 0
    offered: int = 0
    booked: int = 0
    booked_after_offer: int = 0
    handoffs: int = 0

    @property
    def fallback_rate(self) -> float:
        return (
            self.fallback_messages / self.typed_messages if self.typed_messages else 0.0
        )

    @property
    def offered_share(self) -> float:
        return self.offered / self.conversations if self.conversations else 0.0

    @property
    def booked_share(self) -> float:
        return self.booked / self.conversations if self.conversations else 0.0

    @property
    def offer_conversion(self) -> float:
        return self.booked_after_offer / self.offered if self.offered else 0.0

    def chart_data(self) -> dict:
        """What the page's charts draw (serialised into the page as JSON)."""
        return {
            "days": self.days,
            "labels": [axis_day_text(day) for day in self.dates.days()],
            "conversations": self.conversations_per_day,
            "bookings": self.bookings_per_day,
            "handoffs": self.handoffs_per_day,
            "fallbackRate": [
                None if rate is None else round(rate * 100, 1)
                for rate in self.fallback_rate_per_day
            ],
            "topics": [topic for topic, _ in self.top_topics],
            "topicCounts": [count for _, count in self.top_topics],
            "funnel": [self.conversations, self.offered, self.booked],
        }


def _requests_in_range(
    session: Session, model: type, dates: DateRange, staff_prefix: str
) -> list[tuple[str, object]]:
    query = select(model.conversation_id, model.created_at).where(
        ~model.conversation_id.like(like_prefix(staff_prefix), escape="\\")
    )
    if dates.start_utc is not None:
        query = query.where(model.created_at >= dates.start_utc)
    if dates.end_utc is not None:
        query = query.where(model.created_at < dates.end_utc)
    return [tuple(row) for row in session.execute(query).all()]


def compute(
    session: Session, dates: DateRange, *, staff_prefix: str, top: int = 8
) -> Analytics:
    """Every figure of the analytics page for a closed date range."""
    result = Analytics(dates, days=[day.isoformat() for day in dates.days()])
    index = {day: position for position, day in enumerate(result.days)}
    zeros = [0] * len(result.days)

    active_by_day: dict[str, set[str]] = {day: set() for day in result.days}
    conversations: set[str] = set()
    for sender, timestamp, _intent in user_activity(
        session, staff_prefix=staff_prefix, dates=dates
    ):
        moment = from_epoch(timestamp)
        day = moment.date().isoformat() if moment else ""
        if day in active_by_day:
            active_by_day[day].add(sender)
        conversations.add(sender)
    result.conversations = len(conversations)
    result.conversations_per_day = [len(active_by_day[day]) for day in result.days]

    typed_by_day = Counter()
    fallback_by_day = Counter()
    for message in user_messages(session, staff_prefix=staff_prefix, dates=dates):
        moment = from_epoch(message.timestamp)
        day = moment.date().isoformat() if moment else ""
        typed_by_day[day] += 1
        result.typed_messages += 1
        if message.intent == FALLBACK_INTENT:
            fallback_by_day[day] += 1
            result.fallback_messages += 1
    result.fallback_rate_per_day = [
        fallback_by_day[day] / typed_by_day[day] if typed_by_day[day] else None
        for day in result.days
    ]

    topics = repository.topics(session)
    served = Counter()
    for _sender, _at, value in slot_values(
        session, "served_answer", staff_prefix=staff_prefix, dates=dates
    ):
        if isinstance(value, dict) and value.get("intent"):
            served[value["intent"]] += 1
    result.top_topics = [
        (topic_label(topics[intent].topic) if intent in topics else intent, count)
        for intent, count in served.most_common(top)
    ]

    offered = {
        sender
        for sender, _at, value in slot_values(
            session, "consultation_offered", staff_prefix=staff_prefix, dates=dates
        )
        if value is True
    }
    result.offered = len(offered)

    bookings = _requests_in_range(session, BookingRequest, dates, staff_prefix)
    booked = {conversation for conversation, _ in bookings}
    result.booked = len(booked)
    result.booked_after_offer = len(booked & offered)
    result.bookings_per_day = _per_day(bookings, index, zeros)

    handoffs = _requests_in_range(session, HandoffRequest, dates, staff_prefix)
    result.handoffs = len(handoffs)
    result.handoffs_per_day = _per_day(handoffs, index, zeros)
    return result


def _per_day(
    rows: list[tuple[str, object]], index: dict[str, int], zeros: list[int]
) -> list[int]:
    counts = list(zeros)
    for _conversation, created_at in rows:
        moment = from_naive_utc(created_at)  # type: ignore[arg-type]
        position = index.get(moment.date().isoformat()) if moment else None
        if position is not None:
            counts[position] += 1
    return counts
