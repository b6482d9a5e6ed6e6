"""Only the clinic's own sites may use the assistant from a browser.

By default those are the demo page's origins (`http://127.0.0.1:<WEB_PORT>`,
`http://localhost:<WEB_PORT>`); `WIDGET_ALLOWED_ORIGINS` lists a clinic's
sites instead. Any other origin is refused, with a log line, on socket.io
(polling and WebSocket), the REST channel and Rasa's HTTP API.
"""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from launcher.services import PROJECT_ROOT
from launcher.testing import RunningStack, running_stack, widget_origins

pytestmark = pytest.mark.e2e

CLINIC_SITE = "https://www.clinic.example"
RASA_LOG = PROJECT_ROOT / "test-artifacts" / "logs" / "rasa.log"


@pytest.fixture(scope="module")
def limited_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    with running_stack(
        tmp_path_factory.mktemp("origins"),
        env={"WIDGET_ALLOWED_ORIGINS": CLINIC_SITE},
        log_suffix="-origins",
    ) as stack:
        yield stack


def call(
    url: str, origin: str, method: str = "GET", body: bytes | None = None
) -> tuple[int, dict[str, str]]:
    """Status and headers of a request sent from a page on `origin`."""
    request = urllib.request.Request(
        url,
        data=body,
        method=method,
        headers={"Origin": origin, "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status, dict(response.headers)
    except urllib.error.HTTPError as refused:
        return refused.code, dict(refused.headers)


def socketio_handshake(rasa_url: str, origin: str) -> int:
    """Status of an Engine.IO polling handshake sent from `origin`."""
    return call(f"{rasa_url}/socket.io/?EIO=4&transport=polling", origin)[0]


def websocket_upgrade(rasa_url: str, origin: str) -> int:
    """Status of a WebSocket upgrade to socket.io sent from `origin`."""
    parts = urlsplit(rasa_url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    connection.request(
        "GET",
        "/socket.io/?EIO=4&transport=websocket",
        headers={
            "Origin": origin,
            "Connection": "Upgrade",
            "Upgrade": "websocket",
            "Sec-WebSocket-Version": "13",
            "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
        },
    )
    status = connection.getresponse().status
    connection.close()
    return status


def test_the_clinic_site_may_connect(limited_stack):
    assert socketio_handshake(limited_stack.rasa_url, CLINIC_SITE) == 200


def test_another_site_is_refused(limited_stack):
    assert socketio_handshake(limited_stack.rasa_url, "https://copycat.example") == 403


def test_the_listed_sites_replace_the_demo_page(limited_stack):
    demo = f"http://127.0.0.1:{limited_stack.web_port}"
    assert socketio_handshake(limited_stack.rasa_url, demo) == 403


def test_by_default_the_demo_page_may_connect(assistant_stack):
    origins = widget_origins(assistant_stack.workdir)
    assert [urlsplit(o).hostname for o in origins] == ["127.0.0.1", "localhost"]
    for origin in origins:
        assert socketio_handshake(assistant_stack.rasa_url, origin) == 200
        assert websocket_upgrade(assistant_stack.rasa_url, origin) == 101


def test_by_default_any_other_site_is_refused_with_a_log_line(assistant_stack):
    copycat = f"https://copycat-{uuid.uuid4().hex[:6]}.example"
    assert socketio_handshake(assistant_stack.rasa_url, copycat) == 403
    assert websocket_upgrade(assistant_stack.rasa_url, copycat) == 403
    log = RASA_LOG.read_text(encoding="utf-8", errors="replace")
    assert f"Refused GET /socket.io/ from origin {copycat}" in log
    assert "not in WIDGET_ALLOWED_ORIGINS" in log


def test_the_rest_channel_and_http_api_refuse_other_sites(assistant_stack):
    copycat = "https://copycat.example"
    rasa, token = assistant_stack.rasa_url, assistant_stack.token
    body = json.dumps({"sender": "x", "message": "hi"}).encode()
    rest = f"{rasa}/webhooks/rest/webhook"
    assert call(rest, copycat, "POST", body)[0] == 403
    assert call(f"{rasa}/status?token={token}", copycat)[0] == 403
    assert call(f"{rasa}/conversations/x/tracker?token={token}", copycat)[0] == 403


def test_the_demo_page_gets_cors_headers_for_itself_only(assistant_stack):
    demo = widget_origins(assistant_stack.workdir)[0]
    status, headers = call(f"{assistant_stack.rasa_url}/", demo)
    assert status == 200
    assert headers["Access-Control-Allow-Origin"] == demo
    status, headers = call(
        f"{assistant_stack.rasa_url}/webhooks/rest/webhook", demo, "OPTIONS"
    )
    assert headers.get("Access-Control-Allow-Origin") == demo
