"""A clinic database with something in every table, written the way the product
writes it: the repository, the console's and WhatsApp's own functions, and
Rasa's SQL tracker store for conversations."""

from __future__ import annotations

import datetime as dt

from rasa.core.tracker_store import SQLTrackerStore, TrackerStore
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    Event,
    SessionStarted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from channels.whatsapp_store import (
    claim_delivery,
    remember_answer_messages,
    save_choices,
)
from console.models import UnansweredReview
from console.sign_in_lockout import record_failure
from console.staff import create_staff
from console.staff_sessions import open_session
from launcher.runtime import tracker_store_config
from smp import repository
from smp.db import session_scope, utcnow

STAFF_USERNAME = "alex"
STAFF_PASSWORD = "correct horse battery"
WHATSAPP_OPTIONS = [
    {"title": "Does it hurt?", "payload": "/faq_pain"},
    {"title": "Book a free consultation", "payload": "/request_booking"},
]


def fill_clinic_tables(url: str) -> None:
    """Edit an answer and vote on it, store requests, a staff account with a
    session and a lockout, a review and WhatsApp's state (the schema and answers
    exist)."""
    now = utcnow()
    with session_scope(url) as session:
        answer = repository.find_answer(session, "faq_pain")
        assert answer is not None
        repository.update_answer(
            session, answer.id, editor="alex", text="Edited: a light scratching."
        )
        repository.record_feedback(
            session,
            repository.FeedbackVote(
                conversation_id="visitor-1",
                answer_id=answer.id,
                answer_version=answer.version,
                helpful=False,
                comment="Which parts hurt most – and for how long?",
                question="does it hurt?",
                channel="socketio",
            ),
        )
        repository.create_booking(
            session,
            repository.BookingDraft(
                conversation_id="visitor-1",
                channel="socketio",
                name="Jane Doe",
                email="jane@example.com",
                phone=None,
                preferred_time_text="Friday afternoon",
                preferred_date=dt.date(2026, 11, 27),
                concern="Receding hairline – ça va?",
                consent_given_at=dt.datetime(2026, 11, 24, 9, 0, 5),
            ),
        )
        repository.create_handoff(
            session,
            repository.HandoffDraft(
                conversation_id="visitor-2",
                channel="whatsapp",
                name=None,
                email=None,
                phone="+447700900123",
                topic="scar coverage",
                reply_expected_at=dt.datetime(2026, 11, 25, 10, 0),
            ),
        )
        staff = create_staff(session, STAFF_USERNAME, STAFF_PASSWORD)
        open_session(session, staff, now)
        record_failure(
            session, "mallory", now, max_failures=5, lockout=dt.timedelta(minutes=15)
        )
        session.add(
            UnansweredReview(
                normalised_text="do you do eyebrows",
                example_text="Do you do eyebrows?",
                decision="dismissed",
                decided_by=STAFF_USERNAME,
                decided_at=now,
            )
        )
        claim_delivery(session, "wamid.HBgLNDQ3NzAwOTAwMTIz")
        save_choices(session, "a" * 64, WHATSAPP_OPTIONS)
        remember_answer_messages(
            session, ["wamid.OUTGOING-1"], "a" * 64, answer.id, answer.version
        )


def conversation(sender_id: str) -> list[Event]:
    """A short conversation: a session start, a question and its answer."""
    return [
        ActionExecuted("action_session_start", timestamp=1_700_000_000.0),
        SessionStarted(timestamp=1_700_000_000.1),
        ActionExecuted("action_listen", timestamp=1_700_000_000.2),
        UserUttered(
            "does it hurt?",
            intent={"name": "faq_pain", "confidence": 0.97},
            parse_data={
                "text": "does it hurt?",
                "intent": {"name": "faq_pain", "confidence": 0.97},
                "entities": [],
            },
            timestamp=1_700_000_001.0,
        ),
        ActionExecuted("action_answer_faq", timestamp=1_700_000_001.5),
        BotUttered(
            f"Most clients of {sender_id} feel a light scratching.",
            {},
            timestamp=1_700_000_001.6,
        ),
        ActionExecuted("action_listen", timestamp=1_700_000_001.8),
    ]


def rasa_tracker_store(url: str) -> SQLTrackerStore:
    """Rasa's SQL tracker store, configured as the launcher configures Rasa."""
    store = TrackerStore.create(EndpointConfig.from_dict(tracker_store_config(url)))
    # Rasa falls back to an in-memory store when the database fails: refuse that.
    assert isinstance(store, SQLTrackerStore), type(store)
    return store


async def record_conversations(url: str, sender_ids: list[str]) -> None:
    """Store conversations through Rasa's own tracker store."""
    store = rasa_tracker_store(url)
    try:
        for sender_id in sender_ids:
            tracker = DialogueStateTracker.from_events(
                sender_id, conversation(sender_id)
            )
            await store.save(tracker)
    finally:
        store.engine.dispose()
