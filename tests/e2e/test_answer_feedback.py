"""'Was this helpful?' votes reach the database only from the conversation's own
visitor, on the clinic's site, within size and rate limits.

Against the real Rasa and action servers: a visitor asks over the widget's
socket.io channel and votes on the answer; a stranger tries to vote in that
conversation, a foreign site tries to vote, and oversized votes are sent.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from test_session_takeover import origin, visitor
from visitors import WidgetVisitor, post_rest

from smp.db import AnswerFeedback, session_scope

pytestmark = pytest.mark.e2e
# The demo site's origin and a widget visitor on it, as in the takeover tests.
__all__ = ["origin", "visitor"]

FEEDBACK_PATH = "/webhooks/feedback/answers"
STRANGER_ADDRESS = "203.0.113.77"
# Votes come through the clinic's proxy, as a visitor's would (not a local tool).
VISITOR_ADDRESS = "198.51.100.20"
FLOODER = "198.51.100.66"


@pytest.fixture
async def answered(visitor) -> dict[str, Any]:
    """A conversation whose visitor asked a question and got an answer."""
    conversation, token = await visitor.request_session()
    replies = await visitor.say("does it hurt?", conversation)
    [answer] = [m["answer"] for m in replies if "answer" in m]
    return {"conversation": conversation, "token": token, "answer": answer}


def vote(stack, origin: str, body: Any, address: str = VISITOR_ADDRESS):
    headers = {"Origin": origin, "X-Forwarded-For": address}
    return post_rest(stack.rasa_url, body, headers=headers, path=FEEDBACK_PATH)


def body_of(answered: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return {
        "session_id": answered["conversation"],
        "token": answered["token"],
        "answer_id": answered["answer"]["id"],
        "version": answered["answer"]["version"],
        "helpful": False,
        **changes,
    }


def stored(stack, conversation: str) -> list[AnswerFeedback]:
    with session_scope(stack.database_url) as session:
        rows = session.scalars(
            select(AnswerFeedback).where(AnswerFeedback.conversation_id == conversation)
        ).all()
        session.expunge_all()
        return list(rows)


async def test_the_visitor_votes_on_the_answer_they_got_with_its_question(
    assistant_stack, origin, answered
):
    answer = vote(
        assistant_stack, origin, body_of(answered, comment="Say how long it stings")
    )
    assert (answer.status, answer.body) == (200, {"status": "saved"})
    [row] = stored(assistant_stack, answered["conversation"])
    assert (row.answer_id, row.answer_version) == (
        answered["answer"]["id"],
        answered["answer"]["version"],
    )
    assert (row.helpful, row.comment, row.question) == (
        False,
        "Say how long it stings",
        "does it hurt?",
    )


async def test_without_the_token_or_with_another_visitors_token_nothing_is_stored(
    assistant_stack, origin, answered
):
    stranger = await WidgetVisitor(
        assistant_stack.rasa_url, origin, forwarded_for=STRANGER_ADDRESS
    ).connect()
    try:
        own_conversation, own_token = await stranger.request_session()
    finally:
        await stranger.close()
    no_token = body_of(answered)
    del no_token["token"]
    for body in (
        no_token,
        body_of(answered, token=""),
        body_of(answered, token=own_token),
    ):
        assert vote(assistant_stack, origin, body, STRANGER_ADDRESS).status == 401
    # With their own conversation, the answer was never given to them.
    theirs = body_of(answered, session_id=own_conversation, token=own_token)
    assert vote(assistant_stack, origin, theirs, STRANGER_ADDRESS).status == 404
    assert stored(assistant_stack, answered["conversation"]) == []
    assert stored(assistant_stack, own_conversation) == []


async def test_a_foreign_site_cannot_vote(assistant_stack, answered):
    answer = vote(assistant_stack, "https://evil.example", body_of(answered))
    assert answer.status == 403
    assert answer.body["error"] == "origin_not_allowed"
    assert stored(assistant_stack, answered["conversation"]) == []


async def test_a_huge_comment_or_body_is_refused(assistant_stack, origin, answered):
    long_comment = vote(assistant_stack, origin, body_of(answered, comment="x" * 1001))
    assert long_comment.status == 400
    assert "comment" in long_comment.body["reason"]
    huge = vote(assistant_stack, origin, body_of(answered, comment="x" * 20_000))
    assert huge.status == 413
    malformed = vote(assistant_stack, origin, body_of(answered, helpful="yes"))
    assert malformed.status == 400
    assert stored(assistant_stack, answered["conversation"]) == []


async def test_votes_in_a_flood_are_rate_limited(assistant_stack, origin, answered):
    statuses = [
        vote(
            assistant_stack, origin, body_of(answered, helpful=n % 2 == 0), FLOODER
        ).status
        for n in range(15)
    ]
    assert 429 in statuses
    assert statuses[0] == 200
    assert set(statuses) == {200, 429}
