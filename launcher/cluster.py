"""`make cluster`: several Rasa and action servers behind HAProxy, on one machine.

What starts, all on loopback and as local processes (no system services):

- PostgreSQL (Debian's binaries, data in `<root>/postgres`): answers, requests,
  staff accounts and every Rasa server's conversations (the SQL tracker store);
- Redis (`<root>/redis`): the lock store, so that two servers never process
  one conversation's messages at once, and the channels' shared rate limits;
- N Rasa servers, each with its own action server;
- the demo site and the staff console;
- HAProxy in front: the chat's public port sends socket.io, the REST channel
  and the HTTP API to the Rasa servers (round robin, sticky by cookie so a
  socket.io session's polling requests stay on the server that holds it; a
  server that stops answering its health check is taken out and its visitors
  go to another), everything else to the demo site; a second port serves the
  staff console. Messages wait in HAProxy's queue while every Rasa server has
  `SERVER_MAXCONN` of them in progress, rather than piling up inside a server
  (where they would also hold up its health check) or being refused.

`make run` is unchanged: one of each, SQLite. The secrets the processes share
(HTTP API token, conversation-token key, action server secret) are the ones
`make run` keeps in var/; PostgreSQL's and Redis's passwords are generated into
the cluster's folder (owner-only).
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import create_engine

from channels.tokens import REST_TOKEN_FILE, configured_or_generated
from launcher import postgres
from launcher.exposure import refuse_unsafe_exposure
from launcher.run import http_api_token, prepare_database
from launcher.runtime import write_runtime_config
from launcher.schema import rasa_events_table
from launcher.services import (
    Service,
    action_server,
    console_server,
    latest_model,
    quiet_environment,
    rasa_server,
    web_server,
)
from launcher.testing import free_port
from smp.secrets import load_or_create_secret
from smp.settings import LOOPBACK, PROJECT_ROOT, Settings

CLUSTER_DIR = PROJECT_ROOT / "var" / "cluster"
DATABASE = "smp"
DATABASE_USER = "smp"
# Messages one Rasa server works on at once; the rest wait in HAProxy's queue
# (up to QUEUE_TIMEOUT). A server spends a message on its CPU and runs the
# tracker and lock stores on its event loop, so more at once adds no
# throughput (8, 16 and 24 measured alike, docs/benchmarks.md): it only delays
# every message and the server's health check behind the others (with 150 to
# 190 at once `GET /` took over 10 s, and HAProxy took the only server out).
SERVER_MAXCONN = 8
QUEUE_TIMEOUT = "60s"
# `GET /` (Rasa's hello: no model, no database) every 3 s. A dead server
# refuses the connection at once: after the first failure checks come every
# second (fastinter), so it is out within about 5 s, sooner still when
# visitors' requests meet the refusals (observe layer4: three connection
# errors take it out). A check may take CHECK_TIMEOUT: a server busy with its
# messages answers late but is alive, and only three late checks in a row (a
# hung server, about a minute) take it out.
HEALTH_CHECK = (
    "check inter 3s fastinter 1s downinter 2s fall 3 rise 2"
    " observe layer4 error-limit 3 on-error mark-down"
)
CHECK_TIMEOUT = "20s"
# HAProxy's own answer when no Rasa server can take a message (all down, or it
# waited QUEUE_TIMEOUT in the queue): the REST channel's error shape.
UNAVAILABLE = (
    "http-error status 503 content-type application/json"
    ' string \'{"error": "unavailable", "reason": "no assistant server could take'
    " the message; nothing was processed, send it again in a moment\"}'"
    " hdr Retry-After 10"
)
HAPROXY = "haproxy"
REDIS = "redis-server"


@dataclass
class Cluster:
    """A running cluster: its processes by name and where to reach it."""

    root: Path
    public_url: str
    console_url: str
    database_url: str
    redis_url: str
    token: str
    rest_token: str
    services: dict[str, Service] = field(default_factory=dict)

    @property
    def rasa_names(self) -> list[str]:
        return sorted(name for name in self.services if name.startswith("rasa-"))

    def pid(self, name: str) -> int:
        process = self.services[name].process
        if process is None:
            raise RuntimeError(f"{name} was never started")
        return process.pid

    def kill(self, name: str) -> None:
        """End a process at once (SIGKILL), as a crash would."""
        process = self.services[name].process
        if process is not None and process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)

    def stop(self, name: str) -> None:
        """Stop a process politely."""
        self.services[name].stop()

    def start(self, name: str) -> None:
        """Start a stopped process again and wait until it answers."""
        service = self.services[name]
        service.start()
        service.wait_ready()


def _haproxy_config(
    public_port: int,
    console_port: int,
    rasa_ports: list[int],
    web_port: int,
    console_internal_port: int,
) -> str:
    names = [f"rasa-{index}" for index in range(1, len(rasa_ports) + 1)]
    rasa_servers = "\n".join(
        f"    server {name} 127.0.0.1:{port} maxconn {SERVER_MAXCONN}"
        f" {HEALTH_CHECK} cookie {name}"
        for name, port in zip(names, rasa_ports, strict=True)
    )
    socket_servers = "\n".join(
        f"    server {name} 127.0.0.1:{port} track rasa/{name} cookie {name}"
        for name, port in zip(names, rasa_ports, strict=True)
    )
    return f"""\
# Written by launcher/cluster.py at every start.
global
    maxconn 4096

defaults
    mode http
    option forwardfor
    # A request that could not reach its server goes to another one.
    option redispatch
    retries 2
    timeout connect 3s
    timeout client 120s
    timeout server 120s
    timeout tunnel 1h
    timeout queue {QUEUE_TIMEOUT}
    timeout check {CHECK_TIMEOUT}

frontend chat
    bind 127.0.0.1:{public_port}
    monitor-uri /lb-health
    acl to_sockets path_beg /socket.io/
    acl to_rasa path_beg /webhooks/ /conversations/ /model/ /status /version
    use_backend rasa_sockets if to_sockets
    use_backend rasa if to_rasa
    default_backend web

# Messages (REST, other channels' webhooks, the HTTP API): at most
# {SERVER_MAXCONN} at once per server, the rest queued.
backend rasa
    balance roundrobin
    # socket.io keeps a session in the server that opened it: stay there.
    cookie SMP_RASA insert indirect nocache httponly
    option httpchk GET /
    http-check expect status 200
    {UNAVAILABLE}
{rasa_servers}

# socket.io: long-lived connections (websockets, long polls) that would take
# the places of messages in `rasa`; the same servers, up and down with them.
backend rasa_sockets
    balance roundrobin
    cookie SMP_RASA insert indirect nocache httponly
    {UNAVAILABLE}
{socket_servers}

backend web
    server web 127.0.0.1:{web_port} check

frontend console
    bind 127.0.0.1:{console_port}
    default_backend console

backend console
    server console 127.0.0.1:{console_internal_port} check
"""


def _redis_config(port: int, password: str, data_dir: Path) -> str:
    return (
        f"bind 127.0.0.1\nport {port}\nprotected-mode yes\n"
        f'requirepass "{password}"\ndir {data_dir}\n'
        'save ""\nappendonly no\ndaemonize no\n'
    )


def _answers_ping(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            # Without the password Redis says -NOAUTH: it is up either way.
            return bool(sock.recv(64))
    except OSError:
        return False


def _require_tools() -> Path:
    missing = [tool for tool in (HAPROXY, REDIS) if shutil.which(tool) is None]
    bin_dir = postgres.find_server_binaries()
    if bin_dir is None:
        missing.append("postgresql")
    if missing:
        raise SystemExit(
            f"Missing {', '.join(missing)}: run `make install-cluster` "
            "(apt-get install postgresql redis-server haproxy)."
        )
    assert bin_dir is not None
    return bin_dir


def _database(root: Path, bin_dir: Path, port: int, log_dir: Path) -> Service:
    """PostgreSQL with the cluster's data; initialised the first time."""
    password_file = root / "postgres_password"
    password = load_or_create_secret(password_file)
    data_dir = root / "postgres"
    if not (data_dir / "PG_VERSION").exists():
        postgres.initialise(bin_dir, data_dir, DATABASE_USER, password_file)
    probe = f"postgresql://{DATABASE_USER}:{password}@127.0.0.1:{port}/postgres"
    return postgres.server(bin_dir, data_dir, port, log_dir / "postgres.log", probe)


def _create_database(server_url: str) -> None:
    engine = create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            exists = connection.exec_driver_sql(
                "SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE,)
            ).first()
            if not exists:
                connection.exec_driver_sql(f'CREATE DATABASE "{DATABASE}"')
    finally:
        engine.dispose()


def _prepare(database_url: str) -> None:
    """Newest schema, the clinic's answers, and Rasa's events table.

    The events table is made here, once: several Rasa servers starting
    together would otherwise race to create it.
    """
    prepare_database(database_url)
    engine = create_engine(database_url)
    try:
        rasa_events_table().create(engine, checkfirst=True)
    finally:
        engine.dispose()


def _start_all(services: list[Service]) -> None:
    for service in services:
        service.start()
    with ThreadPoolExecutor(max_workers=len(services)) as pool:
        for outcome in [pool.submit(service.wait_ready) for service in services]:
            outcome.result()


@contextmanager
def running_cluster(
    root: Path = CLUSTER_DIR,
    *,
    servers: int = 2,
    public_port: int = 8080,
    console_port: int = 8081,
    env: dict[str, str] | None = None,
    model: Path | None = None,
) -> Iterator[Cluster]:
    """Start the whole cluster with its data under `root`; stop it on exit.

    Args:
        root: the cluster's data, generated configuration and logs.
        servers: how many Rasa servers (each with an action server).
        public_port: HAProxy's port for the chat and the demo site.
        console_port: HAProxy's port for the staff console.
        env: extra environment for every Rasa, action and console process.
        model: the model to serve (default: the newest in models/).
    """
    bin_dir = _require_tools()
    model = model or latest_model()
    if model is None:
        raise SystemExit("No trained model in models/: run `make train` first.")
    root.mkdir(parents=True, exist_ok=True)
    # PostgreSQL may run as its own account: it must be able to pass through.
    root.chmod(root.stat().st_mode | 0o011)
    log_dir = root / "log"
    log_dir.mkdir(exist_ok=True)
    postgres.hand_over(log_dir)
    started: list[Service] = []
    try:
        pg_port, redis_port = free_port(), free_port()
        database = _database(root, bin_dir, pg_port, log_dir)
        redis_password = load_or_create_secret(root / "redis_password")
        redis_dir = root / "redis"
        redis_dir.mkdir(exist_ok=True)
        redis_conf = root / "redis.conf"
        redis_conf.write_text(_redis_config(redis_port, redis_password, redis_dir))
        redis_conf.chmod(0o600)
        redis = Service(
            name="Redis",
            command=[REDIS, str(redis_conf)],
            ready_url=f"redis://127.0.0.1:{redis_port}",
            log_path=log_dir / "redis.log",
            ready_probe=lambda: _answers_ping(redis_port),
        )
        started += [database, redis]
        _start_all([database, redis])

        password = load_or_create_secret(root / "postgres_password")
        server_url = f"postgresql://{DATABASE_USER}:{password}@127.0.0.1:{pg_port}"
        _create_database(f"{server_url}/postgres")
        database_url = f"{server_url}/{DATABASE}"
        _prepare(database_url)

        public_url = f"http://{LOOPBACK}:{public_port}"
        settings = Settings.from_environment(quiet_environment(env))
        token = http_api_token(settings)
        rest_token = configured_or_generated(
            settings.rest_api_token, REST_TOKEN_FILE, "REST_API_TOKEN"
        )
        shared = {
            "REST_API_TOKEN": rest_token,
            "DATABASE_URL": database_url,
            "REDIS_URL": f"redis://:{redis_password}@127.0.0.1:{redis_port}/0",
            "RASA_TOKEN": token,
            "RASA_PUBLIC_URL": public_url,
            "WIDGET_ALLOWED_ORIGINS": f"{public_url},http://localhost:{public_port}",
            **(env or {}),
        }
        rasa_ports = [free_port() for _ in range(servers)]
        actions_ports = [free_port() for _ in range(servers)]
        services: dict[str, Service] = {"postgres": database, "redis": redis}
        for index, (rasa_port, actions_port) in enumerate(
            zip(rasa_ports, actions_ports, strict=True), start=1
        ):
            own = {
                **shared,
                "RASA_PORT": str(rasa_port),
                "ACTIONS_PORT": str(actions_port),
                # Clauses of many-question messages: parsed by its own server.
                "RASA_URL": f"http://127.0.0.1:{rasa_port}",
            }
            server_settings = Settings.from_environment(quiet_environment(own))
            endpoints, credentials = write_runtime_config(
                root / f"rasa-{index}", server_settings
            )
            services[f"actions-{index}"] = action_server(
                actions_port, env=own, log=log_dir / f"actions-{index}.log"
            )
            services[f"rasa-{index}"] = rasa_server(
                rasa_port,
                token=token,
                endpoints=endpoints,
                credentials=credentials,
                model=model,
                env=own,
                log=log_dir / f"rasa-{index}.log",
                cors_origins=server_settings.widget_allowed_origins,
            )
        web_port, console_internal = free_port(), free_port()
        services["web"] = web_server(web_port, public_url, log_dir / "web.log")
        services["console"] = console_server(console_internal, log_dir / "console.log")
        services["console"].env = {
            **services["console"].env,
            **shared,
            "RASA_URL": f"http://127.0.0.1:{rasa_ports[0]}",
        }
        haproxy_conf = root / "haproxy.cfg"
        haproxy_conf.write_text(
            _haproxy_config(
                public_port, console_port, rasa_ports, web_port, console_internal
            )
        )
        services["haproxy"] = Service(
            name="HAProxy",
            command=[HAPROXY, "-db", "-f", str(haproxy_conf)],
            # Ready once it passes a request to a Rasa server it found healthy.
            ready_url=f"{public_url}/version",
            log_path=log_dir / "haproxy.log",
        )
        servers_behind = [
            service
            for name, service in services.items()
            if name not in {"postgres", "redis", "haproxy"}
        ]
        started += servers_behind
        _start_all(servers_behind)
        # Last, so that its first health checks find every server up.
        started.append(services["haproxy"])
        _start_all([services["haproxy"]])
        yield Cluster(
            root=root,
            public_url=public_url,
            console_url=f"http://{LOOPBACK}:{console_port}",
            database_url=database_url,
            redis_url=shared["REDIS_URL"],
            token=token,
            rest_token=rest_token,
            services=services,
        )
    finally:
        for service in reversed(started):
            service.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m launcher.cluster")
    parser.add_argument("--servers", type=int, default=2, help="Rasa servers")
    parser.add_argument("--port", type=int, default=8080, help="chat and demo site")
    parser.add_argument("--console-port", type=int, default=8081)
    args = parser.parse_args(argv)
    # As for `make run`: nothing reachable from elsewhere with a default secret.
    refuse_unsafe_exposure(Settings.from_environment(quiet_environment()))
    stopping = False

    def stop(*_args: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    with running_cluster(
        servers=args.servers, public_port=args.port, console_port=args.console_port
    ) as cluster:
        print(f"\nCluster ready: {len(cluster.rasa_names)} Rasa servers, HAProxy.")
        print(f"  Demo clinic page: {cluster.public_url}/")
        print(f"  REST:             POST {cluster.public_url}/webhooks/rest/webhook")
        print(f"  Staff console:    {cluster.console_url}/")
        print(f"  Data and logs:    {cluster.root}")
        print("Press Ctrl-C to stop.")
        while not stopping:
            for name, service in cluster.services.items():
                if service.process and service.process.poll() is not None:
                    print(f"{name} stopped unexpectedly; see {service.log_path}")
                    stopping = True
            time.sleep(0.5)
    print("Stopped.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
