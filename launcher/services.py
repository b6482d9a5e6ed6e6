"""Starting and stopping the product's processes.

`make run`, the end-to-end tests and the benchmark all start the servers
through these functions, so the tests exercise exactly what a clinic runs.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from launcher.private_files import OWNER_ONLY_UMASK, log_output_of
from smp.settings import LOOPBACK, PROJECT_ROOT, Settings, get_settings
from web.server import VENDOR_DIR, vendor_ready

VENV_BIN = Path(sys.executable).parent
MODELS_DIR = PROJECT_ROOT / "models"


def quiet_environment(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment for child processes: no telemetry, quieter TensorFlow."""
    env = dict(os.environ)
    env.setdefault("RASA_TELEMETRY_ENABLED", "false")
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    env.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
    env.setdefault("PYTHONUNBUFFERED", "1")
    env.update(extra or {})
    return env


@dataclass
class Service:
    """A child process and the URL that answers once it is ready."""

    name: str
    command: Sequence[str]
    ready_url: str
    env: dict[str, str] = field(default_factory=dict)
    log_path: Path | None = None
    process: subprocess.Popen | None = None
    # Readiness of a server that speaks no HTTP (PostgreSQL, Redis): replaces
    # the `ready_url` request.
    ready_probe: Callable[[], bool] | None = None

    def start(self) -> Service:
        logged = self.log_path is not None
        self.process = subprocess.Popen(
            list(self.command),
            cwd=PROJECT_ROOT,
            env=quiet_environment(self.env),
            stdout=subprocess.PIPE if logged else None,
            stderr=subprocess.STDOUT if logged else None,
            start_new_session=True,
            # What it creates (a database, secrets, files) is owner-only.
            umask=OWNER_ONLY_UMASK,
        )
        # Its log is owner-only, rotated and masked (launcher/private_files.py).
        self._output = (
            log_output_of(self.process.stdout, self.log_path)
            if self.log_path is not None and self.process.stdout is not None
            else None
        )
        return self

    def wait_ready(self, timeout: float = 240.0) -> None:
        """Block until `ready_url` answers 200, or raise if the process died."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(self._exit_report())
            if self.is_ready():
                return
            time.sleep(0.5)
        raise TimeoutError(f"{self.name} was not ready within {timeout:.0f}s")

    def _exit_report(self, lines: int = 5) -> str:
        """Why a process ended at start: its exit code and its last words."""
        report = f"{self.name} exited with code {self.process.returncode}"
        if self.log_path is None:
            return report
        self._close_output()
        try:
            said = self.log_path.read_text(errors="replace").strip().splitlines()
        except OSError:
            said = []
        tail = "".join(f"\n  {line}" for line in said[-lines:])
        return f"{report}; see {self.log_path}{tail}"

    def is_ready(self) -> bool:
        """Whether the server answers now."""
        if self.ready_probe is not None:
            return self.ready_probe()
        try:
            with urllib.request.urlopen(self.ready_url, timeout=2) as response:  # noqa: S310
                return bool(response.status == 200)
        except (urllib.error.URLError, OSError):
            return False

    def stop(self, timeout: float = 15.0) -> None:
        """Stop the process group politely, then forcefully."""
        if self.process is None or self.process.poll() is not None:
            self._close_output()
            return
        try:
            os.killpg(self.process.pid, signal.SIGINT)
            self.process.wait(timeout=timeout)
        except (subprocess.TimeoutExpired, ProcessLookupError):
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.process.wait(timeout=5)
        self._close_output()

    def _close_output(self) -> None:
        output = getattr(self, "_output", None)
        if output is not None:
            # The copy ends when the process group has closed its output.
            output.join(timeout=10)
            self._output = None


def latest_model() -> Path | None:
    """The newest trained model in models/, if any."""
    models = sorted(MODELS_DIR.glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
    return models[-1] if models else None


def action_server(
    port: int, env: dict[str, str] | None = None, log: Path | None = None
) -> Service:
    """The action server (rasa-sdk's, refusing calls without the shared
    secret, see actions/server.py) that runs the package `actions`, on loopback."""
    return Service(
        name="action server",
        command=[sys.executable, "-m", "actions.server", "--port", str(port)],
        ready_url=f"http://{LOOPBACK}:{port}/health",
        env=env or {},
        log_path=log,
    )


def rasa_server(
    port: int,
    *,
    token: str,
    endpoints: Path,
    credentials: Path,
    model: Path | None = None,
    env: dict[str, str] | None = None,
    log: Path | None = None,
    cors_origins: Sequence[str] | None = None,
) -> Service:
    """The Rasa server: REST and socket.io channels and the token-protected HTTP API.

    Browsers may call it only from `cors_origins` (default: the settings'
    `WIDGET_ALLOWED_ORIGINS`); the channels refuse every other origin.
    """
    origins = list(
        get_settings().widget_allowed_origins if cors_origins is None else cors_origins
    )
    return Service(
        name="Rasa server",
        command=[
            # `rasa run` with the action server's answers checked more cheaply.
            sys.executable,
            "-m",
            "launcher.rasa_main",
            "run",
            "--enable-api",
            "--auth-token",
            token,
            *(["--cors", *origins] if origins else []),
            "--interface",
            "127.0.0.1",
            "--port",
            str(port),
            "--endpoints",
            str(endpoints),
            "--credentials",
            str(credentials),
            "--model",
            str(model or MODELS_DIR),
        ],
        ready_url=f"http://127.0.0.1:{port}/",
        env=env or {},
        log_path=log,
    )


def web_server(port: int, rasa_public_url: str, log: Path | None = None) -> Service:
    """The demo site and widget files on loopback, chatting with Rasa."""
    return Service(
        name="web server",
        command=[sys.executable, "-m", "web.server"],
        ready_url=f"http://{LOOPBACK}:{port}/healthz",
        env={"WEB_PORT": str(port), "RASA_PUBLIC_URL": rasa_public_url},
        log_path=log,
    )


def console_server(port: int, log: Path | None = None) -> Service:
    """The staff console on loopback."""
    return Service(
        name="staff console",
        command=[sys.executable, "-m", "console"],
        ready_url=f"http://{LOOPBACK}:{port}/login",
        env={"CONSOLE_PORT": str(port)},
        log_path=log,
    )


def front_ends(settings: Settings, log_dir: Path) -> list[tuple[Service, str]]:
    """The web server (once the widget is installed) and the staff console.

    Each comes with the line `make run` prints for it.
    """
    found: list[tuple[Service, str]] = []
    if vendor_ready():
        found.append(
            (
                web_server(
                    settings.web_port, settings.rasa_public_url, log_dir / "web.log"
                ),
                f"Demo clinic page: http://{LOOPBACK}:{settings.web_port}/",
            )
        )
    else:
        print(f"Chat widget not installed ({VENDOR_DIR} is empty): run `make install`.")
    port = settings.console.port
    found.append(
        (
            console_server(port, log_dir / "console.log"),
            f"Staff console: http://{LOOPBACK}:{port}/",
        )
    )
    return found


def train_model(
    out: Path = MODELS_DIR,
    fixed_name: str = "smp-assistant",
    env: dict[str, str] | None = None,
) -> Path:
    """Train NLU and dialogue (`make train`); returns the model file."""
    subprocess.run(
        [
            sys.executable,
            "-m",
            "launcher.train",
            "--out",
            str(out),
            "--fixed-model-name",
            fixed_name,
        ],
        cwd=PROJECT_ROOT,
        env=quiet_environment(env),
        check=True,
    )
    return out / f"{fixed_name}.tar.gz"
