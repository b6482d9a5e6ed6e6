"""A throw-away PostgreSQL server for the tests.

Debian's server binaries (`/usr/lib/postgresql/<version>/bin`, package
`postgresql`, installed by `make system-deps`) run as an unprivileged local
process: the cluster's files live in a temporary folder, the server listens on
a free loopback port only (no Unix socket), trusts local connections and is
stopped and deleted afterwards. `initdb` refuses to run as root, so as root the
server runs as the `postgres` system user the package creates.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg2
from psycopg2 import sql

from launcher import postgres
from launcher.postgres import SERVER_BINARIES
from launcher.testing import free_port

SUPERUSER = "smp_test"
# What a throw-away cluster can do without: durability and background work.
SERVER_OPTIONS = (
    "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
    "-c max_connections=60 -c shared_buffers=16MB -c autovacuum=off"
)


def find_server_binaries() -> Path | None:
    """The newest installed PostgreSQL's bin folder with initdb and pg_ctl."""
    return postgres.find_server_binaries(SERVER_BINARIES)


@dataclass
class PostgresCluster:
    """A running throw-away server: URLs and databases on it."""

    port: int
    data_dir: Path
    host: str = "127.0.0.1"
    user: str = SUPERUSER

    def url(self, database: str = "postgres") -> str:
        """SQLAlchemy URL of `database` on this server."""
        return f"postgresql://{self.user}@{self.host}:{self.port}/{database}"

    def _admin(self, statement: sql.Composable) -> None:
        # CREATE and DROP DATABASE cannot run inside a transaction.
        connection = psycopg2.connect(
            host=self.host, port=self.port, user=self.user, dbname="postgres"
        )
        try:
            connection.autocommit = True
            with connection.cursor() as cursor:
                cursor.execute(statement)
        finally:
            connection.close()

    def create_database(self, name: str, template: str | None = None) -> str:
        """Create an empty database (or a copy of `template`); return its URL."""
        statement = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if template:
            statement = sql.SQL("{} TEMPLATE {}").format(
                statement, sql.Identifier(template)
            )
        self._admin(statement)
        return self.url(name)

    def drop_database(self, name: str) -> None:
        """Drop a database, ending any connection still open to it."""
        self._admin(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(name)
            )
        )


@contextmanager
def running_cluster(bin_dir: Path) -> Iterator[PostgresCluster]:
    """Initialise and start a cluster in a temporary folder; stop and delete it."""
    _, uid, gid = postgres.server_account()
    root = Path(tempfile.mkdtemp(prefix="smp-postgres-"))
    if uid is not None and gid is not None:
        os.chown(root, uid, gid)
    data_dir, log_file = root / "data", root / "server.log"
    port = free_port()

    def run(*command: str) -> None:
        postgres.run_as_server_account(list(command), cwd=root, log=log_file)

    started = False
    try:
        run(
            str(bin_dir / "initdb"),
            "--pgdata",
            str(data_dir),
            "--username",
            SUPERUSER,
            "--auth",
            "trust",
            "--encoding",
            "UTF8",
            "--locale",
            "C",
            "--no-sync",
        )
        options = (
            f"-c listen_addresses=127.0.0.1 -c port={port} "
            f"-c unix_socket_directories='' {SERVER_OPTIONS}"
        )
        run(
            str(bin_dir / "pg_ctl"),
            "start",
            "--pgdata",
            str(data_dir),
            "--log",
            str(log_file),
            "--wait",
            "--timeout",
            "60",
            "-o",
            options,
        )
        started = True
        yield PostgresCluster(port=port, data_dir=data_dir)
    finally:
        if started:
            run(
                str(bin_dir / "pg_ctl"),
                "stop",
                "--pgdata",
                str(data_dir),
                "--mode",
                "fast",
                "--wait",
            )
        shutil.rmtree(root, ignore_errors=True)
