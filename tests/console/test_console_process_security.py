"""Attacks on `python -m console` over real HTTP: copied cookies, lockouts, files.

The console runs in its own process on a database it created itself, as in a
clinic, so these tests also see what that process leaves on disk.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from collections.abc import Iterator

import pytest
import requests
from console_support import (
    SESSION_COOKIE,
    STAFF_PASSWORD,
    ConsoleProcess,
    add_staff,
    console_process,
    console_settings,
    csrf_of,
    http_sign_in,
    replay,
    sign_in,
)

from console.app import create_app
from smp.settings import PROJECT_ROOT

MAX_FAILED = 3


@pytest.fixture(scope="module")
def console(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ConsoleProcess]:
    workdir = tmp_path_factory.mktemp("console-process")
    with console_process(workdir, CONSOLE_MAX_FAILED_LOGINS=str(MAX_FAILED)) as running:
        yield running


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def _signed_in(console: ConsoleProcess, username: str) -> tuple[object, str]:
    add_staff(console.database_url, username)
    browser, response = http_sign_in(console.url, username)
    assert response.status_code == 302, response.text
    stolen = browser.cookies.get(SESSION_COOKIE)
    assert stolen
    # The copy works while the session lives: the attack is real.
    assert replay(console.url, stolen).status_code == 200
    return browser, stolen


def _is_sent_to_sign_in(response) -> bool:
    return response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_cookie_copied_before_sign_out_is_refused_after_it(console):
    browser, stolen = _signed_in(console, "front-desk")
    token = csrf_of(browser.get(f"{console.url}/", timeout=10).text)
    signed_out = browser.post(
        f"{console.url}/logout",
        data={"csrf_token": token},
        allow_redirects=False,
        timeout=10,
    )
    assert signed_out.status_code == 302

    assert _is_sent_to_sign_in(replay(console.url, stolen))
    assert _is_sent_to_sign_in(replay(console.url, stolen, "/requests/bookings"))


def test_signing_out_on_one_device_keeps_the_others_signed_in(console):
    laptop, _ = _signed_in(console, "manager-two-devices")
    tablet, _ = http_sign_in(console.url, "manager-two-devices")
    tablet_cookie = tablet.cookies.get(SESSION_COOKIE)
    token = csrf_of(laptop.get(f"{console.url}/", timeout=10).text)
    laptop.post(f"{console.url}/logout", data={"csrf_token": token}, timeout=10)

    assert replay(console.url, tablet_cookie).status_code == 200


def test_a_cookie_copied_before_a_password_reset_is_refused_after_it(console):
    _, stolen = _signed_in(console, "nurse-reset")
    reset = subprocess.run(  # noqa: S603 - the project's own command
        [
            sys.executable,
            "-m",
            "launcher.manage",
            "create-staff",
            "nurse-reset",
            "--reset-password",
            "--password-stdin",
        ],
        input="a-completely-new-password\n",
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        env={
            **os.environ,
            "DATABASE_URL": console.database_url,
            "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
        },
        check=False,
    )
    assert reset.returncode == 0, reset.stderr

    assert _is_sent_to_sign_in(replay(console.url, stolen))


def test_failures_at_one_console_process_lock_the_account_at_another(console):
    add_staff(console.database_url, "shared-lock")
    for _ in range(MAX_FAILED):
        _, failed = http_sign_in(console.url, "shared-lock", "wrong-password-1")
        assert failed.status_code == 200
    # A second console process on the same database: another address, too.
    other = create_app(
        console_settings(console.database_url, max_failed_logins=MAX_FAILED)
    ).test_client()
    response = sign_in(other, "shared-lock", STAFF_PASSWORD)
    assert response.status_code == 200
    assert "Too many failed sign-in attempts" in response.get_data(as_text=True)
    assert other.get("/").status_code == 302


def test_the_cookie_is_secure_when_the_console_is_reached_by_a_public_name(console):
    response = http_sign_in_by_name(console, "console.clinic.example")
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_the_cookie_is_not_secure_for_loopback_use(console):
    add_staff(console.database_url, "local-admin")
    _, response = http_sign_in(console.url, "local-admin")
    assert response.status_code == 302
    assert "Secure" not in response.headers["Set-Cookie"]


def http_sign_in_by_name(console: ConsoleProcess, host: str):
    """Sign in over HTTP with `host` in the Host header, as a proxy passes it."""
    add_staff(console.database_url, "by-name")
    browser = requests.Session()
    headers = {"Host": host}
    form = browser.get(f"{console.url}/login", headers=headers, timeout=10)
    cookie = form.cookies.get(SESSION_COOKIE)
    response = requests.post(
        f"{console.url}/login",
        headers=headers,
        cookies={SESSION_COOKIE: cookie},
        data={
            "username": "by-name",
            "password": STAFF_PASSWORD,
            "csrf_token": csrf_of(form.text),
        },
        allow_redirects=False,
        timeout=10,
    )
    assert response.status_code == 302, response.text
    return response


def test_the_console_process_keeps_its_log_and_database_owner_only(console):
    assert console.log_path.stat().st_size > 0, "the console logged nothing"
    assert _mode(console.log_path) == 0o600
    assert _mode(console.database_path) == 0o600
    for suffix in ("-wal", "-shm"):
        companion = console.database_path.with_name(console.database_path.name + suffix)
        if companion.exists():
            assert _mode(companion) == 0o600, companion.name
