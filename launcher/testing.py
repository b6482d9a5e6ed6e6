"""Start the assistant's real servers on a throw-away database.

Shared by the end-to-end tests and the benchmark so both exercise exactly the
processes `make run` starts.
"""

from __future__ import annotations

import os
import secrets
import socket
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from channels.registry import CHANNELS
from channels.socketio import CHANNEL as SOCKETIO
from launcher.private_files import keep_database_private
from launcher.runtime import credentials_config, endpoints_config, write_private
from launcher.schema import create_all_tables
from launcher.services import Service, action_server, latest_model, rasa_server
from smp import db
from smp.content import sync_content
from smp.settings import Settings, get_settings

# The REST channel's token for callers not on loopback, in test stacks.
TEST_REST_TOKEN = "test-rest-token"  # noqa: S105


# Where the kernel picks the local ports of outgoing connections, when /proc
# does not say (Linux's default).
DEFAULT_EPHEMERAL_PORTS = (32768, 60999)
# The lowest port handed out for a server to listen on.
LOWEST_LISTEN_PORT = 10000
_handed_out: set[int] = set()


def ephemeral_ports() -> tuple[int, int]:
    """The range the kernel takes outgoing connections' local ports from."""
    try:
        low, high = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()
        return int(low), int(high)
    except (OSError, ValueError):
        return DEFAULT_EPHEMERAL_PORTS


def listen_ports() -> Sequence[int]:
    """Ports for the servers a test or a cluster starts: outside the
    ephemeral range, so that a client's connection opened between choosing a
    port and listening on it (a Rasa server talking to PostgreSQL while
    HAProxy waits to start) cannot already hold it."""
    low, high = ephemeral_ports()
    if low - LOWEST_LISTEN_PORT >= 1000:
        return range(LOWEST_LISTEN_PORT, low)
    return range(high + 1, 65536)


def free_port() -> int:
    """A TCP port on loopback that nothing holds right now, outside the
    ephemeral range and not handed out before by this process."""
    choices = listen_ports()
    pick = secrets.SystemRandom()
    for _ in range(1000):
        port = pick.choice(choices)
        if port in _handed_out:
            continue
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
        _handed_out.add(port)
        return port
    raise RuntimeError(
        f"no free port on 127.0.0.1 between {min(choices)} and {max(choices)}"
    )


def make_database(directory: Path) -> str:
    """A new SQLite database with the schema and the clinic's answers loaded."""
    url = f"sqlite:///{directory / 'clinic.db'}"
    create_all_tables(url)
    with db.session_scope(url) as session:
        sync_content(session, get_settings().answers_file)
    return url


@dataclass
class RunningStack:
    """Where the started servers listen, and what they were started with."""

    rasa_url: str
    actions_url: str
    token: str
    database_url: str
    workdir: Path
    credentials: dict[str, Any] = field(default_factory=dict)
    pids: dict[str, int] = field(default_factory=dict)
    rest_token: str = TEST_REST_TOKEN
    # The demo site's port: its origins are the ones the stack allows.
    web_port: int = 0
    allowed_origins: list[str] = field(default_factory=list)
    # What the Rasa server sends the action server on every call.
    actions_secret: str = ""


def widget_origins(workdir: Path) -> list[str]:
    """The sites allowed to use the chat of the stack started in `workdir`."""
    credentials = yaml.safe_load((workdir / "credentials.yml").read_text())
    return list(credentials[SOCKETIO.credentials_key]["allowed_origins"])


@contextmanager
def running_stack(
    workdir: Path,
    *,
    env: dict[str, str] | None = None,
    log_dir: Path | None = None,
    log_suffix: str = "",
    token: str = "test-token",  # noqa: S107
    model: Path | None = None,
) -> Iterator[RunningStack]:
    """Start the action server and the Rasa server; stop them on exit.

    Args:
        workdir: folder for the database and the generated config files.
        env: extra environment (e.g. a channel's variables) for both servers.
        log_dir: where the servers' logs go (default: workdir).
        log_suffix: added to the log file names to tell stacks apart.
        token: Rasa HTTP API token.
        model: the model to serve (default: the newest in models/).
    """
    model = model or latest_model()
    if model is None:
        raise RuntimeError("No trained model in models/: run `make train` first.")
    database_url = make_database(workdir)
    keep_database_private(database_url)
    actions_port, rasa_port = free_port(), free_port()
    stack_env = {
        "DATABASE_URL": database_url,
        "ACTIONS_PORT": str(actions_port),
        # The action server parses the clauses of many-question messages here.
        "RASA_URL": f"http://127.0.0.1:{rasa_port}",
        "RASA_TOKEN": token,
        # A secret of its own, never the one `make run` keeps in var/.
        "SMP_SESSION_SECRET": secrets.token_hex(32),
        "REST_API_TOKEN": TEST_REST_TOKEN,
        "ACTIONS_SECRET": secrets.token_hex(32),
        # A port for the demo site, whose origins the stack then allows.
        "WEB_PORT": str(free_port()),
        **(env or {}),
    }
    # Blank out messaging variables the caller did not set, so a developer's
    # real credentials never switch a channel on inside a test.
    for channel in CHANNELS:
        for name in channel.all_variables():
            if name in os.environ and name not in stack_env:
                stack_env[name] = ""
    merged = {**os.environ, **stack_env}
    settings = Settings.from_environment(merged)
    credentials = credentials_config(settings)
    endpoints_file = workdir / "endpoints.yml"
    credentials_file = workdir / "credentials.yml"
    write_private(endpoints_file, yaml.safe_dump(endpoints_config(settings)))
    write_private(credentials_file, yaml.safe_dump(credentials))
    log_dir = log_dir or workdir
    services: list[Service] = [
        action_server(
            actions_port, env=stack_env, log=log_dir / f"actions{log_suffix}.log"
        ),
        rasa_server(
            rasa_port,
            token=token,
            endpoints=endpoints_file,
            credentials=credentials_file,
            model=model,
            env=stack_env,
            log=log_dir / f"rasa{log_suffix}.log",
            cors_origins=settings.widget_allowed_origins,
        ),
    ]
    try:
        for service in services:
            service.start()
        for service in services:
            service.wait_ready()
        yield RunningStack(
            rasa_url=f"http://127.0.0.1:{rasa_port}",
            actions_url=f"http://127.0.0.1:{actions_port}",
            token=token,
            database_url=database_url,
            workdir=workdir,
            credentials=credentials,
            pids={
                "actions": services[0].process.pid,
                "rasa": services[1].process.pid,
            },
            rest_token=settings.rest_api_token,
            web_port=settings.web_port,
            allowed_origins=list(settings.widget_allowed_origins),
            actions_secret=settings.actions_secret,
        )
    finally:
        for service in reversed(services):
            service.stop()
        db.dispose_engines()
