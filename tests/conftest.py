"""Shared fixtures: a real database (SQLite, or a throw-away PostgreSQL), and the
real servers for end-to-end tests."""

from __future__ import annotations

import json
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from postgres_cluster import (
    SERVER_BINARIES,
    PostgresCluster,
    find_server_binaries,
    running_cluster,
)

from launcher.schema import create_all_tables
from launcher.services import PROJECT_ROOT
from launcher.testing import free_port, make_database, running_stack
from smp import db
from smp.content import sync_content
from smp.settings import get_settings, reset_settings

__all__ = ["free_port", "make_database"]

ARTIFACTS = PROJECT_ROOT / "test-artifacts"


# The backends `database_url` can stand on; a module runs its tests on both with
# `pytest.mark.parametrize("database_url", DATABASE_BACKENDS, indirect=True)`.
DATABASE_BACKENDS = ("sqlite", "postgresql")


@pytest.fixture
def database_url(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """A fresh database for one test (SQLite unless parametrised); the settings
    point at it. It holds the schema and the clinic's answers."""
    backend = getattr(request, "param", "sqlite")
    if backend == "sqlite":
        url = make_database(tmp_path)
    elif backend == "postgresql":
        url = request.getfixturevalue("postgres_answers_database")
    else:
        raise ValueError(f"Unknown database backend {backend!r}")
    monkeypatch.setenv("DATABASE_URL", url)
    reset_settings()
    yield url
    db.dispose_engines()
    reset_settings()


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresCluster]:
    """A throw-away PostgreSQL server for the whole test session.

    Skipped only where Debian's server binaries are not installed (`make
    install` installs them).
    """
    bin_dir = find_server_binaries()
    if bin_dir is None:
        pytest.skip(
            f"PostgreSQL server binaries not found in {SERVER_BINARIES}/*/bin: "
            "install Debian's postgresql package (make system-deps)"
        )
    with running_cluster(bin_dir) as cluster:
        yield cluster


@pytest.fixture(scope="session")
def postgres_answers_template(postgres: PostgresCluster) -> str:
    """A PostgreSQL database with the schema and the clinic's answers, to copy."""
    name = "smp_answers_template"
    url = postgres.create_database(name)
    create_all_tables(url)
    with db.session_scope(url) as session:
        sync_content(session, get_settings().answers_file)
    # A template cannot be copied while anyone is connected to it.
    db.dispose_engines()
    return name


@pytest.fixture
def postgres_answers_database(
    postgres: PostgresCluster, postgres_answers_template: str
) -> Iterator[str]:
    """A new PostgreSQL database with the schema and answers, dropped afterwards."""
    name = f"smp_test_{uuid.uuid4().hex[:12]}"
    url = postgres.create_database(name, template=postgres_answers_template)
    yield url
    db.dispose_engines()
    postgres.drop_database(name)


@pytest.fixture
def empty_postgres_url(postgres: PostgresCluster) -> Iterator[str]:
    """A new, empty PostgreSQL database (no tables), dropped afterwards."""
    name = f"smp_empty_{uuid.uuid4().hex[:12]}"
    yield postgres.create_database(name)
    db.dispose_engines()
    postgres.drop_database(name)


@pytest.fixture
def session(database_url: str) -> Iterator:
    """One open session on the test database (committed at the end)."""
    with db.session_scope(database_url) as open_session:
        yield open_session


@dataclass
class AssistantStack:
    """The real action server and Rasa server, on free loopback ports."""

    rasa_url: str
    actions_url: str
    token: str
    database_url: str
    workdir: Path
    actions_secret: str = ""

    def say(self, sender: str, text: str, metadata: dict | None = None) -> list[dict]:
        """Send one message over the REST channel and return the bot's replies."""
        body = {"sender": sender, "message": text}
        if metadata:
            body["metadata"] = metadata
        request = urllib.request.Request(
            f"{self.rasa_url}/webhooks/rest/webhook",
            data=json.dumps(body).encode("utf-8"),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
            assert response.status == 200
            return json.loads(response.read().decode("utf-8"))

    def tracker(self, sender: str) -> dict:
        """The conversation's tracker from the token-protected HTTP API."""
        url = f"{self.rasa_url}/conversations/{sender}/tracker?token={self.token}"
        with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310
            return json.loads(response.read().decode("utf-8"))


@pytest.fixture(scope="session")
def assistant_stack(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[AssistantStack]:
    """Start the real servers once per test session, on a database of their own."""
    workdir = tmp_path_factory.mktemp("stack")
    with running_stack(workdir, log_dir=ARTIFACTS / "logs") as stack:
        yield AssistantStack(
            rasa_url=stack.rasa_url,
            actions_url=stack.actions_url,
            token=stack.token,
            database_url=stack.database_url,
            workdir=workdir,
            actions_secret=stack.actions_secret,
        )


CHROMIUM = Path("/usr/bin/chromium")
# Flags for a root, headless, offline machine (no sandbox, no background traffic).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]


# Module scope: Playwright's sync API keeps an event loop running on the main
# thread while it is open, which asyncio tests in other modules cannot share.
@pytest.fixture(scope="module")
def browser() -> Iterator:
    """Debian's Chromium, headless, driven by Playwright (one per test module)."""
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: run `make install` (Debian package chromium)"
        )
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield launched
        finally:
            launched.close()
