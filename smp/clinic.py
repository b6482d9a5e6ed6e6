"""The clinic's details (name, contact, opening hours, prices) from `clinic.yml`.

Answers refer to these through placeholders such as `{clinic_phone}`, so one
file holds every fact that differs from one clinic to the next.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
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
            "payment_plans": self.payment_plans,
            "opening_hours": self.opening_hours_text(),
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


def load_clinic_config(path: Path) -> ClinicConfig:
    """Read and check a clinic config file."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    required = ("name", "address", "phone", "email", "booking_url", "timezone")
    missing = [key for key in required if not raw.get(key)]
    if missing:
        raise ValueError(f"{path}: missing {', '.join(missing)}")
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
        prices={str(k): str(v) for k, v in (raw.get("prices") or {}).items()},
        deposit=str(raw.get("deposit", "")),
        payment_plans=str(raw.get("payment_plans", "")),
    )


@lru_cache(maxsize=1)
def get_clinic() -> ClinicConfig:
    """The clinic config named by the settings (read once per process)."""
    return load_clinic_config(get_settings().clinic_file)
