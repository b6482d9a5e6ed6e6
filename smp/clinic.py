"""The clinic's details (contact, hours, prices, policies) from `clinic.yml`.

Answers refer to these through placeholders such as `{clinic_phone}`, so one
file holds every fact that differs from one clinic to the next, and answers state
the clinic's own policy (consultation fee, numbing, age, practitioner) instead of
what clinics in general tend to do.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from smp.settings import get_settings

WEEKDAYS = (
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
)
_HOURS = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")
_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")

# Every key the loader needs, with what it is for, so a missing one is explained.
REQUIRED_FIELDS = {
    "name": "the clinic's name",
    "address": "the postal address",
    "phone": "the phone number",
    "email": "the email address",
    "booking_url": "the booking page",
    "timezone": "the IANA timezone, e.g. Europe/London",
    "consultation.free": "true or false: whether the consultation costs nothing",
    "consultation.length": "how long a consultation takes",
    "numbing_cream": "whether and how a numbing cream is offered",
    "minimum_age": "the youngest age the clinic treats",
    "practitioner.name": "who carries out the treatment",
    "practitioner.training": "the practitioner's training and experience",
    "prices_include": "what the quoted prices include",
    "deposit_refund": "when the deposit is refunded",
}


@dataclass(frozen=True)
class OpeningWindow:
    """Opening and closing time of one weekday."""

    opens: dt.time
    closes: dt.time


@dataclass(frozen=True)
class ClinicConfig:
    """Everything about the clinic that answers and messages may mention."""

    name: str
    address: str
    phone: str
    email: str
    booking_url: str
    parking: str
    timezone: str
    opening_hours: dict[str, OpeningWindow | None]
    reply_within_hours: float
    consultation_free: bool
    consultation_fee: str
    consultation_length: str
    numbing_cream: str
    minimum_age: int
    practitioner_name: str
    practitioner_training: str
    prices_include: str
    deposit_refund: str
    prices: dict[str, str] = field(default_factory=dict)
    deposit: str = ""
    payment_plans: str = ""

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def placeholders(self) -> dict[str, str]:
        """Values that answer texts may use as `{name}` placeholders."""
        values = {
            "clinic_name": self.name,
            "clinic_address": self.address,
            "clinic_phone": self.phone,
            "clinic_email": self.email,
            "booking_url": self.booking_url,
            "deposit": self.deposit,
            "deposit_refund": self.deposit_refund,
            "payment_plans": self.payment_plans,
            "prices_include": self.prices_include,
            "opening_hours": self.opening_hours_text(),
            # "at your {consultation}" reads "free consultation" only when it is.
            "consultation": (
                "free consultation" if self.consultation_free else "consultation"
            ),
            "consultation_price": (
                "free" if self.consultation_free else self.consultation_fee
            ),
            "consultation_length": self.consultation_length,
            "numbing_cream": self.numbing_cream,
            "minimum_age": str(self.minimum_age),
            "practitioner_name": self.practitioner_name,
            "practitioner_training": self.practitioner_training,
        }
        values.update({f"price_{key}": value for key, value in self.prices.items()})
        return values

    def render(self, text: str) -> str:
        """Fill known placeholders; leave any other braces exactly as written."""
        values = self.placeholders()
        return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)

    def opening_hours_text(self) -> str:
        """Opening hours as short lines, e.g. `Mon–Fri 09:00–18:00`."""
        lines = []
        for day in WEEKDAYS:
            window = self.opening_hours.get(day)
            hours = (
                f"{window.opens:%H:%M}–{window.closes:%H:%M}" if window else "closed"
            )
            lines.append(f"{day.capitalize()}: {hours}")
        return "\n".join(lines)

    def is_open(self, when: dt.datetime) -> bool:
        """Whether the clinic is open at `when` (an aware datetime)."""
        local = when.astimezone(self.tz)
        window = self.opening_hours.get(WEEKDAYS[local.weekday()])
        return bool(window and window.opens <= local.time() < window.closes)

    def next_opening(self, when: dt.datetime) -> dt.datetime | None:
        """The next moment the clinic opens after `when`, or None if never open."""
        local = when.astimezone(self.tz)
        for offset in range(0, 8):
            day = local.date() + dt.timedelta(days=offset)
            window = self.opening_hours.get(WEEKDAYS[day.weekday()])
            if not window:
                continue
            opening = dt.datetime.combine(day, window.opens, tzinfo=self.tz)
            if opening > local:
                return opening
        return None

    def expected_reply(self, when: dt.datetime) -> tuple[dt.datetime | None, str]:
        """When staff will reply to a request made at `when`, and how to say it."""
        local = when.astimezone(self.tz)
        if self.is_open(local):
            window = self.opening_hours[WEEKDAYS[local.weekday()]]
            assert window is not None
            closing = dt.datetime.combine(local.date(), window.closes, tzinfo=self.tz)
            reply_by = min(local + dt.timedelta(hours=self.reply_within_hours), closing)
            return reply_by, f"today by about {reply_by:%H:%M}"
        opening = self.next_opening(local)
        if opening is None:
            return None, "as soon as the clinic is next open"
        if opening.date() == local.date():
            phrase = f"today soon after we open at {opening:%H:%M}"
        elif opening.date() == local.date() + dt.timedelta(days=1):
            phrase = f"tomorrow soon after we open at {opening:%H:%M}"
        else:
            phrase = f"on {opening:%A} soon after we open at {opening:%H:%M}"
        return opening, phrase


def _parse_window(value: object, day: str) -> OpeningWindow | None:
    if value is None or str(value).strip().lower() in {"closed", ""}:
        return None
    match = _HOURS.match(str(value))
    if not match:
        raise ValueError(f"opening_hours.{day}: expected 'HH:MM-HH:MM', got {value!r}")
    h1, m1, h2, m2 = (int(part) for part in match.groups())
    window = OpeningWindow(dt.time(h1, m1), dt.time(h2, m2))
    if window.closes <= window.opens:
        raise ValueError(f"opening_hours.{day}: closes before it opens")
    return window


def _field(raw: dict[str, Any], dotted: str) -> object:
    """The value at a dotted key such as `consultation.free`, or None."""
    value: object = raw
    for part in dotted.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _is_missing(value: object) -> bool:
    # `false` and `0` are answers; only an absent or blank value is missing.
    return value is None or (isinstance(value, str) and not value.strip())


def load_clinic_config(path: Path) -> ClinicConfig:
    """Read and check a clinic config file.

    Raises:
        ValueError: a required field is missing or has the wrong kind of value;
            the message names each field and what it is for.
    """
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    missing = [
        f"{key} ({purpose})"
        for key, purpose in REQUIRED_FIELDS.items()
        if _is_missing(_field(raw, key))
    ]
    if missing:
        raise ValueError(f"{path}: missing " + "; ".join(missing))
    free = _field(raw, "consultation.free")
    if not isinstance(free, bool):
        raise ValueError(
            f"{path}: consultation.free: expected true or false, got {free!r}"
        )
    fee = str(_field(raw, "consultation.fee") or "").strip()
    if not free and not fee:
        raise ValueError(
            f"{path}: consultation.fee is needed when consultation.free is false "
            "(what a consultation costs, e.g. '£50, taken off the treatment price')"
        )
    minimum_age = raw["minimum_age"]
    if isinstance(minimum_age, bool) or not isinstance(minimum_age, int):
        raise ValueError(
            f"{path}: minimum_age: expected a whole number of years, "
            f"got {minimum_age!r}"
        )
    if not 0 < minimum_age < 100:
        raise ValueError(f"{path}: minimum_age: {minimum_age} is not a plausible age")
    hours = raw.get("opening_hours") or {}
    return ClinicConfig(
        name=str(raw["name"]),
        address=str(raw["address"]),
        phone=str(raw["phone"]),
        email=str(raw["email"]),
        booking_url=str(raw["booking_url"]),
        parking=str(raw.get("parking", "")),
        timezone=str(raw["timezone"]),
        opening_hours={day: _parse_window(hours.get(day), day) for day in WEEKDAYS},
        reply_within_hours=float(raw.get("reply_within_hours", 2)),
        consultation_free=free,
        consultation_fee=fee,
        consultation_length=str(_field(raw, "consultation.length")).strip(),
        numbing_cream=str(raw["numbing_cream"]).strip(),
        minimum_age=minimum_age,
        practitioner_name=str(_field(raw, "practitioner.name")).strip(),
        practitioner_training=str(_field(raw, "practitioner.training")).strip(),
        prices_include=str(raw["prices_include"]).strip(),
        deposit_refund=str(raw["deposit_refund"]).strip(),
        prices={str(k): str(v) for k, v in (raw.get("prices") or {}).items()},
        deposit=str(raw.get("deposit", "")),
        payment_plans=str(raw.get("payment_plans", "")),
    )


@lru_cache(maxsize=1)
def get_clinic() -> ClinicConfig:
    """The clinic config named by the settings (read once per process)."""
    return load_clinic_config(get_settings().clinic_file)
