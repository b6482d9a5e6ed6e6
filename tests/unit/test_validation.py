"""What the forms accept from visitors, and the reasons they give when they don't."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from smp.validation import (
    InvalidInput,
    clean_text,
    has_time_words,
    parse_contact,
    parse_preferred_date,
    validate_name,
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
        ("", "didn't catch"),
        ("   ", "didn't catch"),
        ("<script>alert(1)</script>", "only contain letters"),
        ("R2D2", "numbers"),
        ("does it hurt?", "name we should use"),
        ("hello", "name we should use"),
        ("x" * 5000, "longer than a name"),
        ("'; DROP TABLE booking_requests; --", "only contain letters"),
    ],
)
def test_unusable_names_are_refused_with_a_reason(typed, reason):
    with pytest.raises(InvalidInput, match=reason):
        validate_name(typed)


@pytest.mark.parametrize(
    ("typed", "email", "phone"),
    [
        ("jane@example.com", "jane@example.com", None),
        (
            "my email is Jane.Doe+smp@Example.co.uk thanks",
            "jane.doe+smp@example.co.uk",
            None,
        ),
        ("07700 900123", None, "07700900123"),
        ("+44 (0)7700-900-123", None, "+4407700900123"),
        ("call me on 0161 496 0000", None, "01614960000"),
    ],
)
def test_an_email_or_phone_is_found_in_what_the_visitor_typed(typed, email, phone):
    contact = parse_contact(typed)
    assert (contact.email, contact.phone) == (email, phone)


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("jane@example", "complete email address"),
        ("12345", "too short"),
        ("1234567890123456789", "too many digits"),
        ("next week", "doesn't look like an email address or a phone number"),
        ("", "didn't catch"),
    ],
)
def test_unusable_contact_details_are_refused_with_a_reason(typed, reason):
    with pytest.raises(InvalidInput, match=reason):
        parse_contact(typed)


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
