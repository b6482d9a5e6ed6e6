"""`python -m console`: serve the staff console with waitress on 127.0.0.1."""

from __future__ import annotations

import logging
import os
import sys

from waitress import serve

from console.app import create_app
from console.config import ConsoleSettings
from console.logs import configure_logging, keep_output_private

# Everything this process creates (the secret key, a new SQLite database and
# its journal) is readable by its owner only.
OWNER_ONLY_UMASK = 0o077


def main() -> int:
    os.umask(OWNER_ONLY_UMASK)
    keep_output_private()
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
