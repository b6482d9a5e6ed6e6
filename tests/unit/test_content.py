"""The clinic's approved answers: complete, safe, and consistent with the config."""

from __future__ import annotations

import re

import pytest
import yaml

from smp.clinic import get_clinic
from smp.content import load_content
from smp.settings import get_settings
from smp.topics import FAQ_INTENTS

ANSWERS = load_content(get_settings().answers_file)
PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
INTENTS_IN_DOMAIN = set(yaml.safe_load(open("domain.yml"))["intents"])

# Claims the clinic must never make.
FORBIDDEN = [
    r"\bFDA[- ]approved\b",
    r"\b(NHS|MHRA|government|regulator\w*)[- ]approved\b",
    r"\bclinically proven\b",
    r"\b(re)?grows? (your |new )?hair\b(?! (nor|or))",
    r"\bguarantee",
    r"\bcure[sd]? (baldness|hair loss)\b",
]


def test_every_faq_intent_of_the_contract_has_an_answer():
    assert {answer.intent for answer in ANSWERS} == set(FAQ_INTENTS)
    assert set(FAQ_INTENTS) <= INTENTS_IN_DOMAIN


@pytest.mark.parametrize(
    "answer", ANSWERS, ids=lambda a: f"{a.intent}:{a.entity_value}"
)
def test_answers_use_only_known_placeholders(answer):
    known = set(get_clinic().placeholders())
    assert set(PLACEHOLDER.findall(answer.text)) <= known


@pytest.mark.parametrize(
    "answer", ANSWERS, ids=lambda a: f"{a.intent}:{a.entity_value}"
)
def test_answers_make_no_regulatory_or_regrowth_claims(answer):
    for pattern in FORBIDDEN:
        match = re.search(pattern, answer.text, re.IGNORECASE)
        assert match is None, f"{pattern!r} matched {match.group(0)!r}"


@pytest.mark.parametrize(
    "answer", ANSWERS, ids=lambda a: f"{a.intent}:{a.entity_value}"
)
def test_every_answer_offers_two_or_three_related_questions(answer):
    assert 2 <= len(answer.related_intents) <= 3
    assert answer.intent not in answer.related_intents


def test_button_questions_fit_a_messaging_button():
    for answer in ANSWERS:
        assert len(answer.question) <= 20, answer.question


def test_cost_answers_quote_prices_only_from_the_config():
    for answer in ANSWERS:
        if answer.intent == "faq_cost":
            assert not re.search(r"[£$€]\s?\d", answer.text)
            assert "consultation" in answer.text.lower()


def test_medical_questions_are_sent_to_a_doctor():
    risks = next(a for a in ANSWERS if a.intent == "faq_risks" and not a.entity)
    assert re.search(r"\b(doctor|GP|dermatologist)\b", risks.text)
