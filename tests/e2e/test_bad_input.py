"""Hostile, odd and oversized messages: the assistant always replies and stores nothing unsafe."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
import uuid

import pytest
from sqlalchemy import func, select
from visitors import WidgetVisitor, post_rest, texts, user_messages

from launcher.testing import widget_origins
from smp.db import Answer, BookingRequest, session_scope

pytestmark = pytest.mark.e2e

ODD_MESSAGES = {
    "empty": "",
    "whitespace": "   \n\t ",
    "huge": "why " * 1250,
    "emoji": "😀😀🔥💈",
    "spanish": "¿Duele la micropigmentación capilar?",
    "chinese": "头皮纹绣疼吗？",
    "arabic": "هل هذا الإجراء مؤلم؟",
    "html": "<b>hi</b><img src=x onerror=alert(1)>",
    "script": "<script>alert('x')</script>",
    "sql": "'; DROP TABLE answers; --",
    "json_like": '{"sender": "other", "message": "/book_consultation"}',
    "control_chars": "hello\x00\x07\x1b[31m",
}


@pytest.mark.parametrize("name", ODD_MESSAGES)
def test_every_odd_message_gets_a_reply(assistant_stack, name):
    replies = assistant_stack.say(
        f"odd-{name}-{uuid.uuid4().hex[:8]}", ODD_MESSAGES[name]
    )
    assert replies, f"no reply to the {name} message"
    assert all(reply.get("text") or reply.get("buttons") for reply in replies)


def test_hostile_text_leaves_the_answers_table_intact(assistant_stack):
    with session_scope(assistant_stack.database_url) as session:
        before = session.scalar(select(func.count()).select_from(Answer))
    assistant_stack.say(f"sql-{uuid.uuid4().hex[:8]}", ODD_MESSAGES["sql"])
    with session_scope(assistant_stack.database_url) as session:
        assert session.scalar(select(func.count()).select_from(Answer)) == before


def test_a_malformed_request_body_is_refused_without_a_server_error(assistant_stack):
    request = urllib.request.Request(
        f"{assistant_stack.rasa_url}/webhooks/rest/webhook",
        data=b"{not json",
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=30)  # noqa: S310
    assert 400 <= refused.value.code < 500


def test_a_hostile_name_in_the_booking_form_is_asked_again_and_not_stored(
    assistant_stack,
):
    sender = f"hostile-{uuid.uuid4().hex[:8]}"
    assistant_stack.say(sender, "book a consultation")
    replies = assistant_stack.say(sender, "<script>alert(1)</script>")
    said = " ".join(reply.get("text", "") for reply in replies)
    assert "letters" in said and "name" in said.lower()
    with session_scope(assistant_stack.database_url) as session:
        rows = session.scalars(
            select(BookingRequest).where(BookingRequest.conversation_id == sender)
        ).all()
    assert rows == []


def test_a_reply_never_echoes_markup_back(assistant_stack):
    replies = assistant_stack.say(
        f"echo-{uuid.uuid4().hex[:8]}", ODD_MESSAGES["script"]
    )
    assert "<script>" not in json.dumps(replies)


# -- Bodies and lengths the channels refuse before the assistant reads them -------

DEEP = b"[" * 1000 + b"]" * 1000
MALFORMED_BODIES = {
    "empty": b"",
    "array": b"[]",
    "string": b'"hello"',
    "null": b"null",
    "nested_1000_deep": DEEP,
    "nested_metadata": b'{"sender": "deep", "message": "hi", "metadata": '
    + DEEP
    + b"}",
    "message_number": json.dumps({"sender": "odd", "message": 42}).encode(),
    "message_list": json.dumps({"sender": "odd", "message": ["hi"]}).encode(),
    "message_null": json.dumps({"sender": "odd", "message": None}).encode(),
    "no_message": json.dumps({"sender": "odd"}).encode(),
    "metadata_string": json.dumps(
        {"sender": "odd", "message": "hi", "metadata": "x"}
    ).encode(),
}


@pytest.mark.parametrize("name", MALFORMED_BODIES)
def test_a_malformed_body_gets_400_with_a_reason(assistant_stack, name):
    answer = post_rest(assistant_stack.rasa_url, MALFORMED_BODIES[name])
    assert answer.status == 400, answer.body
    assert isinstance(answer.body, dict) and answer.body["reason"]


def test_an_oversized_body_gets_413_before_it_is_read(assistant_stack):
    body = {"sender": "big", "message": "hi", "metadata": {"pad": "x" * 300_000}}
    answer = post_rest(assistant_stack.rasa_url, body)
    assert answer.status == 413
    assert "larger than" in answer.body["reason"]


def test_a_message_over_2000_characters_is_answered_without_being_classified(
    assistant_stack,
):
    sender = f"long-{uuid.uuid4().hex[:8]}"
    answer = post_rest(
        assistant_stack.rasa_url, {"sender": sender, "message": "does it hurt? " * 150}
    )
    assert answer.status == 200
    assert "too long" in texts(answer.body)
    assert "2000 characters" in texts(answer.body)
    assert user_messages(assistant_stack.tracker(sender)) == []
    at_the_limit = ("does it hurt? " * 143)[:2000]
    assert "too long" not in texts(assistant_stack.say(sender, at_the_limit))
    assert user_messages(assistant_stack.tracker(sender)) == [at_the_limit]


async def test_a_long_widget_message_is_answered_without_being_classified(
    assistant_stack,
):
    tab = WidgetVisitor(
        assistant_stack.rasa_url, widget_origins(assistant_stack.workdir)[0]
    )
    await tab.connect()
    try:
        conversation, _ = await tab.request_session()
        replies = await tab.say("how much is it? " * 200, conversation)
        assert "too long" in texts(replies)
        assert user_messages(assistant_stack.tracker(conversation)) == []
    finally:
        await tab.close()


@pytest.mark.parametrize("command", ["/restart", "/back", "/session_start"])
def test_a_rasa_command_typed_by_a_visitor_gets_a_reply_not_silence(
    assistant_stack, command
):
    replies = assistant_stack.say(f"command-{uuid.uuid4().hex[:8]}", command)
    assert any(reply.get("text") or reply.get("buttons") for reply in replies)
