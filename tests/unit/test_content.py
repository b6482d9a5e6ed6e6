"""The clinic's approved answers: complete, safe, and consistent with the config."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
import yaml

from smp.clinic import get_clinic
from smp.content import (
    MAX_SHORT_WORDS,
    AnswerParts,
    answer_parts,
    load_content,
    word_count,
)
from smp.settings import get_settings
from smp.topics import FAQ_INTENTS

ANSWERS = load_content(get_settings().answers_file)
PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
INTENTS_IN_DOMAIN = set(yaml.safe_load(open("domain.yml"))["intents"])

# A topic an answer touches (any word on the left, anywhere in its text) needs a
# safety line that names the topic and sends the visitor to the right person.
REFERRALS = {
    "scars and keloids": (r"\bscars?\b|keloid", r"keloid", r"GP or a dermatologist"),
    "skin conditions": (
        r"psoriasis|eczema|dermatitis|scalp condition|skin condition",
        r"scalp condition",
        r"GP or a dermatologist",
    ),
    "infection": (r"infection|\bpus\b|fever", r"infection|\bpus\b|fever", r"\bGP\b"),
    "alopecia": (r"alopecia", r"alopecia", r"dermatologist"),
    "pregnancy": (r"pregnan|breastfe", r"pregnan", r"GP or midwife"),
    "blood thinners": (
        r"blood thinner|thins? the blood|aspirin|warfarin|heparin|ibuprofen"
        r"|bleeding disorder",
        r"blood thinner",
        r"\bdoctor\b",
    ),
    "stopping a medicine": (
        r"\bstop\w* (a |any |your )?(prescribed )?medicine",
        r"blood thinner",
        r"\bdoctor\b",
    ),
    "medicines": (
        r"\bmedicines?\b|medication|minoxidil|finasteride|prescri",
        r"medicine",
        r"\b(doctor|GP)\b",
    ),
    "chemotherapy and radiotherapy": (
        r"chemo|radiotherapy|cancer|oncolog",
        r"chemotherapy(?=.*radiotherapy)|radiotherapy(?=.*chemotherapy)",
        r"oncologist",
    ),
    "MRI": (r"\bMRI\b", r"\bMRI\b", r"radiographer"),
}

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


def answer_id(answer):
    return f"{answer.intent}:{answer.entity_value}"


def topics_touched(answer) -> list[str]:
    return [
        topic
        for topic, (raised_by, _, _) in REFERRALS.items()
        if re.search(raised_by, answer.text, re.IGNORECASE)
    ]


@pytest.mark.parametrize("answer", ANSWERS, ids=answer_id)
def test_an_answer_touching_a_medical_topic_ends_with_its_referral(answer):
    missing = [
        topic
        for topic in topics_touched(answer)
        if not any(
            re.search(REFERRALS[topic][1], line, re.IGNORECASE)
            and re.search(REFERRALS[topic][2], line)
            for line in answer.safety
        )
    ]
    assert not missing, f"no safety line for {missing}"


def test_every_medical_topic_is_touched_by_some_answer():
    touched = {topic for answer in ANSWERS for topic in topics_touched(answer)}
    assert touched == set(REFERRALS)


@pytest.mark.parametrize("answer", ANSWERS, ids=answer_id)
def test_every_answer_ends_with_its_safety_lines(answer):
    if answer.safety:
        assert answer.text.endswith("\n\n" + "\n".join(answer.safety))


def test_the_editors_safety_lines_are_where_they_belong():
    def safety(intent, value=""):
        answer = next(
            a for a in ANSWERS if a.intent == intent and a.entity_value == value
        )
        return " ".join(answer.safety).lower()

    for scar in ("fut", "fue"):
        assert "keloid" in safety("faq_scars", scar)
    suitability = safety("faq_suitability")
    for words in ("alopecia", "dermatologist", "pregnan", "blood thinners", "chemo"):
        assert words in suitability
    assert "blood thinners" in safety("faq_procedure")
    cancer = safety("faq_risks")
    for words in ("radiotherapy", "recently", "planned", "oncologist"):
        assert words in cancer


@pytest.mark.parametrize("answer", ANSWERS, ids=answer_id)
def test_answers_state_the_clinics_policy_not_what_clinics_in_general_do(answer):
    match = re.search(r"\b(most|many) clinics\b", answer.text, re.IGNORECASE)
    assert match is None, match and match.group(0)


def test_every_placeholder_in_the_answers_file_is_in_the_clinic_config():
    raw = get_settings().answers_file.read_text(encoding="utf-8")
    assert set(PLACEHOLDER.findall(raw)) <= set(get_clinic().placeholders())


FREE_CONSULTATION = re.compile(
    r"\bfree\b\W+(\w+\W+){0,2}consultation|consultation\W+(\w+\W+){0,3}free\b",
    re.IGNORECASE,
)


@pytest.mark.parametrize("answer", ANSWERS, ids=answer_id)
def test_the_consultation_price_is_worded_from_the_clinic_config(answer):
    # The file never says "free" itself, so a clinic that charges is never misquoted.
    assert not FREE_CONSULTATION.search(answer.text)
    clinic = get_clinic()
    paid = dataclasses.replace(
        clinic, consultation_free=False, consultation_fee="£40, taken off the price"
    )
    assert not FREE_CONSULTATION.search(paid.render(answer.text))
    if "{consultation}" in answer.text and clinic.consultation_free:
        assert "free consultation" in clinic.render(answer.text)


def test_the_price_answer_quotes_the_consultation_fee_when_there_is_one():
    cost = next(a for a in ANSWERS if a.intent == "faq_cost" and not a.entity)
    paid = dataclasses.replace(
        get_clinic(), consultation_free=False, consultation_fee="£40, taken off"
    )
    assert "**Consultation:** £40, taken off" in paid.render(cost.text)


def test_who_does_the_work_names_the_practitioner_and_their_training():
    clinic = get_clinic()
    answer = next(a for a in ANSWERS if a.intent == "faq_practitioner")
    shown = clinic.render(answer.text)
    assert clinic.practitioner_name in shown
    assert clinic.practitioner_training in shown


def test_the_clinics_own_policies_are_quoted_where_visitors_ask():
    def base(intent):
        return next(a.text for a in ANSWERS if a.intent == intent and not a.entity)

    assert "{numbing_cream}" in base("faq_pain")
    assert "{minimum_age}" in base("faq_suitability")
    for cost in (a for a in ANSWERS if a.intent == "faq_cost"):
        assert "{prices_include}" in cost.text
        assert "{deposit_refund}" in cost.text


def write_answers(path: Path, scars: dict, referrals: dict | None = None) -> Path:
    """An answers file with a one-line answer per FAQ intent and `scars` for scars."""
    answers = [
        {"intent": intent, "text": f"About {intent}."}
        for intent in FAQ_INTENTS
        if intent != "faq_scars"
    ]
    answers.append({"intent": "faq_scars", **scars})
    referrals = referrals or {
        "keloid": "Prone to keloids? See your GP or a dermatologist.",
        "surgeon": "Check with your surgeon.",
    }
    path.write_text(yaml.safe_dump({"referrals": referrals, "answers": answers}))
    return path


def variant(value: str, **fields) -> dict:
    return {"entity": "scar_type", "value": value, "text": f"About {value}.", **fields}


def test_a_variant_inherits_its_base_answers_safety_lines(tmp_path: Path):
    path = write_answers(
        tmp_path / "answers.yml",
        {
            "text": "Scars can be camouflaged.",
            "safety": ["keloid"],
            "variants": [
                variant("fut"),
                variant("surgery", extra_safety=["surgeon"]),
            ],
        },
    )
    scars = {a.entity_value: a for a in load_content(path) if a.intent == "faq_scars"}
    keloid = "Prone to keloids? See your GP or a dermatologist."
    assert scars["fut"].safety == (keloid,)
    assert scars["fut"].text == f"About fut.\n\n{keloid}"
    assert scars["surgery"].safety == (keloid, "Check with your surgeon.")
    assert scars[""].text == f"Scars can be camouflaged.\n\n{keloid}"


def test_a_variant_drops_its_base_safety_lines_only_with_a_reason(tmp_path: Path):
    scars = {
        "text": "Scars can be camouflaged.",
        "safety": ["keloid"],
        "variants": [variant("birthmark", safety=[])],
    }
    with pytest.raises(ValueError, match="safety_reason"):
        load_content(write_answers(tmp_path / "answers.yml", scars))

    scars["variants"][0]["safety_reason"] = "A birthmark is not a scar."
    answers = load_content(write_answers(tmp_path / "answers.yml", scars))
    birthmark = next(a for a in answers if a.entity_value == "birthmark")
    assert birthmark.safety == ()
    assert birthmark.text == "About birthmark."


def test_an_unknown_referral_name_is_refused(tmp_path: Path):
    scars = {"text": "Scars.", "safety": ["keloids"]}
    with pytest.raises(ValueError, match="unknown referral keloids"):
        load_content(write_answers(tmp_path / "answers.yml", scars))


@pytest.mark.parametrize("answer", ANSWERS, ids=answer_id)
def test_every_answer_opens_with_a_short_answer_that_fits_a_phone(answer):
    shown = answer_parts(get_clinic().render(answer.text))
    assert answer.short, "no `short:` answer"
    assert shown.short == get_clinic().render(answer.short)
    assert word_count(shown.short) <= MAX_SHORT_WORDS
    assert shown.detail, "nothing behind Tell me more"


@pytest.mark.parametrize("answer", ANSWERS, ids=answer_id)
def test_a_short_answer_touching_a_medical_topic_says_who_to_check_with(answer):
    touched = [
        topic
        for topic, (raised_by, _, _) in REFERRALS.items()
        if re.search(raised_by, answer.short, re.IGNORECASE)
    ]
    if touched:
        assert re.search(r"\b(GP|doctor|dermatologist)\b", answer.short), touched


def test_a_short_answer_is_one_paragraph(tmp_path: Path):
    scars = {"text": "More about scars.", "short": "Scars.\n\nAnd more."}
    with pytest.raises(ValueError, match="single paragraph"):
        load_content(write_answers(tmp_path / "answers.yml", scars))
    scars["short"] = "Yes, scars can be\ncamouflaged."
    answers = load_content(write_answers(tmp_path / "answers.yml", scars))
    scar = next(a for a in answers if a.intent == "faq_scars")
    assert answer_parts(scar.text) == AnswerParts(
        "Yes, scars can be camouflaged.", "More about scars."
    )
