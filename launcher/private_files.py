"""What the product writes to disk stays private to its owner.

- Every process the launcher starts runs with umask 077, and so does the
  launcher once `make run` starts: the SQLite database, its journal, the
  secrets and the generated config are created owner-only (mode 600).
  `keep_database_private` also closes up a database file made by an older
  release.
- A server's output goes to its log under `var/log/` through `PrivateLog`:
  created mode 600, rotated by size (`LOG_MAX_BYTES`, `LOG_BACKUPS` old files
  kept), and every line passes `redact` first, so an email address or phone
  number that reaches any log line (a library's error, a traceback) is
  masked before it is written. The code logs no visitor text in the first
  place (a failed message is logged as its length and a hash).
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import IO

from sqlalchemy.engine import make_url

from console.logs import redact
from smp.settings import get_settings

OWNER_ONLY_UMASK = 0o077
OWNER_ONLY = 0o600
# Longest line kept whole; longer output is split (and masked piece by piece).
MAX_LINE_BYTES = 64 * 1024
SQLITE_COMPANIONS = ("", "-journal", "-wal", "-shm")


def keep_database_private(database_url: str) -> None:
    """Make a SQLite database file and its journals owner-only, if they exist."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or not url.database:
        return
    for suffix in SQLITE_COMPANIONS:
        path = Path(url.database + suffix)
        if path.exists():
            path.chmod(OWNER_ONLY)


class PrivateLog:
    """An owner-only log file that rotates by size and masks contact details."""

    def __init__(
        self, path: Path, max_bytes: int | None = None, backups: int | None = None
    ) -> None:
        settings = get_settings()
        self.path = path
        self.max_bytes = max_bytes or settings.log_max_bytes
        self.backups = settings.log_backups if backups is None else backups
        self._lock = threading.Lock()
        path.parent.mkdir(parents=True, exist_ok=True)
        self._file = self._open()

    def _open(self) -> IO[bytes]:
        descriptor = os.open(
            self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, OWNER_ONLY
        )
        # A log made by an older release may be readable by others.
        os.fchmod(descriptor, OWNER_ONLY)
        return os.fdopen(descriptor, "ab")

    def _rotate(self) -> None:
        self._file.close()
        for number in range(self.backups - 1, 0, -1):
            older = self.path.with_name(f"{self.path.name}.{number}")
            if older.exists():
                older.replace(self.path.with_name(f"{self.path.name}.{number + 1}"))
        if self.backups:
            self.path.replace(self.path.with_name(f"{self.path.name}.1"))
        else:
            self.path.unlink()
        self._file = self._open()

    def write(self, text: str) -> None:
        """Append `text` with contact details masked, rotating first if full."""
        data = redact(text).encode("utf-8", "replace")
        with self._lock:
            if self._file.tell() and self._file.tell() + len(data) > self.max_bytes:
                self._rotate()
            self._file.write(data)
            self._file.flush()

    def close(self) -> None:
        with self._lock:
            self._file.close()


def copy_output(stream: IO[bytes], log: PrivateLog) -> None:
    """Write a child's output to `log` line by line until it closes."""
    try:
        while line := stream.readline(MAX_LINE_BYTES):
            log.write(line.decode("utf-8", "replace"))
    finally:
        stream.close()
        log.close()


def log_output_of(stream: IO[bytes], path: Path) -> threading.Thread:
    """Start copying a child's output into the private log at `path`."""
    copier = threading.Thread(
        target=copy_output, args=(stream, PrivateLog(path)), daemon=True
    )
    copier.start()
    return copier
