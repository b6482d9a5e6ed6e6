"""The console's own tables: staff accounts, their sessions and sign-in lockouts,
and decisions about unanswered questions.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, DateTime, ForeignKey, Integer, String, Text

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


class StaffSession(Base):
    """One signed-in browser: its cookie names the session, this row keeps it alive.

    Signing out, a password reset and expiry delete the row, so a copy of the
    cookie taken earlier names nothing and is refused. Only a hash of the token
    is stored: reading the table does not give anyone a session.
    """

    __tablename__ = "staff_sessions"

    id = Column(Integer, primary_key=True)
    token_hash = Column(String(64), nullable=False, unique=True)
    staff_user_id = Column(
        Integer,
        ForeignKey("staff_users.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    )
    signed_in_at = Column(DateTime, nullable=False, default=utcnow)
    last_seen_at = Column(DateTime, nullable=False, default=utcnow)


class SignInLockout(Base):
    """Failed sign-ins for one username, shared by every console process.

    Keyed by the username as typed (case-folded), whether or not an account has
    it, so a lockout does not reveal which accounts exist. A table of its own
    rather than columns on `staff_users`, so existing databases gain it from
    `create_all`.
    """

    __tablename__ = "sign_in_lockouts"

    username_key = Column(String(80), primary_key=True)
    failed_attempts = Column(Integer, nullable=False, default=0)
    # When the failures being counted began; they are forgotten a lockout
    # period later.
    first_failed_at = Column(DateTime, nullable=True)
    locked_until = Column(DateTime, nullable=True)


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
