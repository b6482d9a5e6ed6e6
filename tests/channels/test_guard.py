"""The guard: local tools pass, visitors are rate-limited, long messages answered."""

from __future__ import annotations

from channels.callers import Caller
from channels.guard import ChannelGuard, reply_text
from channels.ratelimit import MemoryLimiter
from smp.settings import ChannelLimits, Settings

LIMITS = ChannelLimits(
    max_message_chars=20,
    conversation_messages=2,
    conversation_seconds=10,
    address_messages=3,
    address_seconds=60,
)
VISITOR = Caller("198.51.100.7", local=False)
LOCAL_TOOL = Caller("127.0.0.1", local=True)


def guard() -> ChannelGuard:
    return ChannelGuard(LIMITS, MemoryLimiter())


async def test_a_visitor_may_send_a_burst_of_the_conversation_size_then_waits():
    g = guard()
    assert (await g.admit("c1", VISITOR, "hi")).allowed
    assert (await g.admit("c1", VISITOR, "hi")).allowed
    refused = await g.admit("c1", VISITOR, "hi")
    assert not refused.allowed
    assert refused.reason == "rate_limited"
    assert refused.retry_after == 5
    assert refused.reply == reply_text("slow_down")


async def test_one_address_is_limited_across_its_conversations():
    g = guard()
    for conversation in ("c1", "c2", "c3"):
        assert (await g.admit(conversation, VISITOR, "hi")).allowed
    assert (await g.admit("c4", VISITOR, "hi")).reason == "rate_limited"
    other = Caller("198.51.100.8", local=False)
    assert (await g.admit("c5", other, "hi")).allowed


async def test_local_tools_are_not_rate_limited():
    g = guard()
    for _ in range(20):
        assert (await g.admit("c1", LOCAL_TOOL, "hi")).allowed


async def test_a_long_message_is_answered_with_the_limit_and_not_let_through():
    g = guard()
    refused = await g.admit("c1", LOCAL_TOOL, "x" * 21)
    assert not refused.allowed
    assert refused.reason == "too_long"
    assert "20 characters" in refused.reply
    assert (await g.admit("c1", LOCAL_TOOL, "x" * 20)).allowed


def test_the_limits_default_to_the_documented_figures():
    limits = Settings.from_environment({}).channel_limits
    assert limits.max_message_chars == 2000
    assert (limits.conversation_messages, limits.conversation_seconds) == (10, 10)
    assert (limits.address_messages, limits.address_seconds) == (60, 60)
    tuned = Settings.from_environment(
        {"RATE_LIMIT_CONVERSATION_MESSAGES": "3", "MAX_MESSAGE_CHARS": "500"}
    ).channel_limits
    assert (tuned.conversation_messages, tuned.max_message_chars) == (3, 500)


async def test_a_flood_is_logged_once_with_a_count_not_once_per_message(caplog):
    g = guard()
    with caplog.at_level("WARNING", logger="channels.guard"):
        for _ in range(50):
            await g.admit("c1", VISITOR, "hi")
    lines = [r.getMessage() for r in caplog.records if r.name == "channels.guard"]
    assert lines == [
        "Refused 1 request(s) from 198.51.100.7 since the last report: "
        "sending too fast."
    ]
