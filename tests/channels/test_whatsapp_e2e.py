"""End to end over WhatsApp: the real servers, signed webhooks, a fake Graph API."""

from __future__ import annotations

import time
import uuid

import pytest
from fake_graph_api import message_text
from sqlalchemy import select
from whatsapp_payloads import (
    APP_SECRET,
    VERIFY_TOKEN,
    button_reply,
    image_message,
    list_reply,
    new_message_id,
    reaction,
    status_update,
    template_button,
    text_message,
)

from channels import whatsapp_store
from channels.telegram import CHANNEL as TELEGRAM
from channels.whatsapp import ConversationKeys
from channels.whatsapp_format import TEXT_ONLY_REPLY, to_whatsapp_markup
from smp import repository
from smp.clinic import get_clinic
from smp.content import answer_parts
from smp.db import AnswerFeedback, BookingRequest, session_scope

pytestmark = pytest.mark.e2e


def new_wa_id() -> str:
    return "4477" + str(uuid.uuid4().int)[:8]


def stored_answer(database_url: str, intent: str) -> str:
    """The start of the clinic's answer, as WhatsApp shows it."""
    with session_scope(database_url) as session:
        answer = repository.find_answer(session, intent)
        assert answer is not None
    shown = to_whatsapp_markup(get_clinic().render(answer.text))
    return shown.split("\n")[0][:60]


def assert_within_whatsapp_limits(messages: list[dict]) -> None:
    for message in messages:
        if (
            message["type"] == "interactive"
            and message["interactive"]["type"] == "list"
        ):
            [section] = message["interactive"]["action"]["sections"]
            assert 1 <= len(section["rows"]) <= 10
            assert all(len(row["title"]) <= 24 for row in section["rows"])
            assert len(message["interactive"]["body"]["text"]) <= 1024
        elif message["type"] == "interactive":
            buttons = message["interactive"]["action"]["buttons"]
            assert 1 <= len(buttons) <= 3
            assert all(len(b["reply"]["title"]) <= 20 for b in buttons)
            assert len(message["interactive"]["body"]["text"]) <= 1024
        else:
            assert message["type"] == "text"
            assert len(message["text"]["body"]) <= 4096


def latest_user_text(stack, sender: str) -> str:
    events = stack.tracker(sender)["events"]
    return [e for e in events if e["event"] == "user"][-1]["text"]


def test_meta_verification_handshake_echoes_the_challenge(whatsapp_stack):
    status, body = whatsapp_stack.verify(
        mode="subscribe", verify_token=VERIFY_TOKEN, challenge="1158201444"
    )
    assert (status, body) == (200, "1158201444")


def test_verification_with_a_wrong_token_is_refused(whatsapp_stack):
    status, _ = whatsapp_stack.verify(
        mode="subscribe", verify_token=VERIFY_TOKEN + "-guessed", challenge="1158201444"
    )
    assert status == 403


def test_a_question_is_answered_from_the_database_within_whatsapp_limits(
    whatsapp_stack,
):
    sender = new_wa_id()
    status, body = whatsapp_stack.deliver(text_message(sender, "does it hurt?"))
    assert status == 200 and body["accepted"] == 1

    expected = stored_answer(whatsapp_stack.database_url, "faq_pain")
    replies = whatsapp_stack.graph.wait_for_reply(sender, containing=expected)
    assert_within_whatsapp_limits(replies)
    # The short answer, "Tell me more", one follow-up and the booking button,
    # whose short title fits: real reply buttons.
    [answer] = replies
    assert answer["type"] == "interactive"
    assert answer["interactive"]["type"] == "button"
    buttons = [b["reply"] for b in answer["interactive"]["action"]["buttons"]]
    titles = [button["title"] for button in buttons]
    assert titles[0] == "Tell me more" and titles[-1] == "Book consultation"
    assert len(titles) == 3
    assert buttons[-1]["id"] == "/book_consultation"
    assert latest_user_text(whatsapp_stack, sender) == "does it hurt?"


def test_tell_me_more_on_whatsapp_brings_the_detail_with_reply_buttons(
    whatsapp_stack,
):
    sender = new_wa_id()
    graph = whatsapp_stack.graph
    whatsapp_stack.deliver(text_message(sender, "is it safe?"))
    first = graph.wait_for_reply(sender, containing="Tell me more")
    [more] = [
        b["reply"]
        for m in first
        if m["type"] == "interactive"
        for b in m["interactive"]["action"]["buttons"]
        if b["reply"]["title"] == "Tell me more"
    ]
    whatsapp_stack.deliver(button_reply(sender, more["id"], more["title"]))
    with session_scope(whatsapp_stack.database_url) as session:
        risks = repository.find_answer(session, "faq_risks")
    detail = answer_parts(to_whatsapp_markup(get_clinic().render(risks.text))).detail
    last_line = detail.splitlines()[-1]
    replies = graph.wait_for_reply(sender, since=len(first), containing=last_line)
    assert_within_whatsapp_limits(replies)
    said = "\n".join(message_text(m) for m in replies)
    assert detail.splitlines()[0] in said and "**" not in said
    assert replies[-1]["type"] == "interactive"
    assert replies[-1]["interactive"]["type"] == "button"


def test_a_numbered_reply_is_read_as_the_option_it_names(whatsapp_stack):
    sender = new_wa_id()
    # Options the visitor was last sent as a numbered list (titles too long
    # for reply buttons or a list message).
    with session_scope(whatsapp_stack.database_url) as session:
        whatsapp_store.save_choices(
            session,
            ConversationKeys(APP_SECRET).key(sender),
            [
                {"title": "Does it hurt?", "payload": "/faq_pain"},
                {"title": "Book a consultation today", "payload": "/book_consultation"},
            ],
        )
    whatsapp_stack.deliver(text_message(sender, "2"))
    whatsapp_stack.graph.wait_for_reply(sender, containing="what name")
    assert latest_user_text(whatsapp_stack, sender) == "/book_consultation"


def test_a_number_without_open_options_stays_plain_text(whatsapp_stack):
    sender = new_wa_id()
    whatsapp_stack.deliver(text_message(sender, "7"))
    whatsapp_stack.graph.wait_for_reply(sender)
    assert latest_user_text(whatsapp_stack, sender) == "7"


def test_a_reply_button_tap_is_answered_with_its_payload(whatsapp_stack):
    sender = new_wa_id()
    whatsapp_stack.deliver(button_reply(sender, "/faq_cost", "What does it cost?"))
    expected = stored_answer(whatsapp_stack.database_url, "faq_cost")
    whatsapp_stack.graph.wait_for_reply(sender, containing=expected)
    assert latest_user_text(whatsapp_stack, sender) == "/faq_cost"


def test_list_replies_and_template_buttons_send_their_payloads(whatsapp_stack):
    graph = whatsapp_stack.graph
    listed, templated = new_wa_id(), new_wa_id()
    whatsapp_stack.deliver(list_reply(listed, "/faq_pain"))
    whatsapp_stack.deliver(template_button(templated, "/faq_pain"))
    expected = stored_answer(whatsapp_stack.database_url, "faq_pain")
    graph.wait_for_reply(listed, containing=expected)
    graph.wait_for_reply(templated, containing=expected)


def test_a_badly_signed_delivery_is_refused_and_not_answered(whatsapp_stack):
    sender = new_wa_id()
    wrong = "sha256=" + "0" * 64
    assert (
        whatsapp_stack.deliver(text_message(sender, "hello"), signature=wrong)[0] == 403
    )
    assert (
        whatsapp_stack.deliver(text_message(sender, "hello"), signature=None)[0] == 403
    )
    time.sleep(2)
    assert whatsapp_stack.graph.sent_to(sender) == []


def test_a_message_delivered_twice_is_answered_once(whatsapp_stack):
    sender = new_wa_id()
    delivery = text_message(
        sender, "how much does it cost?", message_id=new_message_id()
    )
    assert whatsapp_stack.deliver(delivery)[1]["accepted"] == 1
    replies = whatsapp_stack.graph.wait_for_reply(sender, settle=2.0)

    status, body = whatsapp_stack.deliver(delivery)
    assert status == 200
    assert body == {"status": "ok", "accepted": 0, "duplicates": 1, "votes": 0}
    time.sleep(3)
    assert len(whatsapp_stack.graph.sent_to(sender)) == len(replies)
    users = [
        e for e in whatsapp_stack.tracker(sender)["events"] if e["event"] == "user"
    ]
    assert len(users) == 1


def test_an_image_gets_a_polite_text_only_reply(whatsapp_stack):
    sender = new_wa_id()
    whatsapp_stack.deliver(image_message(sender))
    replies = whatsapp_stack.graph.wait_for_reply(sender)
    assert [message_text(m) for m in replies] == [TEXT_ONLY_REPLY]


def test_status_callbacks_are_acknowledged_and_ignored(whatsapp_stack):
    recipient = new_wa_id()
    status, body = whatsapp_stack.deliver(status_update(recipient, "read"))
    assert (status, body["accepted"]) == (200, 0)
    time.sleep(1)
    assert whatsapp_stack.graph.sent_to(recipient) == []


def test_a_booking_over_whatsapp_is_stored_in_the_database(whatsapp_stack):
    sender = new_wa_id()
    graph = whatsapp_stack.graph
    sent = 0

    def say(payload: dict, expect: str) -> list[dict]:
        nonlocal sent
        whatsapp_stack.deliver(payload)
        replies = graph.wait_for_reply(sender, since=sent, containing=expect)
        sent += len(replies)
        assert_within_whatsapp_limits(replies)
        return replies

    say(text_message(sender, "I'd like to book a consultation"), "name")
    say(text_message(sender, "Jane Doe"), "email")
    say(text_message(sender, "jane.doe@example.com"), "when")
    say(text_message(sender, "next Tuesday afternoon"), "help with")
    consent = say(text_message(sender, "a receding hairline"), "contact you")
    # "Yes, you may contact me" is too long for a button: sent as a list.
    assert consent[-1]["interactive"]["type"] == "list"
    summary = say(list_reply(sender, "/affirm", "Yes, you may contact me"), "send it")
    assert "Jane Doe" in "\n".join(message_text(m) for m in summary)
    say(button_reply(sender, "/affirm", "Yes, send it"), "reference")

    with session_scope(whatsapp_stack.database_url) as session:
        rows = session.scalars(
            select(BookingRequest).where(BookingRequest.conversation_id == sender)
        ).all()
        assert len(rows) == 1
        assert rows[0].channel == "whatsapp"
        assert rows[0].email == "jane.doe@example.com"


def test_the_server_runs_without_telegram_configured(whatsapp_stack):
    assert TELEGRAM.credentials_key not in whatsapp_stack.credentials
    status, body = whatsapp_stack.verify(
        mode="subscribe", verify_token=VERIFY_TOKEN, challenge="42"
    )
    assert status == 200


def stored_votes(database_url: str, sender: str) -> list[AnswerFeedback]:
    with session_scope(database_url) as session:
        votes = session.scalars(
            select(AnswerFeedback).where(AnswerFeedback.conversation_id == sender)
        ).all()
        session.expunge_all()
    return list(votes)


def answered(stack, question: str, intent: str) -> tuple[str, str]:
    """A new visitor asks `question`; (their id, the id of the answer's message)."""
    sender = new_wa_id()
    stack.deliver(text_message(sender, question))
    replies = stack.graph.wait_for_reply(
        sender, containing=stored_answer(stack.database_url, intent)
    )
    [answer_id] = [
        message_id
        for message_id, message in zip(
            stack.graph.ids_sent_to(sender), replies, strict=True
        )
        if message["type"] == "interactive"
    ]
    return sender, answer_id


def test_an_answer_invites_a_reaction_and_a_thumb_is_stored_as_the_vote(
    whatsapp_stack,
):
    sender, message_id = answered(whatsapp_stack, "does it hurt?", "faq_pain")
    [answer] = whatsapp_stack.graph.sent_to(sender)
    assert "👍" in answer["interactive"]["footer"]["text"]

    status, body = whatsapp_stack.deliver(reaction(sender, message_id, "👍🏽"))
    assert (status, body["votes"], body["accepted"]) == (200, 1, 0)
    [vote] = stored_votes(whatsapp_stack.database_url, sender)
    with session_scope(whatsapp_stack.database_url) as session:
        pain = repository.find_answer(session, "faq_pain")
        assert pain is not None
        expected = (pain.id, pain.version)
    assert (vote.answer_id, vote.answer_version) == expected
    assert (vote.helpful, vote.channel, vote.question) == (
        True,
        "whatsapp",
        "does it hurt?",
    )

    # Changing the reaction changes the vote; a reaction gets no reply.
    assert whatsapp_stack.deliver(reaction(sender, message_id, "👎"))[1]["votes"] == 1
    [vote] = stored_votes(whatsapp_stack.database_url, sender)
    assert vote.helpful is False
    time.sleep(2)
    assert len(whatsapp_stack.graph.sent_to(sender)) == 1
    assert [
        e["text"]
        for e in whatsapp_stack.tracker(sender)["events"]
        if e["event"] == "user"
    ] == ["does it hurt?"]


def test_a_redelivered_reaction_does_not_undo_a_later_one(whatsapp_stack):
    sender, message_id = answered(
        whatsapp_stack, "how long does it last?", "faq_longevity"
    )
    first = reaction(sender, message_id, "👍", message_id=new_message_id())
    assert whatsapp_stack.deliver(first)[1]["votes"] == 1
    assert whatsapp_stack.deliver(reaction(sender, message_id, "👎"))[1]["votes"] == 1
    assert whatsapp_stack.deliver(first)[1]["votes"] == 0
    [vote] = stored_votes(whatsapp_stack.database_url, sender)
    assert vote.helpful is False


def test_other_emoji_and_a_reaction_taken_back_leave_the_vote_alone(whatsapp_stack):
    sender, message_id = answered(whatsapp_stack, "is it safe?", "faq_risks")
    for emoji in ["❤️", "😂", ""]:
        assert whatsapp_stack.deliver(reaction(sender, message_id, emoji))[0] == 200
    assert stored_votes(whatsapp_stack.database_url, sender) == []
    whatsapp_stack.deliver(reaction(sender, message_id, "👍"))
    whatsapp_stack.deliver(reaction(sender, message_id, ""))
    [vote] = stored_votes(whatsapp_stack.database_url, sender)
    assert vote.helpful is True


def test_a_reaction_to_another_visitors_answer_is_not_counted(whatsapp_stack):
    owner, message_id = answered(whatsapp_stack, "what does it cost?", "faq_cost")
    intruder = new_wa_id()
    status, body = whatsapp_stack.deliver(reaction(intruder, message_id, "👎"))
    assert (status, body["votes"]) == (200, 0)
    assert stored_votes(whatsapp_stack.database_url, intruder) == []
    assert stored_votes(whatsapp_stack.database_url, owner) == []


def test_a_reaction_to_a_message_that_is_no_answer_is_not_counted(whatsapp_stack):
    sender = new_wa_id()
    whatsapp_stack.deliver(image_message(sender))
    whatsapp_stack.graph.wait_for_reply(sender)
    [text_id] = whatsapp_stack.graph.ids_sent_to(sender)
    for reacted_to in [text_id, "wamid.NEVER-SENT", ""]:
        status, body = whatsapp_stack.deliver(reaction(sender, reacted_to, "👍"))
        assert (status, body["votes"]) == (200, 0)
    assert stored_votes(whatsapp_stack.database_url, sender) == []


def test_a_forged_reaction_is_refused(whatsapp_stack):
    sender, message_id = answered(whatsapp_stack, "does it hurt?", "faq_pain")
    forged = reaction(sender, message_id, "👎")
    assert whatsapp_stack.deliver(forged, signature="sha256=" + "0" * 64)[0] == 403
    assert whatsapp_stack.deliver(forged, signature=None)[0] == 403
    assert stored_votes(whatsapp_stack.database_url, sender) == []
