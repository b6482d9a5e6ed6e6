"""The console's own tables: staff accounts and decisions about unanswered questions."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, DateTime, Integer, String, Text

from smp.db import Base, utcnow


class StaffUser(Base):
    """A clinic staff member who may sign in to the console."""

    __tablename__ = "staff_users"

    id = Column(Integer, primary_key=True)
    username = Column(String(80), nullable=False, unique=True)
    password_hash = Column(String(255), nullable=False)
    is_active = Column(Boolean, nullable=False, default=True)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    last_login_at = Column(DateTime, nullable=True)


class UnansweredReview(Base):
    """A staff decision about a question the assistant could not answer.

    Unanswered questions themselves are read from the conversation events; this
    table remembers which normalised texts staff assigned to an intent (and
    exported as training examples) or dismissed.
    """

    __tablename__ = "unanswered_reviews"

    id = Column(Integer, primary_key=True)
    normalised_text = Column(String(500), nullable=False, unique=True)
    example_text = Column(Text, nullable=False)
    decision = Column(String(16), nullable=False)  # "assigned" or "dismissed"
    intent = Column(String(64), nullable=True)
    decided_by = Column(String(80), nullable=False)
    decided_at = Column(DateTime, nullable=False, default=utcnow)
