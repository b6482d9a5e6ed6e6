"""`python -m console`: serve the staff console with waitress on 127.0.0.1."""

from __future__ import annotations

import logging
import sys

from waitress import serve

from console.app import create_app
from console.config import ConsoleSettings
from console.logs import configure_logging


def main() -> int:
    configure_logging()
    settings = ConsoleSettings.from_environment()
    app = create_app(settings)
    logging.getLogger("console").info(
        "Staff console on http://%s:%s/", settings.host, settings.port
    )
    # waitress writes no access log of its own; the console's names routes only.
    serve(app, host=settings.host, port=settings.port, threads=8, ident="console")
    return 0


if __name__ == "__main__":
    sys.exit(main())
