"""Rasa's SQL tracker store keeps conversations in the clinic database, on SQLite
and on PostgreSQL, and the core reads them back from the same `events` table."""

from __future__ import annotations

import pytest
from clinic_sample import conversation, rasa_tracker_store, record_conversations

from launcher.runtime import tracker_store_config
from smp import conversations
from smp.db import session_scope

pytestmark = pytest.mark.parametrize(
    "database_url", ["sqlite", "postgresql"], indirect=True
)


def test_the_tracker_store_config_names_the_clinic_database(database_url):
    config = tracker_store_config(database_url)
    assert config["type"] == "SQL"
    assert config["dialect"] == database_url.split(":")[0]


async def test_a_conversation_saved_by_rasa_is_retrieved_with_every_event(
    database_url,
):
    await record_conversations(database_url, ["visitor-7"])
    store = rasa_tracker_store(database_url)
    try:
        tracker = await store.retrieve_full_tracker("visitor-7")
    finally:
        store.engine.dispose()
    assert tracker is not None
    assert [event.as_dict() for event in tracker.events] == [
        event.as_dict() for event in conversation("visitor-7")
    ]
    assert tracker.latest_message.text == "does it hurt?"


async def test_the_core_reads_the_conversation_rasa_stored(database_url):
    await record_conversations(database_url, ["visitor-7", "visitor-8"])
    with session_scope(database_url) as session:
        events = conversations.conversation_events(session, "visitor-8")
        senders = {sender for sender, _ in conversations.last_activity(session)}
        found = conversations.senders_matching_text(session, "DOES IT HURT")
    assert [event["event"] for event in events] == [
        event.type_name for event in conversation("visitor-8")
    ]
    user = next(event for event in events if event["event"] == "user")
    assert user["text"] == "does it hurt?"
    assert user["parse_data"]["intent"]["name"] == "faq_pain"
    assert "visitor-8" in events[-2]["text"]
    assert senders == {"visitor-7", "visitor-8"}
    assert sorted(found) == ["visitor-7", "visitor-8"]
