"""Small helpers shared by the actions."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable
from typing import TypeVar

from rasa_sdk import Tracker
from sqlalchemy.orm import Session

from smp.db import session_scope
from smp.topics import ENTITIES

T = TypeVar("T")

ENTITY_SLOTS = ENTITIES


async def in_session(work: Callable[[Session], T]) -> T:
    """Run `work(session)` as one unit of work in a worker thread.

    Database calls are blocking; running them off the event loop keeps the
    action server answering other conversations meanwhile.
    """

    def unit() -> T:
        with session_scope() as session:
            return work(session)

    return await asyncio.to_thread(unit)


def latest_entities(tracker: Tracker) -> list[tuple[str, str]]:
    """(entity, value) pairs of the latest message, then remembered slot values."""
    pairs: list[tuple[str, str]] = []
    for entity in tracker.latest_message.get("entities") or []:
        if entity.get("entity") in ENTITY_SLOTS and entity.get("value"):
            pairs.append((entity["entity"], str(entity["value"]).lower()))
    for slot in ENTITY_SLOTS:
        value = tracker.get_slot(slot)
        if value and (slot, str(value).lower()) not in pairs:
            pairs.append((slot, str(value).lower()))
    return pairs


def latest_intent(tracker: Tracker) -> str | None:
    """The intent of the latest user message."""
    return (tracker.latest_message.get("intent") or {}).get("name")


def channel_of(tracker: Tracker) -> str:
    """Which channel the conversation came through (rest, socketio, whatsapp...)."""
    return tracker.get_latest_input_channel() or ""


def now_utc() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def as_naive_utc(moment: dt.datetime) -> dt.datetime:
    """Stored timestamps are naive UTC on every database."""
    return moment.astimezone(dt.timezone.utc).replace(tzinfo=None)
