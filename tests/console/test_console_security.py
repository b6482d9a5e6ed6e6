"""Sign-in, sessions, CSRF and the rule that no page answers without a session."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys

import pytest
from console_support import (
    STAFF_PASSWORD,
    STAFF_USER,
    add_staff,
    console_settings,
    csrf_of,
    page_token,
    sign_in,
)

from console import security
from console.app import create_app
from console.staff import StaffAccountError, authenticate, create_staff
from smp.db import session_scope

# Reachable without a session, on purpose: the sign-in page and static files.
PUBLIC = {"auth.login", "static", "vendor.asset"}


def _example_path(rule) -> str:
    values = {}
    for name in rule.arguments:
        converter = rule._converters[name].__class__.__name__  # noqa: SLF001
        values[name] = 1 if "Integer" in converter else "bookings"
    return rule.build(values, append_unknown=False)[1]


def test_every_route_refuses_a_request_without_a_session(app):
    client = app.test_client()
    rules = [r for r in app.url_map.iter_rules() if r.endpoint not in PUBLIC]
    assert len(rules) >= 20, "the console's routes were not all registered"
    let_through = []
    for rule in rules:
        path = _example_path(rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(path, method=method, headers={"Accept": "text/html"})
            refused = response.status_code in (401, 403) or (
                response.status_code == 302
                and response.headers["Location"].startswith("/login")
            )
            if not refused:
                let_through.append((method, rule.rule, response.status_code))
    assert let_through == []


def test_only_the_login_page_and_static_files_are_public(app):
    assert security.PUBLIC_ENDPOINTS == PUBLIC
    public_rules = {r.endpoint for r in app.url_map.iter_rules()} & PUBLIC
    assert public_rules == PUBLIC


def test_api_routes_answer_401_json_without_a_session(client):
    response = client.post("/api/chat/messages", json={"text": "hi"})
    assert response.status_code == 401
    assert response.get_json()["error"] == "authentication required"


def test_staff_sign_in_with_the_right_password(client):
    response = sign_in(client)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    page = client.get("/").get_data(as_text=True)
    assert f"Signed in as <strong>{STAFF_USER}</strong>" in page


def test_a_wrong_password_is_refused(client):
    response = sign_in(client, password="not-the-password")  # noqa: S106
    assert response.status_code == 200
    assert "Wrong username or password" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_an_unknown_username_gets_the_same_answer(client):
    response = sign_in(client, username="nobody")
    assert response.status_code == 200
    assert "Wrong username or password" in response.get_data(as_text=True)


def test_repeated_failures_lock_the_account_even_for_the_right_password(database_url):
    add_staff(database_url)
    app = create_app(console_settings(database_url, max_failed_logins=3))
    client = app.test_client()
    wrong = "wrong-password-x"  # noqa: S105
    for _ in range(3):
        assert sign_in(client, password=wrong).status_code == 200
    response = sign_in(client)
    assert response.status_code == 200
    assert "Too many failed sign-in attempts" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_the_session_cookie_is_httponly_and_samesite_lax(client):
    response = sign_in(client)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_secure_cookies_when_configured(database_url):
    add_staff(database_url)
    client = create_app(
        console_settings(database_url, cookie_secure=True)
    ).test_client()
    token = csrf_of(client.get("/login", base_url="https://localhost").get_data(True))
    response = client.post(
        "/login",
        base_url="https://localhost",
        data={"username": STAFF_USER, "password": STAFF_PASSWORD, "csrf_token": token},
    )
    assert "Secure" in response.headers["Set-Cookie"]


def test_sign_out_ends_the_session(staff_client):
    token = page_token(staff_client)
    response = staff_client.post("/logout", data={"csrf_token": token})
    assert response.status_code == 302
    assert staff_client.get("/answers").status_code == 302


def test_a_form_post_without_the_csrf_token_is_refused(staff_client):
    response = staff_client.post(
        "/requests/bookings/update", data={"request_id": "1", "status": "closed"}
    )
    assert response.status_code == 403


def test_a_form_post_with_a_wrong_csrf_token_is_refused(staff_client):
    response = staff_client.post(
        "/privacy/search", data={"query": "x@example.com", "csrf_token": "forged"}
    )
    assert response.status_code == 403


def test_a_json_request_needs_the_csrf_header(staff_client):
    refused = staff_client.post("/api/chat/reset", json={})
    assert refused.status_code == 403
    accepted = staff_client.post(
        "/api/chat/reset", json={}, headers={"X-CSRF-Token": page_token(staff_client)}
    )
    assert accepted.status_code == 200
    assert accepted.get_json()["conversation_id"].startswith("staff-test-")


def test_a_cross_site_origin_is_refused_even_with_the_token(staff_client):
    response = staff_client.post(
        "/api/chat/reset",
        json={},
        headers={
            "X-CSRF-Token": page_token(staff_client),
            "Origin": "https://evil.example",
        },
    )
    assert response.status_code == 403


def test_the_login_form_itself_needs_the_csrf_token(client):
    response = client.post(
        "/login", data={"username": STAFF_USER, "password": STAFF_PASSWORD}
    )
    assert response.status_code == 403


def test_an_idle_session_expires(database_url, monkeypatch):
    add_staff(database_url)
    app = create_app(
        console_settings(database_url, idle_timeout=dt.timedelta(minutes=5))
    )
    client = app.test_client()
    sign_in(client)
    assert client.get("/answers").status_code == 200
    later = security.time.time() + 6 * 60
    monkeypatch.setattr(security.time, "time", lambda: later)
    response = client.get("/answers")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    follow = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "inactivity" in follow


def test_a_session_ends_after_its_lifetime_even_when_active(database_url, monkeypatch):
    add_staff(database_url)
    app = create_app(
        console_settings(
            database_url,
            idle_timeout=dt.timedelta(minutes=30),
            session_lifetime=dt.timedelta(hours=1),
        )
    )
    client = app.test_client()
    sign_in(client)
    start = security.time.time()
    for minutes in (20, 40, 55):
        monkeypatch.setattr(security.time, "time", lambda m=minutes: start + m * 60)
        assert client.get("/answers").status_code == 200
    monkeypatch.setattr(security.time, "time", lambda: start + 61 * 60)
    assert client.get("/answers").status_code == 302


def test_a_password_change_signs_out_other_sessions(staff_client, database_url):
    assert staff_client.get("/answers").status_code == 200
    with session_scope(database_url) as session:
        create_staff(session, STAFF_USER, "a-brand-new-password", reset=True)
    assert staff_client.get("/answers").status_code == 302


def test_after_sign_in_the_next_page_must_be_on_this_site(client):
    token = csrf_of(client.get("/login").get_data(as_text=True))
    response = client.post(
        "/login?next=https://evil.example/",
        data={"username": STAFF_USER, "password": STAFF_PASSWORD, "csrf_token": token},
    )
    assert response.headers["Location"] == "/"


def test_pages_send_security_headers(staff_client):
    response = staff_client.get("/answers")
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Cache-Control"] == "no-store"


def test_passwords_are_stored_hashed_and_must_be_long_enough(session):
    create_staff(session, "nurse", "long-enough-pw")
    from console.models import StaffUser

    stored = session.query(StaffUser).filter_by(username="nurse").one()
    assert "long-enough-pw" not in stored.password_hash
    assert re.match(r"^(scrypt|pbkdf2)", stored.password_hash)
    assert authenticate(session, "nurse", "long-enough-pw") is not None
    with pytest.raises(StaffAccountError):
        create_staff(session, "short", "too-short")
    with pytest.raises(StaffAccountError):
        create_staff(session, "nurse", "another-long-pw")


def test_create_staff_command_reads_the_password_from_stdin(database_url):
    env_python = sys.executable
    result = subprocess.run(
        [
            env_python,
            "-m",
            "launcher.manage",
            "create-staff",
            "manager",
            "--password-stdin",
        ],
        input="manager-password-1\n",
        capture_output=True,
        text=True,
        env={**_env(), "DATABASE_URL": database_url},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    with session_scope(database_url) as session:
        assert authenticate(session, "manager", "manager-password-1") is not None
    short = subprocess.run(
        [
            env_python,
            "-m",
            "launcher.manage",
            "create-staff",
            "temp",
            "--password-stdin",
        ],
        input="short\n",
        capture_output=True,
        text=True,
        env={**_env(), "DATABASE_URL": database_url},
        check=False,
    )
    assert short.returncode == 1
    assert "at least 10 characters" in short.stderr


def _env() -> dict[str, str]:
    import os

    return {
        **os.environ,
        "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
        "RASA_TELEMETRY_ENABLED": "false",
    }
