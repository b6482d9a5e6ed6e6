"""One real cluster for the fault tests: two Rasa servers and two action
servers behind HAProxy, PostgreSQL and Redis, all on loopback, in a temporary
folder with secrets of their own."""

from __future__ import annotations

import secrets
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from launcher.cluster import Cluster, running_cluster
from launcher.testing import free_port

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="session")
def cluster() -> Iterator[Cluster]:
    # Not under pytest's own temporary folder: PostgreSQL's account must be
    # able to reach the data, and pytest's folder is private to this user.
    root = Path(tempfile.mkdtemp(prefix="smp-test-cluster-"))
    env = {
        "RASA_TOKEN": secrets.token_hex(32),
        "REST_API_TOKEN": secrets.token_hex(32),
        "SMP_SESSION_SECRET": secrets.token_hex(32),
        "ACTIONS_SECRET": secrets.token_hex(32),
        # Every test visitor arrives from this machine through the proxy.
        "RATE_LIMIT_ADDRESS_MESSAGES": "100000",
    }
    try:
        with running_cluster(
            root,
            servers=2,
            public_port=free_port(),
            console_port=free_port(),
            env=env,
        ) as running:
            yield running
    finally:
        logs = Path("test-artifacts/logs/cluster")
        shutil.rmtree(logs, ignore_errors=True)
        if (root / "log").exists():
            shutil.copytree(root / "log", logs)
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def restarts(cluster: Cluster) -> Iterator[list[str]]:
    """Processes a test stops; they are started again after it."""
    stopped: list[str] = []
    yield stopped
    for name in stopped:
        service = cluster.services[name]
        if service.process is None or service.process.poll() is not None:
            cluster.start(name)
