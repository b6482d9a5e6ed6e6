"""Conversations, unanswered questions, answers and analytics, on a real SQLite DB."""

from __future__ import annotations

import datetime as dt

import yaml
from console_support import Said, add_booking, page_token, record_conversation

from console import unanswered
from console.events import UserMessage
from console.models import UnansweredReview
from console.turns import build_turns
from smp import repository
from smp.db import session_scope


def _message(text: str, intent: str = "nlu_fallback", confidence: float = 0.3):
    return UserMessage(1, "visitor-1", 1.0, text, intent, confidence)


# --- Conversations ------------------------------------------------------------


def test_conversations_are_listed_newest_first_without_staff_tests(
    staff_client, database_url
):
    now = dt.datetime.now(dt.timezone.utc)
    record_conversation(
        database_url,
        "visitor-old",
        [Said("does it hurt", "faq_pain")],
        started=now - dt.timedelta(hours=3),
    )
    record_conversation(
        database_url, "visitor-new", [Said("how much is it", "faq_cost")], started=now
    )
    record_conversation(
        database_url, "staff-test-abc", [Said("test message", "greet")], started=now
    )
    page = staff_client.get("/conversations").get_data(as_text=True)
    assert page.index("how much is it") < page.index("does it hurt")
    assert "test message" not in page
    staff_only = staff_client.get("/conversations?source=staff").get_data(as_text=True)
    assert "test message" in staff_only and "does it hurt" not in staff_only


def test_conversations_filter_by_intent_fallback_and_date(staff_client, database_url):
    today = dt.datetime.now(dt.timezone.utc)
    record_conversation(database_url, "v-pain", [Said("does it hurt", "faq_pain")])
    record_conversation(
        database_url,
        "v-lost",
        [Said("blorp zzz", "nlu_fallback", 0.2, action="action_clarify")],
    )
    record_conversation(
        database_url,
        "v-last-year",
        [Said("scar cover?", "faq_scars")],
        started=today - dt.timedelta(days=400),
    )
    by_intent = staff_client.get("/conversations?intent=faq_pain").get_data(True)
    assert "does it hurt" in by_intent and "blorp" not in by_intent
    fallback = staff_client.get("/conversations?fallback=1").get_data(True)
    assert "blorp zzz" in fallback and "does it hurt" not in fallback
    recent = (today - dt.timedelta(days=7)).date().isoformat()
    dated = staff_client.get(f"/conversations?from={recent}").get_data(True)
    assert "does it hurt" in dated and "scar cover?" not in dated


def test_conversation_list_is_paginated(app, staff_client, database_url):
    for number in range(30):
        record_conversation(
            database_url, f"visitor-{number:02d}", [Said("hi", "greet")]
        )
    first = staff_client.get("/conversations").get_data(True)
    assert "Page 1 of 2" in first
    second = staff_client.get("/conversations?page=2").get_data(True)
    assert "Page 2 of 2" in second


def test_a_conversation_shows_turns_with_intents_and_confidences(
    staff_client, database_url
):
    record_conversation(
        database_url,
        "visitor-detail",
        [
            Said(
                "will it cover my fut scar",
                "faq_scars",
                0.87,
                reply="Yes, SMP can camouflage scars.",
                slots=(
                    (
                        "served_answer",
                        {
                            "answer_id": 3,
                            "intent": "faq_scars",
                            "variant": "scar_type=fut",
                            "version": 2,
                        },
                    ),
                ),
                entities=(("scar_type", "fut"),),
            )
        ],
    )
    add_booking(database_url, "visitor-detail")
    page = staff_client.get("/conversations/visitor-detail").get_data(as_text=True)
    assert "will it cover my fut scar" in page
    assert "faq_scars" in page and "0.87" in page
    assert "scar_type=fut" in page
    assert "Yes, SMP can camouflage scars." in page
    assert "action_answer_faq" in page
    assert "/answers/3" in page
    assert "BK-" in page


def test_turns_group_each_message_with_what_the_assistant_did():
    events = [
        {"event": "action", "name": "action_session_start"},
        {"event": "session_started"},
        {
            "event": "user",
            "text": "hi",
            "parse_data": {
                "intent": {"name": "greet", "confidence": 0.99},
                "intent_ranking": [
                    {"name": "greet", "confidence": 0.99},
                    {"name": "thank", "confidence": 0.01},
                ],
                "entities": [],
            },
        },
        {"event": "action", "name": "utter_greet"},
        {
            "event": "bot",
            "text": "Hello!",
            "data": {"buttons": [{"title": "Does it hurt?", "payload": "/faq_pain"}]},
        },
        {"event": "action", "name": "action_listen"},
    ]
    (turn,) = build_turns(events)
    assert turn.user_text == "hi" and turn.intent == "greet"
    assert turn.runner_ups == [("thank", 0.01)]
    assert turn.actions == ["utter_greet"]
    assert turn.replies[0].buttons == [
        {"title": "Does it hurt?", "payload": "/faq_pain"}
    ]


# --- Unanswered questions -------------------------------------------------------


def test_normalising_ignores_case_punctuation_and_spaces():
    assert unanswered.normalise("  Does   it HURT?!  ") == "does it hurt"


def test_near_duplicates_are_grouped_and_different_questions_are_not():
    groups = unanswered.group_messages(
        [
            _message("Do you do eyebrows?"),
            _message("do you do eyebrows"),
            _message("do you do eyebrow?"),
            _message("what time is it in Tokyo"),
        ]
    )
    sizes = sorted(group.count for group in groups)
    assert sizes == [1, 3]


def test_unanswered_questions_are_grouped_with_counts(staff_client, database_url):
    for number, text in enumerate(
        ["Do you do eyebrows?", "do you do eyebrows", "do u do eyebrows"]
    ):
        record_conversation(
            database_url, f"v-brows-{number}", [Said(text, "nlu_fallback", 0.31)]
        )
    record_conversation(database_url, "v-ok", [Said("does it hurt", "faq_pain", 0.97)])
    record_conversation(
        database_url, "v-unsure", [Said("how long to heal", "faq_aftercare", 0.42)]
    )
    record_conversation(
        database_url, "v-off", [Said("who won the match", "out_of_scope", 0.9)]
    )
    record_conversation(
        database_url, "staff-test-x", [Said("staff typo", "nlu_fallback", 0.1)]
    )
    page = staff_client.get("/unanswered").get_data(as_text=True)
    assert "do you do eyebrows" in page.lower()
    assert "how long to heal" in page
    assert "who won the match" in page
    assert "does it hurt" not in page
    assert "staff typo" not in page
    with session_scope(database_url) as session:
        groups = unanswered.open_groups(
            session, threshold=0.5, staff_prefix="staff-test-"
        )
    brows = next(g for g in groups if "eyebrows" in g.key)
    assert brows.count == 3 and brows.conversations == 3


def test_answers_to_the_booking_form_are_not_unanswered_questions(
    staff_client, database_url
):
    record_conversation(
        database_url,
        "v-booking",
        [
            Said("i want to book", "book_consultation", loop="booking_form"),
            Said("Jane Doe", "nlu_fallback", 0.3),
            Said("jane@example.com", "nlu_fallback", 0.2, loop=""),
            Said("do you do eyebrows", "nlu_fallback", 0.3),
        ],
    )
    page = staff_client.get("/unanswered").get_data(as_text=True)
    assert "do you do eyebrows" in page
    assert "Jane Doe" not in page and "jane@example.com" not in page


def test_assigning_a_group_records_it_exports_it_and_hides_it(
    staff_client, database_url
):
    record_conversation(
        database_url, "v-1", [Said("is smp halal", "nlu_fallback", 0.2)]
    )
    record_conversation(
        database_url, "v-2", [Said("Is SMP halal?", "nlu_fallback", 0.2)]
    )
    record_conversation(
        database_url, "v-3", [Said("bananas please", "nlu_fallback", 0.2)]
    )
    token = page_token(staff_client, "/unanswered")
    response = staff_client.post(
        "/unanswered/decide",
        data={
            "key": "is smp halal",
            "decision": "assigned",
            "intent": "faq_suitability",
            "csrf_token": token,
        },
    )
    assert response.status_code == 302
    staff_client.post(
        "/unanswered/decide",
        data={"key": "bananas please", "decision": "dismissed", "csrf_token": token},
    )
    with session_scope(database_url) as session:
        reviews = {r.normalised_text: r for r in session.query(UnansweredReview)}
    assert reviews["is smp halal"].decision == "assigned"
    assert reviews["is smp halal"].intent == "faq_suitability"
    assert reviews["is smp halal"].decided_by == "reception"
    assert reviews["bananas please"].decision == "dismissed"

    open_list = staff_client.get("/unanswered").get_data(as_text=True)
    assert "halal" not in open_list.split("Recent decisions")[0]
    assert "bananas" not in open_list.split("Recent decisions")[0]

    export = staff_client.get("/unanswered/export.yml")
    assert export.headers["Content-Disposition"].startswith("attachment")
    text = export.get_data(as_text=True)
    assert text.startswith(
        'version: "3.1"\nnlu:\n- intent: faq_suitability\n  examples: |\n'
    )
    data = yaml.safe_load(text)
    assert data["version"] == "3.1"
    (entry,) = data["nlu"]
    assert entry["intent"] == "faq_suitability"
    examples = [line[2:] for line in entry["examples"].splitlines()]
    # One example per normalised wording: both messages read "is smp halal".
    assert [e.lower().rstrip("?") for e in examples] == ["is smp halal"]
    assert not any("bananas" in e for e in examples)


def test_only_the_domain_intents_can_be_assigned(staff_client, database_url, app):
    intents = unanswered.domain_intents(app.config["CONSOLE_SETTINGS"].domain_file)
    assert "faq_pain" in intents and "book_consultation" in intents
    assert "nlu_fallback" not in intents
    record_conversation(database_url, "v-1", [Said("gibberish", "nlu_fallback", 0.2)])
    token = page_token(staff_client, "/unanswered")
    staff_client.post(
        "/unanswered/decide",
        data={
            "key": "gibberish",
            "decision": "assigned",
            "intent": "not_an_intent",
            "csrf_token": token,
        },
    )
    with session_scope(database_url) as session:
        assert session.query(UnansweredReview).count() == 0


# --- Answers ------------------------------------------------------------------


def _pain_answer(database_url):
    with session_scope(database_url) as session:
        return repository.find_answer(session, "faq_pain")


def _answer_form(answer, token, **changes):
    data = {
        "text": answer.text,
        "topic": answer.topic,
        "question": answer.question,
        "base_version": str(answer.version),
        "related_intents": list(answer.related_intents),
        "csrf_token": token,
    }
    data.update(changes)
    return data


def test_editing_an_answer_saves_a_new_version_by_the_staff_member(
    staff_client, database_url
):
    answer = _pain_answer(database_url)
    token = page_token(staff_client, f"/answers/{answer.id}")
    text = (
        "Most people find SMP uncomfortable rather than painful. Call {clinic_phone}."
    )
    response = staff_client.post(
        f"/answers/{answer.id}", data=_answer_form(answer, token, text=text)
    )
    assert response.status_code == 302
    saved = _pain_answer(database_url)
    assert saved.text == text
    assert saved.version == answer.version + 1
    assert saved.updated_by == "reception"
    history = staff_client.get(f"/answers/{answer.id}/history").get_data(True)
    assert f"Version {saved.version}" in history and "reception" in history


def test_invalid_answers_are_refused_with_reasons(staff_client, database_url):
    answer = _pain_answer(database_url)
    token = page_token(staff_client, f"/answers/{answer.id}")
    cases = {
        "cannot be empty": {"text": "   "},
        "Unknown placeholder {clinic_fax}": {"text": "Fax us on {clinic_fax}."},
        "Choose 2 or 3": {"related_intents": ["faq_cost"]},
        "At most 20 characters": {"question": "Is this going to be very painful?"},
    }
    for message, change in cases.items():
        response = staff_client.post(
            f"/answers/{answer.id}", data=_answer_form(answer, token, **change)
        )
        assert response.status_code == 422
        assert message in response.get_data(as_text=True)
    assert _pain_answer(database_url).version == answer.version


def test_a_stale_edit_does_not_overwrite_a_newer_version(staff_client, database_url):
    answer = _pain_answer(database_url)
    token = page_token(staff_client, f"/answers/{answer.id}")
    with session_scope(database_url) as session:
        repository.update_answer(session, answer.id, editor="colleague", text="Theirs.")
    response = staff_client.post(
        f"/answers/{answer.id}", data=_answer_form(answer, token, text="Mine.")
    )
    assert response.status_code == 422
    assert "colleague saved a newer version" in response.get_data(as_text=True)
    assert _pain_answer(database_url).text == "Theirs."


def test_an_earlier_version_can_be_restored(staff_client, database_url):
    answer = _pain_answer(database_url)
    original = answer.text
    with session_scope(database_url) as session:
        repository.update_answer(session, answer.id, editor="x", text="Replaced text.")
    token = page_token(staff_client, f"/answers/{answer.id}/history")
    response = staff_client.post(
        f"/answers/{answer.id}/restore",
        data={"version": str(answer.version), "csrf_token": token},
    )
    assert response.status_code == 302
    restored = _pain_answer(database_url)
    assert restored.text == original
    assert restored.version == answer.version + 2
    assert restored.updated_by == "reception"


def test_the_live_preview_renders_placeholders_and_buttons(staff_client, database_url):
    answer = _pain_answer(database_url)
    token = page_token(staff_client, f"/answers/{answer.id}")
    response = staff_client.post(
        f"/api/answers/{answer.id}/preview",
        json={
            "text": "Call **{clinic_phone}**.\n- one\n- <two>",
            "related_intents": ["faq_cost", "faq_aftercare"],
            "topic": answer.topic,
            "question": answer.question,
        },
        headers={"X-CSRF-Token": token},
    )
    result = response.get_json()
    html = result["preview"]["html"]
    # As the widget shows it: bold, with the number a tap-to-call link.
    assert '<strong><a href="tel:+441244555010">+44 1244 555 010</a></strong>' in html
    assert "<li>&lt;two&gt;</li>" in html
    assert "Book a free consultation" in result["preview"]["buttons"]
    assert len(result["preview"]["buttons"]) == 3


# --- Analytics --------------------------------------------------------------------


def test_analytics_count_conversations_topics_fallbacks_and_bookings(
    staff_client, database_url
):
    served = (
        "served_answer",
        {"answer_id": 1, "intent": "faq_pain", "variant": "", "version": 1},
    )
    record_conversation(
        database_url,
        "v-a",
        [
            Said(
                "does it hurt",
                "faq_pain",
                slots=(served, ("consultation_offered", True)),
            )
        ],
    )
    record_conversation(database_url, "v-b", [Said("zzz", "nlu_fallback", 0.2)])
    record_conversation(
        database_url,
        "staff-test-1",
        [Said("does it hurt", "faq_pain", slots=(served,))],
    )
    add_booking(database_url, "v-a")
    from console.analytics import compute
    from console.dates import DateRange, today

    with session_scope(database_url) as session:
        figures = compute(
            session, DateRange(today(), today()), staff_prefix="staff-test-"
        )
    assert figures.conversations == 2
    assert figures.top_topics == [("Pain and comfort", 1)]
    assert figures.fallback_messages == 1 and figures.typed_messages == 2
    assert figures.offered == 1 and figures.booked == 1
    assert figures.booked_after_offer == 1
    page = staff_client.get("/analytics").get_data(as_text=True)
    assert 'id="analytics-data"' in page and "chart-conversations" in page
    assert "/vendor/chart.umd.js" in page
