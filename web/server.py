"""The demo clinic site and the chat widget's files, over HTTP.

`python -m web.server` serves the demo pages at `/` and the widget under
`/widget/` (its script and modules, its stylesheet and, under
`/widget/vendor/`, the socket.io client copied there by `npm ci --prefix
web`). The demo pages are filled in from `content/clinic.yml` and point the
widget at `RASA_PUBLIC_URL`.

A clinic's real website only needs the `/widget/` files; the demo pages show
how one script tag embeds the chat.
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from aiohttp import web

from smp.clinic import get_clinic
from smp.settings import LOOPBACK, Settings, get_settings

WEB_ROOT = Path(__file__).resolve().parent
WIDGET_DIR = WEB_ROOT / "widget"
VENDOR_DIR = WEB_ROOT / "static" / "vendor"
DEMO_DIR = WEB_ROOT / "demo"
DEMO_ASSETS_DIR = DEMO_DIR / "assets"
DEMO_PAGES = ("index.html", "treatments.html")
VENDOR_SCRIPT = "socket.io.esm.min.js"

CONTENT_TYPES = {
    ".css": "text/css; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".ico": "image/x-icon",
    ".js": "text/javascript; charset=utf-8",
    ".map": "application/json; charset=utf-8",
    ".png": "image/png",
    ".svg": "image/svg+xml",
    ".webp": "image/webp",
}
COMPRESSIBLE = {".css", ".html", ".js", ".map", ".svg"}
_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_PLACEHOLDER = re.compile(r"\{\{\s*([a-z_]+)\s*\}\}")

logger = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


# Loopback only: in production a reverse proxy (TLS) sits in front.
HOST = LOOPBACK


@dataclass(frozen=True)
class WebSettings:
    """Where the web server listens and where browsers find the Rasa server."""

    port: int
    rasa_public_url: str

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> WebSettings:
        """`WEB_PORT` and `RASA_PUBLIC_URL` (default: Rasa on `RASA_PORT`)."""
        settings = settings or get_settings()
        return cls(port=settings.web_port, rasa_public_url=settings.rasa_public_url)


SETTINGS = web.AppKey("settings", WebSettings)


def vendor_ready() -> bool:
    """Whether `npm ci --prefix web` has put the socket.io client in place."""
    return (VENDOR_DIR / VENDOR_SCRIPT).is_file()


def content_security_policy(rasa_public_url: str) -> str:
    """The demo pages' CSP: our own files only, plus the Rasa server's socket."""
    parts = urlsplit(rasa_public_url)
    socket_scheme = "wss" if parts.scheme == "https" else "ws"
    rasa_origins = f"{parts.scheme}://{parts.netloc} {socket_scheme}://{parts.netloc}"
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data: https:",
            f"connect-src 'self' {rasa_origins}",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def page_values(settings: WebSettings) -> dict[str, str]:
    """Values for the `{{ name }}` placeholders of the demo pages (plain text)."""
    clinic = get_clinic()
    values = clinic.placeholders()
    values["rasa_public_url"] = settings.rasa_public_url
    values["clinic_phone_link"] = "tel:" + re.sub(r"[^+0-9]", "", clinic.phone)
    return values


def render_page(template: str, values: Mapping[str, str]) -> str:
    """Fill `{{ name }}` placeholders with HTML-escaped values.

    Newlines in a value become `<br>`, so multi-line values (opening hours)
    keep their lines. An unknown placeholder is an error, not a blank.
    """

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in values:
            raise KeyError(f"unknown placeholder {{{{ {name} }}}} in a demo page")
        return html.escape(values[name]).replace("\n", "<br>\n")

    return _PLACEHOLDER.sub(fill, template)


def _file_in(directory: Path, name: str) -> Path:
    """`directory/name` if it is a plain file there; otherwise 404."""
    if not _SAFE_NAME.match(name):
        raise web.HTTPNotFound()
    path = directory / name
    if path.suffix not in CONTENT_TYPES or not path.is_file():
        raise web.HTTPNotFound()
    return path


def _file_response(
    request: web.Request, path: Path, headers: Mapping[str, str]
) -> web.FileResponse:
    response = web.FileResponse(path, headers=dict(headers))
    response.content_type = CONTENT_TYPES[path.suffix].split(";")[0]
    if "charset" in CONTENT_TYPES[path.suffix]:
        response.charset = "utf-8"
    if path.suffix in COMPRESSIBLE:
        # Text files shrink to about a third (gzip when the browser accepts it).
        # Not for revalidations: aiohttp would put an empty gzip stream after a
        # 304 "Not Modified", and browsers reusing the connection then read
        # those bytes as the next response and fail it.
        if not (request.if_none_match or request.if_modified_since):
            response.enable_compression()
        response.headers["Vary"] = "Accept-Encoding"
    return response


# Widget files may be loaded by any clinic site: allow cross-origin use (the
# socket.io client is an ES module, which browsers fetch in CORS mode) and
# make browsers revalidate so an update reaches visitors at once.
WIDGET_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Cross-Origin-Resource-Policy": "cross-origin",
    "Cache-Control": "no-cache",
}


async def widget_file(request: web.Request) -> web.StreamResponse:
    """`/widget/<name>`: the widget's own script, modules and stylesheet."""
    return _file_response(
        request, _file_in(WIDGET_DIR, request.match_info["name"]), WIDGET_HEADERS
    )


async def vendor_file(request: web.Request) -> web.StreamResponse:
    """`/widget/vendor/<name>`: third-party browser files copied at install time."""
    name = request.match_info["name"]
    try:
        path = _file_in(VENDOR_DIR, name)
    except web.HTTPNotFound:
        if name == VENDOR_SCRIPT:
            logger.error("%s is missing: run `npm ci --prefix web`", VENDOR_DIR / name)
        raise
    return _file_response(request, path, WIDGET_HEADERS)


async def demo_asset(request: web.Request) -> web.StreamResponse:
    """`/assets/<name>`: the demo site's stylesheet and images."""
    path = _file_in(DEMO_ASSETS_DIR, request.match_info["name"])
    return _file_response(request, path, {"Cache-Control": "no-cache"})


async def demo_page(request: web.Request) -> web.StreamResponse:
    """`/` and `/<page>.html`: a demo clinic page with the widget embedded."""
    name = request.match_info.get("page") or "index.html"
    if name not in DEMO_PAGES:
        raise web.HTTPNotFound()
    settings = request.app[SETTINGS]
    template = (DEMO_DIR / name).read_text(encoding="utf-8")
    body = render_page(template, page_values(settings))
    response = web.Response(
        text=body,
        content_type="text/html",
        charset="utf-8",
        headers={
            "Content-Security-Policy": content_security_policy(
                settings.rasa_public_url
            ),
            "Cache-Control": "no-cache",
            "Vary": "Accept-Encoding",
        },
    )
    response.enable_compression()
    return response


async def health(_request: web.Request) -> web.Response:
    """Readiness check for `make run` and the tests."""
    return web.Response(text="ok")


@web.middleware
async def common_headers(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Headers every response carries."""
    response = await handler(request)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    return response


def create_app(settings: WebSettings) -> web.Application:
    """The web application: demo pages, demo assets, widget files, health."""
    app = web.Application(middlewares=[common_headers])
    app[SETTINGS] = settings
    app.router.add_get("/", demo_page)
    app.router.add_get(r"/{page:[a-z-]+\.html}", demo_page)
    app.router.add_get("/assets/{name}", demo_asset)
    app.router.add_get("/widget/vendor/{name}", vendor_file)
    app.router.add_get("/widget/{name}", widget_file)
    app.router.add_get("/healthz", health)
    return app


def main() -> None:
    """Serve until interrupted (Ctrl-C or SIGINT from `make run`)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    settings = WebSettings.from_settings()
    if not vendor_ready():
        logger.error(
            "The socket.io client is not in %s: run `npm ci --prefix web`.", VENDOR_DIR
        )
    print(
        f"Demo clinic page on http://{HOST}:{settings.port}/ "
        f"(chat talks to {settings.rasa_public_url})",
        flush=True,
    )
    web.run_app(
        create_app(settings),
        host=HOST,
        port=settings.port,
        print=None,
        shutdown_timeout=2.0,
    )


if __name__ == "__main__":
    main()
