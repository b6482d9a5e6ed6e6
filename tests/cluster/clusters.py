"""Real clusters on loopback for the tests: Rasa servers and action servers
behind HAProxy, PostgreSQL and Redis, in a temporary folder with secrets of
their own."""

from __future__ import annotations

import secrets
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from launcher.cluster import Cluster, running_cluster
from launcher.testing import free_port


@contextmanager
def temporary_cluster(servers: int, logs: str) -> Iterator[Cluster]:
    """A cluster of `servers` Rasa servers; its logs end in test-artifacts/."""
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
            servers=servers,
            public_port=free_port(),
            console_port=free_port(),
            env=env,
        ) as running:
            yield running
    finally:
        kept = Path("test-artifacts/logs") / logs
        shutil.rmtree(kept, ignore_errors=True)
        if (root / "log").exists():
            shutil.copytree(root / "log", kept)
        shutil.rmtree(root, ignore_errors=True)
