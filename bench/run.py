"""`make bench`: accuracy, latency, throughput, training, start-up and memory.

Prints the figures and writes them to docs/benchmarks.md together with the
machine they were measured on. Nothing here asserts a target; the figures are
for people to compare between changes.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import platform
import re
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench import latency, understanding
from bench.latency import measure_round, percentile
from bench.questions import FAQ_QUESTIONS
from launcher.services import PROJECT_ROOT, latest_model, train_model
from launcher.testing import running_stack

REPORT = PROJECT_ROOT / "docs" / "benchmarks.md"
# A section of the report between `<!-- bench.NAME: begin -->` and its end.
KEPT_SECTION = re.compile(r"<!-- (bench\.\w+): begin -->.*?<!-- \1: end -->", re.DOTALL)
CONCURRENCY = (1, 10, 50)
MESSAGES_PER_LEVEL = {1: 60, 10: 300, 50: 600}


@dataclass(frozen=True)
class LoadResult:
    concurrency: int
    messages: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    per_second: float
    errors: int


def kept_sections(report: str) -> list[str]:
    """The sections of `report` a new run keeps, in order: those other
    commands write between their markers (`make bench-load`, `make fuzz`) and
    the notes kept beside them by hand (`bench.load_notes`)."""
    return [match.group(0) + "\n" for match in KEPT_SECTION.finditer(report)]


def machine_description() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{os.cpu_count()} cores ({cpu}), {memory_gb:.0f} GiB RAM, "
        f"{platform.system()} {platform.release()}, Python {platform.python_version()}"
    )


def tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and its descendants, in MiB."""
    total = 0
    pids = [pid]
    while pids:
        current = pids.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            total += next(
                int(line.split()[1])
                for line in status.splitlines()
                if line.startswith("VmRSS")
            )
            children = (
                Path(f"/proc/{current}/task/{current}/children").read_text().split()
            )
            pids.extend(int(child) for child in children)
        except (OSError, StopIteration):
            continue
    return total / 1024


async def load_level(rasa_url: str, concurrency: int, total: int) -> LoadResult:
    latencies, errors, elapsed = await measure_round(
        rasa_url, FAQ_QUESTIONS, concurrency, total
    )
    return LoadResult(
        concurrency=concurrency,
        messages=len(latencies),
        p50_ms=statistics.median(latencies),
        p95_ms=percentile(latencies, 0.95),
        p99_ms=percentile(latencies, 0.99),
        per_second=len(latencies) / elapsed,
        errors=errors,
    )


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run")
    parser.add_argument("--skip-training", action="store_true", help="reuse the model")
    parser.add_argument(
        "--cross-validation",
        action="store_true",
        help="also run 5-fold cross-validation on the training data (5 trainings)",
    )
    args = parser.parse_args()
    lines: dict[str, str] = {}

    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        if args.skip_training:
            model = latest_model()
            train_seconds = None
        else:
            started = time.perf_counter()
            # An empty cache directory: every component is trained from scratch.
            model = train_model(
                out=workdir,
                fixed_name="bench",
                env={"RASA_CACHE_DIRECTORY": str(workdir / "cache")},
            )
            train_seconds = time.perf_counter() - started
        if model is None:
            raise SystemExit("No model: run `make train` first.")

        real, holdout = understanding.both_sets(model)
        for result in (real, holdout):
            print(
                f"{result.name}: right topic {result.right_topic_rate:.3f}, "
                f"falsely rejected {result.false_rejection_rate:.3f}, "
                f"out of scope rejected {result.rejection_rate:.3f}"
            )
        plotted = understanding.draw_plots(model)
        folds = understanding.cross_validation() if args.cross_validation else None

        # A bare `rasa init` bot, built and trained here, to compare against.
        baseline = latency.build_baseline(workdir / "rasa-init")
        started = time.perf_counter()
        with running_stack(
            workdir,
            token="bench",  # noqa: S106
            model=model,
            env=latency.UNLIMITED_RATES,
        ) as stack:
            start_seconds = time.perf_counter() - started
            memory_idle = {name: tree_rss_mb(pid) for name, pid in stack.pids.items()}
            print(f"Start-up of both servers, model loaded: {start_seconds:.1f}s")
            results = []
            for level in CONCURRENCY:
                result = asyncio.run(
                    load_level(stack.rasa_url, level, MESSAGES_PER_LEVEL[level])
                )
                results.append(result)
                print(
                    f"{level:>3} concurrent: p50 {result.p50_ms:.0f} ms, p95 {result.p95_ms:.0f} ms, "
                    f"p99 {result.p99_ms:.0f} ms, {result.per_second:.1f} msg/s, "
                    f"{result.errors} errors over {result.messages} messages"
                )
            memory_loaded = {name: tree_rss_mb(pid) for name, pid in stack.pids.items()}
            with latency.baseline_server(baseline.parent.parent, baseline) as bare:
                pairs = latency.compare(stack.rasa_url, bare)
            for line in latency.describe(pairs):
                print(line)

    lines = [
        "# Benchmarks",
        "",
        "Measured with `make bench` (bench/run.py). Figures vary between runs by a few",
        "per cent; compare runs on the same machine.",
        "",
        f"- **Date:** {dt.date.today().isoformat()}",
        f"- **Machine:** {machine_description()}",
        f"- **Model:** {model.name if args.skip_training else 'trained by the benchmark'}",
        "",
    ]
    lines += understanding.section(real, holdout, plotted, folds)
    lines += [
        "## REST round trip (each message triggers a database-backed answer)",
        "",
        "| concurrent conversations | messages | p50 ms | p95 ms | p99 ms | messages/s | errors |",
        "|---|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {r.concurrency} | {r.messages} | {r.p50_ms:.0f} | {r.p95_ms:.0f} | {r.p99_ms:.0f} "
        f"| {r.per_second:.1f} | {r.errors} |"
        for r in results
    ]
    lines += ["", *latency.section(pairs)]
    lines += [
        "## Training, start-up and memory",
        "",
        "| figure | value |",
        "|---|---|",
        f"| training (spaCy pipeline, NLU and dialogue: `make train`) | {f'{train_seconds:.0f} s' if train_seconds else 'not measured (--skip-training)'} |",
        f"| start-up of both servers until ready (model loaded) | {start_seconds:.1f} s |",
        f"| Rasa server memory, idle / after load test | {memory_idle['rasa']:.0f} / {memory_loaded['rasa']:.0f} MiB |",
        f"| action server memory, idle / after load test | {memory_idle['actions']:.0f} / {memory_loaded['actions']:.0f} MiB |",
        "",
    ]
    extra = REPORT.with_name("benchmarks-notes.md")
    if extra.exists():
        lines += [extra.read_text().rstrip(), ""]
    previous = REPORT.read_text() if REPORT.exists() else ""
    lines += kept_sections(previous)
    REPORT.parent.mkdir(exist_ok=True)
    REPORT.write_text("\n".join(lines))
    print(f"Written to {REPORT.relative_to(PROJECT_ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
