"""Browser fixtures: headless Chromium, the demo site, and a scriptable fake Rasa.

Sites started here:
- `site`: the demo pages chatting with the real servers (`assistant_stack`);
- `fake_site`: the demo pages chatting with `FakeRasa` (bot replies scripted
  by `fake_rasa.py`, and a server the tests may kill and restart);
- `offline_site`: the demo pages pointed at a port nothing listens on.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from chat_page import DESKTOP, ChatPage
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Dialog,
    ViewportSize,
    expect,
)

from launcher.services import PROJECT_ROOT, Service, web_server
from launcher.testing import free_port, widget_origins
from web.server import vendor_ready

LOGS = PROJECT_ROOT / "test-artifacts" / "logs"


# -- Servers -----------------------------------------------------------------------


def start_site(
    name: str, rasa_url: str, port: int | None = None
) -> tuple[Service, str]:
    port = port or free_port()
    service = web_server(port, rasa_url, log=LOGS / f"{name}.log")
    service.start()
    service.wait_ready(timeout=30)
    return service, f"http://127.0.0.1:{port}"


@pytest.fixture(scope="session")
def installed_widget() -> None:
    """Fail early, with the fix, when `npm ci --prefix web` has not run."""
    if not vendor_ready():
        pytest.fail("The socket.io client is missing: run `npm ci --prefix web`.")


@pytest.fixture(scope="session")
def site(assistant_stack, installed_widget: None) -> Iterator[str]:
    """Base URL of the demo site talking to the real Rasa and action servers.

    It runs on the port whose origin the servers allow (the demo page's).
    """
    port = urlsplit(widget_origins(assistant_stack.workdir)[0]).port
    service, url = start_site("web-site", assistant_stack.rasa_url, port)
    try:
        yield url
    finally:
        service.stop()


@dataclass
class FakeRasa:
    """The scripted socket.io server of `fake_rasa.py`, as a killable process."""

    port: int
    log: Path
    service: Service | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.service = Service(
            name="fake Rasa",
            command=[
                sys.executable,
                str(Path(__file__).with_name("fake_rasa.py")),
                "--port",
                str(self.port),
                "--log",
                str(self.log),
            ],
            ready_url=f"{self.url}/",
            log_path=LOGS / "fake-rasa.log",
        )
        self.service.start()
        self.service.wait_ready(timeout=30)

    def crash(self) -> None:
        """Kill the server without a goodbye, as a crash or network cut would."""
        assert self.service is not None and self.service.process is not None
        os.killpg(self.service.process.pid, signal.SIGKILL)
        self.service.process.wait(timeout=10)
        self.service.stop()

    def stop(self) -> None:
        if self.service is not None:
            self.service.stop()

    def received(self, session_id: str) -> list[str]:
        """Messages the server got from one conversation, in order."""
        if not self.log.exists():
            return []
        lines = self.log.read_text(encoding="utf-8").splitlines()
        entries = [json.loads(line) for line in lines if line.strip()]
        return [e["message"] for e in entries if e["session_id"] == session_id]


@pytest.fixture(scope="session")
def fake_rasa(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FakeRasa]:
    fake = FakeRasa(
        port=free_port(), log=tmp_path_factory.mktemp("fake-rasa") / "received.jsonl"
    )
    fake.start()
    try:
        yield fake
    finally:
        fake.stop()


@pytest.fixture
def running_fake_rasa(fake_rasa: FakeRasa) -> FakeRasa:
    """The fake server, restarted first if an earlier test crashed it."""
    if fake_rasa.service is None or fake_rasa.service.process.poll() is not None:
        fake_rasa.start()
    return fake_rasa


@pytest.fixture(scope="session")
def fake_site(fake_rasa: FakeRasa, installed_widget: None) -> Iterator[str]:
    """Base URL of the demo site talking to the scripted fake server."""
    service, url = start_site("web-fake", fake_rasa.url)
    try:
        yield url
    finally:
        service.stop()


@pytest.fixture(scope="session")
def offline_site(installed_widget: None) -> Iterator[str]:
    """Base URL of the demo site whose Rasa server never answers."""
    # A bound socket that never listens: connections to it are refused, and no
    # other server of this test session can be given its port.
    with socket.socket() as closed_port:
        closed_port.bind(("127.0.0.1", 0))
        port = closed_port.getsockname()[1]
        service, url = start_site("web-offline", f"http://127.0.0.1:{port}")
        try:
            yield url
        finally:
            service.stop()


# -- Browser -----------------------------------------------------------------------


@pytest.fixture
def open_page(browser: Browser) -> Iterator[Callable[..., ChatPage]]:
    """Opens a URL in a fresh browser profile; fails the test on any JS error."""
    contexts: list[BrowserContext] = []
    pages: list[ChatPage] = []

    def opener(
        url: str,
        viewport: ViewportSize | None = None,
        context: BrowserContext | None = None,
    ) -> ChatPage:
        if context is None:
            context = browser.new_context(viewport=viewport or DESKTOP)
            contexts.append(context)
        page = context.new_page()
        chat = ChatPage(page)
        page.on("pageerror", lambda error: chat.errors.append(str(error)))

        def on_dialog(dialog: Dialog) -> None:
            chat.dialogs.append(dialog.message)
            dialog.dismiss()

        page.on("dialog", on_dialog)
        page.goto(url)
        expect(chat.launcher).to_be_visible()
        pages.append(chat)
        return chat

    yield opener
    for context in contexts:
        context.close()
    errors = [error for chat in pages for error in chat.errors]
    assert not errors, f"JavaScript errors on the page: {errors}"
