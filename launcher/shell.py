"""`make shell`: chat with the assistant in the terminal, actions included.

The terminal chat runs the same action server `make run` starts, which refuses
every call without the shared secret (actions/server.py), and gives Rasa's
shell the same runtime endpoints `make run` writes: the action endpoint
carries the secret in `X-Actions-Secret` and the conversations go to
`DATABASE_URL`. The shell's Rasa server also serves the token-protected HTTP
API, which the action server asks to read many-question messages.
"""

from __future__ import annotations

import argparse
import dataclasses
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from launcher.exposure import refuse_unsafe_exposure
from launcher.run import http_api_token, prepare_database
from launcher.runtime import write_runtime_config
from launcher.services import (
    MODELS_DIR,
    PROJECT_ROOT,
    Service,
    action_server,
    quiet_environment,
)
from smp.secrets import actions_secret
from smp.settings import Settings, shell_settings

SHELL_DIR = PROJECT_ROOT / "var" / "shell"
DEFAULT_MODEL = MODELS_DIR / "smp-assistant.tar.gz"
ACTIONS_LOG = PROJECT_ROOT / "var" / "log" / "actions-shell.log"


@dataclass(frozen=True)
class ShellPlan:
    """The action server to start, then the shell to run in the foreground."""

    action_server: Service
    command: list[str]
    env: dict[str, str]
    endpoints: Path


def shell_plan(
    settings: Settings,
    *,
    directory: Path,
    model: Path,
    token: str,
    secret: str,
    log: Path | None = None,
) -> ShellPlan:
    """The processes of `make shell`, sharing `secret` and the HTTP API `token`.

    The endpoints written into `directory` send `secret` on every action call,
    and the action server is started with the same secret to check.
    """
    settings = dataclasses.replace(settings, actions_secret=secret)
    endpoints, _ = write_runtime_config(directory, settings)
    env = {
        "ACTIONS_SECRET": secret,
        "RASA_TOKEN": token,
        "RASA_URL": settings.rasa_url,
        "DATABASE_URL": settings.database_url,
    }
    command = [
        sys.executable,
        "-m",
        "launcher.rasa_main",
        "shell",
        "--model",
        str(model),
        "--endpoints",
        str(endpoints),
        "--enable-api",
        "--auth-token",
        token,
        "--interface",
        "127.0.0.1",
        "--port",
        str(settings.rasa_port),
    ]
    return ShellPlan(
        action_server=action_server(settings.actions_port, env=env, log=log),
        command=command,
        env=env,
        endpoints=endpoints,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL)
    arguments = parser.parse_args(argv)
    settings = shell_settings()
    refuse_unsafe_exposure(settings)
    prepare_database()
    plan = shell_plan(
        settings,
        directory=SHELL_DIR,
        model=arguments.model,
        token=http_api_token(settings),
        secret=actions_secret(settings.actions_secret),
        log=ACTIONS_LOG,
    )
    actions = plan.action_server.start()
    try:
        actions.wait_ready()
        shell = subprocess.run(  # noqa: S603 - our own interpreter and arguments
            plan.command, cwd=PROJECT_ROOT, env=quiet_environment(plan.env), check=False
        )
        return shell.returncode
    except KeyboardInterrupt:
        return 130
    finally:
        actions.stop()


if __name__ == "__main__":
    sys.exit(main())
