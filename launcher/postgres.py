"""Debian's PostgreSQL server run as an unprivileged local process.

The `postgresql` package installs the server binaries under
`/usr/lib/postgresql/<version>/bin`; nothing here uses the system service.
`initdb` and the server refuse to run as root, so as root they run as the
`postgres` system user the package creates. Used by `make cluster` (data under
var/cluster) and by the tests' throw-away server.
"""

from __future__ import annotations

import os
import pwd
import subprocess
from pathlib import Path

import psycopg2

from launcher.services import Service

SERVER_BINARIES = Path("/usr/lib/postgresql")


def find_server_binaries(root: Path = SERVER_BINARIES) -> Path | None:
    """The newest installed PostgreSQL's bin folder with initdb and pg_ctl."""
    candidates = [
        path / "bin"
        for path in root.glob("*")
        if (path / "bin" / "initdb").is_file() and (path / "bin" / "pg_ctl").is_file()
    ]
    if not candidates:
        return None
    return max(candidates, key=lambda bin_dir: _version_key(bin_dir.parent.name))


def _version_key(name: str) -> tuple[int, ...]:
    return tuple(int(part) for part in name.split(".") if part.isdigit())


def server_account() -> tuple[str | None, int | None, int | None]:
    """(user, uid, gid) to run the server as: the `postgres` user when root."""
    if os.geteuid() != 0:
        return None, None, None
    try:
        account = pwd.getpwnam("postgres")
    except KeyError as missing:
        raise RuntimeError(
            "Running as root, and there is no `postgres` user to run PostgreSQL "
            "as: reinstall Debian's postgresql package"
        ) from missing
    return account.pw_name, account.pw_uid, account.pw_gid


def hand_over(path: Path) -> None:
    """Give `path` to the account the server runs as (when that is not us)."""
    _, uid, gid = server_account()
    if uid is not None and gid is not None:
        os.chown(path, uid, gid)


def run_as_server_account(
    command: list[str], cwd: Path, log: Path | None = None
) -> None:
    """Run a PostgreSQL tool as the server's account; raise with its output
    (and the server's `log`, if there is one)."""
    user, _, _ = server_account()
    completed = subprocess.run(
        command,
        cwd=cwd,
        user=user,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if completed.returncode != 0:
        server_log = log.read_text() if log is not None and log.exists() else ""
        raise RuntimeError(
            f"{' '.join(command)} failed:\n{completed.stdout}{completed.stderr}"
            f"{server_log}"
        )


def accepts_connections(url: str) -> bool:
    """Whether the server at `url` (a libpq URL) takes a connection now."""
    try:
        psycopg2.connect(url, connect_timeout=2).close()
    except psycopg2.OperationalError:
        return False
    return True


def initialise(
    bin_dir: Path, data_dir: Path, superuser: str, password_file: Path
) -> None:
    """`initdb` a new cluster in `data_dir` with a password-protected superuser."""
    data_dir.mkdir(parents=True, exist_ok=True)
    hand_over(data_dir)
    hand_over(password_file)
    run_as_server_account(
        [
            str(bin_dir / "initdb"),
            "--pgdata",
            str(data_dir),
            "--username",
            superuser,
            "--pwfile",
            str(password_file),
            "--auth-host",
            "scram-sha-256",
            "--auth-local",
            "peer",
            "--encoding",
            "UTF8",
            "--locale",
            "C",
        ],
        cwd=data_dir.parent,
    )


def server(
    bin_dir: Path,
    data_dir: Path,
    port: int,
    log: Path,
    probe_url: str,
    options: tuple[str, ...] = (),
) -> Service:
    """The server in the foreground, on loopback only, as a `Service`.

    It is ready when `probe_url` (a database on it) takes a connection.
    """
    user, _, _ = server_account()
    command = [
        str(bin_dir / "postgres"),
        "-D",
        str(data_dir),
        "-c",
        "listen_addresses=127.0.0.1",
        "-c",
        f"port={port}",
        "-c",
        "unix_socket_directories=",
        *options,
    ]
    if user is not None:
        command = ["runuser", "-u", user, "--", *command]
    return Service(
        name="PostgreSQL",
        command=command,
        ready_url=f"postgresql://127.0.0.1:{port}",
        log_path=log,
        ready_probe=lambda: accepts_connections(probe_url),
    )
