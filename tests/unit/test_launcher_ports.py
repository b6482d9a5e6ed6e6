"""The ports test stacks and clusters listen on: never one a client's
connection can take in the meantime, never one already held or handed out."""

from __future__ import annotations

import socket
import sys
from collections.abc import Iterator
from contextlib import ExitStack

import pytest

from launcher import testing
from launcher.services import Service
from launcher.testing import ephemeral_ports, free_port, listen_ports


@pytest.fixture()
def listener() -> Iterator[socket.socket]:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(64)
        yield server


def test_outgoing_connections_take_their_ports_from_the_range_free_port_avoids(
    listener: socket.socket,
):
    low, high = ephemeral_ports()
    with ExitStack() as stack:
        local_ports = set()
        for _ in range(40):
            client = stack.enter_context(socket.socket())
            client.connect(listener.getsockname())
            local_ports.add(client.getsockname()[1])
        # The kernel gives clients ports from the range read from /proc...
        assert all(low <= port <= high for port in local_ports)
        # ...and a port a client holds cannot be listened on: a server told
        # to use it would exit at start, as HAProxy did.
        held = next(iter(local_ports))
        with socket.socket() as server, pytest.raises(OSError):
            server.bind(("127.0.0.1", held))
        ports = [free_port() for _ in range(200)]
    assert not any(low <= port <= high for port in ports)
    assert len(set(ports)) == len(ports)


def test_every_port_handed_out_can_be_listened_on():
    for _ in range(20):
        port = free_port()
        with socket.socket() as server:
            server.bind(("127.0.0.1", port))
            server.listen(1)


def test_a_port_something_listens_on_is_skipped(monkeypatch, listener):
    held = listener.getsockname()[1]
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        other = probe.getsockname()[1]
    monkeypatch.setattr(testing, "listen_ports", lambda: [held, other])
    for _ in range(10):
        monkeypatch.setattr(testing, "_handed_out", set())
        assert free_port() == other


def test_with_every_port_taken_it_says_so_instead_of_looping(monkeypatch, listener):
    held = listener.getsockname()[1]
    monkeypatch.setattr(testing, "listen_ports", lambda: range(held, held + 1))
    monkeypatch.setattr(testing, "_handed_out", set())
    with pytest.raises(RuntimeError, match=f"no free port on 127.0.0.1 between {held}"):
        free_port()


def test_the_listen_range_lies_below_the_ephemeral_one_when_there_is_room():
    low, high = ephemeral_ports()
    ports = listen_ports()
    assert max(ports) < low or min(ports) > high
    assert len(ports) >= 1000


def test_a_server_that_cannot_listen_says_why_in_the_error(tmp_path, listener):
    """HAProxy on a taken port exits at once; the error carries its words."""
    held = listener.getsockname()[1]
    script = (
        "import socket, sys\n"
        "s = socket.socket()\n"
        "try:\n"
        f"    s.bind(('127.0.0.1', {held}))\n"
        "except OSError as e:\n"
        f"    print('cannot bind socket 127.0.0.1:{held}:', e.strerror, flush=True)\n"
        "    sys.exit(1)\n"
    )
    service = Service(
        name="proxy",
        command=[sys.executable, "-c", script],
        ready_url=f"http://127.0.0.1:{held}/",
        log_path=tmp_path / "proxy.log",
    ).start()
    with pytest.raises(RuntimeError) as raised:
        service.wait_ready(timeout=30)
    message = str(raised.value)
    assert message.startswith("proxy exited with code 1; see ")
    assert f"cannot bind socket 127.0.0.1:{held}: Address already in use" in message
