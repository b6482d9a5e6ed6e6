"""`make run`: the whole product on this machine, with embedded defaults.

Prepares the database, trains a model if none exists, then starts the action
server and the Rasa server (plus the web front ends registered in
`EXTRA_SERVICES`) and stops them all on Ctrl-C.
"""

from __future__ import annotations

import importlib
import os
import signal
import sys
import time

from smp.db import create_schema, session_scope
from smp.runtime import write_runtime_config
from smp.services import (
    PROJECT_ROOT,
    Service,
    action_server,
    latest_model,
    rasa_server,
    train_model,
)
from smp.settings import get_settings

LOG_DIR = PROJECT_ROOT / "var" / "log"


def _port(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


# Front ends started next to the assistant. Each module has a `service()`
# returning (Service, "line to print") or None when it is not set up.
EXTRA_SERVICE_MODULES = ("web.service", "console.service")


def _web_services() -> list[tuple[Service, str]]:
    """Front ends that exist in this checkout, with the line to print for each."""
    found: list[tuple[Service, str]] = []
    for module_name in EXTRA_SERVICE_MODULES:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError:
            continue
        made = module.service()
        if made is not None:
            found.append(made)
    return found


def prepare_database() -> None:
    """Create tables and load the clinic's answers if the database has none."""
    from smp import repository
    from smp.content import sync_content

    create_schema()
    with session_scope() as session:
        if not repository.list_answers(session):
            sync_content(session, get_settings().answers_file)
            print("Loaded the clinic's answers into the database.")


def main() -> int:
    settings = get_settings()
    prepare_database()
    endpoints, credentials = write_runtime_config()
    model = latest_model()
    if model is None:
        print("No trained model yet: training one (a few minutes)...")
        model = train_model()

    rasa_port = _port("RASA_PORT", 5005)
    actions_port = _port("ACTIONS_PORT", 5055)
    services = [
        action_server(actions_port, log=LOG_DIR / "actions.log"),
        rasa_server(
            rasa_port,
            token=settings.rasa_token,
            endpoints=endpoints,
            credentials=credentials,
            model=model,
            log=LOG_DIR / "rasa.log",
        ),
    ]
    extra = _web_services()
    services.extend(service for service, _ in extra)

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
        print(f"  HTTP API:   http://127.0.0.1:{rasa_port}/ (token: RASA_TOKEN)")
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
