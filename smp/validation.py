"""Checks for what visitors type into the booking and callback forms.

Each check returns the cleaned value, or raises `InvalidInput` with a reason
code; the words the visitor reads for each reason are responses in
`domain.yml` (`utter_invalid_<reason>`), with the offending value as `{value}`.
Email addresses are checked by `email-validator` (syntax and normalisation,
offline) and phone numbers by `phonenumbers` (normalised to E.164, the
clinic's country as the default region).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

import phonenumbers
from email_validator import EmailNotValidError, validate_email

MAX_FIELD_LENGTH = 200
# Fewer national digits than this is an incomplete number in most countries.
MIN_PHONE_DIGITS = 9

_EMAIL_IN_TEXT = re.compile(r"[^\s<>()\[\],;:\"']+@[^\s<>()\[\],;:\"']+")
_LETTER_IN_NUMBER = re.compile(r"\d[A-Za-z]+\d")
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
    """A value the visitor typed that cannot be used.

    Attributes:
        reason: what is wrong, as a short code (`email_incomplete`); the
            visitor reads the response `utter_invalid_<reason>`.
        value: the part of the input the message quotes, if any.
    """

    def __init__(self, reason: str, value: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.value = value

    @property
    def response(self) -> str:
        return f"utter_invalid_{self.reason}"


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
    name = strip_name_lead_in(text)
    if not name:
        raise InvalidInput("name_missing")
    if _MARKUP.search(name) or "@" in name:
        raise InvalidInput("name_characters")
    if any(ch.isdigit() for ch in name):
        raise InvalidInput("name_digits")
    words = name.split()
    if len(words) > 6 or len(name) > 80:
        raise InvalidInput("name_too_long")
    if name.lower().strip(".!") in _NOT_NAMES or looks_like_question(name):
        raise InvalidInput("name_not_a_name")
    if not _NAME.match(name):
        raise InvalidInput("name_characters")
    return " ".join(word[:1].upper() + word[1:] for word in words)


@dataclass(frozen=True)
class Contact:
    """An email address or a phone number (exactly one is set)."""

    email: str | None = None
    phone: str | None = None

    @property
    def display(self) -> str:
        return self.email or self.phone or ""


def parse_contact(text: str, region: str = "GB") -> Contact:
    """An email address or phone number found in what the visitor typed.

    Args:
        text: what the visitor typed ("it's sam@example.com", "07700 900123").
        region: the country a number without an international prefix is read in.
    """
    value = clean_text(text, 254)
    if not value:
        raise InvalidInput("contact_missing")
    email_match = _EMAIL_IN_TEXT.search(value)
    if email_match is None and "@" in value:
        raise InvalidInput("email_incomplete", value)
    if email_match:
        candidate = email_match.group(0).strip(".")
        try:
            checked = validate_email(candidate, check_deliverability=False)
        except EmailNotValidError:
            raise InvalidInput("email_incomplete", candidate) from None
        return Contact(email=checked.normalized.lower())
    if _LETTER_IN_NUMBER.search(value):
        raise InvalidInput("phone_invalid", value)
    phone_match = _PHONE_IN_TEXT.search(value)
    candidate = phone_match.group(0) if phone_match else value
    if not _PHONE_CHARS.match(candidate):
        raise InvalidInput("contact_unreadable")
    try:
        number = phonenumbers.parse(candidate, region)
    except phonenumbers.NumberParseException as problem:
        reason = {
            phonenumbers.NumberParseException.TOO_LONG: "phone_too_long",
            phonenumbers.NumberParseException.TOO_SHORT_NSN: "phone_too_short",
            phonenumbers.NumberParseException.TOO_SHORT_AFTER_IDD: "phone_too_short",
        }.get(problem.error_type, "phone_invalid")
        raise InvalidInput(reason, candidate.strip()) from None
    verdict = phonenumbers.is_possible_number_with_reason(number)
    if verdict == phonenumbers.ValidationResult.TOO_LONG:
        raise InvalidInput("phone_too_long", candidate.strip())
    # A number the numbering plan allocates, or a complete-length one (the
    # plan leaves some ranges, such as UK drama numbers, unallocated).
    significant = phonenumbers.national_significant_number(number)
    complete = (
        verdict == phonenumbers.ValidationResult.IS_POSSIBLE
        and len(significant) >= MIN_PHONE_DIGITS
    )
    if not (phonenumbers.is_valid_number(number) or complete):
        raise InvalidInput("phone_too_short", candidate.strip())
    return Contact(
        phone=phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    )


def region_of(phone: str) -> str:
    """The country code (`GB`) of an international phone number, else `GB`."""
    try:
        region = phonenumbers.region_code_for_number(phonenumbers.parse(phone))
    except phonenumbers.NumberParseException:
        return "GB"
    return region or "GB"


_CONTACT_HINTS = re.compile(
    r"\b(gmail|hotmail|outlook|yahoo|icloud|e-?mail|phone|mobile|cell|number|"
    r"tel|dot com)\b|\.(com|net|org|co|uk)\b",
    re.IGNORECASE,
)
_DATE_WORDS = re.compile(
    r"\b(today|tomorrow|tonight|next|this|jan|feb|mar|apr|may|jun|jul|aug|sep|"
    r"oct|nov|dec|\d{1,2}(st|nd|rd|th)|\d{1,2}[:.]\d{2}|\d{1,2} ?(am|pm))\w*\b",
    re.IGNORECASE,
)
_NAME_LEAD_INS = re.compile(
    r"^(my name is|my name's|name is|name's|i am|i'm|im|it's|its|this is|"
    r"call me)\s+",
    re.IGNORECASE,
)


# Replies to a yes/no question, read before the classifier: a lone "correct"
# at the read-back was classified faq_removal (0.78), which would answer a
# question nobody asked instead of confirming the booking.
_YES_REPLIES = {
    "yes", "y", "yeah", "yea", "yep", "yup", "ya", "aye", "yes please",
    "correct", "that's correct", "thats correct", "that is correct", "right",
    "that's right", "thats right", "that is right", "all correct", "exactly",
    "sure", "ok", "okay", "fine", "go ahead", "do it", "send it", "please do",
    "sounds good", "all good", "perfect", "great", "absolutely", "definitely",
    "of course", "confirm", "confirmed", "i confirm", "agreed", "i agree",
    "i consent", "looks good", "looks right",
}  # fmt: skip
_NO_REPLIES = {
    "no", "n", "nope", "nah", "no thanks", "no thank you", "incorrect",
    "wrong", "that's wrong", "thats wrong", "not right", "that's not right",
    "don't", "dont", "do not", "i don't agree", "i do not agree",
}  # fmt: skip
_REPLY_EDGES = re.compile(r"^[\s.,!]+|[\s.,!]+$")


def yes_or_no_reply(text: str) -> bool | None:
    """True or False when the text is a plain yes or no, else None."""
    reply = _REPLY_EDGES.sub("", clean_text(text, 60).lower().replace("\u2019", "'"))
    reply = re.sub(r"\s+(please|thanks|thank you)$", "", reply)
    if reply in _YES_REPLIES:
        return True
    if reply in _NO_REPLIES:
        return False
    return None


def looks_like_attempt(slot: str, text: str) -> bool:
    """Whether `text` reads as an attempt at answering the form question `slot`.

    An attempt is validated as the answer (and re-asked with the reason when it
    is wrong) even when the classifier thinks it is a question: "name@example"
    is a mistyped email address, not a question about results.
    """
    stripped = clean_text(text)
    if not stripped:
        return False
    digits = sum(ch.isdigit() for ch in stripped)
    if slot.endswith("contact"):
        return "@" in stripped or digits >= 4 or bool(_CONTACT_HINTS.search(stripped))
    if slot.endswith("preferred_time"):
        return (
            digits > 0 or has_time_words(stripped) or bool(_DATE_WORDS.search(stripped))
        )
    if slot.endswith("name"):
        if "@" in stripped or digits:
            return True
        words = stripped.split()
        return len(words) <= 4 and not looks_like_question(stripped)
    return False


def strip_name_lead_in(text: str) -> str:
    """ "My name is Sam" -> "Sam"; other text unchanged."""
    return _NAME_LEAD_INS.sub("", clean_text(text, 120), count=1)


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
    date: dt.date = parsed.date()
    if date < now.date():
        return None
    return date
