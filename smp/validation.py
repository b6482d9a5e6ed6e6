"""Checks for what visitors type into the booking and callback forms.

Each check returns the cleaned value, or raises `InvalidInput` whose message
tells the visitor what was wrong in plain words.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

MAX_FIELD_LENGTH = 200

_EMAIL = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.[A-Za-z]{2,}$"
)
_EMAIL_IN_TEXT = re.compile(r"[^\s<>()\[\],;:\"']+@[^\s<>()\[\],;:\"']+")
_PHONE_CHARS = re.compile(r"^\+?[\d\s().\-/]+$")
_PHONE_IN_TEXT = re.compile(r"\+?\d[\d\s().\-/]{5,}\d")
_NAME = re.compile(r"^[^\W\d_]+(?:[\s'’.\-][^\W\d_]+)*\.?$", re.UNICODE)
_MARKUP = re.compile(r"[<>{}\[\]`$\\|]")
_QUESTION_START = re.compile(
    r"^(what|how|why|when|where|who|which|does|do|did|can|could|is|are|will|would|"
    r"should|shall|may|might|hi|hello|hey|yes|no|ok|okay|thanks|thank)\b",
    re.IGNORECASE,
)
_NOT_NAMES = {
    "hi",
    "hello",
    "hey",
    "yes",
    "no",
    "ok",
    "okay",
    "thanks",
    "sure",
    "cancel",
    "stop",
    "help",
    "none",
    "test",
}
_TIME_WORDS = re.compile(
    r"\b(morning|afternoon|evening|lunch(?:time)?|noon|midday|night|any ?time|"
    r"asap|weekend|weekday|week|soon|whenever|flexible|anytime|"
    r"mon|tue|wed|thu|fri|sat|sun)\w*\b",
    re.IGNORECASE,
)


class InvalidInput(ValueError):
    """A value the visitor typed that cannot be used, with the reason."""


def clean_text(text: str, limit: int = MAX_FIELD_LENGTH) -> str:
    """Collapse whitespace, drop control characters, and cap the length."""
    text = "".join(
        ch
        for ch in unicodedata.normalize("NFC", text or "")
        if unicodedata.category(ch)[0] != "C" or ch in "\n\t"
    )
    text = re.sub(r"\s+", " ", text).strip()
    return text[:limit]


def looks_like_question(text: str) -> bool:
    """Whether the text reads as a question or a reply word rather than a value."""
    stripped = text.strip()
    return stripped.endswith("?") or bool(_QUESTION_START.match(stripped))


def validate_name(text: str) -> str:
    """A person's name: letters (any script), spaces, apostrophes, hyphens."""
    name = clean_text(text, 120)
    if not name:
        raise InvalidInput("I didn't catch a name there.")
    if _MARKUP.search(name) or "@" in name:
        raise InvalidInput("A name can only contain letters, spaces, hyphens and '.")
    if any(ch.isdigit() for ch in name):
        raise InvalidInput("A name shouldn't contain numbers.")
    words = name.split()
    if len(words) > 6 or len(name) > 80:
        raise InvalidInput("That looks longer than a name — just your name, please.")
    if name.lower().strip(".!") in _NOT_NAMES or looks_like_question(name):
        raise InvalidInput("I need the name we should use when we contact you.")
    if not _NAME.match(name):
        raise InvalidInput("A name can only contain letters, spaces, hyphens and '.")
    return " ".join(word[:1].upper() + word[1:] for word in words)


@dataclass(frozen=True)
class Contact:
    """An email address or a phone number (exactly one is set)."""

    email: str | None = None
    phone: str | None = None

    @property
    def display(self) -> str:
        return self.email or self.phone or ""


def parse_contact(text: str) -> Contact:
    """An email address or phone number found in what the visitor typed."""
    value = clean_text(text, 254)
    if not value:
        raise InvalidInput("I didn't catch an email address or phone number.")
    email_match = _EMAIL_IN_TEXT.search(value)
    if email_match:
        email = email_match.group(0).strip(".").lower()
        if not _EMAIL.match(email):
            raise InvalidInput(
                f"“{email}” doesn't look like a complete email address — "
                "it should look like name@example.com."
            )
        return Contact(email=email)
    phone_match = _PHONE_IN_TEXT.search(value)
    candidate = phone_match.group(0) if phone_match else value
    if _PHONE_CHARS.match(candidate):
        digits = re.sub(r"\D", "", candidate)
        if len(digits) < 7:
            raise InvalidInput(
                "That phone number looks too short — please include the area code."
            )
        if len(digits) > 15:
            raise InvalidInput("That phone number has too many digits.")
        prefix = "+" if candidate.strip().startswith("+") else ""
        return Contact(phone=prefix + digits)
    raise InvalidInput(
        "That doesn't look like an email address or a phone number. "
        "Please type one, e.g. name@example.com or 07700 900123."
    )


def has_time_words(text: str) -> bool:
    """Whether the text mentions a day, a part of the day or availability."""
    return bool(_TIME_WORDS.search(text))


def parse_preferred_date(text: str, now: dt.datetime) -> dt.date | None:
    """The calendar date the visitor means, if the text names one.

    Args:
        text: free text such as "next Tuesday afternoon" or "12 March".
        now: the current time in the clinic's timezone (an aware datetime).

    Returns:
        A date today or later, or None when no date can be read.
    """
    import dateparser
    from dateparser.search import search_dates

    cleaned = clean_text(text)
    if not cleaned:
        return None
    settings = {
        "PREFER_DATES_FROM": "future",
        "RELATIVE_BASE": now.replace(tzinfo=None),
        "RETURN_AS_TIMEZONE_AWARE": False,
        "PREFER_DAY_OF_MONTH": "first",
        "DATE_ORDER": "DMY",
    }
    parsed = dateparser.parse(cleaned, languages=["en"], settings=settings)
    if parsed is None:
        found = search_dates(cleaned, languages=["en"], settings=settings) or []
        # search_dates also matches lone words such as "at"; keep real dates.
        found = [d for s, d in found if len(s) > 2 and not s.isdigit()]
        parsed = found[0] if found else None
    if parsed is None:
        return None
    date = parsed.date()
    if date < now.date():
        return None
    return date
