"""`make run` refuses to serve other machines with a secret left at its default.

Each test starts the real launcher (`python -m launcher.run`) configured to be
reachable from elsewhere; the refusal comes before it writes or binds
anything, so nothing here ever listens off loopback.
"""

from __future__ import annotations

import os
import re
import secrets
import signal
import socket
import subprocess
import sys

import pytest

from channels.registry import CHANNELS
from launcher.exposure import unsafe_exposure
from launcher.services import PROJECT_ROOT
from launcher.testing import free_port
from smp.settings import DEFAULT_RASA_TOKEN, Settings

pytestmark = pytest.mark.e2e

CORE_SECRETS = (
    "RASA_TOKEN",
    "SMP_SESSION_SECRET",
    "REST_API_TOKEN",
    "ACTIONS_SECRET",
    "CONSOLE_SECRET_KEY",
)
SETTINGS_READ = (
    *CORE_SECRETS,
    "CONSOLE_HOST",
    "RASA_PUBLIC_URL",
    "RASA_URL",
    "ACTIONS_URL",
    "WIDGET_ALLOWED_ORIGINS",
)


def strong() -> str:
    return secrets.token_hex(32)


def all_strong(but: str = "") -> dict[str, str]:
    """Every core secret set to a strong value, except `but`."""
    return {name: strong() for name in CORE_SECRETS if name != but}


def launch(
    tmp_path, extra: dict[str, str], module: str = "launcher.run"
) -> tuple[subprocess.CompletedProcess, int]:
    """Run a launcher with `extra` over a clean environment; return it and
    the console port it was given."""
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in SETTINGS_READ
        and not any(name in c.all_variables() for c in CHANNELS)
    }
    console_port = free_port()
    env.update(
        {
            "DATABASE_URL": f"sqlite:///{tmp_path / 'clinic.db'}",
            "RASA_PORT": str(free_port()),
            "ACTIONS_PORT": str(free_port()),
            "WEB_PORT": str(free_port()),
            "CONSOLE_PORT": str(console_port),
            **extra,
        }
    )
    process = subprocess.Popen(
        [sys.executable, "-m", module],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        stdout, stderr = process.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        # It did not refuse: stop it (and the servers it started) politely.
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=60)
    finished = subprocess.CompletedProcess(
        process.args, process.returncode, stdout, stderr
    )
    return finished, console_port


def named_variables(refusal: str) -> set[str]:
    return set(re.findall(r"^  - ([A-Z_]+) \(", refusal, re.MULTILINE))


def nothing_listens_on(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


WHATSAPP = {
    "WHATSAPP_ACCESS_TOKEN": strong(),
    "WHATSAPP_PHONE_NUMBER_ID": "123456789",
    "WHATSAPP_VERIFY_TOKEN": strong(),
}

CASES = {
    "console on every address, nothing set": (
        {"CONSOLE_HOST": "0.0.0.0"},  # noqa: S104 - never bound: refused first
        set(CORE_SECRETS),
    ),
    "public widget URL with the documented token": (
        {
            **all_strong(),
            "RASA_PUBLIC_URL": "https://chat.northgate-clinic.co.uk",
            "RASA_TOKEN": DEFAULT_RASA_TOKEN,
        },
        {"RASA_TOKEN"},
    ),
    "clinic site allowed, short session secret": (
        {
            **all_strong(),
            "WIDGET_ALLOWED_ORIGINS": "https://www.northgate-clinic.co.uk",
            "SMP_SESSION_SECRET": "hunter2",
        },
        {"SMP_SESSION_SECRET"},
    ),
    "action server elsewhere without its secret": (
        {
            **all_strong(but="ACTIONS_SECRET"),
            "ACTIONS_URL": "http://10.0.0.5:5055/webhook",
        },
        {"ACTIONS_SECRET"},
    ),
    "WhatsApp webhook with a placeholder app secret": (
        {**all_strong(), **WHATSAPP, "WHATSAPP_APP_SECRET": "change-me"},
        {"WHATSAPP_APP_SECRET"},
    ),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_the_launcher_refuses_and_names_each_variable_to_set(tmp_path, case):
    extra, expected = CASES[case]
    finished, console_port = launch(tmp_path, extra)
    assert finished.returncode != 0
    assert "Refusing to start" in finished.stderr
    assert named_variables(finished.stderr) == expected
    # Refused before anything was written or started.
    assert not (tmp_path / "clinic.db").exists()
    assert nothing_listens_on(console_port)


def test_the_cluster_launcher_refuses_the_same_way(tmp_path):
    extra, expected = CASES["console on every address, nothing set"]
    finished, console_port = launch(tmp_path, extra, module="launcher.cluster")
    assert finished.returncode != 0
    assert "Refusing to start" in finished.stderr
    assert named_variables(finished.stderr) == expected
    assert "Cluster ready" not in finished.stdout
    assert nothing_listens_on(console_port)


def test_a_configuration_on_this_machine_only_needs_no_secrets():
    assert unsafe_exposure(Settings.from_environment({})) is None


def test_every_secret_set_lets_an_exposed_configuration_start():
    env = {
        **all_strong(),
        **WHATSAPP,
        "WHATSAPP_APP_SECRET": strong(),
        "CONSOLE_HOST": "0.0.0.0",  # noqa: S104 - only read, never bound
        "RASA_PUBLIC_URL": "https://chat.northgate-clinic.co.uk",
    }
    assert unsafe_exposure(Settings.from_environment(env)) is None
