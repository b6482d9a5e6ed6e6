"""The console's settings: the project settings plus what only the console needs.

`ConsoleSettings.from_environment()` builds them from the project settings for
`python -m console`; tests construct `ConsoleSettings` directly so nothing
depends on the environment of the test process.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from smp.secrets import load_or_create_secret
from smp.settings import (
    DEFAULT_CONSOLE_PORT,
    LOOPBACK,
    PROJECT_ROOT,
    Settings,
    get_settings,
)

SECRET_KEY_FILE = PROJECT_ROOT / "var" / "console_secret_key"
# Every test conversation the console starts has this sender id prefix, so
# analytics, conversation lists and unanswered questions can leave it out.
STAFF_TEST_PREFIX = "staff-test-"
MIN_PASSWORD_LENGTH = 10


def load_or_create_secret_key(path: Path = SECRET_KEY_FILE) -> str:
    """The key that signs session cookies, generated once and kept in `path`.

    Kept so that restarting the console does not sign every member of staff out.
    """
    return load_or_create_secret(path)


@dataclass(frozen=True)
class ConsoleSettings:
    """Everything the console reads at start-up."""

    database_url: str
    rasa_url: str
    rasa_token: str
    secret_key: str
    low_confidence_threshold: float = 0.5
    domain_file: Path = PROJECT_ROOT / "domain.yml"
    port: int = DEFAULT_CONSOLE_PORT
    host: str = LOOPBACK
    # Signed out after this long without a request...
    idle_timeout: dt.timedelta = dt.timedelta(minutes=30)
    # ...and after this long in any case.
    session_lifetime: dt.timedelta = dt.timedelta(hours=12)
    # Only send the cookie over HTTPS (set when served behind TLS).
    cookie_secure: bool = False
    max_failed_logins: int = 5
    lockout: dt.timedelta = dt.timedelta(minutes=15)
    page_size: int = 25
    rasa_timeout_seconds: float = 30.0
    retention_days: int = 365
    test_sender_prefix: str = STAFF_TEST_PREFIX

    @classmethod
    def from_environment(cls, base: Settings | None = None) -> ConsoleSettings:
        """The console's part of the project settings."""
        base = base or get_settings()
        options = base.console
        return cls(
            database_url=base.database_url,
            rasa_url=base.rasa_url,
            rasa_token=base.rasa_token,
            low_confidence_threshold=base.low_confidence_threshold,
            secret_key=options.secret_key or load_or_create_secret_key(),
            port=options.port,
            host=options.host,
            idle_timeout=dt.timedelta(minutes=options.idle_minutes),
            session_lifetime=dt.timedelta(hours=options.session_hours),
            cookie_secure=options.cookie_secure,
            max_failed_logins=options.max_failed_logins,
            lockout=dt.timedelta(minutes=options.lockout_minutes),
            retention_days=base.retention_days,
        )
