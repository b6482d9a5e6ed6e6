"""A TCP proxy on loopback that can drop the connections it accepts.

Put between the Rasa server and the action server, it plays a network or a
server that closes a connection before answering: each of the next `drops`
connections is closed as soon as the request arrives; the others are
forwarded both ways.
"""

from __future__ import annotations

import socket
import threading


class FlakyProxy:
    def __init__(self, port: int) -> None:
        self.port = port
        self.target: tuple[str, int] | None = None
        self.drops = 0
        self.dropped = 0
        self.forwarded = 0
        self._lock = threading.Lock()
        self._server = socket.create_server(("127.0.0.1", port))
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def start(self) -> FlakyProxy:
        self._thread.start()
        return self

    def close(self) -> None:
        self._server.close()

    def drop_next(self, count: int) -> None:
        with self._lock:
            self.drops, self.dropped, self.forwarded = count, 0, 0

    def _serve(self) -> None:
        while True:
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            threading.Thread(target=self._handle, args=(client,), daemon=True).start()

    def _handle(self, client: socket.socket) -> None:
        with self._lock:
            drop = self.drops > 0
            if drop:
                self.drops -= 1
                self.dropped += 1
            else:
                self.forwarded += 1
        upstream = None
        if not drop and self.target is not None:
            try:
                upstream = socket.create_connection(self.target)
            except OSError:
                upstream = None  # the server is down: close, as a dead one would
        if upstream is None:
            client.recv(65536)
            client.close()
            return
        threading.Thread(target=_pump, args=(upstream, client), daemon=True).start()
        _pump(client, upstream)


def _pump(source: socket.socket, sink: socket.socket) -> None:
    try:
        while chunk := source.recv(65536):
            sink.sendall(chunk)
    except OSError:
        pass
    finally:
        for end in (source, sink):
            try:
                end.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
