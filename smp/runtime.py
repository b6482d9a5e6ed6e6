"""Writes the Rasa server's endpoints and credentials for this environment.

The committed `endpoints.yml` and `credentials.yml` hold local defaults. At
start-up the run script calls `write_runtime_config()`, which points the
tracker store at `DATABASE_URL`, the action endpoint at `ACTIONS_PORT`, adds a
Redis lock store when `REDIS_URL` is set, and enables each messaging channel
only when its environment variables are set.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy.engine import make_url

from smp.settings import PROJECT_ROOT, get_settings


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


def endpoints_config(env: dict[str, str] | None = None) -> dict[str, Any]:
    """The endpoints the Rasa server should use in this environment."""
    env = dict(os.environ if env is None else env)
    actions_port = env.get("ACTIONS_PORT", "5055")
    config: dict[str, Any] = {
        "action_endpoint": {
            "url": env.get("ACTIONS_URL", f"http://127.0.0.1:{actions_port}/webhook")
        },
        "tracker_store": tracker_store_config(
            env.get("DATABASE_URL") or get_settings().database_url
        ),
    }
    redis_url = env.get("REDIS_URL")
    if redis_url:
        redis = make_url(redis_url)
        config["lock_store"] = {
            "type": "redis",
            "url": redis.host or "localhost",
            "port": redis.port or 6379,
            "db": int(redis.database or 0),
        }
        if redis.password:
            config["lock_store"]["password"] = redis.password
    return config


WHATSAPP_CHANNEL = "channels.whatsapp.WhatsAppInput"

# credentials key -> environment variable. Every variable must be set for the
# channel to start. Secrets are written as `${VARIABLE}`, which Rasa expands when
# it reads the credentials, so var/credentials.yml never holds a token.
_WHATSAPP_VARIABLES = {
    "access_token": "WHATSAPP_ACCESS_TOKEN",
    "phone_number_id": "WHATSAPP_PHONE_NUMBER_ID",
    "verify_token": "WHATSAPP_VERIFY_TOKEN",
    "app_secret": "WHATSAPP_APP_SECRET",
}
_TELEGRAM_VARIABLES = {
    "access_token": "TELEGRAM_ACCESS_TOKEN",
    "verify": "TELEGRAM_BOT_NAME",
    "webhook_url": "TELEGRAM_WEBHOOK_URL",
}
_SECRETS = {"access_token", "verify_token", "app_secret"}

logger = logging.getLogger(__name__)


def _channel_credentials(
    channel: str, variables: dict[str, str], env: dict[str, str]
) -> dict[str, Any] | None:
    """Credentials from `env` when all `variables` are set; warn when only some are."""
    missing = [name for name in variables.values() if not env.get(name)]
    if len(missing) == len(variables):
        return None
    if missing:
        logger.warning(
            "%s channel not enabled: set %s as well (or unset the others).",
            channel,
            ", ".join(missing),
        )
        return None
    return {
        key: f"${{{name}}}" if key in _SECRETS else env[name]
        for key, name in variables.items()
    }


def messaging_channels(env: dict[str, str]) -> dict[str, Any]:
    """Messaging channels whose configuration is complete in `env`.

    WhatsApp needs WHATSAPP_ACCESS_TOKEN, WHATSAPP_PHONE_NUMBER_ID,
    WHATSAPP_VERIFY_TOKEN and WHATSAPP_APP_SECRET (WHATSAPP_GRAPH_URL is
    optional; the channel defaults to Graph API v19.0). Telegram needs
    TELEGRAM_ACCESS_TOKEN, TELEGRAM_BOT_NAME and TELEGRAM_WEBHOOK_URL: Rasa's
    Telegram connector registers its webhook with Telegram at start-up, so it
    must not start half-configured or offline.
    A partly configured channel is left out with a warning naming what is missing.
    Secrets appear as `${VARIABLE}` placeholders, so the Rasa server must run
    with the same environment.
    """
    channels: dict[str, Any] = {}
    whatsapp = _channel_credentials("WhatsApp", _WHATSAPP_VARIABLES, env)
    if whatsapp is not None:
        if env.get("WHATSAPP_GRAPH_URL"):
            whatsapp["graph_url"] = env["WHATSAPP_GRAPH_URL"]
        channels[WHATSAPP_CHANNEL] = whatsapp
    telegram = _channel_credentials("Telegram", _TELEGRAM_VARIABLES, env)
    if telegram is not None:
        channels["telegram"] = telegram
    return channels


SOCKETIO_CHANNEL = "channels.socketio.SocketIOInput"


def credentials_config(env: dict[str, str] | None = None) -> dict[str, Any]:
    """The committed channels plus the messaging channels configured in `env`."""
    env = dict(os.environ if env is None else env)
    base = yaml.safe_load((PROJECT_ROOT / "credentials.yml").read_text()) or {}
    origins = [o.strip() for o in env.get("WIDGET_ALLOWED_ORIGINS", "").split(",")]
    origins = [origin for origin in origins if origin]
    if origins and SOCKETIO_CHANNEL in base:
        base[SOCKETIO_CHANNEL] = {
            **(base[SOCKETIO_CHANNEL] or {}),
            "allowed_origins": origins,
        }
    base.update(messaging_channels(env))
    return base


def write_runtime_config(directory: Path | None = None) -> tuple[Path, Path]:
    """Write var/endpoints.yml and var/credentials.yml; return their paths."""
    directory = directory or PROJECT_ROOT / "var"
    directory.mkdir(parents=True, exist_ok=True)
    endpoints = directory / "endpoints.yml"
    credentials = directory / "credentials.yml"
    endpoints.write_text(yaml.safe_dump(endpoints_config(), sort_keys=False))
    credentials.write_text(yaml.safe_dump(credentials_config(), sort_keys=False))
    return endpoints, credentials


if __name__ == "__main__":
    for path in write_runtime_config():
        print(path)
