"""`make shell` starts the action server `make run` starts, and the shell's Rasa
server calls it with the shared secret, so actions run in the terminal chat."""

from __future__ import annotations

import re
import socket
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import yaml

from launcher.services import PROJECT_ROOT
from launcher.shell import shell_plan
from launcher.testing import free_port
from smp.secrets import ACTIONS_SECRET_HEADER
from smp.settings import (
    SHELL_ACTIONS_PORT,
    SHELL_RASA_PORT,
    Settings,
    shell_settings,
)

SECRET = "shell-secret-0123456789abcdef"  # noqa: S105


def plan_for(tmp_path: Path, **env: str):
    settings = Settings.from_environment(
        {"DATABASE_URL": f"sqlite:///{tmp_path / 'clinic.db'}", **env}
    )
    return shell_plan(
        settings,
        directory=tmp_path,
        model=tmp_path / "model.tar.gz",
        token="shell-token",  # noqa: S106
        secret=SECRET,
    )


def action_endpoint(plan) -> dict:
    return yaml.safe_load(plan.endpoints.read_text())["action_endpoint"]


def option(command: list[str], name: str) -> str:
    return command[command.index(name) + 1]


def test_the_shell_sends_the_secret_its_action_server_checks(tmp_path):
    plan = plan_for(tmp_path, ACTIONS_PORT="5099")
    assert action_endpoint(plan)["headers"] == {ACTIONS_SECRET_HEADER: SECRET}
    assert action_endpoint(plan)["url"] == "http://127.0.0.1:5099/webhook"
    assert plan.action_server.env["ACTIONS_SECRET"] == SECRET
    assert option(plan.command, "--endpoints") == str(plan.endpoints)


def test_the_shell_runs_the_hardened_action_server_and_rasas_shell(tmp_path):
    plan = plan_for(tmp_path)
    assert plan.action_server.command[1:3] == ["-m", "actions.server"]
    assert plan.command[1:4] == ["-m", "launcher.rasa_main", "shell"]


def test_the_shells_rasa_server_serves_the_api_the_actions_call(tmp_path):
    plan = plan_for(tmp_path, RASA_PORT="5098")
    assert "--enable-api" in plan.command
    assert option(plan.command, "--auth-token") == plan.env["RASA_TOKEN"]
    assert option(plan.command, "--port") == "5098"
    assert plan.action_server.env["RASA_URL"] == "http://127.0.0.1:5098"


def test_make_shell_goes_through_the_launcher():
    makefile = (PROJECT_ROOT / "Makefile").read_text(encoding="utf-8")
    recipe = re.search(r"^shell:.*\n((?:\t.*\n)+)", makefile, re.MULTILINE)
    assert recipe is not None
    assert "-m launcher.shell" in recipe.group(1)
    assert "run actions" not in recipe.group(1)


def call_actions(url: str, headers: dict[str, str]) -> int:
    request = urllib.request.Request(f"{url}/actions", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return int(response.status)
    except urllib.error.HTTPError as refused:
        return refused.code


@pytest.mark.e2e
def test_the_shells_action_server_accepts_the_shells_calls_only(tmp_path):
    plan = plan_for(tmp_path, ACTIONS_PORT=str(free_port()))
    endpoint = action_endpoint(plan)
    base = endpoint["url"].removesuffix("/webhook")
    server = plan.action_server.start()
    try:
        server.wait_ready(timeout=120)
        assert call_actions(base, endpoint["headers"]) == 200
        assert call_actions(base, {}) == 401
    finally:
        server.stop()


def test_the_shell_has_ports_of_its_own_beside_make_run(tmp_path):
    run = Settings.from_environment({})
    # `make run`'s addresses in the environment are not the shell's.
    environ = {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'clinic.db'}",
        "RASA_URL": f"http://127.0.0.1:{run.rasa_port}",
        "ACTIONS_URL": f"http://127.0.0.1:{run.actions_port}/webhook",
    }
    settings = shell_settings(environ)
    assert (settings.rasa_port, settings.actions_port) == (
        SHELL_RASA_PORT,
        SHELL_ACTIONS_PORT,
    )
    assert {settings.rasa_port, settings.actions_port}.isdisjoint(
        {run.rasa_port, run.actions_port}
    )
    plan = shell_plan(
        settings,
        directory=tmp_path,
        model=tmp_path / "model.tar.gz",
        token="shell-token",  # noqa: S106
        secret=SECRET,
    )
    assert option(plan.command, "--port") == str(SHELL_RASA_PORT)
    assert plan.env["RASA_URL"] == f"http://127.0.0.1:{SHELL_RASA_PORT}"
    assert action_endpoint(plan)["url"] == (
        f"http://127.0.0.1:{SHELL_ACTIONS_PORT}/webhook"
    )


def test_the_shells_ports_can_be_chosen():
    settings = shell_settings({"SHELL_RASA_PORT": "6105", "SHELL_ACTIONS_PORT": "6155"})
    assert (settings.rasa_port, settings.actions_port) == (6105, 6155)
    assert settings.rasa_url == "http://127.0.0.1:6105"


@pytest.mark.e2e
def test_the_shells_action_server_starts_while_make_runs_holds_its_port(tmp_path):
    with socket.socket() as run_actions:
        # `make run`'s action server, holding its port.
        run_actions.bind(("127.0.0.1", free_port()))
        run_actions.listen(1)
        held = run_actions.getsockname()[1]
        shell_port = free_port()
        settings = shell_settings(
            {
                "DATABASE_URL": f"sqlite:///{tmp_path / 'clinic.db'}",
                "ACTIONS_PORT": str(held),
                "SHELL_ACTIONS_PORT": str(shell_port),
            }
        )
        plan = shell_plan(
            settings,
            directory=tmp_path,
            model=tmp_path / "model.tar.gz",
            token="shell-token",  # noqa: S106
            secret=SECRET,
        )
        endpoint = action_endpoint(plan)
        assert endpoint["url"] == f"http://127.0.0.1:{shell_port}/webhook"
        server = plan.action_server.start()
        try:
            server.wait_ready(timeout=120)
            base = endpoint["url"].removesuffix("/webhook")
            assert call_actions(base, endpoint["headers"]) == 200
        finally:
            server.stop()
