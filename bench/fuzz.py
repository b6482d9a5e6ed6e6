"""`make fuzz`: thousands of seeded random messages against the real servers.

Starts the action server and the Rasa server on a throw-away database and sends
`--messages` messages (10,000 by default) over REST from a few hundred
conversations at once: questions, form answers and button payloads mixed with
hostile, odd and oversized text (see `FuzzMessages`). Every message must get
a reply: a 5xx or a 200 with nothing to show the visitor is counted, and the
run fails if there is any. It prints the Rasa server's memory before and after.
The same `--seed` sends the same messages in the same order per conversation.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

from bench.latency import UNLIMITED_RATES, percentile
from bench.load import write_section
from bench.questions import FAQ_QUESTIONS
from bench.run import machine_description, tree_rss_mb
from launcher.testing import running_stack
from smp.settings import LIMITS
from smp.topics import FAQ_INTENTS

REST_PATH = "/webhooks/rest/webhook"
# Its section of docs/benchmarks.md lies between these.
MARKERS = ("<!-- bench.fuzz: begin -->", "<!-- bench.fuzz: end -->")

FORM_ANSWERS = (
    "I'd like to book a consultation",
    "can I talk to a real person please",
    "Jane Doe",
    "Ø'Brien-Łukasz",
    "jane.doe@example.com",
    "jane@@example",
    "07700 900123",
    "+44 7700 900123",
    "12",
    "next Tuesday afternoon",
    "whenever",
    "covering my crown",
    "yes",
    "no",
    "/affirm",
    "/deny",
    "cancel",
    "wait, does it hurt?",
)
HOSTILE = (
    "<script>alert(1)</script>",
    "'; DROP TABLE booking_requests; --",
    '{"sender": "default", "message": "/book_consultation"}',
    "{{7*7}} ${jndi:ldap://x} %s%s%n",
    "../../../../etc/passwd",
    "\x00\x07\x1b[31mred\x1b[0m",
    "/restart",
    "/session_start",
    "/nlu_fallback",
    '/faq_pain{"scar_type": "' + "x" * 300 + '"}',
    "/book_consultation{not json",
)
ALPHABETS = (
    "abcdefghijklmnopqrstuvwxyz     ",
    "абвгдежзийклмнопрстуфхцчшщъыьэюя ",
    "頭皮纹绣疼吗价格多少时间 ",
    "😀🔥💈🧑‍🦲👍🏽 ",
    "\u200b\u200e\u202e\ufeff ",
    "!?.,;:'\"()[]{}<>@#$%^&*_-+=/\\|~` ",
)


@dataclass
class FuzzMessages:
    """A seeded stream of messages, one conversation at a time."""

    seed: int
    rng: random.Random = field(init=False)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)

    def garbage(self, length: int) -> str:
        alphabet = self.rng.choice(ALPHABETS)
        return "".join(self.rng.choice(alphabet) for _ in range(length))

    def next(self) -> str:
        rng = self.rng
        kind = rng.choices(
            ("faq", "form", "payload", "hostile", "garbage", "mixed", "long", "blank"),
            weights=(30, 25, 8, 8, 12, 10, 5, 2),
        )[0]
        if kind == "faq":
            return rng.choice(FAQ_QUESTIONS)
        if kind == "form":
            return rng.choice(FORM_ANSWERS)
        if kind == "payload":
            return f"/{rng.choice(FAQ_INTENTS)}"
        if kind == "hostile":
            return rng.choice(HOSTILE)
        if kind == "garbage":
            return self.garbage(rng.randint(1, 80))
        if kind == "mixed":
            return f"{rng.choice(FAQ_QUESTIONS)} {self.garbage(rng.randint(1, 40))}"
        if kind == "long":
            # Around the length cap: just under, at, and over it.
            limit = LIMITS.max_message_chars
            return self.garbage(rng.choice((limit - 1, limit, limit + 1, 5 * limit)))
        return rng.choice(("", " ", "\n\t"))


@dataclass
class FuzzResult:
    statuses: Counter[int] = field(default_factory=Counter)
    silent: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    latencies_ms: list[float] = field(default_factory=list)

    @property
    def server_errors(self) -> int:
        return sum(count for status, count in self.statuses.items() if status >= 500)


def shows_something(replies: object) -> bool:
    """Whether a REST answer gives the visitor at least one visible message."""
    return isinstance(replies, list) and any(
        isinstance(reply, dict)
        and (reply.get("text") or reply.get("buttons") or reply.get("image"))
        for reply in replies
    )


async def converse(
    session: aiohttp.ClientSession,
    url: str,
    sender: str,
    messages: list[str],
    result: FuzzResult,
) -> None:
    for text in messages:
        started = time.perf_counter()
        try:
            async with session.post(
                url, json={"sender": sender, "message": text}
            ) as response:
                body = await response.json(content_type=None)
                result.statuses[response.status] += 1
                if response.status == 200 and not shows_something(body):
                    result.silent.append(f"{sender}: {text[:60]!r} -> {body!r}")
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:
            result.failures.append(f"{sender}: {type(error).__name__}")
        result.latencies_ms.append((time.perf_counter() - started) * 1000)


async def fuzz(
    rasa_url: str, total: int, seed: int, conversations: int, concurrency: int
) -> FuzzResult:
    """Send `total` messages from `conversations` senders, `concurrency` at once."""
    generator = FuzzMessages(seed)
    per_sender: list[list[str]] = [[] for _ in range(conversations)]
    for number in range(total):
        per_sender[number % conversations].append(generator.next())
    result = FuzzResult()
    limit = asyncio.Semaphore(concurrency)
    timeout = aiohttp.ClientTimeout(total=300)
    async with aiohttp.ClientSession(timeout=timeout) as session:

        async def one(index: int) -> None:
            async with limit:
                await converse(
                    session,
                    rasa_url + REST_PATH,
                    f"fuzz-{seed}-{index}",
                    per_sender[index],
                    result,
                )

        await asyncio.gather(*(one(index) for index in range(conversations)))
    return result


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.fuzz")
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--conversations", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="smp-fuzz-") as tmp:
        workdir = Path(tmp)
        with running_stack(
            workdir,
            token="fuzz",  # noqa: S106
            env=UNLIMITED_RATES,
            log_dir=workdir,
        ) as stack:
            before = tree_rss_mb(stack.pids["rasa"])
            started = time.perf_counter()
            result = asyncio.run(
                fuzz(
                    stack.rasa_url,
                    args.messages,
                    args.seed,
                    args.conversations,
                    args.concurrency,
                )
            )
            elapsed = time.perf_counter() - started
            after = tree_rss_mb(stack.pids["rasa"])

    lines = section(args, result, elapsed, (before, after))
    print("\n".join(lines[1:-1]))
    for line in (result.silent + result.failures)[:20]:
        print(f"  ! {line}")
    write_section(lines, markers=MARKERS)
    return 1 if result.server_errors or result.silent or result.failures else 0


def section(
    args: argparse.Namespace,
    result: FuzzResult,
    elapsed: float,
    memory_mib: tuple[float, float],
) -> list[str]:
    """The run's section of docs/benchmarks.md, between its markers."""
    sent = sum(result.statuses.values()) + len(result.failures)
    statuses = ", ".join(
        f"{status}: {count}" for status, count in sorted(result.statuses.items())
    )
    return [
        MARKERS[0],
        "## Fuzzing",
        "",
        f"Measured {dt.date.today().isoformat()} on {machine_description()} with "
        f"`make fuzz` (bench/fuzz.py, seed {args.seed}): {sent} random messages over "
        f"REST from {args.conversations} conversations, {args.concurrency} at once, "
        "as a local tool (no rate limits).",
        "",
        "| figure | value |",
        "|---|---|",
        f"| messages sent | {sent} in {elapsed:.0f} s |",
        f"| responses by status | {statuses} |",
        f"| 5xx | {result.server_errors} |",
        f"| silent replies (200 with nothing to show) | {len(result.silent)} |",
        f"| requests that failed (no response) | {len(result.failures)} |",
        f"| latency p50 / p95 / max | {statistics.median(result.latencies_ms):.0f} / "
        f"{percentile(result.latencies_ms, 0.95):.0f} / "
        f"{max(result.latencies_ms):.0f} ms |",
        f"| Rasa server memory, before / after | {memory_mib[0]:.0f} / "
        f"{memory_mib[1]:.0f} MiB |",
        "",
        *(
            [
                "The 413s are the longest messages, whose JSON body passes the "
                "REST channel's body limit (`MAX_BODY_BYTES`); shorter over-long "
                'ones get the "too long" reply.',
                "",
            ]
            if 413 in result.statuses
            else []
        ),
        MARKERS[1],
    ]


if __name__ == "__main__":
    sys.exit(main())
