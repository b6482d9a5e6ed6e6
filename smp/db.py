"""Database models and the session lifecycle.

One engine per process and database URL; one short session per unit of work,
opened and closed by the caller through `session_scope()`. The schema works on
SQLite (the embedded default) and PostgreSQL (through `DATABASE_URL`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    create_engine,
    event,
)
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, declarative_base, relationship, sessionmaker

from smp.settings import get_settings

# Declared `Any`: SQLAlchemy 1.4's declarative base has no static type.
Base: Any = declarative_base()

REQUEST_STATUSES = ("new", "contacted", "booked", "closed")


def utcnow() -> dt.datetime:
    """Naive UTC timestamp (stored the same way on SQLite and PostgreSQL)."""
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


class Answer(Base):
    """The clinic's approved answer to one FAQ intent, optionally for one entity value.

    The base answer of an intent has `entity` and `entity_value` empty; a variant
    refines it for, say, `scar_type = fut`.
    """

    __tablename__ = "answers"
    __table_args__ = (UniqueConstraint("intent", "entity", "entity_value"),)

    id = Column(Integer, primary_key=True)
    intent = Column(String(64), nullable=False, index=True)
    entity = Column(String(64), nullable=False, default="")
    entity_value = Column(String(64), nullable=False, default="")
    topic = Column(String(120), nullable=False, default="")
    question = Column(String(120), nullable=False, default="")
    text = Column(Text, nullable=False)
    related_intents = Column(JSON, nullable=False, default=list)
    version = Column(Integer, nullable=False, default=1)
    updated_at = Column(DateTime, nullable=False, default=utcnow)
    updated_by = Column(String(120), nullable=False, default="content-sync")

    revisions = relationship(
        "AnswerRevision",
        back_populates="answer",
        cascade="all, delete-orphan",
        order_by="AnswerRevision.version",
    )


class AnswerRevision(Base):
    """A past or current version of an answer: who wrote it and when."""

    __tablename__ = "answer_revisions"
    __table_args__ = (UniqueConstraint("answer_id", "version"),)

    id = Column(Integer, primary_key=True)
    answer_id = Column(ForeignKey("answers.id", ondelete="CASCADE"), nullable=False)
    version = Column(Integer, nullable=False)
    text = Column(Text, nullable=False)
    related_intents = Column(JSON, nullable=False, default=list)
    topic = Column(String(120), nullable=False, default="")
    question = Column(String(120), nullable=False, default="")
    edited_by = Column(String(120), nullable=False)
    edited_at = Column(DateTime, nullable=False, default=utcnow)

    answer = relationship("Answer", back_populates="revisions")


class AnswerFeedback(Base):
    """A visitor's "Was this helpful?" on one version of an answer.

    One vote per conversation, answer and version: voting again changes it.
    `question` is what the visitor asked before the answer, kept so that an
    unhelpful answer can send its question to the console's review.
    """

    __tablename__ = "answer_feedback"
    __table_args__ = (
        UniqueConstraint("conversation_id", "answer_id", "answer_version"),
    )

    id = Column(Integer, primary_key=True)
    answer_id = Column(
        ForeignKey("answers.id", ondelete="CASCADE"), nullable=False, index=True
    )
    answer_version = Column(Integer, nullable=False)
    conversation_id = Column(String(255), nullable=False, index=True)
    helpful = Column(Boolean, nullable=False)
    comment = Column(Text, nullable=False, default="")
    question = Column(String(500), nullable=False, default="")
    channel = Column(String(64), nullable=False, default="")
    created_at = Column(DateTime, nullable=False, default=utcnow, index=True)
    updated_at = Column(DateTime, nullable=False, default=utcnow)


class VisitorRequestColumns:
    """Columns shared by the requests staff follow up (bookings and callbacks)."""

    id = Column(Integer, primary_key=True)
    reference = Column(String(16), nullable=False, unique=True)
    # Hash of the conversation and the submitted fields: a repeated submit of the
    # same request finds the existing row instead of creating a second one.
    submission_key = Column(String(64), nullable=False, unique=True)
    conversation_id = Column(String(255), nullable=False, index=True)
    channel = Column(String(64), nullable=False, default="")
    email = Column(String(254), nullable=True, index=True)
    phone = Column(String(32), nullable=True, index=True)
    status = Column(String(16), nullable=False, default="new", index=True)
    staff_note = Column(Text, nullable=False, default="")
    created_at = Column(DateTime, nullable=False, default=utcnow, index=True)
    updated_at = Column(DateTime, nullable=False, default=utcnow)


class BookingRequest(VisitorRequestColumns, Base):
    """A visitor's request for a free consultation, captured by the booking form."""

    __tablename__ = "booking_requests"

    name = Column(String(120), nullable=False)
    preferred_time_text = Column(String(200), nullable=False, default="")
    preferred_date = Column(Date, nullable=True)
    concern = Column(String(500), nullable=False, default="")
    consent_given_at = Column(DateTime, nullable=False)


class HandoffRequest(VisitorRequestColumns, Base):
    """A visitor's request to talk to a person at the clinic (a callback)."""

    __tablename__ = "handoff_requests"

    name = Column(String(120), nullable=True)
    topic = Column(String(500), nullable=False, default="")
    reply_expected_at = Column(DateTime, nullable=True)


def _configure_sqlite(dbapi_connection: Any, _record: object) -> None:
    # WAL lets the console read while the action server writes; the busy timeout
    # makes concurrent writers wait instead of failing.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


_engines: dict[str, Engine] = {}
_factories: dict[str, sessionmaker] = {}


def get_engine(url: str | None = None) -> Engine:
    """Return the process-wide engine for `url` (default: settings.database_url)."""
    url = url or get_settings().database_url
    if url not in _engines:
        if url.startswith("sqlite"):
            engine = create_engine(
                url,
                future=True,
                # Error messages must not carry visitors' details into logs.
                hide_parameters=True,
                connect_args={"check_same_thread": False, "timeout": 10},
            )
            event.listen(engine, "connect", _configure_sqlite)
        else:
            engine = create_engine(
                url, future=True, pool_pre_ping=True, hide_parameters=True
            )
        _engines[url] = engine
    return _engines[url]


def _session_factory(url: str | None) -> sessionmaker:
    url = url or get_settings().database_url
    if url not in _factories:
        _factories[url] = sessionmaker(
            bind=get_engine(url), future=True, expire_on_commit=False
        )
    return _factories[url]


@contextmanager
def session_scope(url: str | None = None) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on error, always close."""
    session = _session_factory(url)()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def create_schema(url: str | None = None) -> None:
    """Create every table declared on `Base` that does not exist yet (idempotent).

    Only the tables of modules imported so far are declared: the launcher's
    `launcher.schema` imports every area's models first.
    """
    engine = get_engine(url)
    if engine.url.get_backend_name() == "sqlite" and engine.url.database:
        from pathlib import Path

        Path(engine.url.database).parent.mkdir(parents=True, exist_ok=True)
    Base.metadata.create_all(engine)


def dispose_engines() -> None:
    """Close pooled connections and forget engines (tests switch databases)."""
    for engine in _engines.values():
        engine.dispose()
    _engines.clear()
    _factories.clear()
