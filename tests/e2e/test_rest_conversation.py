"""End to end over REST: the real Rasa server, the real action server, a real database."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
import uuid

import pytest
from conversation_store import conversation_store_broken
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
        "short_title": "Book consultation",
        "payload": "/book_consultation",
    } in buttons
    # The short answer: "Tell me more", one follow-up and the booking button.
    assert [b["title"] for b in buttons][0] == "Tell me more"
    assert len(buttons) == 3


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


def test_typed_yes_and_correct_complete_a_booking_like_the_buttons(assistant_stack):
    # "correct" alone was classified faq_removal (0.78): the read-back would
    # have been answered with the removal answer instead of sending the request.
    sender = new_sender()
    say = assistant_stack.say
    say(sender, "can I cover my strip scar?")
    say(sender, "I'd like to book a consultation")
    say(sender, "Jane Doe")
    say(sender, "jane.doe@example.com")
    assert "concern" in texts(say(sender, "next Tuesday afternoon")).lower()
    assert "ok for the clinic to contact you" in texts(say(sender, "yes")).lower()
    summary = texts(say(sender, "Yes please"))
    assert "Jane Doe" in summary and "jane.doe@example.com" in summary
    done = texts(say(sender, "correct"))
    removal = stored_answer_text(assistant_stack.database_url, "faq_removal")
    assert removal.split("\n")[0][:60].lower() not in done.lower()
    with session_scope(assistant_stack.database_url) as session:
        rows = session.scalars(
            select(BookingRequest).where(BookingRequest.conversation_id == sender)
        ).all()
        assert len(rows) == 1
        reference = rows[0].reference
    assert reference in done
    # Outside the form a plain "that is correct" is a yes too, not a question
    # about correcting SMP: the visitor is reminded the request is sent.
    after = texts(say(sender, "that is correct"))
    assert "already with the team" in after and reference in after
    assert removal.split("\n")[0][:60].lower() not in after.lower()


def test_a_question_during_the_booking_is_answered_and_the_form_resumes(
    assistant_stack,
):
    sender = new_sender()
    say = assistant_stack.say
    say(sender, "I want to book a consultation")
    say(sender, "Sam Taylor")
    replies = texts(say(sender, "wait, does it hurt?"))
    pain = stored_answer_text(assistant_stack.database_url, "faq_pain")
    assert pain.split("\n")[0][:60] in replies
    assert "email address or phone number" in replies
    assert "when would suit you" in texts(say(sender, "07700 900123")).lower()


def test_cancelling_a_booking_stores_nothing(assistant_stack):
    sender = new_sender()
    say = assistant_stack.say
    say(sender, "book me in please")
    say(sender, "Sam Taylor")
    assert "nothing was saved" in texts(say(sender, "cancel")).lower()
    with session_scope(assistant_stack.database_url) as session:
        rows = session.scalars(
            select(BookingRequest).where(BookingRequest.conversation_id == sender)
        ).all()
    assert rows == []


def test_asking_for_a_person_stores_a_callback_and_says_when(assistant_stack):
    from smp.db import HandoffRequest

    sender = new_sender()
    say = assistant_stack.say
    assert "name" in texts(say(sender, "can I talk to a real person please")).lower()
    say(sender, "Sam Taylor")
    say(sender, "sam@example.com")
    done = texts(say(sender, "/affirm"))
    with session_scope(assistant_stack.database_url) as session:
        row = session.scalars(
            select(HandoffRequest).where(HandoffRequest.conversation_id == sender)
        ).one()
    assert row.reference in done
    assert row.email == "sam@example.com"
    assert row.reply_expected_at is not None
    assert any(word in done for word in ("today", "tomorrow", "on "))


def test_a_two_question_message_answers_one_and_offers_the_other(assistant_stack):
    replies = assistant_stack.say(new_sender(), "does it hurt and how much is it?")
    said = texts(replies)
    assert "You also asked about" in said
    payloads = [b["payload"] for reply in replies for b in reply.get("buttons", [])]
    answered = {"/faq_pain", "/faq_cost"} - set(payloads)
    assert len(answered) == 1, "one topic is answered, the other offered"
    assert ({"/faq_pain", "/faq_cost"} - answered) <= set(payloads[:1])


@pytest.mark.parametrize(
    "typed",
    ["name@example", "sam@@example", "jane.doe@gmail", "0770 090", "+44 77"],
)
def test_a_malformed_contact_in_the_form_is_re_asked_not_answered(
    assistant_stack, typed
):
    sender = new_sender()
    say = assistant_stack.say
    say(sender, "I'd like to book a consultation")
    say(sender, "Sam Taylor")
    replies = say(sender, typed)
    said = texts(replies).lower()
    assert "email" in said or "phone" in said
    for intent in ("faq_results", "faq_cost", "faq_pain"):
        answer = stored_answer_text(assistant_stack.database_url, intent)
        assert answer.split("\n")[0][:60].lower() not in said
    # Still on the same question: a valid address moves the form on.
    assert "when would suit you" in texts(say(sender, "sam@example.com")).lower()


def streamed(rasa_url: str, sender: str, text: str) -> list[dict]:
    """The replies of `POST /webhooks/rest/webhook?stream=true`, one JSON a line."""
    request = urllib.request.Request(
        f"{rasa_url}/webhooks/rest/webhook?stream=true",
        data=json.dumps({"sender": sender, "message": text}).encode("utf-8"),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
        assert response.status == 200
        lines = response.read().decode("utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def test_streamed_replies_are_plain_text_like_the_others(assistant_stack):
    # The full answer ("Tell me more") is the one with bold and lists.
    question = "what happens during the procedure?"
    plain_sender, streamed_sender = new_sender(), new_sender()
    asked = assistant_stack.say(plain_sender, question)
    more = next(
        button["payload"]
        for reply in asked
        for button in reply.get("buttons", [])
        if button["title"] == "Tell me more"
    )
    plain = assistant_stack.say(plain_sender, more)
    streamed(assistant_stack.rasa_url, streamed_sender, question)
    answer = streamed(assistant_stack.rasa_url, streamed_sender, more)
    stored = stored_answer_text(assistant_stack.database_url, "faq_procedure")
    assert "**" in stored
    assert "**" not in texts(answer)
    assert texts(answer) == texts(plain).replace(plain_sender, streamed_sender)


def test_a_message_that_cannot_be_processed_gets_a_503_to_send_it_again(
    assistant_stack,
):
    sender = new_sender()
    with conversation_store_broken(assistant_stack.database_url):
        with pytest.raises(urllib.error.HTTPError) as refused:
            assistant_stack.say(sender, "does it hurt?")
    assert refused.value.code == 503
    assert json.loads(refused.value.read())["error"] == "not_processed"


def test_a_streamed_message_that_cannot_be_processed_ends_with_that_error(
    assistant_stack,
):
    sender = new_sender()
    with conversation_store_broken(assistant_stack.database_url):
        answer = streamed(assistant_stack.rasa_url, sender, "does it hurt?")
    assert answer == [
        {
            "error": "not_processed",
            "reason": "the message could not be processed; send it again",
        }
    ]
    # Sent again once the store is back, it is answered, and stored once.
    assert texts(streamed(assistant_stack.rasa_url, sender, "does it hurt?"))
    events = assistant_stack.tracker(sender)["events"]
    said = [event["text"] for event in events if event["event"] == "user"]
    assert said == ["does it hurt?"]
