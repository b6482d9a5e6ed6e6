"""The two-server cluster the fault tests share, and restarting what a test
stopped."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from clusters import temporary_cluster

from launcher.cluster import Cluster

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="session")
def cluster() -> Iterator[Cluster]:
    """Two Rasa servers, shared by the fault tests."""
    with temporary_cluster(2, "cluster") as running:
        yield running


@pytest.fixture
def restarts(cluster: Cluster) -> Iterator[list[str]]:
    """Processes a test stops; they are started again after it."""
    stopped: list[str] = []
    yield stopped
    for name in stopped:
        service = cluster.services[name]
        if service.process is None or service.process.poll() is not None:
            cluster.start(name)
