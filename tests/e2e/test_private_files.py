"""Nothing personal in the logs, and nothing readable by other users.

A stack of its own, with its logs in its own folder: visitors send an email
address and a phone number in every way the product handles them (a booking
and a callback that are stored, a message over the length cap, messages
refused for sending too fast, a booking whose submit fails), then every file
in the log folder is searched for them, and the modes of the logs, the
database and the generated config are checked.
"""

from __future__ import annotations

import random
import sqlite3
import stat
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url
from visitors import booking_answers, post_rest, texts

from channels.guard import reply_text
from launcher.private_files import PrivateLog
from launcher.testing import TEST_REST_TOKEN, RunningStack, running_stack

pytestmark = pytest.mark.e2e

DIGITS = f"{random.randint(0, 999):03d}"
EMAIL = f"jane.private{DIGITS}@example.com"
PHONE = f"07700 900{DIGITS}"
# The forms the number may take in a log line.
PHONE_FORMS = (
    PHONE,
    PHONE.replace(" ", ""),
    f"+447700900{DIGITS}",
    f"7700 900{DIGITS}",
)


@pytest.fixture(scope="module")
def stack(tmp_path_factory) -> Iterator[RunningStack]:
    workdir = tmp_path_factory.mktemp("private")
    with running_stack(workdir, log_dir=workdir / "log") as running:
        yield running


def say(stack: RunningStack, sender: str, text: str, headers=None) -> str:
    answer = post_rest(
        stack.rasa_url, {"sender": sender, "message": text}, headers=headers
    )
    return texts(answer.body) if answer.status == 200 else str(answer.status)


def fill_booking(stack: RunningStack, sender: str) -> None:
    for text in booking_answers(EMAIL, concern=f"call me on {PHONE} about my crown"):
        say(stack, sender, text)


def database_path(stack: RunningStack) -> Path:
    return Path(make_url(stack.database_url).database)


@pytest.fixture(scope="module")
def visited(stack) -> RunningStack:
    """The stack after visitors sent their details every way it handles them."""
    booked = f"private-{uuid.uuid4().hex[:8]}"
    fill_booking(stack, booked)
    assert "BK-" in say(stack, booked, "/affirm")

    callback = f"private-{uuid.uuid4().hex[:8]}"
    say(stack, callback, "can I talk to a real person please")
    say(stack, callback, "Jane Private")
    say(stack, callback, PHONE)
    assert "CB-" in say(stack, callback, "/affirm")

    too_long = f"my email is {EMAIL}, phone {PHONE}. " + "tell me more " * 200
    assert "too long" in say(stack, f"private-{uuid.uuid4().hex[:8]}", too_long)

    outside = {
        "X-Forwarded-For": "10.9.8.7",
        "Authorization": f"Bearer {TEST_REST_TOKEN}",
    }
    sender = f"private-{uuid.uuid4().hex[:8]}"
    answers = [
        say(stack, sender, f"ring {PHONE} or {EMAIL}", outside) for _ in range(12)
    ]
    assert "429" in answers

    failing = f"private-{uuid.uuid4().hex[:8]}"
    fill_booking(stack, failing)
    with sqlite3.connect(database_path(stack)) as database:
        database.execute("ALTER TABLE booking_requests RENAME TO booking_requests_away")
    try:
        assert reply_text("action_failed") in say(stack, failing, "/affirm")
    finally:
        with sqlite3.connect(database_path(stack)) as database:
            database.execute(
                "ALTER TABLE booking_requests_away RENAME TO booking_requests"
            )
    return stack


def log_files(stack: RunningStack) -> list[Path]:
    files = [path for path in (stack.workdir / "log").rglob("*") if path.is_file()]
    assert {path.name for path in files} >= {"rasa.log", "actions.log"}
    return files


def test_no_email_or_phone_number_reaches_any_log(visited):
    for path in log_files(visited):
        text = path.read_text(encoding="utf-8", errors="replace")
        assert EMAIL not in text, path
        for form in PHONE_FORMS:
            assert form not in text, path
    # The failed submit was logged, by name only.
    rasa_log = (visited.workdir / "log" / "rasa.log").read_text()
    assert "action_submit_booking failed" in rasa_log


def test_logs_database_and_config_are_readable_by_their_owner_only(visited):
    private = [
        *log_files(visited),
        database_path(visited),
        visited.workdir / "endpoints.yml",
        visited.workdir / "credentials.yml",
    ]
    for path in private:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


def test_a_log_rotates_by_size_keeps_its_backups_owner_only_and_masked(tmp_path):
    log = PrivateLog(tmp_path / "server.log", max_bytes=1000, backups=2)
    for number in range(100):
        log.write(f"line {number} from {EMAIL}\n")
    log.close()
    files = sorted(tmp_path.iterdir())
    assert [path.name for path in files] == [
        "server.log",
        "server.log.1",
        "server.log.2",
    ]
    for path in files:
        assert path.stat().st_size <= 1000
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert EMAIL not in path.read_text()
    assert "line 99 from [email]" in (tmp_path / "server.log").read_text()
