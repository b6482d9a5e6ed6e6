"""Token buckets: bursts up to the size, then the refill rate; Redis if present."""

from __future__ import annotations

import asyncio
import shutil
import socket
import subprocess
import time

import pytest

from channels.ratelimit import MemoryLimiter, Rate, RedisLimiter, Verdict
from launcher.testing import free_port


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


TEN_PER_TEN_SECONDS = Rate(10, 10.0)
THREE_PER_MINUTE = Rate(3, 60.0)


async def take(limiter, *buckets) -> Verdict:
    return await limiter.acquire(list(buckets))


async def test_a_bucket_allows_its_burst_then_refills_at_its_rate():
    clock = Clock()
    limiter = MemoryLimiter(clock)
    bucket = ("conversation:a", TEN_PER_TEN_SECONDS)
    assert all([(await take(limiter, bucket)).allowed for _ in range(10)])
    refused = await take(limiter, bucket)
    assert not refused.allowed
    assert refused.retry_after == pytest.approx(1.0)
    assert refused.retry_after_seconds == 1
    clock.now += 1.0
    assert (await take(limiter, bucket)).allowed
    assert not (await take(limiter, bucket)).allowed


async def test_buckets_are_independent_per_key():
    limiter = MemoryLimiter(Clock())
    for _ in range(3):
        assert (await take(limiter, ("address:x", THREE_PER_MINUTE))).allowed
    assert not (await take(limiter, ("address:x", THREE_PER_MINUTE))).allowed
    assert (await take(limiter, ("address:y", THREE_PER_MINUTE))).allowed


async def test_a_refused_message_takes_no_token_from_the_other_buckets():
    clock = Clock()
    limiter = MemoryLimiter(clock)
    conversation = ("conversation:a", Rate(1, 10.0))
    address = ("address:x", THREE_PER_MINUTE)
    assert (await take(limiter, conversation, address)).allowed
    for _ in range(5):
        assert not (await take(limiter, conversation, address)).allowed
    # The address still has two of its three: another conversation may use them.
    assert (await take(limiter, ("conversation:b", Rate(9, 1.0)), address)).allowed
    assert (await take(limiter, ("conversation:c", Rate(9, 1.0)), address)).allowed
    refused = await take(limiter, ("conversation:d", Rate(9, 1.0)), address)
    assert not refused.allowed
    assert refused.retry_after == pytest.approx(20.0)


async def test_a_zero_rate_is_no_limit():
    limiter = MemoryLimiter(Clock())
    for _ in range(100):
        assert (await take(limiter, ("address:x", Rate(0, 60.0)))).allowed


async def test_refilled_buckets_are_forgotten_when_there_are_too_many():
    clock = Clock()
    limiter = MemoryLimiter(clock, max_buckets=50)
    for n in range(50):
        await take(limiter, (f"conversation:{n}", TEN_PER_TEN_SECONDS))
    clock.now += 5.0
    await take(limiter, ("conversation:new", TEN_PER_TEN_SECONDS))
    assert len(limiter) == 1


# -- Redis -------------------------------------------------------------------------

REDIS_SERVER = shutil.which("redis-server")


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    if REDIS_SERVER is None:
        pytest.skip(
            "redis-server is not installed on this machine, so the Redis rate "
            "limiter (REDIS_URL) is not exercised here; apt-get install redis-server"
        )
    port = free_port()
    workdir = tmp_path_factory.mktemp("redis")
    process = subprocess.Popen(
        [REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--save", ""],
        cwd=workdir,
        stdout=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    yield f"redis://127.0.0.1:{port}/0"
    process.terminate()
    process.wait(timeout=10)


async def test_redis_buckets_allow_the_burst_then_refuse_with_a_wait(redis_url):
    limiter = RedisLimiter(redis_url, prefix=f"test:{time.time()}:")
    bucket = ("conversation:a", TEN_PER_TEN_SECONDS)
    verdicts = [await take(limiter, bucket) for _ in range(11)]
    assert [v.allowed for v in verdicts] == [True] * 10 + [False]
    assert 0 < verdicts[-1].retry_after <= 1.0
    await limiter.close()


async def test_two_limiters_on_one_redis_share_the_buckets(redis_url):
    prefix = f"test:{time.time()}:"
    first, second = RedisLimiter(redis_url, prefix), RedisLimiter(redis_url, prefix)
    bucket = ("address:x", THREE_PER_MINUTE)
    results = await asyncio.gather(
        *(take(limiter, bucket) for limiter in [first, second] * 3)
    )
    assert sum(v.allowed for v in results) == 3
    await first.close()
    await second.close()


async def test_an_unreachable_redis_falls_back_to_memory_limits(caplog):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # Nothing listens here.
    limiter = RedisLimiter(f"redis://127.0.0.1:{port}/0")
    bucket = ("conversation:a", Rate(2, 60.0))
    verdicts = [await take(limiter, bucket) for _ in range(3)]
    assert [v.allowed for v in verdicts] == [True, True, False]
    assert "Redis unreachable" in caplog.text
    await limiter.close()
