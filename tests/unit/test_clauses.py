"""Messages that ask two things: both topics are found and offered."""

from __future__ import annotations

import pytest
from rasa_sdk.executor import CollectingDispatcher
from test_actions import all_buttons, run, text_of, tracker

from actions import clauses
from actions.faq import ActionAnswerFaq


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("does it hurt and how much is it?", ["does it hurt", "how much is it"]),
        (
            "How long does it last? Also can it be removed",
            ["How long does it last", "can it be removed"],
        ),
        ("Is it painful; what does it cost", ["Is it painful", "what does it cost"]),
        ("can it cover scars and burns", ["can it cover scars and burns"]),
        ("does it hurt?", ["does it hurt"]),
        ("", []),
    ],
)
def test_a_message_is_split_into_its_questions(text, expected):
    assert clauses.question_clauses(text) == expected


def fake_parser(answers: dict[str, tuple[str, float]]):
    async def parse(text: str) -> tuple[str, float]:
        return answers[text]

    return parse


async def test_the_other_topic_of_a_two_question_message_is_found():
    parse = fake_parser(
        {"does it hurt": ("faq_pain", 0.9), "how much is it": ("faq_cost", 0.8)}
    )
    found = await clauses.other_topics(
        "does it hurt and how much is it?", "faq_pain", parse=parse, min_confidence=0.5
    )
    assert found == ["faq_cost"]


async def test_unsure_or_non_faq_clauses_are_not_offered():
    parse = fake_parser(
        {"does it hurt": ("faq_pain", 0.9), "what about parking": ("clinic_info", 0.9)}
    )
    assert (
        await clauses.other_topics(
            "does it hurt? what about parking", "faq_pain", parse=parse
        )
        == []
    )
    unsure = fake_parser(
        {"does it hurt": ("faq_pain", 0.9), "how much is it": ("faq_cost", 0.3)}
    )
    assert (
        await clauses.other_topics(
            "does it hurt and how much is it?",
            "faq_pain",
            parse=unsure,
            min_confidence=0.5,
        )
        == []
    )


async def test_an_unreachable_server_leaves_only_the_main_answer():
    async def broken(text: str) -> tuple[str, float]:
        raise clauses.aiohttp.ClientConnectionError("down")

    found = await clauses.other_topics(
        "does it hurt and how much is it?", "faq_pain", parse=broken
    )
    assert found == []


async def test_the_answer_names_the_other_topic_and_offers_it_first(
    database_url, monkeypatch
):
    async def parse(text: str) -> tuple[str, float]:
        return {"does it hurt": ("faq_pain", 0.9), "how much is it": ("faq_cost", 0.9)}[
            text
        ]

    monkeypatch.setattr(clauses, "parse_with_rasa", parse)
    dispatcher = CollectingDispatcher()
    await run(
        ActionAnswerFaq(),
        dispatcher,
        tracker("does it hurt and how much is it?", "faq_pain"),
    )
    said = text_of(dispatcher)
    assert "You also asked about" in said
    buttons = all_buttons(dispatcher)
    assert buttons[0]["payload"] == "/faq_cost"
    assert len([b for b in buttons if b["payload"].startswith("/faq_")]) <= 3
