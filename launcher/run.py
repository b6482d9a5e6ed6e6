"""`make run`: the whole product on this machine, with embedded defaults.

Prepares the database, trains a model if none exists, then starts the action
server, the Rasa server, the demo site with the widget and the staff console,
and stops them all on Ctrl-C.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

from launcher.exposure import refuse_unsafe_exposure
from launcher.private_files import OWNER_ONLY_UMASK, keep_database_private
from launcher.runtime import write_runtime_config
from launcher.schema import create_all_tables
from launcher.services import (
    PROJECT_ROOT,
    action_server,
    front_ends,
    latest_model,
    rasa_server,
    train_model,
)
from smp.db import session_scope
from smp.secrets import load_or_create_secret
from smp.settings import DEFAULT_RASA_TOKEN, Settings, get_settings

LOG_DIR = PROJECT_ROOT / "var" / "log"
RASA_TOKEN_FILE = PROJECT_ROOT / "var" / "rasa_token"


def http_api_token(settings: Settings, path: Path = RASA_TOKEN_FILE) -> str:
    """The Rasa HTTP API token: `RASA_TOKEN` when set, else one kept in `path`.

    The documented placeholder is never used as a real token: without a
    configured one, a random token is generated once (mode 0600) and handed to
    every process `make run` starts.
    """
    if settings.rasa_token and settings.rasa_token != DEFAULT_RASA_TOKEN:
        return settings.rasa_token
    return load_or_create_secret(path)


def prepare_database(url: str | None = None) -> None:
    """Create tables and load the clinic's answers if the database has none."""
    from smp import repository
    from smp.content import sync_content

    create_all_tables(url)
    with session_scope(url) as session:
        if not repository.list_answers(session):
            sync_content(session, get_settings().answers_file)
            print("Loaded the clinic's answers into the database.")


def main() -> int:
    settings = get_settings()
    # Before anything is written or bound: nothing reachable from elsewhere
    # runs with a default secret.
    refuse_unsafe_exposure(settings)
    # The database, secrets and config files it creates are owner-only, and
    # so is a database file left readable by an older release.
    os.umask(OWNER_ONLY_UMASK)
    prepare_database()
    keep_database_private(settings.database_url)
    endpoints, credentials = write_runtime_config()
    model = latest_model()
    if model is None:
        print("No trained model yet: training one (a few minutes)...")
        model = train_model()

    rasa_port = settings.rasa_port
    actions_port = settings.actions_port
    token = http_api_token(settings)
    services = [
        action_server(actions_port, log=LOG_DIR / "actions.log"),
        rasa_server(
            rasa_port,
            token=token,
            endpoints=endpoints,
            credentials=credentials,
            model=model,
            log=LOG_DIR / "rasa.log",
        ),
    ]
    extra = front_ends(settings, LOG_DIR)
    services.extend(service for service, _ in extra)
    # The console and the action server call the HTTP API with the same token.
    for service in services:
        service.env = {**service.env, "RASA_TOKEN": token}

    stopping = False

    def stop(*_args: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    try:
        for service in services:
            service.start()
        for service in services:
            service.wait_ready()
        print()
        print(f"Assistant ready. Logs in {LOG_DIR}.")
        print(f"  REST:       POST http://127.0.0.1:{rasa_port}/webhooks/rest/webhook")
        print(f"  socket.io:  http://127.0.0.1:{rasa_port}/socket.io")
        where = "RASA_TOKEN" if token == settings.rasa_token else RASA_TOKEN_FILE
        print(f"  HTTP API:   http://127.0.0.1:{rasa_port}/ (token: {where})")
        print(f"  Actions:    http://127.0.0.1:{actions_port}/health")
        for _, line in extra:
            print(f"  {line}")
        print("Press Ctrl-C to stop.")
        while not stopping:
            for service in services:
                if service.process and service.process.poll() is not None:
                    print(
                        f"{service.name} stopped unexpectedly; see {service.log_path}"
                    )
                    stopping = True
            time.sleep(0.5)
    finally:
        for service in reversed(services):
            service.stop()
        print("Stopped.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
