"""Staff accounts: creation, password checks and the sign-in throttle."""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
from collections import deque
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from console.config import MIN_PASSWORD_LENGTH
from console.models import StaffUser
from smp.db import utcnow

# Checked against when the username is unknown, so that a wrong username takes
# as long as a wrong password and does not reveal which accounts exist.
_DUMMY_HASH = generate_password_hash("not-a-real-password-0000")
MAX_USERNAME_LENGTH = 80


class StaffAccountError(ValueError):
    """A username or password that cannot be used, with the reason."""


@dataclass(frozen=True)
class StaffMember:
    """The signed-in member of staff, as the console needs it."""

    id: int
    username: str
    # Changes whenever the password does, which signs out every other session.
    password_stamp: str

    # Flask-Login's user protocol.
    is_authenticated = True
    is_active = True
    is_anonymous = False

    def get_id(self) -> str:
        return f"{self.id}:{self.password_stamp}"

    @classmethod
    def of(cls, user: StaffUser) -> StaffMember:
        stamp = hashlib.sha256(user.password_hash.encode("utf-8")).hexdigest()[:16]
        return cls(user.id, user.username, stamp)


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
) -> StaffMember:
    """Create a staff account, or with `reset` set a new password on an existing one.

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
    return StaffMember.of(existing)


def authenticate(session: Session, username: str, password: str) -> StaffMember | None:
    """The active member of staff with these credentials, else None."""
    user = find_staff(session, (username or "").strip())
    if user is None or not user.is_active:
        check_password_hash(_DUMMY_HASH, password or "")
        return None
    if not check_password_hash(user.password_hash, password or ""):
        return None
    user.last_login_at = utcnow()
    return StaffMember.of(user)


def load_staff(session: Session, session_id: str) -> StaffMember | None:
    """The member of staff a session cookie names, if the account is unchanged."""
    user_id, _, stamp = (session_id or "").partition(":")
    if not user_id.isdigit():
        return None
    user = session.get(StaffUser, int(user_id))
    if user is None or not user.is_active:
        return None
    member = StaffMember.of(user)
    return member if member.password_stamp == stamp else None


class LoginThrottle:
    """Locks a username, and separately a client address, after repeated failures.

    Kept in memory: the console runs as one process (waitress with threads), and a
    restart clearing the counters is acceptable. Both keys are counted so that
    one address cannot try many usernames and many addresses cannot try one.
    """

    def __init__(self, max_failures: int, window: dt.timedelta) -> None:
        self.max_failures = max_failures
        self.window = window
        self._failures: dict[str, deque[dt.datetime]] = {}
        self._lock = threading.Lock()

    @staticmethod
    def _keys(username: str, address: str) -> tuple[str, str]:
        return f"user:{username.strip().lower()}", f"addr:{address}"

    def _recent(self, key: str, now: dt.datetime) -> deque[dt.datetime]:
        failures = self._failures.setdefault(key, deque())
        while failures and now - failures[0] > self.window:
            failures.popleft()
        return failures

    def locked_for(
        self, username: str, address: str, now: dt.datetime | None = None
    ) -> dt.timedelta | None:
        """How long until sign-in may be tried again, or None if it may now."""
        now = now or utcnow()
        with self._lock:
            waits = []
            for key in self._keys(username, address):
                failures = self._recent(key, now)
                if len(failures) >= self.max_failures:
                    waits.append(failures[0] + self.window - now)
            return max(waits) if waits else None

    def failed(
        self, username: str, address: str, now: dt.datetime | None = None
    ) -> None:
        now = now or utcnow()
        with self._lock:
            for key in self._keys(username, address):
                self._recent(key, now).append(now)

    def succeeded(self, username: str, address: str) -> None:
        with self._lock:
            self._failures.pop(self._keys(username, address)[0], None)
