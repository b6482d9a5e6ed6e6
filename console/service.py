"""The console as one of the processes `make run` starts (see smp/run.py)."""

from __future__ import annotations

import os
import sys

from smp.services import PROJECT_ROOT, Service

LOG_PATH = PROJECT_ROOT / "var" / "log" / "console.log"


def service() -> tuple[Service, str]:
    """The console process and the line `make run` prints for it."""
    port = int(os.environ.get("CONSOLE_PORT", "8001"))
    return (
        Service(
            name="staff console",
            command=[sys.executable, "-m", "console"],
            ready_url=f"http://127.0.0.1:{port}/login",
            env={"CONSOLE_PORT": str(port)},
            log_path=LOG_PATH,
        ),
        f"Staff console: http://127.0.0.1:{port}/",
    )
