"""Channel fixtures: a fake Graph API, and the servers with WhatsApp enabled."""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml
from fake_graph_api import FakeGraphApi
from whatsapp_payloads import (
    ACCESS_TOKEN,
    APP_SECRET,
    PHONE_NUMBER_ID,
    VERIFY_TOKEN,
    sign,
)

import channels.whatsapp_store  # noqa: F401 - registers the channel's tables
from smp.runtime import credentials_config, endpoints_config
from smp.services import PROJECT_ROOT, Service, action_server, latest_model, rasa_server

ROOT_CONFTEST = Path(__file__).resolve().parent.parent / "conftest.py"

SIGNED = "signed"


def shared_helpers(config: pytest.Config) -> ModuleType:
    """tests/conftest.py as pytest loaded it.

    Every conftest module is named `conftest`, so this one cannot import the
    shared helpers (`make_database`, `free_port`) by name; pytest holds it.
    """
    for plugin in config.pluginmanager.get_plugins():
        path = getattr(plugin, "__file__", None)
        if path and Path(path).resolve() == ROOT_CONFTEST:
            return plugin
    raise RuntimeError(f"{ROOT_CONFTEST} is not loaded")


@pytest.fixture(scope="session")
def fake_graph(pytestconfig: pytest.Config) -> Iterator[FakeGraphApi]:
    """The fake Graph API, shared by every channel test."""
    port = shared_helpers(pytestconfig).free_port()
    graph = FakeGraphApi(PHONE_NUMBER_ID, ACCESS_TOKEN, port).start()
    yield graph
    graph.stop()


@dataclass
class WhatsAppStack:
    """The real Rasa and action servers with the WhatsApp channel enabled."""

    rasa_url: str
    token: str
    database_url: str
    credentials: dict[str, Any]
    graph: FakeGraphApi

    @property
    def webhook_url(self) -> str:
        return f"{self.rasa_url}/webhooks/whatsapp/webhook"

    def deliver(
        self, payload: dict[str, Any], signature: str | None = SIGNED
    ) -> tuple[int, dict[str, Any]]:
        """POST one webhook delivery as Meta would; returns (status, JSON body)."""
        body = json.dumps(payload).encode("utf-8")
        headers = {"Content-Type": "application/json"}
        if signature == SIGNED:
            headers["X-Hub-Signature-256"] = sign(body, APP_SECRET)
        elif signature is not None:
            headers["X-Hub-Signature-256"] = signature
        request = urllib.request.Request(  # noqa: S310 - loopback http URL
            self.webhook_url, data=body, headers=headers, method="POST"
        )
        return _call(request)

    def verify(self, **params: str) -> tuple[int, str]:
        """Meta's GET verification handshake; returns (status, body text)."""
        query = urllib.parse.urlencode({f"hub.{k}": v for k, v in params.items()})
        url = f"{self.webhook_url}?{query}"
        status, body = _call(urllib.request.Request(url))  # noqa: S310
        return status, body if isinstance(body, str) else json.dumps(body)

    def tracker(self, sender: str) -> dict[str, Any]:
        url = f"{self.rasa_url}/conversations/{sender}/tracker?token={self.token}"
        with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310
            return json.loads(response.read().decode("utf-8"))


def _call(request: urllib.request.Request) -> tuple[int, Any]:
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            status, raw = response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        status, raw = error.code, error.read().decode("utf-8")
    try:
        return status, json.loads(raw)
    except ValueError:
        return status, raw


@pytest.fixture(scope="session")
def whatsapp_stack(
    pytestconfig: pytest.Config,
    tmp_path_factory: pytest.TempPathFactory,
    fake_graph: FakeGraphApi,
) -> Iterator[WhatsAppStack]:
    """Start the servers once, with WhatsApp configured from environment variables.

    Telegram variables are removed, so this is also the normal start-up
    without Telegram.
    """
    model = latest_model()
    if model is None:
        pytest.fail("No trained model in models/: run `make train` first.")
    helpers = shared_helpers(pytestconfig)
    workdir = tmp_path_factory.mktemp("whatsapp-stack")
    database_url = helpers.make_database(workdir)
    actions_port, rasa_port = helpers.free_port(), helpers.free_port()
    env = {
        "DATABASE_URL": database_url,
        "ACTIONS_PORT": str(actions_port),
        "WHATSAPP_ACCESS_TOKEN": ACCESS_TOKEN,
        "WHATSAPP_PHONE_NUMBER_ID": PHONE_NUMBER_ID,
        "WHATSAPP_VERIFY_TOKEN": VERIFY_TOKEN,
        "WHATSAPP_APP_SECRET": APP_SECRET,
        "WHATSAPP_GRAPH_URL": fake_graph.url,
    }
    merged_env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("TELEGRAM_")},
        **env,
    }
    endpoints = workdir / "endpoints.yml"
    credentials_file = workdir / "credentials.yml"
    credentials = credentials_config(merged_env)
    endpoints.write_text(yaml.safe_dump(endpoints_config(merged_env)))
    credentials_file.write_text(yaml.safe_dump(credentials))
    log_dir = PROJECT_ROOT / "test-artifacts" / "logs"
    token = "test-token"  # noqa: S105
    server_env = {**env, **{k: "" for k in os.environ if k.startswith("TELEGRAM_")}}
    services: list[Service] = [
        action_server(actions_port, env=env, log=log_dir / "actions-whatsapp.log"),
        rasa_server(
            rasa_port,
            token=token,
            endpoints=endpoints,
            credentials=credentials_file,
            model=model,
            env=server_env,
            log=log_dir / "rasa-whatsapp.log",
        ),
    ]
    try:
        for service in services:
            service.start()
        for service in services:
            service.wait_ready()
        yield WhatsAppStack(
            rasa_url=f"http://127.0.0.1:{rasa_port}",
            token=token,
            database_url=database_url,
            credentials=credentials,
            graph=fake_graph,
        )
    finally:
        for service in reversed(services):
            service.stop()
