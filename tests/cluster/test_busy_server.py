"""A busy Rasa server is not a dead one: HAProxy queues the messages a server
cannot take yet instead of refusing them, keeps a slow server in, and says
clearly when no server is left. (`make test-cluster`.)"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import pytest
from cluster_visitor import REST_PATH, Visitor
from clusters import temporary_cluster

from launcher.cluster import SERVER_MAXCONN, Cluster, _haproxy_config

QUESTIONS = ("does it hurt?", "how much does it cost", "how long does it last")
# The burst: more visitors at once than a server takes (SERVER_MAXCONN), each
# sending as soon as answered, against a server slowed to about a quarter of
# its speed. All of them inside the server at once, as before the queue, hold
# its health check up past HAProxy's limit and it is taken out (503s).
BURST_VISITORS = 60
BURST_SECONDS = 40
RUNS_MS, STOPPED_MS = 40, 120


def sections(config: str) -> dict[str, list[str]]:
    """HAProxy's configuration as {"backend rasa": [its lines], ...}."""
    found: dict[str, list[str]] = {}
    current: list[str] = []
    for line in config.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not line.startswith(" "):
            current = found.setdefault(line.strip(), [])
        else:
            current.append(line.strip())
    return found


def test_the_balancer_queues_messages_a_server_cannot_take_yet_rather_than_refusing_them(
    tmp_path: Path,
):
    config = _haproxy_config(18080, 18081, [15005, 15006], 18000, 18001)
    parts = sections(config)
    rasa = parts["backend rasa"]
    servers = [line for line in rasa if line.startswith("server ")]

    assert len(servers) == 2
    for server in servers:
        words = server.split()
        # A limit per server, so the rest wait in HAProxy's queue...
        assert int(words[words.index("maxconn") + 1]) == SERVER_MAXCONN
        # ...and a check that a dead server fails at once (refused) while a
        # busy one has time to answer.
        assert "check" in words
        assert words[words.index("observe") + 1] == "layer4"
    timeouts = {
        line.split()[1]: line.split()[2]
        for line in parts["defaults"]
        if line.startswith("timeout ")
    }
    assert int(timeouts["queue"].rstrip("s")) >= 30
    assert int(timeouts["check"].rstrip("s")) >= 20
    # No server left: a 503 that says what to do, in the REST channel's shape.
    error = next(line for line in rasa if line.startswith("http-error status 503"))
    body = json.loads(error.split("string '", 1)[1].split("'", 1)[0])
    assert body["error"] == "unavailable" and "send it again" in body["reason"]
    assert "hdr Retry-After" in error
    # socket.io's long-lived connections do not take messages' places.
    sockets = parts["backend rasa_sockets"]
    assert all(
        "maxconn" not in line and "track rasa/" in line
        for line in sockets
        if line.startswith("server ")
    )
    if shutil.which("haproxy"):
        path = tmp_path / "haproxy.cfg"
        path.write_text(config)
        checked = subprocess.run(
            ["haproxy", "-c", "-f", str(path)], capture_output=True, text=True
        )
        assert checked.returncode == 0, checked.stdout + checked.stderr


@pytest.fixture(scope="module")
def one_server() -> Iterator[Cluster]:
    with temporary_cluster(1, "cluster-one-server") as running:
        yield running


@contextmanager
def slowed(pid: int, runs_ms: int = RUNS_MS, stopped_ms: int = STOPPED_MS):
    """The process runs `runs_ms` out of every `runs_ms + stopped_ms`: a
    server on a machine several times slower."""
    done = threading.Event()

    def cycle() -> None:
        while not done.is_set():
            os.killpg(pid, signal.SIGSTOP)
            time.sleep(stopped_ms / 1000)
            os.killpg(pid, signal.SIGCONT)
            time.sleep(runs_ms / 1000)

    thread = threading.Thread(target=cycle, daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join()
        os.killpg(pid, signal.SIGCONT)


def burst(cluster: Cluster, visitors: int, seconds: float) -> Counter[int]:
    """`visitors` at once, each sending again as soon as answered (a new
    conversation every three messages); the statuses answered."""
    deadline = time.monotonic() + seconds

    def visitor_loop(_index: int) -> list[int]:
        statuses: list[int] = []
        while time.monotonic() < deadline:
            visitor = Visitor(cluster, "burst")
            for question in QUESTIONS:
                status, _body = visitor.post(question, timeout=150)
                statuses.append(status)
                if time.monotonic() >= deadline:
                    break
        return statuses

    with ThreadPoolExecutor(max_workers=visitors) as pool:
        return Counter(
            status
            for statuses in pool.map(visitor_loop, range(visitors))
            for status in statuses
        )


def test_a_slowed_single_server_under_a_burst_answers_every_message(
    one_server: Cluster,
):
    with slowed(one_server.pid("rasa-1")):
        statuses = burst(one_server, BURST_VISITORS, BURST_SECONDS)

    assert statuses and set(statuses) == {200}, statuses
    log = one_server.services["haproxy"].log_path
    assert log is not None
    assert "is DOWN" not in log.read_text()


def test_with_no_server_left_the_balancer_answers_a_clear_503(one_server: Cluster):
    # Last in this module: the cluster is stopped after it.
    one_server.kill("rasa-1")
    request = urllib.request.Request(
        one_server.public_url + REST_PATH,
        data=json.dumps({"sender": "nobody-left", "message": "hello"}).encode(),
        headers={
            "Content-Type": "application/json",
            "Authorization": f"Bearer {one_server.rest_token}",
        },
        method="POST",
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=30)  # noqa: S310

    assert refused.value.code == 503
    assert refused.value.headers["Retry-After"] == "10"
    assert refused.value.headers["Content-Type"] == "application/json"
    body = json.loads(refused.value.read())
    assert body["error"] == "unavailable"
    assert "send it again" in body["reason"]
