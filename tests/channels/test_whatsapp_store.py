"""What the WhatsApp channel remembers: accepted message ids, open numbered choices."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update

from channels import whatsapp_store as store
from channels.whatsapp import ConversationKeys, IncomingMessage, WhatsAppInput
from smp.db import session_scope

WA_ID = "447700900123"
OPTIONS = [
    {"title": "Does it hurt?", "payload": "/faq_pain"},
    {"title": "Book a free consultation", "payload": "/book_consultation"},
]


def whatsapp_input() -> WhatsAppInput:
    return WhatsAppInput(
        access_token="token",  # noqa: S106
        phone_number_id="1",
        verify_token="verify",  # noqa: S106
        app_secret="secret",  # noqa: S106
        graph_url="http://127.0.0.1:9/v19.0",
    )


def typed(text: str, message_id: str) -> IncomingMessage:
    return IncomingMessage(message_id, WA_ID, text, typed=True)


def test_a_message_id_is_accepted_once(database_url):
    channel = whatsapp_input()
    first = channel.accept([typed("hello", "wamid.1")])
    again = channel.accept([typed("hello", "wamid.1")])
    assert [m.message_id for m in first] == ["wamid.1"]
    assert again == []


def test_ids_are_stored_as_digests_not_as_sent(database_url):
    whatsapp_input().accept([typed("hello", "wamid.SECRET")])
    with session_scope() as session:
        stored = session.scalars(select(store.WhatsAppDelivery.message_digest)).all()
    assert stored == [store.message_digest("wamid.SECRET")]
    assert "wamid.SECRET" not in stored


def test_a_typed_number_becomes_the_payload_of_the_open_option(database_url):
    channel = whatsapp_input()
    with session_scope() as session:
        store.save_choices(session, channel.keys.key(WA_ID), OPTIONS)
    [message] = channel.accept([typed("2", "wamid.2")])
    assert (message.text, message.typed) == ("/book_consultation", False)


def test_any_new_message_closes_the_open_options(database_url):
    channel = whatsapp_input()
    with session_scope() as session:
        store.save_choices(session, channel.keys.key(WA_ID), OPTIONS)
    channel.accept([typed("something else", "wamid.3")])
    [message] = channel.accept([typed("2", "wamid.4")])
    assert message.text == "2"


def test_options_older_than_a_day_are_not_used(database_url):
    channel = whatsapp_input()
    key = channel.keys.key(WA_ID)
    with session_scope() as session:
        store.save_choices(session, key, OPTIONS)
        session.flush()
        session.execute(
            update(store.WhatsAppPendingChoices).values(
                sent_at=store.utcnow() - store.CHOICES_TTL - dt.timedelta(minutes=1)
            )
        )
    [message] = channel.accept([typed("1", "wamid.5")])
    assert message.text == "1"


def test_conversations_are_keyed_without_the_phone_number(database_url):
    keys = ConversationKeys("secret")
    with session_scope() as session:
        store.save_choices(session, keys.key(WA_ID), OPTIONS)
    with session_scope() as session:
        [stored_key] = session.scalars(
            select(store.WhatsAppPendingChoices.conversation_key)
        ).all()
    assert WA_ID not in stored_key
    assert stored_key != ConversationKeys("other-secret").key(WA_ID)


def test_purge_forgets_old_ids_and_keeps_recent_ones(database_url):
    with session_scope() as session:
        store.claim_delivery(session, "wamid.old")
        store.claim_delivery(session, "wamid.new")
        session.execute(
            update(store.WhatsAppDelivery)
            .where(
                store.WhatsAppDelivery.message_digest
                == store.message_digest("wamid.old")
            )
            .values(
                received_at=store.utcnow() - store.DELIVERY_TTL - dt.timedelta(hours=1)
            )
        )
    with session_scope() as session:
        store.purge_expired(session)
    with session_scope() as session:
        assert store.claim_delivery(session, "wamid.old") is True
        assert store.claim_delivery(session, "wamid.new") is False


def age_answer_message(message_id: str, age: dt.timedelta) -> None:
    with session_scope() as session:
        session.execute(
            update(store.WhatsAppAnswerMessage)
            .where(
                store.WhatsAppAnswerMessage.message_digest
                == store.message_digest(message_id)
            )
            .values(sent_at=store.utcnow() - age)
        )


def test_an_answer_message_is_found_only_in_its_own_conversation(database_url):
    keys = ConversationKeys("secret")
    with session_scope() as session:
        store.remember_answer_messages(
            session, ["wamid.a1", "wamid.a2"], keys.key(WA_ID), 7, 3
        )
    with session_scope() as session:
        assert store.answer_of_message(session, "wamid.a1", keys.key(WA_ID)) == (7, 3)
        assert store.answer_of_message(session, "wamid.a2", keys.key(WA_ID)) == (7, 3)
        other = keys.key("447700900999")
        assert store.answer_of_message(session, "wamid.a1", other) is None
        assert store.answer_of_message(session, "wamid.never", keys.key(WA_ID)) is None
        ids = session.scalars(select(store.WhatsAppAnswerMessage.message_digest)).all()
    assert "wamid.a1" not in ids and store.message_digest("wamid.a1") in ids


def test_an_answer_message_past_its_time_is_not_found_and_is_purged(database_url):
    key = ConversationKeys("secret").key(WA_ID)
    with session_scope() as session:
        store.remember_answer_messages(session, ["wamid.old-answer"], key, 7, 1)
        store.remember_answer_messages(session, ["wamid.new-answer"], key, 7, 1)
    age_answer_message("wamid.old-answer", store.ANSWER_MESSAGE_TTL + dt.timedelta(1))
    with session_scope() as session:
        assert store.answer_of_message(session, "wamid.old-answer", key) is None
        store.purge_expired(session)
    with session_scope() as session:
        left = session.scalars(select(store.WhatsAppAnswerMessage.message_digest))
        assert set(left) == {store.message_digest("wamid.new-answer")}
