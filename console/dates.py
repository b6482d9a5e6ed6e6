"""Dates as staff see them: in the clinic's timezone, with simple range filters."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from smp.clinic import get_clinic


def clinic_tz() -> ZoneInfo:
    return get_clinic().tz


def today() -> dt.date:
    return dt.datetime.now(clinic_tz()).date()


def from_epoch(seconds: float | None) -> dt.datetime | None:
    """A Rasa event timestamp as an aware datetime in the clinic's timezone."""
    if seconds is None:
        return None
    return dt.datetime.fromtimestamp(float(seconds), tz=clinic_tz())


def from_naive_utc(moment: dt.datetime | None) -> dt.datetime | None:
    """A stored (naive UTC) timestamp in the clinic's timezone."""
    if moment is None:
        return None
    return moment.replace(tzinfo=dt.timezone.utc).astimezone(clinic_tz())


def day_text(day: dt.date) -> str:
    """The console's one way of writing a day: `3 Dec 2026`."""
    return f"{day.day} {day:%b %Y}"


def moment_text(moment: dt.datetime) -> str:
    """A moment, written the same way: `3 Dec 2026, 14:05`."""
    return f"{day_text(moment)}, {moment:%H:%M}"


def axis_day_text(day: dt.date) -> str:
    """A day on a chart's axis, whose range already shows the year: `3 Dec`."""
    return f"{day.day} {day:%b}"


def parse_date(value: str | None) -> dt.date | None:
    """`YYYY-MM-DD` from a form or query string; anything else is no date."""
    try:
        return dt.date.fromisoformat((value or "").strip())
    except ValueError:
        return None


@dataclass(frozen=True)
class DateRange:
    """Whole days from `start` to `end` inclusive, in the clinic's timezone.

    Either end may be open (None).
    """

    start: dt.date | None = None
    end: dt.date | None = None

    @classmethod
    def from_args(cls, args: dict, *, default_days: int | None = None) -> DateRange:
        start, end = parse_date(args.get("from")), parse_date(args.get("to"))
        if start is None and end is None and default_days:
            end = today()
            start = end - dt.timedelta(days=default_days - 1)
        if start and end and start > end:
            start, end = end, start
        return cls(start, end)

    def _bound(self, day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, dt.time.min, tzinfo=clinic_tz())

    @property
    def start_epoch(self) -> float | None:
        return self._bound(self.start).timestamp() if self.start else None

    @property
    def end_epoch(self) -> float | None:
        """Exclusive: the first moment after the range."""
        if self.end is None:
            return None
        return self._bound(self.end + dt.timedelta(days=1)).timestamp()

    @property
    def start_utc(self) -> dt.datetime | None:
        """Naive UTC bounds, for the clinic tables' timestamps."""
        epoch = self.start_epoch
        return None if epoch is None else _naive_utc(epoch)

    @property
    def end_utc(self) -> dt.datetime | None:
        epoch = self.end_epoch
        return None if epoch is None else _naive_utc(epoch)

    def days(self) -> list[dt.date]:
        """Every day of a closed range (empty when either end is open)."""
        if not (self.start and self.end):
            return []
        count = (self.end - self.start).days + 1
        return [self.start + dt.timedelta(days=i) for i in range(count)]

    def as_args(self) -> dict[str, str]:
        args = {}
        if self.start:
            args["from"] = self.start.isoformat()
        if self.end:
            args["to"] = self.end.isoformat()
        return args


def _naive_utc(epoch: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(epoch, tz=dt.timezone.utc).replace(tzinfo=None)
