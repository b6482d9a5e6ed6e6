"""Storage of answers and requests, against a real SQLite database and a real
PostgreSQL server (every test runs on both)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from smp import repository
from smp.content import sync_content
from smp.db import Answer, AnswerRevision, BookingRequest, HandoffRequest, session_scope
from smp.settings import get_settings
from smp.topics import FAQ_INTENTS

pytestmark = pytest.mark.parametrize(
    "database_url", ["sqlite", "postgresql"], indirect=True
)


def booking_draft(**changes) -> repository.BookingDraft:
    values = {
        "conversation_id": "visitor-1",
        "channel": "rest",
        "name": "Jane Doe",
        "email": "jane@example.com",
        "phone": None,
        "preferred_time_text": "Friday afternoon",
        "preferred_date": dt.date(2026, 11, 27),
        "concern": "receding hairline",
        "consent_given_at": dt.datetime(2026, 11, 24, 9, 0),
    }
    values.update(changes)
    return repository.BookingDraft(**values)


def test_every_faq_intent_has_a_base_answer_after_sync(session):
    for intent in FAQ_INTENTS:
        answer = repository.find_answer(session, intent)
        assert answer is not None and answer.entity == "" and answer.text


def test_an_entity_with_a_variant_refines_the_answer(session):
    base = repository.find_answer(session, "faq_scars")
    fut = repository.find_answer(session, "faq_scars", [("scar_type", "fut")])
    assert fut.variant_label == "scar_type=fut"
    assert fut.text != base.text


def test_an_entity_without_a_variant_falls_back_to_the_base_answer(session):
    answer = repository.find_answer(session, "faq_pain", [("scar_type", "burn")])
    assert answer.entity == ""


def test_an_unknown_intent_has_no_answer(session):
    assert repository.find_answer(session, "faq_unknown") is None


def test_editing_an_answer_bumps_the_version_and_keeps_the_history(session):
    answer = repository.find_answer(session, "faq_pain")
    edited = repository.update_answer(
        session, answer.id, editor="alex", text="New pain answer."
    )
    assert edited.version == answer.version + 1
    assert edited.updated_by == "alex"
    history = repository.answer_history(session, answer.id)
    assert [rev.version for rev in history][:2] == [edited.version, answer.version]
    assert history[1].text == answer.text


def test_restoring_a_version_brings_back_its_text_as_a_new_version(session):
    answer = repository.find_answer(session, "faq_cost")
    repository.update_answer(session, answer.id, editor="alex", text="Wrong price.")
    restored = repository.restore_answer_version(
        session, answer.id, answer.version, editor="sam"
    )
    assert restored.text == answer.text
    assert restored.version == answer.version + 2


def test_an_answer_cannot_be_emptied(session):
    answer = repository.find_answer(session, "faq_pain")
    with pytest.raises(ValueError, match="cannot be empty"):
        repository.update_answer(session, answer.id, editor="alex", text="   ")


def test_sync_keeps_staff_edits_unless_forced(database_url):
    path = get_settings().answers_file
    with session_scope(database_url) as session:
        answer = repository.find_answer(session, "faq_pain")
        repository.update_answer(session, answer.id, editor="alex", text="Staff text.")
    with session_scope(database_url) as session:
        outcome = sync_content(session, path)
        assert outcome["kept"] == 1
        assert repository.find_answer(session, "faq_pain").text == "Staff text."
    with session_scope(database_url) as session:
        outcome = sync_content(session, path, force=True)
        assert outcome["updated"] == 1
        assert repository.find_answer(session, "faq_pain").text != "Staff text."


def test_a_second_sync_changes_nothing(database_url):
    with session_scope(database_url) as session:
        before = session.scalar(select(func.count()).select_from(AnswerRevision))
        outcome = sync_content(session, get_settings().answers_file)
        after = session.scalar(select(func.count()).select_from(AnswerRevision))
    assert set(outcome) == {"unchanged"}
    assert before == after


def test_a_booking_is_stored_with_a_readable_reference(session):
    stored = repository.create_booking(session, booking_draft())
    row = session.get(BookingRequest, stored.id)
    assert stored.created
    assert row.reference.startswith("BK-") and len(row.reference) == 9
    assert not set(row.reference[3:]) & set("01ILO")
    assert row.status == "new"


def test_a_repeated_submit_creates_no_duplicate(session):
    first = repository.create_booking(session, booking_draft())
    again = repository.create_booking(session, booking_draft())
    assert not again.created
    assert again.reference == first.reference
    assert session.scalar(select(func.count()).select_from(BookingRequest)) == 1


def test_a_different_request_in_the_same_conversation_is_a_new_row(session):
    repository.create_booking(session, booking_draft())
    other = repository.create_booking(session, booking_draft(concern="crown"))
    assert other.created


def test_hostile_text_is_stored_verbatim_and_harmlessly(session):
    hostile = "Robert'); DROP TABLE booking_requests;-- <script>x</script>"
    stored = repository.create_booking(session, booking_draft(concern=hostile))
    assert session.get(BookingRequest, stored.id).concern == hostile
    assert session.scalar(select(func.count()).select_from(Answer)) > 0


def test_one_open_handoff_per_conversation_collects_the_newest_contact(session):
    draft = repository.HandoffDraft(
        conversation_id="visitor-2",
        channel="rest",
        name=None,
        email=None,
        phone="07700900123",
        topic="pain",
        reply_expected_at=None,
    )
    first = repository.create_handoff(session, draft)
    second = repository.create_handoff(
        session,
        repository.HandoffDraft(**{**draft.__dict__, "email": "a@example.com"}),
    )
    assert first.created and not second.created
    row = session.get(HandoffRequest, first.id)
    assert row.email == "a@example.com" and row.phone == "07700900123"


def test_request_status_only_takes_known_values(session):
    stored = repository.create_booking(session, booking_draft())
    repository.set_request_status(
        session, BookingRequest, stored.id, "contacted", "left voicemail"
    )
    row = session.get(BookingRequest, stored.id)
    assert (row.status, row.staff_note) == ("contacted", "left voicemail")
    with pytest.raises(ValueError):
        repository.set_request_status(session, BookingRequest, stored.id, "lost")


def test_a_visitor_is_found_by_email_or_phone_and_their_requests_deleted(session):
    repository.create_booking(session, booking_draft(email="Jane@Example.com"))
    ids = repository.conversations_for_contact(session, "jane@example.com")
    assert ids == {"visitor-1"}
    assert repository.delete_requests_for_conversations(session, ids) == 1
    assert session.scalar(select(func.count()).select_from(BookingRequest)) == 0
