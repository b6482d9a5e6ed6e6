"""Sessions live on the server: a copied cookie is only as good as its session.

The live attacks (a cookie copied before sign-out or a password reset, replayed
over HTTP) are in test_console_process_security.py; these use the test client.
"""

from __future__ import annotations

import datetime as dt

from console_support import (
    SESSION_COOKIE,
    STAFF_USER,
    add_staff,
    console_settings,
    page_token,
    sign_in,
)
from sqlalchemy import func, select

from console import security
from console.app import create_app
from console.models import StaffSession
from console.staff import create_staff
from smp.db import session_scope


def _copy_cookie(client) -> str:
    cookie = client.get_cookie(SESSION_COOKIE)
    assert cookie is not None
    return cookie.value


def _replay(app, cookie: str, path: str = "/answers"):
    thief = app.test_client()
    thief.set_cookie(SESSION_COOKIE, cookie)
    return thief.get(path)


def _sessions(database_url: str) -> int:
    with session_scope(database_url) as session:
        return session.scalar(select(func.count()).select_from(StaffSession))


def test_signing_in_records_a_session_and_signing_out_removes_it(app, database_url):
    client = app.test_client()
    sign_in(client)
    assert _sessions(database_url) == 1
    client.post("/logout", data={"csrf_token": page_token(client)})
    assert _sessions(database_url) == 0


def test_the_cookie_names_the_session_but_the_database_keeps_only_its_hash(
    app, database_url
):
    client = app.test_client()
    sign_in(client)
    with session_scope(database_url) as session:
        stored = session.scalars(select(StaffSession)).one()
        token_hash = stored.token_hash
    with app.test_request_context():
        data = app.session_interface.get_signing_serializer(app).loads(
            _copy_cookie(client)
        )
    token = data["_user_id"]
    assert token not in token_hash
    assert len(token) >= 40


def test_a_cookie_copied_before_sign_out_is_refused_after_it(app):
    client = app.test_client()
    sign_in(client)
    stolen = _copy_cookie(client)
    assert _replay(app, stolen).status_code == 200
    client.post("/logout", data={"csrf_token": page_token(client)})
    refused = _replay(app, stolen)
    assert refused.status_code == 302
    assert refused.headers["Location"].startswith("/login")


def test_a_cookie_copied_before_the_session_expired_is_refused_after_it(
    database_url, monkeypatch
):
    add_staff(database_url)
    app = create_app(
        console_settings(database_url, idle_timeout=dt.timedelta(minutes=5))
    )
    client = app.test_client()
    sign_in(client)
    stolen = _copy_cookie(client)
    later = security.time.time() + 6 * 60
    monkeypatch.setattr(security.time, "time", lambda: later)
    assert client.get("/answers").status_code == 302
    assert _replay(app, stolen).status_code == 302
    assert _sessions(database_url) == 0


def test_a_password_change_ends_every_session_of_the_account(app, database_url):
    laptop, tablet = app.test_client(), app.test_client()
    sign_in(laptop)
    sign_in(tablet)
    with session_scope(database_url) as session:
        create_staff(session, STAFF_USER, "a-brand-new-password", reset=True)
    assert laptop.get("/answers").status_code == 302
    assert tablet.get("/answers").status_code == 302
    assert _sessions(database_url) == 0


def test_the_idle_clock_is_kept_on_the_server(database_url, monkeypatch):
    # Activity through one copy of the cookie keeps the session alive for all
    # copies, because the server, not the cookie, knows when it was last used.
    add_staff(database_url)
    app = create_app(
        console_settings(database_url, idle_timeout=dt.timedelta(minutes=5))
    )
    client = app.test_client()
    sign_in(client)
    first_copy = _copy_cookie(client)
    start = security.time.time()
    for minutes in (4, 8, 12):
        monkeypatch.setattr(security.time, "time", lambda m=minutes: start + m * 60)
        assert client.get("/answers").status_code == 200
    assert _replay(app, first_copy).status_code == 200
