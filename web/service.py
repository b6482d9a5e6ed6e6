"""How `make run` and the browser tests start the demo clinic site."""

from __future__ import annotations

import sys
from pathlib import Path

from smp.services import PROJECT_ROOT, Service
from web.server import VENDOR_DIR, WebSettings, vendor_ready


def web_server(port: int, rasa_public_url: str, log: Path | None = None) -> Service:
    """The demo site and widget files on 127.0.0.1:`port`, chatting with Rasa."""
    return Service(
        name="web server",
        command=[sys.executable, "-m", "web.server"],
        ready_url=f"http://127.0.0.1:{port}/healthz",
        env={
            "WEB_PORT": str(port),
            "RASA_PUBLIC_URL": rasa_public_url,
        },
        log_path=log,
    )


def service() -> tuple[Service, str] | None:
    """The web server for `make run`, or None until `npm ci --prefix web` has run."""
    if not vendor_ready():
        print(f"Chat widget not installed ({VENDOR_DIR} is empty): run `make install`.")
        return None
    settings = WebSettings.from_env()
    return (
        web_server(
            settings.port,
            settings.rasa_public_url,
            log=PROJECT_ROOT / "var" / "log" / "web.log",
        ),
        f"Demo clinic page: http://127.0.0.1:{settings.port}/",
    )
