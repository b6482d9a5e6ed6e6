"""Fixtures for the staff console: apps, signed-in clients, a live server, a browser.

Offline tests run the Flask app on the per-test database (`database_url`) with
conversations written straight into a Rasa-shaped `events` table. Live tests
serve the console with waitress against `assistant_stack`, the real Rasa and
action servers, and drive it with Debian's Chromium.
"""
# ruff: noqa: E402

from __future__ import annotations

import sys

from launcher.testing import free_port
from smp.settings import PROJECT_ROOT

# pytest puts tests/ on sys.path, where this folder (tests/console, no
# __init__.py) would pass for a namespace package called `console`. With the
# project root on the path too, the real `console` package wins the import.
if str(PROJECT_ROOT) not in sys.path:
    sys.path.append(str(PROJECT_ROOT))
if getattr(sys.modules.get("console"), "__file__", "") is None:
    for name in [m for m in sys.modules if m == "console" or m.startswith("console.")]:
        del sys.modules[name]

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from clinic_activity import record_clinic_week
from console_support import add_staff, console_settings, sign_in, signed_in_page

from console.app import create_app
from launcher.testing import make_database
from smp.db import dispose_engines


@pytest.fixture
def app(database_url: str):
    add_staff(database_url)
    return create_app(console_settings(database_url))


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def staff_client(client):
    """A test client signed in as a member of staff."""
    response = sign_in(client)
    assert response.status_code == 302
    return client


# --- The live console and the browser ---------------------------------------


@dataclass
class LiveConsole:
    url: str
    database_url: str
    app: object


@contextmanager
def serving(app) -> Iterator[str]:
    """Serve `app` with waitress on a free loopback port; yields its base URL."""
    from waitress.server import create_server

    port = free_port()
    server = create_server(app, host="127.0.0.1", port=port, threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
        except OSError:
            time.sleep(0.1)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.close()


@pytest.fixture(scope="session")
def live_console(assistant_stack) -> Iterator[LiveConsole]:
    """The console served by waitress, talking to the real assistant stack."""
    add_staff(assistant_stack.database_url)
    app = create_app(
        console_settings(
            assistant_stack.database_url,
            rasa_url=assistant_stack.rasa_url,
            rasa_token=assistant_stack.token,
        )
    )
    with serving(app) as url:
        yield LiveConsole(url, assistant_stack.database_url, app)


@pytest.fixture(scope="module")
def busy_console(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveConsole]:
    """The console on a database holding a week of a clinic's conversations
    (`clinic_activity.py`); no assistant behind it."""
    database_url = make_database(tmp_path_factory.mktemp("busy-console"))
    add_staff(database_url)
    record_clinic_week(database_url)
    app = create_app(console_settings(database_url))
    with serving(app) as url:
        yield LiveConsole(url, database_url, app)
    dispose_engines()


@pytest.fixture(scope="module")
def staff(browser, busy_console):
    """A Chromium page 1280 pixels wide, signed in to `busy_console`."""
    page = signed_in_page(browser, busy_console.url)
    yield page
    page.context.close()


@pytest.fixture
def staff_at(browser, busy_console):
    """Opens pages signed in to `busy_console` at a given width; closes them after."""
    pages = []

    def open_at(width: int):
        pages.append(signed_in_page(browser, busy_console.url, width))
        return pages[-1]

    yield open_at
    for page in pages:
        page.context.close()


@pytest.fixture
def staff_page(browser, live_console):
    """A browser page signed in to the live console, 1280 pixels wide."""
    page = signed_in_page(browser, live_console.url)
    yield page
    page.context.close()
