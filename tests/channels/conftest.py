"""Channel fixtures: a fake Graph API, and the servers with WhatsApp enabled."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fake_graph_api import FakeGraphApi
from whatsapp_payloads import (
    ACCESS_TOKEN,
    APP_SECRET,
    PHONE_NUMBER_ID,
    VERIFY_TOKEN,
    sign,
)

from launcher.services import PROJECT_ROOT
from launcher.testing import free_port, running_stack

SIGNED = "signed"


@pytest.fixture(scope="session")
def fake_graph() -> Iterator[FakeGraphApi]:
    """The fake Graph API, shared by every channel test."""
    port = free_port()
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
    tmp_path_factory: pytest.TempPathFactory, fake_graph: FakeGraphApi
) -> Iterator[WhatsAppStack]:
    """Start the servers once, with WhatsApp configured from environment variables.

    Telegram variables are blanked, so this is also the normal start-up
    without Telegram.
    """
    env = {
        "WHATSAPP_ACCESS_TOKEN": ACCESS_TOKEN,
        "WHATSAPP_PHONE_NUMBER_ID": PHONE_NUMBER_ID,
        "WHATSAPP_VERIFY_TOKEN": VERIFY_TOKEN,
        "WHATSAPP_APP_SECRET": APP_SECRET,
        "WHATSAPP_GRAPH_URL": fake_graph.url,
    }
    with running_stack(
        tmp_path_factory.mktemp("whatsapp-stack"),
        env=env,
        log_dir=PROJECT_ROOT / "test-artifacts" / "logs",
        log_suffix="-whatsapp",
    ) as stack:
        yield WhatsAppStack(
            rasa_url=stack.rasa_url,
            token=stack.token,
            database_url=stack.database_url,
            credentials=stack.credentials,
            graph=fake_graph,
        )
