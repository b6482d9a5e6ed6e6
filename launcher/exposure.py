"""No service reachable from other machines with a secret left at its default.

On loopback `make run` generates every secret it needs into `var/` (owner-only),
so a fresh checkout runs with no set-up. As soon as anything is reachable from
elsewhere (a bind address or a public URL off this machine, a site other than
the demo page allowed to use the chat, a messaging channel's webhook), each
secret must be set in the environment, long and not a placeholder: the launcher
refuses to start, naming every variable to set, before it binds or writes
anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from channels.callers import is_loopback
from channels.registry import CHANNELS
from channels.tokens import MIN_SECRET_CHARS
from launcher.runtime import messaging_channels
from smp.settings import DEFAULT_RASA_TOKEN, Settings

# Values from documentation and examples that must never guard a real server.
PLACEHOLDERS = frozenset(
    {DEFAULT_RASA_TOKEN, "change-me", "changeme", "secret", "password", "token"}
)
PLACEHOLDER_WORDS = ("change-me", "changeme", "change_me", "placeholder", "example")
GENERATE = 'python3 -c "import secrets; print(secrets.token_hex(32))"'


@dataclass(frozen=True)
class Secret:
    """A secret the product needs off loopback, and what it protects."""

    variable: str
    value: str
    protects: str


def is_local_host(host: str) -> bool:
    """Whether `host` (a name or an address) is this machine only."""
    host = host.strip().strip("[]").lower()
    return host == "localhost" or is_loopback(host)


def _url_host(url: str) -> str:
    return urlsplit(url).hostname or ""


def exposures(settings: Settings) -> list[str]:
    """Why this configuration is reachable from other machines (empty: it is not)."""
    found = []
    if not is_local_host(settings.console.host):
        found.append(
            f"the staff console listens on {settings.console.host} (CONSOLE_HOST)"
        )
    for variable, url in (
        ("RASA_PUBLIC_URL", settings.rasa_public_url),
        ("RASA_URL", settings.rasa_url),
        ("ACTIONS_URL", settings.actions_url),
    ):
        if not is_local_host(_url_host(url)):
            found.append(f"{variable} is {url}, off this machine")
    sites = [
        origin
        for origin in settings.widget_allowed_origins
        if not is_local_host(_url_host(origin))
    ]
    if sites:
        found.append(
            f"the chat is allowed on {', '.join(sites)} (WIDGET_ALLOWED_ORIGINS)"
        )
    for key in messaging_channels(settings.environment):
        name = next(c.name for c in CHANNELS if c.credentials_key == key)
        found.append(f"the {name} channel's webhook is switched on")
    return found


def required_secrets(settings: Settings) -> list[Secret]:
    """Every secret that must be set once anything is reachable from elsewhere."""
    required = [
        Secret(
            "RASA_TOKEN",
            settings.rasa_token,
            "the Rasa HTTP API, which reads and writes every conversation",
        ),
        Secret(
            "SMP_SESSION_SECRET",
            settings.session_secret,
            "the widget's conversation tokens (who may join a conversation)",
        ),
        Secret(
            "REST_API_TOKEN",
            settings.rest_api_token,
            "the REST channel for callers not on this machine",
        ),
        Secret(
            "ACTIONS_SECRET",
            settings.actions_secret,
            "the action server, which stores bookings and callback requests",
        ),
        Secret(
            "CONSOLE_SECRET_KEY",
            settings.console.secret_key,
            "the staff console's signed cookies",
        ),
    ]
    enabled = messaging_channels(settings.environment)
    for channel in CHANNELS:
        if channel.credentials_key not in enabled:
            continue
        for key, variable in {
            **channel.variables,
            **channel.optional_variables,
        }.items():
            if key in channel.secrets:
                value = settings.environment.get(variable, "")
                required.append(
                    Secret(variable, value, f"the {channel.name} channel's webhook")
                )
    return required


def weakness(value: str) -> str | None:
    """What is wrong with a secret's value, or None if it will do."""
    value = value.strip()
    if not value:
        return "missing"
    lowered = value.lower()
    if lowered in PLACEHOLDERS or any(word in lowered for word in PLACEHOLDER_WORDS):
        return "a placeholder"
    if len(value) < MIN_SECRET_CHARS:
        return f"shorter than {MIN_SECRET_CHARS} characters"
    return None


def unsafe_exposure(settings: Settings) -> str | None:
    """The refusal to print when exposed with weak secrets; None when safe."""
    reasons = exposures(settings)
    if not reasons:
        return None
    weak = [
        (secret, problem)
        for secret in required_secrets(settings)
        if (problem := weakness(secret.value))
    ]
    if not weak:
        return None
    lines = ["Refusing to start: this configuration is reachable from other machines"]
    lines += [f"  - {reason}" for reason in reasons]
    lines.append("but secrets are missing or left at a default. Set:")
    lines += [
        f"  - {secret.variable} ({problem}): protects {secret.protects}"
        for secret, problem in weak
    ]
    lines.append(f"Generate each with: {GENERATE}")
    lines.append("Production settings: README.md, section Production.")
    return "\n".join(lines)


def refuse_unsafe_exposure(settings: Settings) -> None:
    """Exit before anything starts if a reachable service has a weak secret."""
    refusal = unsafe_exposure(settings)
    if refusal:
        raise SystemExit(refusal)
