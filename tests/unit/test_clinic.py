"""The clinic's config: placeholders, policies and opening hours."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest
import yaml

from smp.clinic import load_clinic_config
from smp.settings import get_settings

CLINIC = load_clinic_config(get_settings().clinic_file)
TZ = CLINIC.tz


def write_config(tmp_path: Path, **changes) -> Path:
    """The real clinic config with some top-level keys changed (None removes)."""
    raw = yaml.safe_load(get_settings().clinic_file.read_text(encoding="utf-8"))
    for key, value in changes.items():
        if value is None:
            raw.pop(key, None)
        else:
            raw[key] = value
    path = tmp_path / "clinic.yml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


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
    path = write_config(tmp_path, opening_hours={"monday": "18:00-09:00"})
    with pytest.raises(ValueError, match="closes before it opens"):
        load_clinic_config(path)


def test_a_config_missing_contact_details_is_refused(tmp_path: Path):
    path = tmp_path / "clinic.yml"
    path.write_text("name: A\n")
    with pytest.raises(ValueError, match="missing"):
        load_clinic_config(path)


def test_a_config_missing_the_clinics_policies_names_each_one(tmp_path: Path):
    path = write_config(
        tmp_path,
        consultation={"length": "about 45 minutes"},
        minimum_age=None,
        practitioner={"name": "Sam"},
        deposit_refund="  ",
    )
    with pytest.raises(ValueError, match="missing") as refused:
        load_clinic_config(path)
    message = str(refused.value)
    for field in (
        "consultation.free",
        "minimum_age (the youngest age the clinic treats)",
        "practitioner.training",
        "deposit_refund",
    ):
        assert field in message
    assert "practitioner.name" not in message


def test_a_consultation_that_is_not_free_needs_its_fee(tmp_path: Path):
    path = write_config(tmp_path, consultation={"free": False, "length": "an hour"})
    with pytest.raises(ValueError, match="consultation.fee is needed"):
        load_clinic_config(path)


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"consultation": {"free": "maybe", "length": "1h"}}, "true or false"),
        ({"minimum_age": "adults only"}, "whole number of years"),
        ({"minimum_age": True}, "whole number of years"),
        ({"minimum_age": 180}, "not a plausible age"),
    ],
)
def test_a_policy_with_the_wrong_kind_of_value_is_refused(tmp_path, changes, reason):
    with pytest.raises(ValueError, match=reason):
        load_clinic_config(write_config(tmp_path, **changes))


def test_the_clinics_policies_are_placeholders():
    values = CLINIC.placeholders()
    assert values["minimum_age"] == str(CLINIC.minimum_age)
    assert values["practitioner_name"] == CLINIC.practitioner_name
    for name in (
        "numbing_cream",
        "practitioner_training",
        "prices_include",
        "deposit_refund",
        "consultation_length",
    ):
        assert values[name] == getattr(CLINIC, name)


def test_the_consultation_is_called_free_only_when_it_is(tmp_path: Path):
    free = dataclasses.replace(CLINIC, consultation_free=True)
    paid = load_clinic_config(
        write_config(
            tmp_path,
            consultation={"free": False, "fee": "£40", "length": "about an hour"},
        )
    )
    text = "Book a {consultation} ({consultation_price})."
    assert free.render(text) == "Book a free consultation (free)."
    assert paid.render(text) == "Book a consultation (£40)."
