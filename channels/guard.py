"""What the website widget and REST channels let through to the assistant.

Every visitor message passes `ChannelGuard.admit` before Rasa reads it: a
message from a visitor (not a local tool, see channels/callers.py) takes a
token from its conversation's bucket and from its address's bucket, and a
message longer than `MAX_MESSAGE_CHARS` is answered with a short explanation
instead of being classified. Both channels of one Rasa server share one
guard, so an address's allowance covers the widget and REST together.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from channels.callers import Caller
from channels.ratelimit import Limiter, Rate, Verdict, limiter_for
from smp.settings import ChannelLimits, get_settings

# The sentences live with every other visitor-facing text, as responses in
# domain.yml; the guard answers before Rasa, so it reads them from the file.
DOMAIN_FILE = Path(__file__).resolve().parent.parent / "domain.yml"
REPLIES = {
    "too_long": "utter_message_too_long",
    "slow_down": "utter_slow_down",
    "action_failed": "utter_action_failed",  # channels/action_calls.py
    "turn_failed": "utter_turn_failed",  # channels/socketio.py
    # Telegram's answer feedback (channels/telegram.py).
    "vote_helpful_button": "utter_vote_helpful_button",
    "vote_not_helpful_button": "utter_vote_not_helpful_button",
    "vote_helpful": "utter_vote_helpful",
    "vote_not_helpful": "utter_vote_not_helpful",
    "vote_not_served": "utter_vote_not_served",
    "vote_failed": "utter_vote_failed",
    # WhatsApp's answer footer (channels/whatsapp.py).
    "vote_reaction_hint": "utter_vote_reaction_hint",
}
# Refusals are logged once a minute per address and reason, with a count, so a
# flood does not flood the log.
LOG_EVERY_SECONDS = 60.0

logger = logging.getLogger(__name__)


@lru_cache(maxsize=1)
def _replies() -> dict[str, str]:
    domain = yaml.safe_load(DOMAIN_FILE.read_text(encoding="utf-8")) or {}
    responses = domain.get("responses") or {}
    return {
        name: str(responses[response][0]["text"]) for name, response in REPLIES.items()
    }


def reply_text(name: str, **values: object) -> str:
    """The visitor-facing sentence `name` (a domain.yml response), filled in."""
    return _replies()[name].format(**values)


def fingerprint(text: str) -> str:
    """A visitor's message as logs name it: its length and a hash, never its text.

    The hash lets a message be matched to a report about it without the log
    holding what the visitor wrote (often contact details).
    """
    digest = hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()[:16]
    return f"{len(text)} characters, sha256 {digest}"


@dataclass(frozen=True)
class Admission:
    """The guard's answer: go on, or what to tell the visitor instead."""

    allowed: bool
    reason: str = ""  # "rate_limited" or "too_long" when refused
    reply: str = ""
    retry_after: int = 0  # whole seconds, when rate-limited

    @classmethod
    def rate_limited(cls, verdict: Verdict) -> Admission:
        return cls(
            allowed=False,
            reason="rate_limited",
            reply=reply_text("slow_down"),
            retry_after=verdict.retry_after_seconds,
        )


class ChannelGuard:
    """Length cap and rate limits for one Rasa server's visitor channels."""

    def __init__(self, limits: ChannelLimits, limiter: Limiter) -> None:
        self.limits = limits
        self.limiter = limiter
        self.conversation_rate = Rate(
            limits.conversation_messages, limits.conversation_seconds
        )
        self.address_rate = Rate(limits.address_messages, limits.address_seconds)
        # (address, reason) -> (when last logged, refusals since)
        self._refusals: dict[tuple[str, str], tuple[float, int]] = {}
        # Open socket.io connections per visitor address.
        self._connections: Counter[str] = Counter()

    def connect(self, caller: Caller) -> bool:
        """Whether a visitor may open one more connection (counted if so).

        Each open connection holds memory until it closes, so one address may
        hold at most `MAX_CONNECTIONS_PER_ADDRESS`. Local tools are not counted.
        """
        if caller.local:
            return True
        if self._connections[caller.address] >= self.limits.connections_per_address:
            self.report(caller.address, "too many open connections")
            return False
        self._connections[caller.address] += 1
        return True

    def disconnect(self, caller: Caller) -> None:
        """Forget a connection `connect` counted."""
        if caller.local or self._connections[caller.address] <= 0:
            return
        self._connections[caller.address] -= 1
        if not self._connections[caller.address]:
            del self._connections[caller.address]

    def too_long(self, text: str) -> bool:
        return len(text) > self.limits.max_message_chars

    async def admit(self, conversation: str, caller: Caller, text: str) -> Admission:
        """Whether this message may reach the assistant now."""
        if not caller.local:
            verdict = await self.limiter.acquire(
                [
                    (f"conversation:{conversation}", self.conversation_rate),
                    (f"address:{caller.address}", self.address_rate),
                ]
            )
            if not verdict.allowed:
                self.report(caller.address, "sending too fast")
                return Admission.rate_limited(verdict)
        if self.too_long(text):
            return Admission(
                allowed=False,
                reason="too_long",
                reply=reply_text("too_long", limit=self.limits.max_message_chars),
            )
        return Admission(allowed=True)

    def report(self, address: str, reason: str) -> None:
        """Log a refused request: the first at once, then a count a minute."""
        key = (address, reason)
        now = time.monotonic()
        logged_at, count = self._refusals.get(key, (-LOG_EVERY_SECONDS, 0))
        count += 1
        if now - logged_at < LOG_EVERY_SECONDS:
            self._refusals[key] = (logged_at, count)
            return
        logger.warning(
            "Refused %d request(s) from %s since the last report: %s.",
            count,
            address,
            reason,
        )
        self._refusals[key] = (now, 0)
        if len(self._refusals) > 10_000:
            cutoff = now - LOG_EVERY_SECONDS
            self._refusals = {
                key: value for key, value in self._refusals.items() if value[0] > cutoff
            }


@lru_cache(maxsize=1)
def shared_guard() -> ChannelGuard:
    """The guard of this process, from the settings (one per Rasa server)."""
    settings = get_settings()
    return ChannelGuard(settings.channel_limits, limiter_for(settings.redis_url))
