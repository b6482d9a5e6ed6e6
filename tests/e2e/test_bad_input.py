"""Hostile, odd and oversized messages: the assistant always replies and stores nothing unsafe."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
import uuid

import pytest
from sqlalchemy import func, select

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
