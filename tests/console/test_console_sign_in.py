"""Signing in: failures, lockouts per account, and what a failure reveals."""

from __future__ import annotations

import datetime as dt
import re

from console_support import (
    SESSION_COOKIE,
    STAFF_PASSWORD,
    STAFF_USER,
    add_staff,
    console_settings,
    sign_in,
)

from console import security, staff
from console.app import create_app
from console.staff import create_staff
from smp.db import session_scope

WRONG = "wrong-password-x"  # noqa: S105
LOCKED = "Too many failed sign-in attempts"
# Every page carries the session's own CSRF token.
_TOKEN = re.compile(r'(?<=content=")[\w-]{40,}(?=")|(?<=value=")[\w-]{40,}(?=")')


def _console(database_url: str, **overrides: object):
    return create_app(console_settings(database_url, **overrides)).test_client()


def test_a_failed_sign_in_shows_the_form_again_with_status_200(client):
    response = sign_in(client, password=WRONG)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Wrong username or password." in page
    assert 'name="password"' in page


def test_a_locked_sign_in_shows_the_form_again_with_status_200(database_url):
    add_staff(database_url)
    client = _console(database_url, max_failed_logins=2)
    for _ in range(2):
        sign_in(client, password=WRONG)
    response = sign_in(client)
    assert response.status_code == 200
    assert LOCKED in response.get_data(as_text=True)


def test_guessing_one_account_does_not_lock_out_another(database_url):
    add_staff(database_url, "owner")
    add_staff(database_url, "nurse")
    client = _console(database_url, max_failed_logins=3)
    for _ in range(10):
        sign_in(client, "owner", WRONG)
    # Same address, same browser: the nurse still gets in.
    assert sign_in(client, "nurse", STAFF_PASSWORD).status_code == 302


def test_the_lockout_is_kept_in_the_database_for_every_console_process(database_url):
    add_staff(database_url)
    first = _console(database_url, max_failed_logins=3)
    second = _console(database_url, max_failed_logins=3)
    for _ in range(3):
        sign_in(first, password=WRONG)
    response = sign_in(second)
    assert LOCKED in response.get_data(as_text=True)
    assert second.get("/").status_code == 302


def test_the_lock_ends_after_the_lockout_period(database_url, monkeypatch):
    add_staff(database_url)
    client = _console(
        database_url, max_failed_logins=3, lockout=dt.timedelta(minutes=15)
    )
    for _ in range(3):
        sign_in(client, password=WRONG)
    assert LOCKED in sign_in(client).get_data(as_text=True)
    later = security.time.time() + 16 * 60
    monkeypatch.setattr(security.time, "time", lambda: later)
    assert sign_in(client).status_code == 302


def test_a_password_reset_lifts_the_lock(database_url):
    add_staff(database_url)
    client = _console(database_url, max_failed_logins=3)
    for _ in range(3):
        sign_in(client, password=WRONG)
    with session_scope(database_url) as session:
        create_staff(session, STAFF_USER, "the-new-password-1", reset=True)
    assert sign_in(client, password="the-new-password-1").status_code == 302  # noqa: S106


def test_a_successful_sign_in_starts_the_failure_count_again(database_url):
    add_staff(database_url)
    client = _console(database_url, max_failed_logins=3)
    for _ in range(2):
        sign_in(client, password=WRONG)
    assert sign_in(client).status_code == 302
    client.delete_cookie(SESSION_COOKIE)
    for _ in range(2):
        sign_in(client, password=WRONG)
    assert sign_in(client).status_code == 302


def test_an_unknown_username_fails_and_locks_exactly_like_a_real_one(database_url):
    add_staff(database_url)
    real = _console(database_url, max_failed_logins=3)
    unknown = _console(database_url, max_failed_logins=3)
    answers = {"real": [], "unknown": []}
    for _ in range(4):
        for name, client, username in (
            ("real", real, STAFF_USER),
            ("unknown", unknown, "no-such-person"),
        ):
            response = sign_in(client, username, WRONG)
            page = _TOKEN.sub("TOKEN", response.get_data(as_text=True))
            page = page.replace(username, "USERNAME")
            answers[name].append((response.status_code, page))
    assert answers["real"] == answers["unknown"]
    assert "Wrong username or password." in answers["unknown"][0][1]
    assert LOCKED in answers["unknown"][-1][1]


def test_an_unknown_username_costs_one_password_hash_like_a_wrong_password(
    database_url, monkeypatch
):
    add_staff(database_url)
    client = _console(database_url)
    checked: list[str] = []
    real_check = staff.check_password_hash

    def counting(pwhash: str, password: str) -> bool:
        checked.append(pwhash.split("$")[0])
        return real_check(pwhash, password)

    monkeypatch.setattr(staff, "check_password_hash", counting)
    sign_in(client, STAFF_USER, WRONG)
    sign_in(client, "no-such-person", WRONG)
    assert len(checked) == 2
    # The same hashing method and cost, so the time taken gives nothing away.
    assert checked[0] == checked[1]
