"""The web server: demo pages, widget files, headers, and how `make run` starts it."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest
from aiohttp.test_utils import TestClient, TestServer

from launcher import services
from smp.clinic import get_clinic
from smp.settings import Settings
from web.server import WebSettings, create_app, render_page

RASA_URL = "https://chat.clinic.example"


@pytest.fixture
async def client() -> AsyncIterator[TestClient]:
    app = create_app(WebSettings(port=0, rasa_public_url=RASA_URL))
    async with TestClient(TestServer(app)) as test_client:
        yield test_client


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/widget/smp-chat.js", "text/javascript"),
        ("/widget/smp-chat.css", "text/css"),
        ("/widget/vendor/socket.io.esm.min.js", "text/javascript"),
        ("/assets/demo.css", "text/css"),
        ("/assets/favicon.svg", "image/svg+xml"),
        ("/", "text/html"),
        ("/treatments.html", "text/html"),
    ],
)
async def test_files_are_served_with_their_content_type(client, path, content_type):
    response = await client.get(path)
    assert response.status == 200
    assert response.content_type == content_type
    assert response.headers["X-Content-Type-Options"] == "nosniff"


async def test_widget_files_may_be_loaded_by_any_clinic_site(client):
    for path in ("/widget/smp-chat.js", "/widget/vendor/socket.io.esm.min.js"):
        response = await client.get(path)
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        assert response.headers["Cache-Control"] == "no-cache"


async def test_text_files_are_compressed_for_browsers_that_accept_gzip(client):
    for path in ("/", "/widget/smp-chat.js", "/widget/vendor/socket.io.esm.min.js"):
        response = await client.get(path, headers={"Accept-Encoding": "gzip"})
        assert response.headers["Content-Encoding"] == "gzip"
        assert "Accept-Encoding" in response.headers["Vary"]
        assert len(await response.read()) > 0


async def test_each_demo_page_embeds_the_widget_with_one_script_tag(client):
    clinic = get_clinic()
    for path in ("/", "/treatments.html"):
        page = await (await client.get(path)).text()
        scripts = re.findall(r"<script\b[^>]*>", page)
        assert len(scripts) == 1
        assert 'src="/widget/smp-chat.js"' in scripts[0]
        assert f'data-server-url="{RASA_URL}"' in scripts[0]
        assert f'data-clinic-name="{clinic.name}"' in scripts[0]
        assert "{{" not in page


async def test_demo_pages_only_allow_their_own_scripts_and_the_rasa_socket(client):
    response = await client.get("/")
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert f"connect-src 'self' {RASA_URL} wss://chat.clinic.example" in policy


@pytest.mark.parametrize(
    "path",
    [
        "/widget/missing.js",
        "/widget/.hidden.js",
        "/widget/%2e%2e%2fserver.py",
        "/widget/vendor/..%2f..%2fserver.py",
        "/server.py",
        "/admin.html",
        "/assets/../server.py",
    ],
)
async def test_anything_else_is_not_found(client, path):
    response = await client.get(path)
    assert response.status == 404


async def test_the_health_check_answers(client):
    response = await client.get("/healthz")
    assert response.status == 200


def test_page_values_are_html_escaped_and_unknown_placeholders_fail():
    assert render_page("<p>{{ name }}</p>", {"name": '<b>"A&B"</b>'}) == (
        "<p>&lt;b&gt;&quot;A&amp;B&quot;&lt;/b&gt;</p>"
    )
    assert render_page("{{ hours }}", {"hours": "Mon\nTue"}) == "Mon<br>\nTue"
    with pytest.raises(KeyError):
        render_page("{{ nope }}", {})


def test_settings_default_to_port_8000_and_the_local_rasa_server():
    def from_env(env):
        return WebSettings.from_settings(Settings.from_environment(env))

    assert from_env({}) == WebSettings(8000, "http://127.0.0.1:5005")
    assert from_env({"RASA_PORT": "5999", "WEB_PORT": "8100"}) == (
        WebSettings(8100, "http://127.0.0.1:5999")
    )
    assert from_env({"RASA_PUBLIC_URL": "https://rasa.example/"}) == (
        WebSettings(8000, "https://rasa.example")
    )


def test_make_run_starts_the_web_server_once_the_widget_is_installed(
    monkeypatch, tmp_path
):
    settings = Settings.from_environment({"WEB_PORT": "8123", "CONSOLE_PORT": "8124"})
    monkeypatch.setattr(services, "vendor_ready", lambda: True)
    (web, web_line), (console, console_line) = services.front_ends(settings, tmp_path)
    assert web.ready_url == "http://127.0.0.1:8123/healthz"
    assert web_line == "Demo clinic page: http://127.0.0.1:8123/"
    assert console.ready_url == "http://127.0.0.1:8124/login"

    monkeypatch.setattr(services, "vendor_ready", lambda: False)
    names = [service.name for service, _ in services.front_ends(settings, tmp_path)]
    assert names == ["staff console"]
