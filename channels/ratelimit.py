"""Token-bucket rate limits, in this process or shared through Redis.

A bucket holds up to `Rate.messages` tokens and refills at `messages /
seconds` tokens a second; each message takes one token from every bucket it
counts against (its conversation's and its address's), and only when all of
them have one, so a refused message costs nothing.

`MemoryLimiter` keeps the buckets in this process (one Rasa server).
`RedisLimiter` keeps them in Redis (`REDIS_URL`), so several Rasa servers
share them; a Lua script checks and takes the tokens in one atomic step, on
Redis's own clock. If Redis cannot be reached, the limits fall back to this
process's memory (and say so in the log) rather than refusing every visitor.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import redis.asyncio as redis_asyncio
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Rate:
    """`messages` per `seconds` (bursts of up to `messages`); 0 turns it off."""

    messages: int
    seconds: float

    @property
    def enabled(self) -> bool:
        return self.messages > 0 and self.seconds > 0

    @property
    def per_second(self) -> float:
        return self.messages / self.seconds


@dataclass(frozen=True)
class Verdict:
    """Whether a message may go on, and if not, in how many seconds it could."""

    allowed: bool
    retry_after: float = 0.0

    @property
    def retry_after_seconds(self) -> int:
        """`retry_after` rounded up to whole seconds, at least 1."""
        return max(1, math.ceil(self.retry_after))


Buckets = Sequence[tuple[str, Rate]]


class Limiter(Protocol):
    async def acquire(self, buckets: Buckets) -> Verdict:
        """Take one token from every bucket, or none if any is empty."""
        ...


class MemoryLimiter:
    """Token buckets in this process's memory."""

    def __init__(
        self,
        clock: Callable[[], float] = time.monotonic,
        max_buckets: int = 100_000,
    ) -> None:
        self._clock = clock
        self._max_buckets = max_buckets
        # key -> (tokens, time of that level, rate)
        self._buckets: dict[str, tuple[float, float, Rate]] = {}

    def __len__(self) -> int:
        return len(self._buckets)

    def _level(self, key: str, rate: Rate, now: float) -> float:
        tokens, at, _ = self._buckets.get(key, (float(rate.messages), now, rate))
        return min(float(rate.messages), tokens + max(0.0, now - at) * rate.per_second)

    async def acquire(self, buckets: Buckets) -> Verdict:
        # No await in here: the check and the take are one step for asyncio.
        now = self._clock()
        active = [(key, rate) for key, rate in buckets if rate.enabled]
        levels = [(key, rate, self._level(key, rate, now)) for key, rate in active]
        waits = [(1 - lvl) / rate.per_second for _, rate, lvl in levels if lvl < 1]
        allowed = not waits
        for key, rate, level in levels:
            self._buckets[key] = (level - 1 if allowed else level, now, rate)
        if len(self._buckets) > self._max_buckets:
            self._forget_full(now)
        return Verdict(allowed=allowed, retry_after=max(waits, default=0.0))

    def _forget_full(self, now: float) -> None:
        """Drop buckets that have refilled (they read the same when missing)."""
        for key, (_, _, rate) in list(self._buckets.items()):
            if self._level(key, rate, now) >= rate.messages:
                del self._buckets[key]
        if len(self._buckets) > self._max_buckets:
            # Still too many active ones: forget the oldest half.
            by_age = sorted(self._buckets, key=lambda k: self._buckets[k][1])
            for key in by_age[: len(by_age) // 2]:
                del self._buckets[key]


# KEYS: the buckets; ARGV: capacity and refill per second of each, in turn.
# Returns {allowed (1/0), seconds to wait (as text: Lua numbers become integers)}.
_ACQUIRE = """
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local levels = {}
local wait = 0
for i, key in ipairs(KEYS) do
  local capacity = tonumber(ARGV[2 * i - 1])
  local refill = tonumber(ARGV[2 * i])
  local state = redis.call('HMGET', key, 'tokens', 'at')
  local tokens = tonumber(state[1])
  local at = tonumber(state[2])
  if tokens == nil or at == nil then
    tokens = capacity
    at = now
  end
  tokens = math.min(capacity, tokens + math.max(0, now - at) * refill)
  levels[i] = tokens
  if tokens < 1 then
    wait = math.max(wait, (1 - tokens) / refill)
  end
end
local allowed = 0
if wait == 0 then
  allowed = 1
end
for i, key in ipairs(KEYS) do
  local capacity = tonumber(ARGV[2 * i - 1])
  local refill = tonumber(ARGV[2 * i])
  local tokens = levels[i] - allowed
  redis.call('HSET', key, 'tokens', tostring(tokens), 'at', tostring(now))
  redis.call('PEXPIRE', key, math.ceil(capacity / refill * 1000) + 1000)
end
return {allowed, tostring(wait)}
"""


class RedisLimiter:
    """Token buckets in Redis, shared by every Rasa server using it."""

    def __init__(
        self,
        url: str,
        prefix: str = "smp:rate:",
        fallback: MemoryLimiter | None = None,
        retry_seconds: float = 30.0,
    ) -> None:
        self._client: Any = redis_asyncio.from_url(
            url, socket_connect_timeout=1, socket_timeout=1
        )
        self._script: Any = self._client.register_script(_ACQUIRE)
        self._prefix = prefix
        self._fallback = fallback or MemoryLimiter()
        self._retry_seconds = retry_seconds
        self._down_until = 0.0

    async def acquire(self, buckets: Buckets) -> Verdict:
        active = [(key, rate) for key, rate in buckets if rate.enabled]
        if not active:
            return Verdict(allowed=True)
        if time.monotonic() < self._down_until:
            return await self._fallback.acquire(active)
        args: list[float] = []
        for _, rate in active:
            args += [rate.messages, rate.per_second]
        try:
            allowed, wait = await self._script(
                keys=[self._prefix + key for key, _ in active], args=args
            )
        except (OSError, RedisError) as error:
            self._down_until = time.monotonic() + self._retry_seconds
            logger.error(
                "Rate limits: Redis unreachable (%s); limiting in this process "
                "for the next %.0f s.",
                error,
                self._retry_seconds,
            )
            return await self._fallback.acquire(active)
        return Verdict(allowed=int(allowed) == 1, retry_after=float(wait))

    async def close(self) -> None:
        await self._client.close()


def limiter_for(redis_url: str) -> Limiter:
    """Redis buckets when `redis_url` is set, otherwise this process's memory."""
    if redis_url:
        return RedisLimiter(redis_url)
    return MemoryLimiter()
