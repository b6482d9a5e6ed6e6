"""Shared fixtures: a real SQLite database, and the real servers for end-to-end tests."""

from __future__ import annotations

import json
import os
import socket
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from smp import db
from smp.content import sync_content
from smp.runtime import credentials_config, endpoints_config
from smp.services import PROJECT_ROOT, Service, action_server, latest_model, rasa_server
from smp.settings import get_settings, reset_settings

ARTIFACTS = PROJECT_ROOT / "test-artifacts"


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def make_database(directory: Path) -> str:
    """A new SQLite database with the schema and the clinic's answers loaded."""
    url = f"sqlite:///{directory / 'clinic.db'}"
    db.create_schema(url)
    with db.session_scope(url) as session:
        sync_content(session, get_settings().answers_file)
    return url


@pytest.fixture
def database_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A fresh database for one test; the settings point at it."""
    url = make_database(tmp_path)
    monkeypatch.setenv("DATABASE_URL", url)
    reset_settings()
    yield url
    db.dispose_engines()
    reset_settings()


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
def assistant_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AssistantStack]:
    """Start the real servers once per test session, on a database of their own."""
    model = latest_model()
    if model is None:
        pytest.fail("No trained model in models/: run `make train` first.")
    workdir = tmp_path_factory.mktemp("stack")
    database_url = make_database(workdir)
    actions_port, rasa_port = free_port(), free_port()
    env = {"DATABASE_URL": database_url, "ACTIONS_PORT": str(actions_port)}
    merged_env = {**os.environ, **env}
    endpoints = workdir / "endpoints.yml"
    credentials = workdir / "credentials.yml"
    endpoints.write_text(yaml.safe_dump(endpoints_config(merged_env)))
    credentials.write_text(yaml.safe_dump(credentials_config(merged_env)))
    token = "test-token"  # noqa: S105
    log_dir = ARTIFACTS / "logs"
    services: list[Service] = [
        action_server(actions_port, env=env, log=log_dir / "actions.log"),
        rasa_server(
            rasa_port,
            token=token,
            endpoints=endpoints,
            credentials=credentials,
            model=model,
            env=env,
            log=log_dir / "rasa.log",
        ),
    ]
    try:
        for service in services:
            service.start()
        for service in services:
            service.wait_ready()
        yield AssistantStack(
            rasa_url=f"http://127.0.0.1:{rasa_port}",
            actions_url=f"http://127.0.0.1:{actions_port}",
            token=token,
            database_url=database_url,
            workdir=workdir,
        )
    finally:
        for service in reversed(services):
            service.stop()
