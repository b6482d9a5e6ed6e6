"""`make bench-load`: Locust visitors against one process and against clusters.

Runs bench/locustfile.py headless against `make run`'s shape (one Rasa server,
one action server, SQLite) and against `make cluster` with 1, 2 and 4 Rasa
servers (PostgreSQL, Redis, HAProxy), at 10, 50 and 200 concurrent
conversations. After each run it checks the database against what the
visitors sent: every conversation's stored user turns are exactly the messages
sent, in order (a message that got no answer may or may not be stored, but
nothing else), and every booking a visitor was given a reference for is
stored exactly once. Writes the table and a chart to docs/.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from bench.latency import UNLIMITED_RATES
from bench.run import machine_description
from launcher.cluster import running_cluster
from launcher.services import PROJECT_ROOT, VENV_BIN, quiet_environment
from launcher.testing import free_port, running_stack
from smp import db
from smp.conversations import conversation_events
from smp.db import BookingRequest, session_scope

LOCUSTFILE = Path(__file__).with_name("locustfile.py")
REPORT = PROJECT_ROOT / "docs" / "benchmarks.md"
CHART = PROJECT_ROOT / "docs" / "load-throughput.png"
LEVELS = (10, 50, 200)
SETUPS = ("single", 1, 2, 4)
# Marks the generated section, so `make bench` can rewrite it in place.
BEGIN, END = "<!-- bench.load: begin -->", "<!-- bench.load: end -->"


@dataclass(frozen=True)
class LoadRun:
    """One Locust run and the integrity check after it."""

    setup: str
    users: int
    requests: int
    failures: int
    per_second: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    conversations: int
    conversations_wrong: int
    bookings_confirmed: int
    bookings_wrong: int

    @property
    def answered_per_second(self) -> float:
        """Messages answered per second (Locust's rate counts failures too)."""
        if not self.requests:
            return 0.0
        return self.per_second * (self.requests - self.failures) / self.requests


@dataclass(frozen=True)
class Target:
    url: str
    database_url: str
    rest_token: str


def run_locust(target: Target, users: int, seconds: int, folder: Path) -> Any:
    """Run Locust headless; (aggregated stats row, journal)."""
    prefix = folder / f"locust-{users}"
    journal = folder / f"journal-{users}.json"
    subprocess.run(
        [
            str(VENV_BIN / "locust"),
            "-f",
            str(LOCUSTFILE),
            "--headless",
            "--users",
            str(users),
            "--spawn-rate",
            str(max(1, users // 10)),
            "--run-time",
            f"{seconds}s",
            "--stop-timeout",
            "30",
            "--host",
            target.url,
            "--csv",
            str(prefix),
            "--only-summary",
            "--loglevel",
            "WARNING",
        ],
        env=quiet_environment(
            {"SMP_REST_TOKEN": target.rest_token, "SMP_LOCUST_JOURNAL": str(journal)}
        ),
        cwd=PROJECT_ROOT,
        check=False,  # Locust exits 1 when any request failed: still measured.
    )
    with open(f"{prefix}_stats.csv", encoding="utf-8") as handle:
        rows = {row["Name"]: row for row in csv.DictReader(handle)}
    return rows["Aggregated"], json.loads(journal.read_text(encoding="utf-8"))


def turns_match(stored: list[str], sent: list[tuple[str, bool]]) -> bool:
    """Whether `stored` is the sent messages in order, each answered one present."""
    index = 0
    for text, answered in sent:
        if index < len(stored) and stored[index] == text:
            index += 1
        elif answered:
            return False
    return index == len(stored)


def check_integrity(database_url: str, journal: dict[str, Any]) -> tuple[int, int]:
    """(conversations whose turns differ, confirmed bookings not stored once)."""
    wrong_conversations = 0
    wrong_bookings = 0
    with session_scope(database_url) as session:
        for sender, sent in journal["conversations"].items():
            stored = [
                str(event.get("text"))
                for event in conversation_events(session, sender)
                if event.get("event") == "user"
            ]
            if not turns_match(stored, [(text, ok) for text, ok in sent]):
                wrong_conversations += 1
        for sender, reference in journal["bookings"].items():
            by_reference = session.scalar(
                select(func.count())
                .select_from(BookingRequest)
                .where(BookingRequest.reference == reference)
            )
            by_conversation = session.scalar(
                select(func.count())
                .select_from(BookingRequest)
                .where(BookingRequest.conversation_id == sender)
            )
            if by_reference != 1 or by_conversation != 1:
                wrong_bookings += 1
    db.dispose_engines()
    return wrong_conversations, wrong_bookings


@contextmanager
def target_for(setup: str | int, folder: Path) -> Iterator[Target]:
    """`make run`'s shape, or a cluster of `setup` Rasa servers."""
    if setup == "single":
        with running_stack(folder, token="bench", env=UNLIMITED_RATES) as stack:  # noqa: S106
            yield Target(stack.rasa_url, stack.database_url, stack.rest_token)
        return
    # Not inside `folder`: PostgreSQL's account must be able to reach it.
    root = Path(tempfile.mkdtemp(prefix="smp-bench-cluster-"))
    try:
        with running_cluster(
            root,
            servers=int(setup),
            public_port=free_port(),
            console_port=free_port(),
            env=UNLIMITED_RATES,
        ) as cluster:
            yield Target(cluster.public_url, cluster.database_url, cluster.rest_token)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def measure(
    setups: tuple[str | int, ...], seconds: int, levels: tuple[int, ...] = LEVELS
) -> list[LoadRun]:
    runs = []
    for setup in setups:
        with (
            tempfile.TemporaryDirectory() as tmp,
            target_for(setup, Path(tmp)) as target,
        ):
            for users in levels:
                stats, journal = run_locust(target, users, seconds, Path(tmp))
                wrong_conversations, wrong_bookings = check_integrity(
                    target.database_url, journal
                )
                run = LoadRun(
                    setup=str(setup),
                    users=users,
                    requests=int(stats["Request Count"]),
                    failures=int(stats["Failure Count"]),
                    per_second=float(stats["Requests/s"]),
                    p50_ms=float(stats["50%"]),
                    p95_ms=float(stats["95%"]),
                    p99_ms=float(stats["99%"]),
                    conversations=len(journal["conversations"]),
                    conversations_wrong=wrong_conversations,
                    bookings_confirmed=len(journal["bookings"]),
                    bookings_wrong=wrong_bookings,
                )
                print(describe(run), flush=True)
                runs.append(run)
    return runs


def setup_name(setup: str) -> str:
    if setup == "single":
        return "one process (SQLite)"
    return f"cluster, {setup} Rasa server{'s' if setup != '1' else ''}"


def describe(run: LoadRun) -> str:
    return (
        f"{setup_name(run.setup)}, {run.users} visitors: "
        f"{run.answered_per_second:.1f} answered/s ({run.per_second:.1f} sent/s), "
        f"p50 {run.p50_ms:.0f} ms, p95 {run.p95_ms:.0f} ms, p99 {run.p99_ms:.0f} ms, "
        f"{run.failures}/{run.requests} failed; conversations wrong "
        f"{run.conversations_wrong}/{run.conversations}, bookings not stored once "
        f"{run.bookings_wrong}/{run.bookings_confirmed}"
    )


def draw_chart(runs: list[LoadRun], path: Path = CHART) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(7, 4.2))
    for users in LEVELS:
        cluster = [r for r in runs if r.users == users and r.setup != "single"]
        axes.plot(
            [int(r.setup) for r in cluster],
            [r.answered_per_second for r in cluster],
            marker="o",
            label=f"{users} visitors, cluster",
        )
        single = [r for r in runs if r.users == users and r.setup == "single"]
        if single:
            axes.scatter(
                [1],
                [single[0].answered_per_second],
                marker="x",
                s=60,
                color="black",
                zorder=3,
            )
    axes.scatter([], [], marker="x", color="black", label="one process (SQLite)")
    axes.set_xlabel("Rasa servers (each with an action server), 2 CPU cores")
    axes.set_ylabel("messages answered per second")
    axes.set_xticks([1, 2, 4])
    axes.set_ylim(bottom=0)
    axes.grid(alpha=0.3)
    axes.legend(fontsize=8)
    axes.set_title("Throughput against Rasa servers (Locust, REST)")
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def section(runs: list[LoadRun], seconds: int, machine: str) -> list[str]:
    """The report's section, between its markers."""
    lines = [
        BEGIN,
        "## Load: one process and the cluster (Locust)",
        "",
        f"Measured {dt.date.today().isoformat()} on {machine} with "
        f"`make bench-load` (bench/load.py, bench/locustfile.py): {seconds} s per "
        "run, visitors asking 2–4 questions, booking through the form or not "
        "being understood, 1–3 s think time, over REST (through HAProxy for "
        "the cluster). Latencies are Locust's over every request, failed ones "
        "included (a refused request returns fast). *Wrong* counts are the "
        "integrity check after each run. Locust runs on the same two cores, and "
        "more Rasa servers than cores measure contention, not capacity.",
        "",
        "| setup | visitors | answered/s | sent/s | p50 ms | p95 ms | p99 ms | failed "
        "| conversations wrong | bookings not stored once |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {setup_name(r.setup)} | {r.users} | {r.answered_per_second:.1f} "
        f"| {r.per_second:.1f} | {r.p50_ms:.0f} "
        f"| {r.p95_ms:.0f} | {r.p99_ms:.0f} | {r.failures}/{r.requests} "
        f"| {r.conversations_wrong}/{r.conversations} "
        f"| {r.bookings_wrong}/{r.bookings_confirmed} |"
        for r in runs
    ]
    lines += ["", f"![Throughput against Rasa servers]({CHART.name})", "", END]
    return lines


def write_section(
    lines: list[str], report: Path = REPORT, markers: tuple[str, str] = (BEGIN, END)
) -> None:
    """Replace the section between `markers` in the report, or add it at the end."""
    begin, end = markers
    text = report.read_text(encoding="utf-8") if report.exists() else ""
    block = "\n".join(lines)
    if begin in text and end in text:
        before, rest = text.split(begin, 1)
        after = rest.split(end, 1)[1]
        text = before + block + after
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    report.write_text(text, encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.load")
    parser.add_argument("--seconds", type=int, default=60, help="length of each run")
    parser.add_argument(
        "--setups",
        default=",".join(str(setup) for setup in SETUPS),
        help="comma-separated: single and/or numbers of Rasa servers",
    )
    parser.add_argument(
        "--visitors",
        default=",".join(str(users) for users in LEVELS),
        help="comma-separated numbers of concurrent visitors",
    )
    parser.add_argument(
        "--no-report",
        action="store_true",
        help="print the runs only, leaving docs/ as it is (for a partial run)",
    )
    args = parser.parse_args()
    setups = tuple(
        part if part == "single" else int(part) for part in args.setups.split(",")
    )
    levels = tuple(int(part) for part in args.visitors.split(","))
    runs = measure(setups, args.seconds, levels)
    if args.no_report:
        return 0
    draw_chart(runs)
    write_section(section(runs, args.seconds, machine_description()))
    print(f"Written to {REPORT.relative_to(PROJECT_ROOT)} and {CHART.name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
