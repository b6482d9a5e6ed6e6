"""Locking a username after repeated failed sign-ins, in the database.

Every console process reads and writes the same `sign_in_lockouts` rows, so a
second process cannot be used to keep guessing. The lock is per username only:
guessing one account never locks out another, and nothing is counted per
address (staff behind one office router share an address, and an attacker
could use it to lock them all out). Usernames without an account are counted
and locked the same way, so a lockout says nothing about which accounts exist.

Each change is a single UPDATE, so failures counted by two processes at once
are both counted.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import and_, delete, or_, update
from sqlalchemy.orm import Session

from console.models import SignInLockout

MAX_KEY_LENGTH = 80


def username_key(username: str) -> str:
    return (username or "").strip().lower()[:MAX_KEY_LENGTH]


def locked_for(
    session: Session, username: str, now: dt.datetime
) -> dt.timedelta | None:
    """How long until `username` may try again, or None if it may now."""
    row = session.get(SignInLockout, username_key(username))
    if row is None or row.locked_until is None or row.locked_until <= now:
        return None
    return row.locked_until - now


def record_failure(
    session: Session,
    username: str,
    now: dt.datetime,
    *,
    max_failures: int,
    lockout: dt.timedelta,
) -> None:
    """Count a failed sign-in; the `max_failures`-th within `lockout` locks it."""
    key = username_key(username)
    _insert_if_missing(session, key)
    this = SignInLockout.username_key == key
    _update(
        session,
        # Failures older than a lockout period are forgotten.
        and_(
            this,
            or_(
                SignInLockout.first_failed_at.is_(None),
                SignInLockout.first_failed_at <= now - lockout,
            ),
        ),
        failed_attempts=0,
        first_failed_at=now,
    )
    _update(session, this, failed_attempts=SignInLockout.failed_attempts + 1)
    _update(
        session,
        and_(this, SignInLockout.failed_attempts >= max_failures),
        failed_attempts=0,
        first_failed_at=None,
        locked_until=now + lockout,
    )
    _forget_stale(session, now, lockout)


def clear_failures(session: Session, username: str) -> None:
    """Forget a username's failures and lock (after a sign-in or a new password)."""
    session.execute(
        delete(SignInLockout)
        .where(SignInLockout.username_key == username_key(username))
        .execution_options(synchronize_session=False)
    )


def _update(session: Session, where, **values) -> None:
    session.execute(
        update(SignInLockout)
        .where(where)
        .values(**values)
        .execution_options(synchronize_session=False)
    )


def _insert_if_missing(session: Session, key: str) -> None:
    # INSERT ... ON CONFLICT DO NOTHING: another process may add the row between
    # a look-up and an insert.
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    elif dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        if session.get(SignInLockout, key) is None:
            session.add(SignInLockout(username_key=key, failed_attempts=0))
            session.flush()
        return
    session.execute(
        insert(SignInLockout)
        .values(username_key=key, failed_attempts=0)
        .on_conflict_do_nothing(index_elements=["username_key"])
    )


def _forget_stale(session: Session, now: dt.datetime, lockout: dt.timedelta) -> None:
    """Drop rows whose lock has ended and whose failures are too old to count."""
    session.execute(
        delete(SignInLockout)
        .where(
            or_(
                SignInLockout.locked_until.is_(None),
                SignInLockout.locked_until <= now,
            ),
            or_(
                SignInLockout.first_failed_at.is_(None),
                SignInLockout.first_failed_at <= now - lockout,
            ),
        )
        .execution_options(synchronize_session=False)
    )
