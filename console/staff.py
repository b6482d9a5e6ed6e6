"""Staff accounts: creation, password checks and signing in."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from console import sign_in_lockout, staff_sessions
from console.config import MIN_PASSWORD_LENGTH, ConsoleSettings
from console.models import StaffUser
from console.staff_sessions import StaffMember
from smp.db import utcnow

# Checked against when the username is unknown, so that a wrong username takes
# as long as a wrong password and does not reveal which accounts exist.
_DUMMY_HASH = generate_password_hash("not-a-real-password-0000")
MAX_USERNAME_LENGTH = 80


class StaffAccountError(ValueError):
    """A username or password that cannot be used, with the reason."""


def validate_username(username: str) -> str:
    username = (username or "").strip()
    if not username:
        raise StaffAccountError("The username cannot be empty.")
    if len(username) > MAX_USERNAME_LENGTH or any(ch.isspace() for ch in username):
        raise StaffAccountError(
            f"Use a username of at most {MAX_USERNAME_LENGTH} characters, no spaces."
        )
    return username


def validate_password(password: str) -> str:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise StaffAccountError(
            f"The password must be at least {MIN_PASSWORD_LENGTH} characters long."
        )
    return password


def find_staff(session: Session, username: str) -> StaffUser | None:
    return session.scalars(
        select(StaffUser).where(func.lower(StaffUser.username) == username.lower())
    ).first()


def create_staff(
    session: Session, username: str, password: str, *, reset: bool = False
) -> StaffUser:
    """Create a staff account, or with `reset` set a new password on an existing one.

    A new password signs the account out everywhere and lifts any sign-in lock.

    Raises:
        StaffAccountError: the username is taken (without `reset`), or the
            username or password is not acceptable.
    """
    username = validate_username(username)
    validate_password(password)
    existing = find_staff(session, username)
    if existing is not None and not reset:
        raise StaffAccountError(f"A staff account named {username!r} already exists.")
    if existing is None:
        existing = StaffUser(username=username, password_hash="", is_active=True)
        session.add(existing)
    existing.password_hash = generate_password_hash(password)
    existing.is_active = True
    session.flush()
    staff_sessions.end_all_sessions(session, existing.id)
    sign_in_lockout.clear_failures(session, username)
    return existing


def authenticate(session: Session, username: str, password: str) -> StaffUser | None:
    """The active account with these credentials, else None.

    Exactly one password hash is checked either way, so an unknown username
    takes as long as a wrong password.
    """
    user = find_staff(session, (username or "").strip())
    if user is None or not user.is_active:
        check_password_hash(_DUMMY_HASH, password or "")
        return None
    if not check_password_hash(user.password_hash, password or ""):
        return None
    user.last_login_at = utcnow()
    return user


@dataclass(frozen=True)
class SignInAttempt:
    """The outcome of a sign-in: a new session, or a refusal (and whether locked)."""

    member: StaffMember | None = None
    locked_for: dt.timedelta | None = None


def attempt_sign_in(
    session: Session,
    username: str,
    password: str,
    *,
    now: dt.datetime,
    settings: ConsoleSettings,
) -> SignInAttempt:
    """Check a sign-in against the username's lockout and, if allowed, the password.

    A locked username is refused without looking at the password. A wrong
    password or an unknown username counts towards that username's lock; a
    right one clears it and opens a session.
    """
    wait = sign_in_lockout.locked_for(session, username, now)
    if wait is not None:
        return SignInAttempt(locked_for=wait)
    user = authenticate(session, username, password)
    if user is None:
        sign_in_lockout.record_failure(
            session,
            username,
            now,
            max_failures=settings.max_failed_logins,
            lockout=settings.lockout,
        )
        return SignInAttempt()
    sign_in_lockout.clear_failures(session, username)
    staff_sessions.end_expired_sessions(
        session, now, idle=settings.idle_timeout, lifetime=settings.session_lifetime
    )
    return SignInAttempt(member=staff_sessions.open_session(session, user, now))
