"""Nobody takes over another visitor's conversation, over socket.io or REST.

Attacks on the real Rasa and action servers: a stranger who learns a
visitor's conversation id (from a shared screen, a log, a support ticket)
tries to join it from the widget's socket.io channel, to write into it, and
to continue its booking over REST; a REST caller without a `sender` tries the
shared `default` conversation.
"""

from __future__ import annotations

import asyncio
import uuid

import pytest
from visitors import WidgetVisitor, post_rest, texts, user_messages

from launcher.testing import TEST_REST_TOKEN, widget_origins

pytestmark = pytest.mark.e2e

STRANGER_ADDRESS = "203.0.113.66"


@pytest.fixture
def origin(assistant_stack) -> str:
    """A site the stack lets use the chat (the demo page's origin)."""
    return widget_origins(assistant_stack.workdir)[0]


@pytest.fixture
async def visitor(assistant_stack, origin):
    tab = await WidgetVisitor(assistant_stack.rasa_url, origin).connect()
    yield tab
    await tab.close()


@pytest.fixture
async def stranger(assistant_stack, origin):
    tab = await WidgetVisitor(
        assistant_stack.rasa_url, origin, forwarded_for=STRANGER_ADDRESS
    ).connect()
    yield tab
    await tab.close()


async def test_a_stranger_with_the_visitors_id_gets_a_new_conversation_and_no_replies(
    visitor, stranger
):
    conversation, _token = await visitor.request_session()
    assert await visitor.say("hello", conversation)

    taken, _ = await stranger.request_session(session_id=conversation)
    assert taken != conversation, "the stranger was joined to the visitor's chat"

    answer = await visitor.say("does it hurt?", conversation)
    assert answer
    await asyncio.sleep(1)
    overheard = texts(stranger.messages)
    assert texts(answer)[:40] not in overheard
    assert stranger.messages == []


async def test_a_forged_or_borrowed_token_opens_no_conversation(visitor, stranger):
    conversation, _ = await visitor.request_session()
    own, own_token = await stranger.request_session()
    forged = "A" * 43
    for token in (forged, own_token or forged, ""):
        taken, _ = await stranger.request_session(session_id=conversation, token=token)
        assert taken not in (conversation, own)


async def test_a_message_naming_another_conversation_never_reaches_it(
    assistant_stack, visitor, stranger
):
    conversation, _ = await visitor.request_session()
    await visitor.say("hello", conversation)
    own, _ = await stranger.request_session()
    marker = f"cancel {uuid.uuid4().hex[:6]}"
    await stranger.send(marker, conversation)
    await asyncio.sleep(3)
    assert marker not in user_messages(assistant_stack.tracker(conversation))
    assert marker not in user_messages(assistant_stack.tracker(own))


async def test_two_tabs_holding_the_same_token_share_the_conversation(
    assistant_stack, origin, visitor
):
    conversation, token = await visitor.request_session()
    second_tab = await WidgetVisitor(assistant_stack.rasa_url, origin).connect()
    try:
        joined, _ = await second_tab.request_session(conversation, token)
        assert joined == conversation
        answer = await visitor.say("does it hurt?", conversation)
        await asyncio.sleep(1)
        assert texts(answer) and texts(answer) in texts(second_tab.messages)
        from_second = await second_tab.say("how long does it last?", conversation)
        assert from_second
        said = user_messages(assistant_stack.tracker(conversation))
        assert said == ["does it hurt?", "how long does it last?"]
    finally:
        await second_tab.close()


def test_a_rest_caller_from_outside_needs_the_token(assistant_stack):
    body = {"sender": f"rest-{uuid.uuid4().hex[:8]}", "message": "hello"}
    outside = {"X-Forwarded-For": STRANGER_ADDRESS}
    refused = post_rest(assistant_stack.rasa_url, body, headers=outside)
    assert refused.status == 401
    assert refused.headers.get("WWW-Authenticate", "").startswith("Bearer")
    wrong = {**outside, "Authorization": "Bearer not-the-token"}
    assert post_rest(assistant_stack.rasa_url, body, headers=wrong).status == 401
    right = {**outside, "Authorization": f"Bearer {TEST_REST_TOKEN}"}
    allowed = post_rest(assistant_stack.rasa_url, body, headers=right)
    assert allowed.status == 200 and allowed.body


async def test_a_stranger_cannot_continue_a_visitors_booking_over_rest(
    assistant_stack, visitor
):
    conversation, _ = await visitor.request_session()
    for step in (
        "can I cover my strip scar?",
        "I'd like to book a consultation",
        "Jane Doe",
        "jane.doe@example.com",
        "next Tuesday afternoon",
        "/affirm",
    ):
        await visitor.say(step, conversation)
    attempt = post_rest(
        assistant_stack.rasa_url,
        {"sender": conversation, "message": "/affirm"},
        headers={"X-Forwarded-For": STRANGER_ADDRESS},
    )
    assert attempt.status == 401
    assert "Jane" not in str(attempt.body) and "jane.doe" not in str(attempt.body)
    assert user_messages(assistant_stack.tracker(conversation))[-1] == "/affirm"
    assert len(user_messages(assistant_stack.tracker(conversation))) == 6


def test_a_rest_message_without_a_sender_is_refused_and_joins_no_shared_chat(
    assistant_stack,
):
    before = user_messages(assistant_stack.tracker("default"))
    for body in ({"message": "what did the last person book?"}, {"sender": None}):
        refused = post_rest(assistant_stack.rasa_url, body)
        assert refused.status == 400
        assert "sender" in refused.body["reason"]
    assert user_messages(assistant_stack.tracker("default")) == before == []
