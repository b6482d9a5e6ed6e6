"""What the forms accept from visitors, and the reasons they give when they don't."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
import yaml

from smp.settings import PROJECT_ROOT
from smp.validation import (
    InvalidInput,
    clean_text,
    has_time_words,
    looks_like_attempt,
    parse_contact,
    parse_preferred_date,
    region_of,
    validate_name,
    yes_or_no_reply,
)

LONDON = ZoneInfo("Europe/London")
# A Monday morning.
NOW = dt.datetime(2026, 11, 23, 10, 0, tzinfo=LONDON)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("jane doe", "Jane Doe"),
        ("  Seán   O'Brien ", "Seán O'Brien"),
        ("Anne-Marie", "Anne-Marie"),
        ("Zoë", "Zoë"),
        ("Łukasz Wiśniewski", "Łukasz Wiśniewski"),
        ("محمد", "محمد"),
    ],
)
def test_names_in_any_script_are_accepted_and_tidied(typed, stored):
    assert validate_name(typed) == stored


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("", "name_missing"),
        ("   ", "name_missing"),
        ("<script>alert(1)</script>", "name_characters"),
        ("R2D2", "name_digits"),
        ("does it hurt?", "name_not_a_name"),
        ("hello", "name_not_a_name"),
        ("x" * 5000, "name_too_long"),
        ("'; DROP TABLE booking_requests; --", "name_characters"),
    ],
)
def test_unusable_names_are_refused_with_a_reason(typed, reason):
    with pytest.raises(InvalidInput) as refused:
        validate_name(typed)
    assert refused.value.reason == reason


def test_every_reason_has_words_for_the_visitor_in_the_domain():
    domain = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text())
    source = (PROJECT_ROOT / "smp" / "validation.py").read_text()
    reasons = set(re.findall(r'InvalidInput\(\s*"(\w+)"', source))
    assert len(reasons) >= 10
    for reason in reasons:
        assert f"utter_invalid_{reason}" in domain["responses"]


@pytest.mark.parametrize(
    ("typed", "name"),
    [("my name is sam", "Sam"), ("I'm Priya Shah", "Priya Shah"), ("it's Jo", "Jo")],
)
def test_a_name_given_in_a_sentence_is_kept_without_the_lead_in(typed, name):
    assert validate_name(typed) == name


@pytest.mark.parametrize(
    ("typed", "email", "phone"),
    [
        ("jane@example.com", "jane@example.com", None),
        (
            "my email is Jane.Doe+smp@Example.co.uk thanks",
            "jane.doe+smp@example.co.uk",
            None,
        ),
        ("07700 900123", None, "+447700900123"),
        ("+44 7700 900123", None, "+447700900123"),
        ("+44 (0)7700-900-123", None, "+447700900123"),
        ("call me on 0161 496 0000", None, "+441614960000"),
        ("+1 (202) 555-0143", None, "+12025550143"),
    ],
)
def test_an_email_or_phone_is_found_in_what_the_visitor_typed(typed, email, phone):
    contact = parse_contact(typed)
    assert (contact.email, contact.phone) == (email, phone)


def test_a_national_and_an_international_number_are_the_same_person():
    assert parse_contact("07700 900123") == parse_contact("+44 7700 900123")


def test_numbers_without_a_prefix_are_read_in_the_clinics_country():
    assert parse_contact("(202) 555-0143", region="US").phone == "+12025550143"
    assert region_of("+44 1244 555 010") == "GB"
    assert region_of("+1 202 555 0143") == "US"


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("jane@example", "email_incomplete"),
        ("sam@@example.com", "email_incomplete"),
        ("name@example.", "email_incomplete"),
        ("@example.com", "email_incomplete"),
        ("jane@exa mple.com", "email_incomplete"),
        ("12345", "phone_too_short"),
        ("1234567890123456789", "phone_too_long"),
        ("next week", "contact_unreadable"),
        ("", "contact_missing"),
    ],
)
def test_unusable_contact_details_are_refused_with_a_reason(typed, reason):
    with pytest.raises(InvalidInput) as refused:
        parse_contact(typed)
    assert refused.value.reason == reason


@pytest.mark.parametrize(
    ("slot", "typed"),
    [
        ("booking_contact", "name@example"),
        ("booking_contact", "sam@@example"),
        ("booking_contact", "0770 090"),
        ("booking_contact", "my gmail"),
        ("booking_name", "R2D2"),
        ("booking_name", "sam@example.com"),
        ("booking_preferred_time", "the 14th"),
        ("booking_preferred_time", "tomorrow at 3pm"),
    ],
)
def test_answer_shaped_text_counts_as_an_attempt_at_the_question(slot, typed):
    assert looks_like_attempt(slot, typed)


@pytest.mark.parametrize(
    ("slot", "typed"),
    [
        ("booking_contact", "does it hurt?"),
        ("booking_name", "how long does the treatment last?"),
        ("booking_preferred_time", "what does it cost"),
    ],
)
def test_a_clear_question_is_not_an_attempt_at_the_answer(slot, typed):
    assert not looks_like_attempt(slot, typed)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("tomorrow", dt.date(2026, 11, 24)),
        ("friday afternoon", dt.date(2026, 11, 27)),
        ("on Thursday please", dt.date(2026, 11, 26)),
        ("3 December", dt.date(2026, 12, 3)),
    ],
)
def test_a_preferred_day_is_read_as_a_date_when_it_names_one(typed, expected):
    assert parse_preferred_date(typed, NOW) == expected


@pytest.mark.parametrize(
    "typed", ["any weekday morning", "whenever suits", "", "asdfgh"]
)
def test_vague_or_unreadable_times_give_no_date(typed):
    assert parse_preferred_date(typed, NOW) is None


def test_dates_in_the_past_are_not_taken():
    assert parse_preferred_date("1 January 2020", NOW) is None


def test_time_words_are_recognised_in_free_text():
    assert has_time_words("evenings after 6 are best")
    assert not has_time_words("jane@example.com")


def test_control_characters_are_removed_and_length_capped():
    assert clean_text("a\x00b\u200bc\n  d", limit=5) == "abc d"
    assert len(clean_text("y" * 10_000)) == 200


@pytest.mark.parametrize(
    ("typed", "reply"),
    [
        ("yes", True),
        ("Correct.", True),
        ("  that's correct!! ", True),
        ("That\u2019s right", True),
        ("sounds good thanks", True),
        ("Go ahead", True),
        ("no", False),
        ("No thank you", False),
        ("incorrect", False),
        ("nah.", False),
        # Anything more is for the classifier: a question, a correction, a
        # longer sentence, a payload, nothing at all.
        ("correct me if I'm wrong, does it hurt?", None),
        ("yes but how much is it?", None),
        ("no, my email is jane@example.com", None),
        ("/affirm", None),
        ("", None),
        ("y" * 10_000, None),
        ("\u00a1s\u00ed!", None),
    ],
)
def test_a_plain_yes_or_no_is_read_without_the_classifier(typed, reply):
    assert yes_or_no_reply(typed) is reply
