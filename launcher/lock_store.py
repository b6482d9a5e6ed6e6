"""The Rasa servers' conversation locks: in Redis, or this server's own while
Redis is down.

Several Rasa servers behind a load balancer share one lock per conversation in
Redis, so two messages of one conversation are never processed at once on two
servers. When Redis cannot be reached, Rasa's own Redis lock store fails every
message (the visitor gets no answer at all). This one keeps answering: it takes
the lock in this server's memory instead and logs a warning. The load balancer
keeps a visitor on one server (sticky cookie), so in practice a conversation's
messages still queue behind each other; what is lost while Redis is down is the
guarantee for a visitor whose messages reach two servers at the same instant.
The channels' rate limits fall back the same way (channels/ratelimit.py).

Rasa loads this class when the endpoints name it as the lock store's `type`
(launcher/runtime.py does, whenever `REDIS_URL` is set).
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager

from rasa.core.lock import TicketLock
from rasa.core.lock_store import (
    LOCK_LIFETIME,
    InMemoryLockStore,
    LockError,
    RedisLockStore,
)
from rasa.utils.endpoints import EndpointConfig
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# While Redis is down, the warning is repeated at most once a minute.
WARN_EVERY_SECONDS = 60.0


class RedisOrLocalLockStore(RedisLockStore):
    """Redis ticket locks, falling back to in-process locks without Redis."""

    def __init__(self, endpoint_config: EndpointConfig) -> None:
        super().__init__(host=endpoint_config.url, **endpoint_config.kwargs)
        self.local = InMemoryLockStore()
        self._warned_at = float("-inf")

    def _warn(self, problem: Exception) -> None:
        now = time.monotonic()
        if now - self._warned_at >= WARN_EVERY_SECONDS:
            self._warned_at = now
            logger.warning(
                "Redis cannot be reached (%s): conversations are locked in this "
                "server only until it is back.",
                problem,
            )

    @asynccontextmanager
    async def lock(
        self,
        conversation_id: str,
        lock_lifetime: float = LOCK_LIFETIME,
        wait_time_in_seconds: float = 1,
    ) -> AsyncGenerator[TicketLock, None]:
        """The conversation's lock in Redis, or in this process without Redis."""
        try:
            ticket = self.issue_ticket(conversation_id, lock_lifetime)
        except LockError as problem:
            if not isinstance(problem.__context__, RedisError):
                raise
            self._warn(problem.__context__)
            async with self.local.lock(
                conversation_id, lock_lifetime, wait_time_in_seconds
            ) as lock:
                yield lock
            return
        try:
            yield await self._acquire_lock(
                conversation_id, ticket, wait_time_in_seconds
            )
        finally:
            try:
                self.cleanup(conversation_id, ticket)
            except RedisError as problem:
                # Redis went away mid-message: its lock expires by itself.
                self._warn(problem)
