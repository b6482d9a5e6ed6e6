"""The widget's files as a clinic site's visitors' browsers fetch them."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator

import pytest
from aiohttp.test_utils import TestClient, TestServer

from web.server import WIDGET_DIR, WebSettings, create_app

MODULES = sorted(path.name for path in WIDGET_DIR.glob("*.js"))
IMPORT = re.compile(r"""^\s*(?:import|export)\b[^;]*?\bfrom\s+["']([^"']+)["']""", re.M)


@pytest.fixture
async def client() -> AsyncIterator[TestClient]:
    app = create_app(WebSettings(port=0, rasa_public_url="https://chat.clinic.example"))
    async with TestClient(TestServer(app)) as test_client:
        yield test_client


def test_the_widget_is_split_into_modules_that_import_only_their_neighbours():
    assert "smp-chat.js" in MODULES
    assert "widget.js" in MODULES
    for name in MODULES:
        source = (WIDGET_DIR / name).read_text(encoding="utf-8")
        for target in IMPORT.findall(source):
            # The server only serves files directly in the widget's folder.
            assert re.fullmatch(r"\./[a-z-]+\.js", target), (name, target)
            assert (WIDGET_DIR / target[2:]).is_file(), (name, target)


async def test_every_module_is_served_as_javascript_to_any_site(client):
    for name in MODULES:
        response = await client.get(f"/widget/{name}")
        assert response.status == 200, name
        assert response.content_type == "text/javascript"
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        assert response.headers["Cache-Control"] == "no-cache"


async def test_a_revalidated_file_gets_a_304_with_no_body(client):
    """A stray body after a 304 breaks the next response on the same connection."""
    first = await client.get("/widget/widget.js", headers={"Accept-Encoding": "gzip"})
    assert first.headers["Content-Encoding"] == "gzip"
    etag = first.headers["ETag"]

    reader, writer = await asyncio.open_connection(client.host, client.port)
    try:
        for _ in range(2):  # Two requests on one kept-alive connection.
            writer.write(
                (
                    "GET /widget/widget.js HTTP/1.1\r\n"
                    f"Host: {client.host}\r\n"
                    "Accept-Encoding: gzip\r\n"
                    f"If-None-Match: {etag}\r\n\r\n"
                ).encode()
            )
            await writer.drain()
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
            assert head.startswith(b"HTTP/1.1 304 ")
        # Nothing may follow the second response's headers either.
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(reader.read(1), 0.3)
    finally:
        writer.close()
