"""Per-message latency of the assistant next to a bare `rasa init` bot.

Both bots are served by the same Rasa on the same machine in the same run, and
both answer over the REST channel. The baseline is built fresh in a temporary
folder with `rasa init --no-prompt` (which trains it; no network needed): its
greeting is one NLU parse, one rule and one templated response. The assistant's
FAQ answer is one NLU parse, one rule and the database-backed answer action.
Rounds alternate between the two bots so that background load on the machine
falls on both alike.
"""

from __future__ import annotations

import asyncio
import statistics
import subprocess
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import aiohttp

from bench.questions import FAQ_QUESTIONS
from launcher.services import VENV_BIN, Service, quiet_environment
from launcher.testing import free_port

# What each bot is asked: FAQ questions for the assistant, a greeting for the
# bare bot (its quickest complete turn).
FAQ_MESSAGES = FAQ_QUESTIONS
BASELINE_MESSAGES = ("hello", "hi", "hey there", "good morning", "hello", "hi")
# Each simulated visitor sends this many messages, then a new one starts, so
# both trackers stay the length of a real short conversation.
TURNS_PER_CONVERSATION = len(FAQ_MESSAGES)
LEVELS = (1, 10)
ROUNDS = 3
MESSAGES_PER_ROUND = {1: 36, 10: 120}
# The benchmark measures speed, not the channels' fair-use limits.
UNLIMITED_RATES = {
    "RATE_LIMIT_CONVERSATION_MESSAGES": "1000000",
    "RATE_LIMIT_ADDRESS_MESSAGES": "1000000",
}


@dataclass(frozen=True)
class Latencies:
    """Round-trip times of one bot at one concurrency, in milliseconds."""

    bot: str
    concurrency: int
    samples: tuple[float, ...]
    errors: int
    seconds: float

    @property
    def p50(self) -> float:
        return statistics.median(self.samples)

    @property
    def p95(self) -> float:
        return percentile(self.samples, 0.95)

    @property
    def per_second(self) -> float:
        return len(self.samples) / self.seconds if self.seconds else 0.0


def percentile(values: Sequence[float], share: float) -> float:
    """The nearest-rank percentile of `values`."""
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def build_baseline(folder: Path) -> Path:
    """`rasa init --no-prompt` in `folder` (trains the bot); returns its model."""
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [str(VENV_BIN / "rasa"), "init", "--no-prompt", "--init-dir", str(folder)],
        cwd=folder,
        env=quiet_environment(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=True,
    )
    models = sorted((folder / "models").glob("*.tar.gz"))
    if not models:
        raise RuntimeError(f"rasa init trained no model in {folder}")
    return models[-1]


@contextmanager
def baseline_server(folder: Path, model: Path) -> Iterator[str]:
    """Serve the bare bot as `rasa init` made it; yields its URL."""
    port = free_port()
    service = Service(
        name="rasa init bot",
        command=[
            str(VENV_BIN / "rasa"),
            "run",
            "--interface",
            "127.0.0.1",
            "--port",
            str(port),
            "--model",
            str(model),
        ],
        ready_url=f"http://127.0.0.1:{port}/",
        log_path=folder / "rasa.log",
    )
    started = service.start()
    try:
        # `rasa run` reads the bot's own credentials.yml from its folder.
        started.wait_ready()
        yield f"http://127.0.0.1:{port}"
    finally:
        started.stop()


async def visitor(
    session: aiohttp.ClientSession,
    url: str,
    messages: Sequence[str],
    count: int,
    samples: list[float],
) -> int:
    errors = 0
    sender = ""
    for index in range(count):
        if index % TURNS_PER_CONVERSATION == 0:
            sender = f"latency-{uuid.uuid4().hex[:12]}"
        body = {"sender": sender, "message": messages[index % len(messages)]}
        started = time.perf_counter()
        try:
            async with session.post(url, json=body) as response:
                replies = await response.json()
                if response.status != 200 or not replies:
                    errors += 1
        except (aiohttp.ClientError, ValueError):
            errors += 1
        samples.append((time.perf_counter() - started) * 1000)
    return errors


async def measure_round(
    base_url: str, messages: Sequence[str], concurrency: int, total: int
) -> tuple[list[float], int, float]:
    """`total` messages from `concurrency` visitors at once, after a warm-up;
    (round-trip times in ms, errors, seconds taken)."""
    url = f"{base_url}/webhooks/rest/webhook"
    samples: list[float] = []
    timeout = aiohttp.ClientTimeout(total=120)
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:
        await visitor(session, url, messages, 2, [])  # warm the path
        started = time.perf_counter()
        errors = await asyncio.gather(
            *(
                visitor(session, url, messages, total // concurrency, samples)
                for _ in range(concurrency)
            )
        )
        return samples, sum(errors), time.perf_counter() - started


def compare(assistant_url: str, baseline_url: str) -> list[tuple[Latencies, Latencies]]:
    """(assistant, baseline) latencies at each level, rounds alternating."""
    pairs = []
    for level in LEVELS:
        pooled: dict[str, tuple[list[float], list[int], list[float]]] = {
            "assistant": ([], [], []),
            "baseline": ([], [], []),
        }
        for _ in range(ROUNDS):
            for bot, url, messages in (
                ("assistant", assistant_url, FAQ_MESSAGES),
                ("baseline", baseline_url, BASELINE_MESSAGES),
            ):
                samples, errors, seconds = asyncio.run(
                    measure_round(url, messages, level, MESSAGES_PER_ROUND[level])
                )
                pooled[bot][0].extend(samples)
                pooled[bot][1].append(errors)
                pooled[bot][2].append(seconds)
        assistant, baseline = (
            Latencies(
                bot=bot,
                concurrency=level,
                samples=tuple(pooled[bot][0]),
                errors=sum(pooled[bot][1]),
                seconds=sum(pooled[bot][2]),
            )
            for bot in ("assistant", "baseline")
        )
        pairs.append((assistant, baseline))
    return pairs


def describe(pairs: list[tuple[Latencies, Latencies]]) -> list[str]:
    """One printed line per level: both bots and the ratios."""
    return [
        f"{a.concurrency:>2} concurrent: assistant p50 {a.p50:.0f} ms p95 {a.p95:.0f} ms "
        f"({a.per_second:.1f} msg/s), rasa init p50 {b.p50:.0f} ms p95 {b.p95:.0f} ms "
        f"({b.per_second:.1f} msg/s): ratio p50 {a.p50 / b.p50:.2f}, "
        f"p95 {a.p95 / b.p95:.2f}; errors {a.errors}/{b.errors}"
        for a, b in pairs
    ]


def section(pairs: list[tuple[Latencies, Latencies]]) -> list[str]:
    """The benchmark report's table."""
    lines = [
        "## FAQ answer against a bare `rasa init` bot",
        "",
        "Same Rasa, same machine, same run, over REST; conversations of "
        f"{TURNS_PER_CONVERSATION} messages; {ROUNDS} alternating rounds per bot "
        "(bench/latency.py). The assistant answers FAQ questions from the "
        "database; the bare bot answers greetings.",
        "",
        "| concurrent | assistant p50 / p95 ms | rasa init p50 / p95 ms "
        "| ratio p50 | ratio p95 | assistant / rasa init msg/s | errors |",
        "|---|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {a.concurrency} | {a.p50:.0f} / {a.p95:.0f} | {b.p50:.0f} / {b.p95:.0f} "
        f"| {a.p50 / b.p50:.2f} | {a.p95 / b.p95:.2f} "
        f"| {a.per_second:.1f} / {b.per_second:.1f} | {a.errors + b.errors} |"
        for a, b in pairs
    ]
    return [*lines, ""]


def main() -> int:
    """Only this comparison: `python -m bench.latency` (for working on speed)."""
    import argparse
    import tempfile

    from launcher.testing import running_stack

    parser = argparse.ArgumentParser(prog="python -m bench.latency")
    parser.add_argument(
        "--baseline-model", type=Path, help="a `rasa init` model already trained"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        baseline = args.baseline_model or build_baseline(folder / "rasa-init")
        with (
            running_stack(folder, token="bench", env=UNLIMITED_RATES) as stack,  # noqa: S106
            baseline_server(baseline.parent.parent, baseline) as baseline_url,
        ):
            for line in describe(compare(stack.rasa_url, baseline_url)):
                print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
