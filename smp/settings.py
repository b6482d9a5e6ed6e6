"""The one place that reads the environment, and the one place for each default.

Every process (Rasa's action server, the console, the web server, the channels,
the launcher and its tools) reads its configuration from `get_settings()`.
`Settings.from_environment(env)` builds the same object from any mapping, so
tests never depend on the environment of the test process.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType

PROJECT_ROOT = Path(__file__).resolve().parent.parent

DEFAULT_RASA_PORT = 5005
DEFAULT_ACTIONS_PORT = 5055
DEFAULT_WEB_PORT = 8000
DEFAULT_CONSOLE_PORT = 8001
# The HTTP API token `make run` uses on loopback when none is set.
DEFAULT_RASA_TOKEN = "change-me-local-token"  # noqa: S105
LOOPBACK = "127.0.0.1"


def demo_origins(web_port: int) -> tuple[str, ...]:
    """The demo page's origins on this machine: the widget's default sites."""
    return (f"http://{LOOPBACK}:{web_port}", f"http://localhost:{web_port}")


def _text(env: Mapping[str, str], name: str, default: str = "") -> str:
    value = env.get(name)
    return value.strip() if value not in (None, "") else default


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    value = _text(env, name)
    return int(value) if value else default


def _float(env: Mapping[str, str], name: str, default: float) -> float:
    value = _text(env, name)
    return float(value) if value else default


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    value = _text(env, name)
    if not value:
        return default
    return value.lower() in {"1", "true", "yes", "on"}


def _list(env: Mapping[str, str], name: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in _text(env, name).split(",") if item.strip())


@dataclass(frozen=True)
class ConsoleOptions:
    """What only the staff console reads (`CONSOLE_*`)."""

    port: int = DEFAULT_CONSOLE_PORT
    host: str = LOOPBACK
    secret_key: str = ""
    idle_minutes: float = 30.0
    session_hours: float = 12.0
    cookie_secure: bool = False
    max_failed_logins: int = 5
    lockout_minutes: float = 15.0


@dataclass(frozen=True)
class ChannelLimits:
    """What the widget and REST channels accept (`MAX_*`, `RATE_LIMIT_*`)."""

    max_message_chars: int = 2000
    max_body_bytes: int = 64 * 1024
    # Token buckets: this many messages per this many seconds.
    conversation_messages: int = 10
    conversation_seconds: float = 10.0
    address_messages: int = 60
    address_seconds: float = 60.0
    # Open socket.io connections one visitor address may hold at once.
    connections_per_address: int = 20


LIMITS = ChannelLimits()


@dataclass(frozen=True)
class Settings:
    """Runtime configuration of every process, read once."""

    database_url: str
    content_dir: Path
    clinic_file: Path
    answers_file: Path
    rasa_port: int = DEFAULT_RASA_PORT
    actions_port: int = DEFAULT_ACTIONS_PORT
    web_port: int = DEFAULT_WEB_PORT
    # Where processes on this machine reach the Rasa server...
    rasa_url: str = f"http://{LOOPBACK}:{DEFAULT_RASA_PORT}"
    # ...and where visitors' browsers reach it.
    rasa_public_url: str = f"http://{LOOPBACK}:{DEFAULT_RASA_PORT}"
    actions_url: str = f"http://{LOOPBACK}:{DEFAULT_ACTIONS_PORT}/webhook"
    rasa_token: str = DEFAULT_RASA_TOKEN
    redis_url: str = ""
    widget_allowed_origins: tuple[str, ...] = demo_origins(DEFAULT_WEB_PORT)
    # Signs the widget's conversation tokens; empty: generated into var/.
    session_secret: str = ""
    # Bearer token of the REST channel for callers not on loopback; empty:
    # generated into var/.
    rest_api_token: str = ""
    # Sent by the Rasa server on every action call; the action server refuses
    # calls without it. Empty: generated into var/.
    actions_secret: str = ""
    channel_limits: ChannelLimits = LIMITS
    low_confidence_threshold: float = 0.35
    retention_days: int = 365
    # Each server's log under var/log/ rotates at this size, keeping this many.
    log_max_bytes: int = 10 * 1024 * 1024
    log_backups: int = 5
    console: ConsoleOptions = ConsoleOptions()
    # The whole environment, read-only: messaging channels declare their own
    # variables (channels/registry.py) and the launcher looks them up here.
    environment: Mapping[str, str] = field(
        default_factory=dict, compare=False, repr=False
    )

    @classmethod
    def from_environment(cls, env: Mapping[str, str]) -> Settings:
        """Settings from `env` (normally `os.environ`), defaults for the rest."""
        content_dir = Path(_text(env, "SMP_CONTENT_DIR") or PROJECT_ROOT / "content")
        rasa_port = _int(env, "RASA_PORT", DEFAULT_RASA_PORT)
        actions_port = _int(env, "ACTIONS_PORT", DEFAULT_ACTIONS_PORT)
        rasa_url = _text(env, "RASA_URL", f"http://{LOOPBACK}:{rasa_port}")
        web_port = _int(env, "WEB_PORT", DEFAULT_WEB_PORT)
        return cls(
            database_url=_text(env, "DATABASE_URL")
            or f"sqlite:///{PROJECT_ROOT / 'var' / 'clinic.db'}",
            content_dir=content_dir,
            clinic_file=Path(
                _text(env, "SMP_CLINIC_FILE") or content_dir / "clinic.yml"
            ),
            answers_file=Path(
                _text(env, "SMP_ANSWERS_FILE") or content_dir / "answers.yml"
            ),
            rasa_port=rasa_port,
            actions_port=actions_port,
            web_port=web_port,
            rasa_url=rasa_url.rstrip("/"),
            rasa_public_url=_text(env, "RASA_PUBLIC_URL", rasa_url).rstrip("/"),
            actions_url=_text(
                env, "ACTIONS_URL", f"http://{LOOPBACK}:{actions_port}/webhook"
            ),
            rasa_token=_text(env, "RASA_TOKEN", DEFAULT_RASA_TOKEN),
            redis_url=_text(env, "REDIS_URL"),
            widget_allowed_origins=_list(env, "WIDGET_ALLOWED_ORIGINS")
            or demo_origins(web_port),
            session_secret=_text(env, "SMP_SESSION_SECRET"),
            rest_api_token=_text(env, "REST_API_TOKEN"),
            actions_secret=_text(env, "ACTIONS_SECRET"),
            channel_limits=ChannelLimits(
                max_message_chars=_int(
                    env, "MAX_MESSAGE_CHARS", LIMITS.max_message_chars
                ),
                max_body_bytes=_int(env, "MAX_BODY_BYTES", LIMITS.max_body_bytes),
                conversation_messages=_int(
                    env,
                    "RATE_LIMIT_CONVERSATION_MESSAGES",
                    LIMITS.conversation_messages,
                ),
                conversation_seconds=_float(
                    env, "RATE_LIMIT_CONVERSATION_SECONDS", LIMITS.conversation_seconds
                ),
                address_messages=_int(
                    env, "RATE_LIMIT_ADDRESS_MESSAGES", LIMITS.address_messages
                ),
                address_seconds=_float(
                    env, "RATE_LIMIT_ADDRESS_SECONDS", LIMITS.address_seconds
                ),
                connections_per_address=_int(
                    env, "MAX_CONNECTIONS_PER_ADDRESS", LIMITS.connections_per_address
                ),
            ),
            low_confidence_threshold=_float(env, "SMP_LOW_CONFIDENCE", 0.35),
            retention_days=_int(env, "RETENTION_DAYS", 365),
            log_max_bytes=_int(env, "LOG_MAX_BYTES", 10 * 1024 * 1024),
            log_backups=_int(env, "LOG_BACKUPS", 5),
            console=ConsoleOptions(
                port=_int(env, "CONSOLE_PORT", DEFAULT_CONSOLE_PORT),
                host=_text(env, "CONSOLE_HOST", LOOPBACK),
                secret_key=_text(env, "CONSOLE_SECRET_KEY"),
                idle_minutes=_float(env, "CONSOLE_IDLE_MINUTES", 30.0),
                session_hours=_float(env, "CONSOLE_SESSION_HOURS", 12.0),
                cookie_secure=_bool(env, "CONSOLE_COOKIE_SECURE", False),
                max_failed_logins=_int(env, "CONSOLE_MAX_FAILED_LOGINS", 5),
                lockout_minutes=_float(env, "CONSOLE_LOCKOUT_MINUTES", 15.0),
            ),
            environment=MappingProxyType(dict(env)),
        )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (cached; call `reset_settings` in tests)."""
    return Settings.from_environment(os.environ)


# The terminal chat's own Rasa and action server ports, next to `make run`'s
# 5005 and 5055 so that both can run at once.
SHELL_RASA_PORT = 5006
SHELL_ACTIONS_PORT = 5056
# Addresses that `make run` derives from its ports: the shell derives its own.
_DERIVED_ADDRESSES = ("RASA_URL", "RASA_PUBLIC_URL", "ACTIONS_URL")


def shell_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """The project settings with the shell's ports (`SHELL_RASA_PORT`,
    `SHELL_ACTIONS_PORT`) in place of `make run`'s."""
    environ = os.environ if environ is None else environ
    env = {k: v for k, v in environ.items() if k not in _DERIVED_ADDRESSES}
    env["RASA_PORT"] = environ.get("SHELL_RASA_PORT", str(SHELL_RASA_PORT))
    env["ACTIONS_PORT"] = environ.get("SHELL_ACTIONS_PORT", str(SHELL_ACTIONS_PORT))
    return Settings.from_environment(env)


def reset_settings() -> None:
    """Forget cached settings so the next call re-reads the environment."""
    get_settings.cache_clear()
