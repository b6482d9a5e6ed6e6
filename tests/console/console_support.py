"""Helpers for the console tests: settings, sign-in, and Rasa-shaped conversations."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests
from sqlalchemy import text

from console.config import ConsoleSettings
from console.staff import create_staff
from launcher.services import PROJECT_ROOT
from launcher.testing import free_port
from smp.db import BookingRequest, HandoffRequest, get_engine, session_scope, utcnow

SCREENSHOTS = PROJECT_ROOT / "test-artifacts" / "screenshots"
STAFF_USER = "reception"
STAFF_PASSWORD = "correct-horse-battery"  # noqa: S105 - test account
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def console_settings(
    database_url: str,
    rasa_url: str = "http://127.0.0.1:9",
    rasa_token: str = "unused",  # noqa: S107
    **overrides: object,
) -> ConsoleSettings:
    """Settings built explicitly, so no test depends on the environment."""
    values: dict[str, object] = {
        "database_url": database_url,
        "rasa_url": rasa_url,
        "rasa_token": rasa_token,
        "secret_key": "test-secret-" + "k" * 32,
        "rasa_timeout_seconds": 60.0,
    }
    values.update(overrides)
    return ConsoleSettings(**values)  # type: ignore[arg-type]


def add_staff(
    database_url: str, username: str = STAFF_USER, password: str = STAFF_PASSWORD
) -> None:
    with session_scope(database_url) as session:
        create_staff(session, username, password, reset=True)


def csrf_of(html: str) -> str:
    match = _CSRF.search(html)
    assert match, "page has no CSRF token"
    return match.group(1)


def sign_in(client, username: str = STAFF_USER, password: str = STAFF_PASSWORD):
    token = csrf_of(client.get("/login").get_data(as_text=True))
    return client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token},
    )


def signed_in_page(browser, base_url: str, width: int = 1280, height: int = 900):
    """A new Chromium page `width` pixels wide, signed in to the console."""
    context = browser.new_context(
        viewport={"width": width, "height": height}, accept_downloads=True
    )
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(f"{base_url}/login")
    page.fill("input[name=username]", STAFF_USER)
    page.fill("input[name=password]", STAFF_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base_url}/")
    return page


def page_token(client, path: str = "/") -> str:
    """The CSRF token of a signed-in client's session."""
    return csrf_of(client.get(path).get_data(as_text=True))


# --- The console as its own process, reached over real HTTP -----------------

SESSION_COOKIE = "smp_console_session"


@dataclass
class ConsoleProcess:
    """`python -m console` on a loopback port, with its output in `log_path`."""

    url: str
    database_url: str
    database_path: Path
    log_path: Path
    pid: int


@contextmanager
def console_process(workdir: Path, **env: str) -> Iterator[ConsoleProcess]:
    """Run `python -m console` on a database it creates itself, then stop it.

    Its output goes to a log file the test creates world-readable (0644), the way
    a launcher with an ordinary umask would.
    """
    database_path = workdir / "console.db"
    database_url = f"sqlite:///{database_path}"
    log_path = workdir / "console.log"
    log_path.touch()
    log_path.chmod(0o644)
    port = free_port()
    child_env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("CONSOLE_")
    }
    child_env.update(
        DATABASE_URL=database_url,
        CONSOLE_PORT=str(port),
        CONSOLE_HOST="127.0.0.1",
        CONSOLE_SECRET_KEY="process-secret-" + "p" * 32,
        RASA_URL="http://127.0.0.1:9",
        SQLALCHEMY_SILENCE_UBER_WARNING="1",
        PYTHONUNBUFFERED="1",
        **env,
    )
    url = f"http://127.0.0.1:{port}"
    with log_path.open("ab") as log:
        process = subprocess.Popen(  # noqa: S603 - the project's own module
            [sys.executable, "-m", "console"],
            cwd=PROJECT_ROOT,
            env=child_env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_for(url + "/login", process, log_path)
        yield ConsoleProcess(url, database_url, database_path, log_path, process.pid)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def _wait_for(url: str, process: subprocess.Popen, log_path: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"the console exited early:\n{log_path.read_text(errors='replace')}"
            )
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the console did not answer {url} within 60 s")


def http_sign_in(
    base_url: str, username: str = STAFF_USER, password: str = STAFF_PASSWORD
) -> tuple[requests.Session, requests.Response]:
    """A browser-like HTTP session that has posted the sign-in form."""
    browser = requests.Session()
    token = csrf_of(browser.get(f"{base_url}/login", timeout=10).text)
    response = browser.post(
        f"{base_url}/login",
        data={"username": username, "password": password, "csrf_token": token},
        allow_redirects=False,
        timeout=10,
    )
    return browser, response


def replay(base_url: str, cookie: str, path: str = "/answers") -> requests.Response:
    """A request from elsewhere carrying nothing but a copied session cookie."""
    return requests.get(
        f"{base_url}{path}",
        cookies={SESSION_COOKIE: cookie},
        allow_redirects=False,
        timeout=10,
    )


# --- Conversations written the way Rasa's SQL tracker store writes them -----

EVENTS_DDL = """
CREATE TABLE IF NOT EXISTS events (
    id {id_type} PRIMARY KEY,
    sender_id VARCHAR(255) NOT NULL,
    type_name VARCHAR(255) NOT NULL,
    timestamp FLOAT,
    intent_name VARCHAR(255),
    action_name VARCHAR(255),
    data TEXT
)
"""


@dataclass(frozen=True)
class Said:
    """One visitor message and the assistant's reaction, for `record_conversation`."""

    text: str
    intent: str
    confidence: float = 0.95
    reply: str = "OK."
    action: str = "action_answer_faq"
    slots: tuple[tuple[str, object], ...] = ()
    entities: tuple[tuple[str, str], ...] = ()
    # After the reply: "" ends the active form, a form name starts it.
    loop: str | None = None
    # The reply's buttons as (title, payload).
    buttons: tuple[tuple[str, str], ...] = ()
    # The classifier's ranking when it matters (default: the intent, then faq_cost).
    ranking: tuple[tuple[str, float], ...] = ()


def record_conversation(
    database_url: str,
    sender_id: str,
    turns: Sequence[Said],
    started: dt.datetime | None = None,
) -> None:
    """Write a conversation into the `events` table as Rasa would."""
    moment = (started or dt.datetime.now(dt.timezone.utc)).timestamp()
    rows: list[tuple[str, float, str | None, str | None, dict]] = []

    def add(
        kind: str, data: dict, intent: str | None = None, action: str | None = None
    ):
        nonlocal moment
        moment += 1.0
        rows.append(
            (kind, moment, intent, action, {"event": kind, "timestamp": moment, **data})
        )

    add("action", {"name": "action_session_start"}, action="action_session_start")
    add("session_started", {})
    add("action", {"name": "action_listen"}, action="action_listen")
    for said in turns:
        ranking = [
            {"name": name, "confidence": confidence}
            for name, confidence in said.ranking
            or (
                (said.intent, said.confidence),
                ("faq_cost", round((1 - said.confidence) / 2, 4)),
            )
        ]
        add(
            "user",
            {
                "text": said.text,
                "parse_data": {
                    "text": said.text,
                    "intent": {"name": said.intent, "confidence": said.confidence},
                    "intent_ranking": ranking,
                    "entities": [
                        {"entity": e, "value": v, "extractor": "test"}
                        for e, v in said.entities
                    ],
                },
            },
            intent=said.intent,
        )
        add("action", {"name": said.action}, action=said.action)
        buttons = [{"title": t, "payload": p} for t, p in said.buttons]
        add("bot", {"text": said.reply, "data": {"buttons": buttons}})
        for name, value in said.slots:
            add("slot", {"name": name, "value": value})
        if said.loop is not None:
            add("active_loop", {"name": said.loop or None})
        add("action", {"name": "action_listen"}, action="action_listen")
    with get_engine(database_url).begin() as connection:
        serial = "SERIAL" if connection.dialect.name == "postgresql" else "INTEGER"
        connection.execute(text(EVENTS_DDL.format(id_type=serial)))
        for kind, at, intent, action, data in rows:
            connection.execute(
                text(
                    "INSERT INTO events (sender_id, type_name, timestamp, intent_name,"
                    " action_name, data) VALUES (:s, :k, :t, :i, :a, :d)"
                ),
                {
                    "s": sender_id,
                    "k": kind,
                    "t": at,
                    "i": intent,
                    "a": action,
                    "d": json.dumps(data),
                },
            )


def add_booking(database_url: str, conversation_id: str, **fields: object) -> int:
    values = {
        "reference": "BK-" + uuid.uuid4().hex[:6].upper(),
        "submission_key": uuid.uuid4().hex,
        "conversation_id": conversation_id,
        "channel": "rest",
        "name": "Jane Visitor",
        "email": "jane.visitor@example.com",
        "phone": None,
        "preferred_time_text": "Tuesday afternoon",
        "concern": "Thinning crown",
        "consent_given_at": utcnow(),
    }
    values.update(fields)
    with session_scope(database_url) as session:
        row = BookingRequest(**values)
        session.add(row)
        session.flush()
        return row.id


def add_handoff(database_url: str, conversation_id: str, **fields: object) -> int:
    values = {
        "reference": "CB-" + uuid.uuid4().hex[:6].upper(),
        "submission_key": uuid.uuid4().hex,
        "conversation_id": conversation_id,
        "channel": "rest",
        "name": "Sam Caller",
        "email": None,
        "phone": "+44 7700 900123",
        "topic": "Wants to talk about scars",
    }
    values.update(fields)
    with session_scope(database_url) as session:
        row = HandoffRequest(**values)
        session.add(row)
        session.flush()
        return row.id


def count_rows(database_url: str, table: str, column: str, value: str) -> int:
    with get_engine(database_url).connect() as connection:
        return connection.execute(
            text(f"SELECT COUNT(*) FROM {table} WHERE {column} = :v"),  # noqa: S608
            {"v": value},
        ).scalar_one()


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"console-{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def docs_screenshot(page, name: str) -> Path:
    """A screenshot for test-artifacts/, and for docs/ too when
    `SMP_DOCS_SCREENSHOTS=1` (how the console's pictures in docs/ are made)."""
    path = screenshot(page, name)
    if os.environ.get("SMP_DOCS_SCREENSHOTS") == "1":
        shutil.copyfile(path, PROJECT_ROOT / "docs" / path.name)
    return path
