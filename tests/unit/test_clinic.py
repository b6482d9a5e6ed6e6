"""The clinic's config: placeholders and opening hours."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from smp.clinic import load_clinic_config
from smp.settings import get_settings

CLINIC = load_clinic_config(get_settings().clinic_file)
TZ = CLINIC.tz


def at(year, month, day, hour, minute=0):
    return dt.datetime(year, month, day, hour, minute, tzinfo=TZ)


def test_placeholders_are_filled_from_the_config():
    text = CLINIC.render("Call {clinic_phone}; a hairline costs {price_hairline}.")
    assert CLINIC.phone in text and CLINIC.prices["hairline"] in text


def test_unknown_braces_are_left_as_written():
    assert CLINIC.render("{not_a_placeholder} {}") == "{not_a_placeholder} {}"


def test_a_request_while_open_is_answered_the_same_day():
    monday_morning = at(2026, 11, 23, 10, 0)
    reply_at, phrase = CLINIC.expected_reply(monday_morning)
    assert CLINIC.is_open(monday_morning)
    assert reply_at == at(2026, 11, 23, 12, 0)
    assert phrase == "today by about 12:00"


def test_a_request_shortly_before_closing_is_answered_before_closing():
    reply_at, _ = CLINIC.expected_reply(at(2026, 11, 27, 16, 30))  # Friday closes 17:00
    assert reply_at == at(2026, 11, 27, 17, 0)


def test_a_request_on_saturday_evening_waits_for_monday():
    reply_at, phrase = CLINIC.expected_reply(at(2026, 11, 28, 19, 0))
    assert reply_at == at(2026, 11, 30, 9, 0)
    assert phrase == "on Monday soon after we open at 09:00"


def test_a_request_at_night_is_answered_after_opening_next_morning():
    _, phrase = CLINIC.expected_reply(at(2026, 11, 24, 23, 30))
    assert phrase == "tomorrow soon after we open at 09:00"


def test_a_config_with_bad_hours_is_refused(tmp_path: Path):
    path = tmp_path / "clinic.yml"
    path.write_text(
        "name: A\naddress: B\nphone: C\nemail: d@e.fg\nbooking_url: h\n"
        "timezone: Europe/London\nopening_hours:\n  monday: '18:00-09:00'\n"
    )
    with pytest.raises(ValueError, match="closes before it opens"):
        load_clinic_config(path)


def test_a_config_missing_contact_details_is_refused(tmp_path: Path):
    path = tmp_path / "clinic.yml"
    path.write_text("name: A\n")
    with pytest.raises(ValueError, match="missing"):
        load_clinic_config(path)
