"""Writes the Rasa server's endpoints and credentials for this environment.

The committed `endpoints.yml` and `credentials.yml` hold local defaults. At
start-up the launcher calls `write_runtime_config()`, which points the
tracker store at `DATABASE_URL`, the action endpoint at `ACTIONS_URL` (or
`ACTIONS_PORT`), adds a Redis lock store when `REDIS_URL` is set, and enables
each messaging channel of channels/registry.py only when all its environment
variables are set.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy.engine import make_url

from channels.registry import CHANNELS
from channels.socketio import CHANNEL as SOCKETIO
from channels.spec import ChannelSpec
from smp.secrets import ACTIONS_SECRET_HEADER, actions_secret
from smp.settings import PROJECT_ROOT, Settings, get_settings


def tracker_store_config(database_url: str) -> dict[str, Any]:
    """Rasa SQL tracker store settings for a SQLAlchemy database URL."""
    url = make_url(database_url)
    backend = url.get_backend_name()
    if backend == "sqlite":
        return {"type": "SQL", "dialect": "sqlite", "db": url.database}
    config: dict[str, Any] = {
        "type": "SQL",
        "dialect": url.drivername,
        "url": url.host or "localhost",
        "db": url.database,
    }
    if url.port:
        config["port"] = url.port
    if url.username:
        config["username"] = url.username
    if url.password:
        config["password"] = url.password
    return config


def endpoints_config(settings: Settings | None = None) -> dict[str, Any]:
    """The endpoints the Rasa server should use with these settings."""
    settings = settings or get_settings()
    config: dict[str, Any] = {
        # Every action call carries the action server's shared secret.
        "action_endpoint": {
            "url": settings.actions_url,
            "headers": {ACTIONS_SECRET_HEADER: actions_secret(settings.actions_secret)},
        },
        "tracker_store": tracker_store_config(settings.database_url),
    }
    if settings.redis_url:
        redis = make_url(settings.redis_url)
        config["lock_store"] = {
            # Redis's locks, or the server's own while Redis is down.
            "type": "launcher.lock_store.RedisOrLocalLockStore",
            # A Redis that hangs holds up a message this long, not Rasa's 10 s.
            "socket_timeout": 2,
            "url": redis.host or "localhost",
            "port": redis.port or 6379,
            "db": int(redis.database or 0),
        }
        if redis.password:
            config["lock_store"]["password"] = redis.password
    return config


logger = logging.getLogger(__name__)


def channel_credentials(
    channel: ChannelSpec, env: Mapping[str, str]
) -> dict[str, Any] | None:
    """The channel's credentials when all its variables are set in `env`.

    None when none are set, and a warning naming what is missing when only some
    are. Secrets are written as `${VARIABLE}`, which Rasa expands when it reads
    the credentials, so the file never holds a token; the Rasa server must run
    with the same environment.
    """
    missing = [name for name in channel.variables.values() if not env.get(name)]
    if len(missing) == len(channel.variables):
        return None
    if missing:
        logger.warning(
            "%s channel not enabled: set %s as well (or unset the others).",
            channel.name,
            ", ".join(missing),
        )
        return None
    credentials: dict[str, Any] = {
        key: f"${{{name}}}" if key in channel.secrets else env[name]
        for key, name in channel.variables.items()
    }
    for key, name in channel.optional_variables.items():
        if env.get(name):
            credentials[key] = f"${{{name}}}" if key in channel.secrets else env[name]
    return credentials


def messaging_channels(env: Mapping[str, str]) -> dict[str, Any]:
    """Credentials of every channel with variables whose configuration is complete."""
    channels: dict[str, Any] = {}
    for channel in CHANNELS:
        if channel.always_on:
            continue
        credentials = channel_credentials(channel, env)
        if credentials is not None:
            channels[channel.credentials_key] = credentials
    return channels


def credentials_config(settings: Settings | None = None) -> dict[str, Any]:
    """The committed channels plus the messaging channels configured in settings."""
    settings = settings or get_settings()
    base = yaml.safe_load((PROJECT_ROOT / "credentials.yml").read_text()) or {}
    # The demo page's origins unless WIDGET_ALLOWED_ORIGINS lists the sites.
    origins = list(settings.widget_allowed_origins)
    if origins and SOCKETIO.credentials_key in base:
        base[SOCKETIO.credentials_key] = {
            **(base[SOCKETIO.credentials_key] or {}),
            "allowed_origins": origins,
        }
    base.update(messaging_channels(settings.environment))
    return base


def write_runtime_config(
    directory: Path | None = None, settings: Settings | None = None
) -> tuple[Path, Path]:
    """Write var/endpoints.yml and var/credentials.yml; return their paths."""
    directory = directory or PROJECT_ROOT / "var"
    directory.mkdir(parents=True, exist_ok=True)
    endpoints = directory / "endpoints.yml"
    credentials = directory / "credentials.yml"
    write_private(
        endpoints, yaml.safe_dump(endpoints_config(settings), sort_keys=False)
    )
    write_private(
        credentials, yaml.safe_dump(credentials_config(settings), sort_keys=False)
    )
    return endpoints, credentials


def write_private(path: Path, text: str) -> None:
    """Write `path` readable by its owner only: endpoints hold the action secret."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(descriptor, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)


if __name__ == "__main__":
    for path in write_runtime_config():
        print(path)
