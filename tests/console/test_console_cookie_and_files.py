"""The session cookie's flags, and the modes of the files the console writes."""

from __future__ import annotations

import stat

import pytest
from console_support import (
    STAFF_PASSWORD,
    STAFF_USER,
    add_staff,
    console_settings,
    csrf_of,
)

from console.app import create_app
from console.config import load_or_create_secret_key


def _sign_in_cookie(
    client, base_url: str, headers: dict[str, str] | None = None
) -> str:
    """The Set-Cookie header of a sign-in at `base_url`."""
    form = client.get("/login", base_url=base_url, headers=headers)
    response = client.post(
        "/login",
        base_url=base_url,
        headers=headers,
        data={
            "username": STAFF_USER,
            "password": STAFF_PASSWORD,
            "csrf_token": csrf_of(form.get_data(as_text=True)),
        },
    )
    assert response.status_code == 302
    return response.headers["Set-Cookie"]


@pytest.mark.parametrize(
    "base_url",
    [
        "http://console.clinic.example",
        "http://192.168.1.20:8001",
        "https://staff.clinic.example",
    ],
)
def test_the_cookie_is_secure_when_reached_by_any_other_name_than_loopback(
    client, base_url
):
    cookie = _sign_in_cookie(client, base_url)
    assert "Secure" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


@pytest.mark.parametrize(
    "base_url", ["http://localhost", "http://127.0.0.1:8001", "http://[::1]:8001"]
)
def test_the_cookie_is_not_secure_on_loopback_so_local_http_works(client, base_url):
    cookie = _sign_in_cookie(client, base_url)
    assert "Secure" not in cookie
    assert "HttpOnly" in cookie


@pytest.mark.parametrize(
    "headers",
    [
        {"X-Forwarded-Proto": "https"},
        {"X-Forwarded-Host": "staff.clinic.example"},
        {"Forwarded": 'for=203.0.113.9;proto=https;host="staff.clinic.example"'},
    ],
)
def test_the_cookie_is_secure_behind_a_proxy_that_forwards_to_loopback(client, headers):
    assert "Secure" in _sign_in_cookie(client, "http://127.0.0.1:8001", headers)


def test_the_cookie_is_secure_when_the_console_listens_beyond_loopback(database_url):
    add_staff(database_url)
    client = create_app(console_settings(database_url, host="0.0.0.0")).test_client()  # noqa: S104
    assert "Secure" in _sign_in_cookie(client, "http://localhost")


def test_the_cookie_secure_setting_forces_it_even_on_localhost(database_url):
    add_staff(database_url)
    client = create_app(
        console_settings(database_url, cookie_secure=True)
    ).test_client()
    assert "Secure" in _sign_in_cookie(client, "http://localhost")


def test_a_new_secret_key_file_is_owner_only(tmp_path):
    path = tmp_path / "var" / "console_secret_key"
    key = load_or_create_secret_key(path)
    assert len(key) >= 64
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_secret_key_file_readable_by_others_is_made_owner_only(tmp_path):
    path = tmp_path / "console_secret_key"
    path.write_text("k" * 64 + "\n", encoding="utf-8")
    path.chmod(0o644)
    assert load_or_create_secret_key(path) == "k" * 64
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
