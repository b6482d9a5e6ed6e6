"""The custom actions, run as the action server runs them, on a real SQLite database."""

from __future__ import annotations

import re
from typing import Any

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from actions import texts
from actions.booking import (
    ActionAskBookingConcern,
    ActionAskBookingConfirmed,
    ActionCancelBooking,
    ActionSubmitBooking,
    ActionSubmitHandoff,
    ValidateBookingForm,
)
from actions.clinic_info import ActionClinicInfo
from actions.fallback import ActionClarify
from actions.faq import ActionAnswerFaq, ActionDeclineConsultation
from smp import repository
from smp.clinic import get_clinic
from smp.content import answer_parts
from smp.db import BookingRequest, HandoffRequest, session_scope

DOMAIN = yaml.safe_load(open("domain.yml"))


def user_event(text: str, intent: str, confidence: float = 0.95, ranking=None) -> dict:
    return {
        "event": "user",
        "text": text,
        "parse_data": {
            "text": text,
            "intent": {"name": intent, "confidence": confidence},
            "intent_ranking": ranking or [{"name": intent, "confidence": confidence}],
            "entities": [],
        },
    }


def tracker(
    text: str = "",
    intent: str = "greet",
    *,
    confidence: float = 0.95,
    entities: list[dict] | None = None,
    ranking: list[dict] | None = None,
    slots: dict[str, Any] | None = None,
    events: list[dict] | None = None,
    active_loop: str | None = None,
) -> Tracker:
    latest = {
        "text": text,
        "intent": {"name": intent, "confidence": confidence},
        "intent_ranking": ranking or [{"name": intent, "confidence": confidence}],
        "entities": entities or [],
    }
    history = list(events or []) + [user_event(text, intent, confidence, ranking)]
    return Tracker(
        "visitor-1",
        dict(slots or {}),
        latest,
        history,
        False,
        None,
        {"name": active_loop} if active_loop else {},
        "action_listen",
    )


async def run(action, dispatcher: CollectingDispatcher, current: Tracker) -> list[dict]:
    return await action.run(dispatcher, current, DOMAIN)


def slot_values(events) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def rendered(message: dict, slots: dict | None = None) -> dict:
    """The message as Rasa sends it: a domain response filled in with the
    conversation's slots and the values the action gave."""
    name = message.get("response")
    if not name:
        return message
    variation = texts.responses()[name][0]
    values = {**(slots or {}), **{k: v for k, v in message.items() if v is not None}}
    text = re.sub(
        r"\{(\w+)\}",
        lambda match: str(values.get(match.group(1), match.group(0))),
        variation["text"],
    )
    buttons = list(variation.get("buttons") or []) + list(message.get("buttons") or [])
    return {**message, "text": text, "buttons": buttons}


def all_buttons(dispatcher: CollectingDispatcher) -> list[dict]:
    return [
        b
        for message in dispatcher.messages
        for b in rendered(message).get("buttons") or []
    ]


def text_of(dispatcher: CollectingDispatcher, slots: dict | None = None) -> str:
    return "\n".join(rendered(m, slots).get("text") or "" for m in dispatcher.messages)


# FAQ answers


def book_button() -> dict:
    return {
        "title": "Book a free consultation",
        "short_title": "Book consultation",
        "payload": "/book_consultation",
    }


async def test_an_faq_is_answered_first_with_its_short_answer_and_three_buttons(
    database_url,
):
    dispatcher = CollectingDispatcher()
    events = await run(
        ActionAnswerFaq(), dispatcher, tracker("does it hurt", "faq_pain")
    )
    with session_scope(database_url) as session:
        stored = repository.find_answer(session, "faq_pain")
        topics = repository.topics(session)
    parts = answer_parts(get_clinic().render(stored.text))
    assert text_of(dispatcher) == parts.short
    first_related = stored.related_intents[0]
    assert all_buttons(dispatcher) == [
        {
            "title": "Tell me more",
            "payload": f'/faq_pain{{"answer_detail": "{stored.id}"}}',
        },
        {"title": topics[first_related].question, "payload": f"/{first_related}"},
        book_button(),
    ]
    slots = slot_values(events)
    assert slots["served_answer"]["answer_id"] == stored.id
    assert slots["served_answer"]["part"] == "short"
    assert slots["topics_discussed"] == [topics["faq_pain"].topic]
    assert slots["consultation_offered"] is True


async def test_tell_me_more_brings_the_rest_of_that_answer_and_the_other_follow_ups(
    database_url,
):
    with session_scope(database_url) as session:
        fut = repository.find_answer(session, "faq_scars", [("scar_type", "fut")])
        topics = repository.topics(session)
    dispatcher = CollectingDispatcher()
    # The visitor has since mentioned FUE: the button still means the FUT answer.
    entities = [{"entity": "answer_detail", "value": str(fut.id)}]
    current = tracker(
        "/faq_scars", "faq_scars", entities=entities, slots={"scar_type": "fue"}
    )
    events = await run(ActionAnswerFaq(), dispatcher, current)
    parts = answer_parts(get_clinic().render(fut.text))
    assert text_of(dispatcher) == parts.detail
    assert "keloid" in text_of(dispatcher)
    assert all_buttons(dispatcher) == [
        {"title": topics[name].question, "payload": f"/{name}"}
        for name in fut.related_intents[1:]
    ] + [book_button()]
    served = slot_values(events)["served_answer"]
    assert (served["answer_id"], served["part"]) == (fut.id, "detail")


async def test_tell_me_more_naming_another_intents_answer_gets_the_asked_intent(
    database_url,
):
    with session_scope(database_url) as session:
        cost = repository.find_answer(session, "faq_cost")
        pain = repository.find_answer(session, "faq_pain")
    dispatcher = CollectingDispatcher()
    entities = [{"entity": "answer_detail", "value": str(cost.id)}]
    await run(
        ActionAnswerFaq(),
        dispatcher,
        tracker("/faq_pain", "faq_pain", entities=entities),
    )
    assert text_of(dispatcher) == answer_parts(get_clinic().render(pain.text)).short


async def test_placeholders_are_filled_in_the_answer(database_url):
    dispatcher = CollectingDispatcher()
    await run(ActionAnswerFaq(), dispatcher, tracker("price?", "faq_cost"))
    assert "{" not in text_of(dispatcher)
    assert get_clinic().prices["full_head"] in text_of(dispatcher)


async def test_a_scar_type_in_the_message_selects_its_variant(database_url):
    dispatcher = CollectingDispatcher()
    entities = [{"entity": "scar_type", "value": "fut"}]
    events = await run(
        ActionAnswerFaq(),
        dispatcher,
        tracker("strip scar?", "faq_scars", entities=entities),
    )
    assert slot_values(events)["served_answer"]["variant"] == "scar_type=fut"


async def test_a_remembered_entity_refines_a_later_answer(database_url):
    dispatcher = CollectingDispatcher()
    current = tracker("can women get it", "faq_suitability", slots={"gender": "female"})
    events = await run(ActionAnswerFaq(), dispatcher, current)
    assert slot_values(events)["served_answer"]["variant"] == "gender=female"


async def test_an_edit_in_the_database_is_served_immediately(database_url):
    with session_scope(database_url) as session:
        answer = repository.find_answer(session, "faq_removal")
        repository.update_answer(
            session, answer.id, editor="t", text="Fresh removal text."
        )
    dispatcher = CollectingDispatcher()
    await run(ActionAnswerFaq(), dispatcher, tracker("remove it?", "faq_removal"))
    assert text_of(dispatcher) == "Fresh removal text."
    assert "Tell me more" not in [b["title"] for b in all_buttons(dispatcher)]


async def test_after_declining_no_consultation_is_offered(database_url):
    dispatcher = CollectingDispatcher()
    events = await run(
        ActionDeclineConsultation(), dispatcher, tracker("no thanks", "deny")
    )
    assert slot_values(events) == {"consultation_declined": True}
    dispatcher = CollectingDispatcher()
    current = tracker(
        "aftercare?", "faq_aftercare", slots={"consultation_declined": True}
    )
    events = await run(ActionAnswerFaq(), dispatcher, current)
    assert all(b["payload"] != "/book_consultation" for b in all_buttons(dispatcher))
    assert "consultation_offered" not in slot_values(events)


async def test_the_consultation_is_mentioned_in_words_once_after_the_second_answer(
    database_url,
):
    first = [{"event": "action", "name": "action_answer_faq"}]
    dispatcher = CollectingDispatcher()
    await run(ActionAnswerFaq(), dispatcher, tracker("cost", "faq_cost", events=first))
    assert "consultation is free" in text_of(dispatcher)
    dispatcher = CollectingDispatcher()
    await run(
        ActionAnswerFaq(), dispatcher, tracker("cost", "faq_cost", events=first * 2)
    )
    assert "consultation is free" not in text_of(dispatcher)


async def test_during_a_booking_the_answer_does_not_offer_booking_again(database_url):
    dispatcher = CollectingDispatcher()
    current = tracker("hurt?", "faq_pain", active_loop="booking_form")
    await run(ActionAnswerFaq(), dispatcher, current)
    assert all(b["payload"] != "/book_consultation" for b in all_buttons(dispatcher))


async def test_a_missing_answer_says_so_and_offers_a_person(database_url):
    with session_scope(database_url) as session:
        for row in session.scalars(
            select(repository.Answer).where(repository.Answer.intent == "faq_risks")
        ):
            session.delete(row)
    dispatcher = CollectingDispatcher()
    await run(ActionAnswerFaq(), dispatcher, tracker("safe?", "faq_risks"))
    assert dispatcher.messages == [
        {**dispatcher.messages[0], "response": "utter_answer_missing"}
    ]


# Fallback


async def test_a_low_confidence_message_gets_did_you_mean_with_two_topics(database_url):
    ranking = [
        {"name": "nlu_fallback", "confidence": 0.4},
        {"name": "faq_longevity", "confidence": 0.4},
        {"name": "faq_aftercare", "confidence": 0.3},
        {"name": "greet", "confidence": 0.1},
    ]
    dispatcher = CollectingDispatcher()
    await run(
        ActionClarify(),
        dispatcher,
        tracker("fade sun?", "nlu_fallback", ranking=ranking),
    )
    with session_scope(database_url) as session:
        topics = repository.topics(session)
    buttons = all_buttons(dispatcher)
    assert "Did you mean" in text_of(dispatcher)
    assert [b["payload"] for b in buttons] == [
        "/faq_longevity",
        "/faq_aftercare",
        "/deny",
    ]
    assert buttons[0]["title"].lower() == topics["faq_longevity"].topic.lower()
    assert buttons[-1]["title"] == "Something else"


async def test_a_second_failure_offers_a_person_or_a_booking(database_url):
    earlier = [
        user_event("blah", "nlu_fallback", 0.3),
        {"event": "action", "name": "action_clarify"},
    ]
    dispatcher = CollectingDispatcher()
    await run(
        ActionClarify(),
        dispatcher,
        tracker("zzz", "nlu_fallback", confidence=0.2, events=earlier),
    )
    payloads = [b["payload"] for b in all_buttons(dispatcher)]
    assert payloads == ["/request_human", "/book_consultation"]
    assert get_clinic().phone in text_of(dispatcher)


async def test_something_else_counts_as_a_second_failure(database_url):
    earlier = [
        user_event("blah", "nlu_fallback", 0.3),
        {"event": "action", "name": "action_clarify"},
    ]
    dispatcher = CollectingDispatcher()
    await run(
        ActionClarify(),
        dispatcher,
        tracker("/deny", "deny", confidence=1.0, events=earlier),
    )
    assert [b["payload"] for b in all_buttons(dispatcher)] == [
        "/request_human",
        "/book_consultation",
    ]


async def test_an_understood_message_resets_the_failure_count(database_url):
    earlier = [
        user_event("blah", "nlu_fallback", 0.3),
        {"event": "action", "name": "action_clarify"},
        user_event("does it hurt", "faq_pain"),
        {"event": "action", "name": "action_answer_faq"},
    ]
    dispatcher = CollectingDispatcher()
    ranking = [
        {"name": "nlu_fallback", "confidence": 0.4},
        {"name": "faq_cost", "confidence": 0.3},
    ]
    await run(
        ActionClarify(),
        dispatcher,
        tracker("qq", "nlu_fallback", confidence=0.2, events=earlier, ranking=ranking),
    )
    assert "Did you mean" in text_of(dispatcher)


async def test_out_of_scope_says_what_the_assistant_can_help_with(database_url):
    dispatcher = CollectingDispatcher()
    await run(
        ActionClarify(), dispatcher, tracker("what's the weather", "out_of_scope")
    )
    assert "scalp micropigmentation" in text_of(dispatcher)
    assert book_button() in all_buttons(dispatcher)


# Clinic details


async def test_clinic_info_comes_from_the_config(database_url):
    dispatcher = CollectingDispatcher()
    await run(ActionClinicInfo(), dispatcher, tracker("where are you", "clinic_info"))
    clinic = get_clinic()
    for fact in (clinic.address, clinic.phone, clinic.email, "Sunday: closed"):
        assert fact in text_of(dispatcher)


# Booking form


async def validate(
    form_slots: dict, text: str, intent: str, confidence=0.95, requested=None
):
    dispatcher = CollectingDispatcher()
    slots = {"requested_slot": requested, **form_slots}
    current = tracker(
        text, intent, confidence=confidence, slots=slots, active_loop="booking_form"
    )
    events = await ValidateBookingForm().run(dispatcher, current, DOMAIN)
    return slot_values(events), text_of(dispatcher)


async def test_a_valid_name_fills_the_slot():
    slots, _ = await validate({}, "jane doe", "nlu_fallback", 0.3, "booking_name")
    assert slots["booking_name"] == "Jane Doe"


async def test_an_invalid_contact_is_re_asked_with_the_reason():
    slots, said = await validate(
        {}, "jane@example", "nlu_fallback", 0.3, "booking_contact"
    )
    assert slots["booking_contact"] is None
    assert "complete email address" in said


async def test_a_question_in_the_middle_of_the_form_fills_nothing():
    slots, said = await validate(
        {}, "does it hurt?", "faq_pain", 0.97, "booking_contact"
    )
    assert "booking_contact" not in slots
    assert said == ""


@pytest.mark.parametrize(
    "typed",
    [
        "name@example",
        "sam@@example",
        "sam@example.",
        "@example.com",
        "jane.doe@gmail",
        "jane@exa mple.com",
        "my email is jane@@example.co.uk",
        "12345",
        "0770 090",
        "+44 77",
        "1234567890123456789",
        "07700 9001x3",
    ],
)
async def test_a_malformed_contact_is_re_asked_even_when_it_reads_like_a_question(
    typed,
):
    # The classifier may be sure it is a question ("name@example" was read as
    # faq_results at 0.97); it is still taken as the answer and re-asked.
    slots, said = await validate({}, typed, "faq_results", 0.97, "booking_contact")
    assert slots["booking_contact"] is None
    assert said.strip(), "the visitor is told what is wrong"
    assert "results" not in said.lower()


@pytest.mark.parametrize(
    ("typed", "slot"),
    [("R2D2", "booking_name"), ("sam@example.com", "booking_name")],
)
async def test_a_malformed_name_is_re_asked_even_when_it_reads_like_a_question(
    typed, slot
):
    slots, said = await validate({}, typed, "faq_cost", 0.97, slot)
    assert slots[slot] is None
    assert said.strip()


async def test_a_clear_question_still_pauses_the_form_for_an_answer():
    slots, said = await validate(
        {}, "how much does it cost?", "faq_cost", 0.97, "booking_name"
    )
    assert "booking_name" not in slots
    assert said == ""


async def test_the_preferred_time_is_kept_as_text_with_a_date_when_readable():
    slots, _ = await validate(
        {}, "tomorrow morning", "nlu_fallback", 0.3, "booking_preferred_time"
    )
    assert slots["booking_preferred_time"] == "tomorrow morning"


async def test_consent_must_be_given_explicitly():
    slots, _ = await validate({}, "/affirm", "affirm", 1.0, "booking_consent")
    assert slots["booking_consent"] is True
    slots, said = await validate({}, "/deny", "deny", 1.0, "booking_consent")
    assert slots["booking_consent"] is None


@pytest.mark.parametrize("slot", ["booking_consent", "booking_confirmed"])
@pytest.mark.parametrize(
    ("typed", "misread", "meant"),
    [
        # What the classifier made of them, confident enough to interrupt.
        ("correct", "faq_removal", True),
        ("Correct!", "faq_removal", True),
        ("yes please", "faq_cost", True),
        ("that’s right", "faq_results", True),
        ("nope", "faq_results", False),
    ],
)
async def test_a_plain_yes_or_no_answers_the_question_whatever_the_classifier_read(
    slot, typed, misread, meant
):
    filled = {"booking_name": "Jane", "booking_contact": "a@b.co"}
    if slot == "booking_confirmed":
        filled["booking_consent"] = True
    slots, said = await validate(filled, typed, misread, 0.9, slot)
    if meant:
        assert slots[slot] is True
    else:
        assert slots[slot] is not True
    assert "remov" not in said.lower() and "result" not in said.lower()


async def test_a_question_at_the_read_back_still_pauses_the_form():
    filled = {"booking_name": "Jane", "booking_contact": "a@b.co"}
    slots, said = await validate(
        {**filled, "booking_consent": True},
        "can it be removed later?",
        "faq_removal",
        0.9,
        "booking_confirmed",
    )
    assert "booking_confirmed" not in slots
    assert said == ""


async def test_the_concern_is_prefilled_from_the_topics_discussed():
    discussed = {"topics_discussed": ["scars", "cost"]}
    slots, _ = await validate(discussed, "/affirm", "affirm", 1.0, "booking_concern")
    assert slots["booking_concern"] == "scars, cost"
    dispatcher = CollectingDispatcher()
    await ActionAskBookingConcern().run(dispatcher, tracker(slots=discussed), DOMAIN)
    assert "scars, cost" in text_of(dispatcher)


async def test_changing_details_at_the_read_back_clears_the_answers():
    filled = {
        "booking_name": "Jane",
        "booking_contact": "a@b.co",
        "booking_consent": True,
    }
    slots, _ = await validate(filled, "/deny", "deny", 1.0, "booking_confirmed")
    assert slots["booking_name"] is None and slots["booking_contact"] is None


FILLED = {
    "booking_name": "Jane Doe",
    "booking_contact": "jane@example.com",
    "booking_preferred_time": "1 December 2031, afternoon",
    "booking_concern": "receding hairline",
    "booking_consent": True,
    "booking_confirmed": True,
}


async def test_the_read_back_shows_every_detail():
    dispatcher = CollectingDispatcher()
    await ActionAskBookingConfirmed().run(dispatcher, tracker(slots=FILLED), DOMAIN)
    for value in (
        "Jane Doe",
        "jane@example.com",
        "1 December 2031",
        "receding hairline",
    ):
        assert value in text_of(dispatcher, FILLED)


async def test_a_confirmed_booking_is_stored_before_the_visitor_is_told(database_url):
    dispatcher = CollectingDispatcher()
    events = await ActionSubmitBooking().run(dispatcher, tracker(slots=FILLED), DOMAIN)
    with session_scope(database_url) as session:
        row = session.scalars(select(BookingRequest)).one()
    assert row.reference in text_of(dispatcher)
    assert (row.email, row.phone, row.conversation_id) == (
        "jane@example.com",
        None,
        "visitor-1",
    )
    assert str(row.preferred_date) == "2031-12-01"
    assert slot_values(events)["booking_reference"] == row.reference
    assert slot_values(events)["booking_consent"] is None


async def test_submitting_twice_stores_one_row_and_says_so(database_url):
    await ActionSubmitBooking().run(
        CollectingDispatcher(), tracker(slots=FILLED), DOMAIN
    )
    dispatcher = CollectingDispatcher()
    await ActionSubmitBooking().run(dispatcher, tracker(slots=FILLED), DOMAIN)
    with session_scope(database_url) as session:
        assert len(session.scalars(select(BookingRequest)).all()) == 1
    assert "already sent" in text_of(dispatcher)


async def test_nothing_is_stored_without_consent(database_url):
    slots = {**FILLED, "booking_consent": None}
    await ActionSubmitBooking().run(
        CollectingDispatcher(), tracker(slots=slots), DOMAIN
    )
    with session_scope(database_url) as session:
        assert session.scalars(select(BookingRequest)).all() == []


async def test_cancelling_stops_the_form_and_forgets_the_answers():
    events = await ActionCancelBooking().run(
        CollectingDispatcher(),
        tracker(slots=FILLED, active_loop="booking_form"),
        DOMAIN,
    )
    assert ActiveLoop(None) in events
    assert SlotSet("booking_contact", None) in events


async def test_a_handoff_is_stored_with_the_expected_reply_time(database_url):
    slots = {
        "booking_name": "Sam",
        "booking_contact": "07700900123",
        "booking_consent": True,
    }
    dispatcher = CollectingDispatcher()
    await ActionSubmitHandoff().run(dispatcher, tracker(slots=slots), DOMAIN)
    with session_scope(database_url) as session:
        row = session.scalars(select(HandoffRequest)).one()
    assert row.phone == "+447700900123" and row.reply_expected_at is not None
    assert row.reference in text_of(dispatcher)
    assert get_clinic().phone in text_of(dispatcher)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "😀😀😀",
        "x" * 5000,
        "<script>alert(1)</script>",
        "' OR 1=1; --",
        "¿Duele?",
    ],
)
async def test_hostile_or_odd_names_never_crash_the_form(text):
    slots, said = await validate({}, text, "nlu_fallback", 0.2, "booking_name")
    assert slots.get("booking_name") is None
    assert said


async def test_with_nothing_to_guess_from_the_popular_topics_are_offered(database_url):
    dispatcher = CollectingDispatcher()
    current = tracker("", "nlu_fallback", confidence=0.0, ranking=[])
    await run(ActionClarify(), dispatcher, current)
    payloads = [b["payload"] for b in all_buttons(dispatcher)]
    assert "didn't catch that" in text_of(dispatcher)
    assert payloads == [
        "/faq_what_is_smp",
        "/faq_pain",
        "/faq_cost",
        "/book_consultation",
    ]
