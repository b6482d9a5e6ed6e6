"""Server-side sessions of signed-in staff.

The session cookie carries a random token; it is valid only while the
`staff_sessions` row holding the token's hash exists. Signing out deletes the
row, a password reset deletes every row of the account, and an expired session
is deleted when it is next used (or when anyone next signs in), so a copy of
the cookie taken earlier is refused from then on, by every console process.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from console.models import StaffSession, StaffUser

TOKEN_BYTES = 32
# `last_seen_at` is written at most this often, not on every request: the idle
# timeout is measured in minutes.
SEEN_RESOLUTION = dt.timedelta(seconds=30)


@dataclass(frozen=True)
class StaffMember:
    """The signed-in member of staff and their session, as the console needs them."""

    id: int
    username: str
    session_token: str
    signed_in_at: dt.datetime
    last_seen_at: dt.datetime

    # Flask-Login's user protocol.
    is_authenticated = True
    is_active = True
    is_anonymous = False

    def get_id(self) -> str:
        """What Flask-Login keeps in the cookie: the session's token."""
        return self.session_token


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def open_session(session: Session, user: StaffUser, now: dt.datetime) -> StaffMember:
    """Start a session for `user`; the returned member carries its new token."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    session.add(
        StaffSession(
            token_hash=token_hash(token),
            staff_user_id=user.id,
            signed_in_at=now,
            last_seen_at=now,
        )
    )
    session.flush()
    return StaffMember(user.id, user.username, token, now, now)


def load_session(session: Session, token: str) -> StaffMember | None:
    """The member of staff whose live session `token` names, else None."""
    if not token:
        return None
    row = session.execute(
        select(StaffSession, StaffUser)
        .join(StaffUser, StaffUser.id == StaffSession.staff_user_id)
        .where(StaffSession.token_hash == token_hash(token))
    ).first()
    if row is None:
        return None
    stored, user = row
    if not user.is_active:
        return None
    return StaffMember(
        user.id, user.username, token, stored.signed_in_at, stored.last_seen_at
    )


def mark_seen(session: Session, member: StaffMember, now: dt.datetime) -> None:
    """Record activity, which keeps the session from expiring as idle."""
    if now - member.last_seen_at < SEEN_RESOLUTION:
        return
    session.execute(
        update(StaffSession)
        .where(StaffSession.token_hash == token_hash(member.session_token))
        .values(last_seen_at=now)
        .execution_options(synchronize_session=False)
    )


def end_session(session: Session, token: str) -> None:
    """Sign one session out, wherever its cookie has been copied to."""
    session.execute(
        delete(StaffSession)
        .where(StaffSession.token_hash == token_hash(token))
        .execution_options(synchronize_session=False)
    )


def end_all_sessions(session: Session, staff_user_id: int) -> int:
    """Sign an account out everywhere; returns how many sessions ended."""
    result = session.execute(
        delete(StaffSession)
        .where(StaffSession.staff_user_id == staff_user_id)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


def end_expired_sessions(
    session: Session, now: dt.datetime, *, idle: dt.timedelta, lifetime: dt.timedelta
) -> int:
    """Delete sessions past their idle timeout or lifetime; returns how many."""
    result = session.execute(
        delete(StaffSession)
        .where(
            or_(
                StaffSession.last_seen_at < now - idle,
                StaffSession.signed_in_at < now - lifetime,
            )
        )
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0
