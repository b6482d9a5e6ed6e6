"""End to end over REST: the real Rasa server, the real action server, a real database."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from smp import repository
from smp.db import BookingRequest, session_scope

pytestmark = pytest.mark.e2e


def new_sender() -> str:
    return f"e2e-{uuid.uuid4().hex[:12]}"


def texts(replies: list[dict]) -> str:
    return "\n".join(reply.get("text", "") for reply in replies)


def stored_answer_text(database_url: str, intent: str) -> str:
    with session_scope(database_url) as session:
        answer = repository.find_answer(session, intent)
        assert answer is not None
        return answer.text


def test_a_question_gets_the_database_answer_with_follow_up_buttons(assistant_stack):
    replies = assistant_stack.say(new_sender(), "does it hurt?")
    stored = stored_answer_text(assistant_stack.database_url, "faq_pain")
    assert stored.split("\n")[0][:60] in texts(replies)
    buttons = [b for reply in replies for b in reply.get("buttons", [])]
    assert {
        "title": "Book a free consultation",
        "payload": "/book_consultation",
    } in buttons
    assert 3 <= len(buttons) <= 4


def test_an_edited_answer_is_served_at_once_without_retraining(assistant_stack):
    url = assistant_stack.database_url
    with session_scope(url) as session:
        answer = repository.find_answer(session, "faq_longevity")
        repository.update_answer(
            session,
            answer.id,
            editor="e2e-test",
            text="Edited for the test: SMP usually lasts several years.",
        )
    replies = assistant_stack.say(new_sender(), "how long does smp last?")
    assert "Edited for the test: SMP usually lasts several years." in texts(replies)


def test_a_completed_booking_over_rest_is_stored_in_the_database(assistant_stack):
    sender = new_sender()
    say = assistant_stack.say
    say(sender, "can I cover my strip scar?")
    assert "name" in texts(say(sender, "I'd like to book a consultation")).lower()
    assert "email" in texts(say(sender, "Jane Doe")).lower()
    assert "when" in texts(say(sender, "jane.doe@example.com")).lower()
    concern = texts(say(sender, "next Tuesday afternoon"))
    assert "concern" in concern.lower()
    assert "ok for the clinic to contact you" in texts(say(sender, "/affirm")).lower()
    summary = texts(say(sender, "/affirm"))
    assert "Jane Doe" in summary and "jane.doe@example.com" in summary
    done = texts(say(sender, "/affirm"))
    with session_scope(assistant_stack.database_url) as session:
        rows = session.scalars(
            select(BookingRequest).where(BookingRequest.conversation_id == sender)
        ).all()
        assert len(rows) == 1
        assert rows[0].reference in done
        assert rows[0].email == "jane.doe@example.com"
        assert rows[0].name == "Jane Doe"
        assert rows[0].preferred_date is not None
