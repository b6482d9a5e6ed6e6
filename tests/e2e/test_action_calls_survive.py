"""Action calls survive a dropped connection, and a dead action server is never
silent: the visitor is told to try again.

The Rasa server calls the action server through a proxy that can drop
connections (flaky_proxy.py); the last test stops the action server itself.
"""

from __future__ import annotations

import os
import signal
import uuid
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
import yaml
from flaky_proxy import FlakyProxy
from sqlalchemy import func, select
from visitors import booking_answers, post_rest, texts

from channels.guard import reply_text
from launcher.services import PROJECT_ROOT
from launcher.testing import RunningStack, free_port, running_stack
from smp.db import BookingRequest, session_scope

pytestmark = pytest.mark.e2e

LOGS = PROJECT_ROOT / "test-artifacts" / "logs"


@pytest.fixture(scope="module")
def proxied(tmp_path_factory) -> Iterator[tuple[RunningStack, FlakyProxy]]:
    proxy = FlakyProxy(free_port()).start()
    workdir = tmp_path_factory.mktemp("proxied-actions")
    env = {"ACTIONS_URL": f"http://127.0.0.1:{proxy.port}/webhook"}
    try:
        with running_stack(
            workdir, env=env, log_dir=LOGS, log_suffix="-proxied"
        ) as stack:
            actions = urlsplit(stack.actions_url)
            proxy.target = (actions.hostname, actions.port)
            yield stack, proxy
    finally:
        proxy.close()


def say(stack: RunningStack, sender: str, text: str) -> str:
    answer = post_rest(stack.rasa_url, {"sender": sender, "message": text})
    assert answer.status == 200
    return texts(answer.body)


def fallback_text() -> str:
    domain = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))
    return str(domain["responses"]["utter_default"][0]["text"])


def bookings(stack: RunningStack) -> int:
    with session_scope(stack.database_url) as session:
        return session.scalar(select(func.count()).select_from(BookingRequest))


def test_a_dropped_action_call_is_made_again_and_the_booking_goes_on(proxied):
    stack, proxy = proxied
    sender = f"flaky-{uuid.uuid4().hex[:8]}"
    proxy.drop_next(1)
    asked = say(stack, sender, "I'd like to book a consultation")
    assert proxy.dropped == 1 and proxy.forwarded >= 1
    assert "name" in asked.lower()
    assert reply_text("action_failed") not in asked


def test_a_booking_whose_submit_is_dropped_once_is_stored_once(proxied):
    stack, proxy = proxied
    sender = f"flaky-{uuid.uuid4().hex[:8]}"
    before = bookings(stack)
    for text in booking_answers():
        say(stack, sender, text)
    # The confirmation runs the form's validation, then the submit: the first
    # connection of the two is dropped.
    proxy.drop_next(1)
    done = say(stack, sender, "/affirm")
    assert proxy.dropped == 1
    assert "BK-" in done
    assert bookings(stack) == before + 1


def test_a_confirmation_whose_check_cannot_run_is_asked_again_and_stored_once(
    proxied,
):
    stack, proxy = proxied
    sender = f"unchecked-{uuid.uuid4().hex[:8]}"
    before = bookings(stack)
    for text in booking_answers():
        say(stack, sender, text)
    # The form's check of the confirmation fails twice: the call and its retry.
    proxy.drop_next(2)
    failed = say(stack, sender, "/affirm")
    assert proxy.dropped == 2
    assert reply_text("action_failed") in failed
    assert fallback_text() not in failed
    assert "BK-" not in failed
    assert bookings(stack) == before
    done = say(stack, sender, "/affirm")
    assert "BK-" in done
    assert bookings(stack) == before + 1


def test_with_the_action_server_stopped_mid_booking_the_visitor_is_told_to_retry(
    proxied,
):
    stack, _ = proxied
    sender = f"stopped-{uuid.uuid4().hex[:8]}"
    assert "name" in say(stack, sender, "I'd like to book a consultation").lower()
    os.killpg(stack.pids["actions"], signal.SIGKILL)
    answered = say(stack, sender, "Jane Doe")
    assert reply_text("action_failed") in answered
