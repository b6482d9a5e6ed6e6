"""A week of a clinic's conversations, written as Rasa writes them, for browser tests.

It holds what made the console's pages break: a visitor who pasted one long
unbroken string, conversations the widget opened with its `/greet` payload,
button clicks, a question asked by many visitors, and more unanswered
questions than fit on one page.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from console_support import Said, add_booking, add_handoff, record_conversation

LONG_UNBROKEN = "x" * 5000
WIDGET_START = "/greet"
GREETING = "Hi! I can answer questions about scalp micropigmentation."
COST_BUTTON = ("How much is it?", "/faq_cost")
PAIN_BUTTON = ("Does it hurt?", "/faq_pain")
# Asked by this many visitors, word for word: one group to assign in bulk.
POPULAR_QUESTION = "do you do eyebrows as well"
POPULAR_TIMES = 24
BOOKING_EMAIL = "Maria.Lopez@example.com"
BOOKING_REFERENCE = "BK-7QX42M"
SEARCHABLE_TEXT = "Is it safe if I have psoriasis on my scalp?"
NON_ENGLISH_TEXT = "¿Cuánto cuesta el tratamiento? Preço €"

# Questions the assistant did not understand, each different from the others.
UNANSWERED = (
    "can I dye my hair after",
    "do you take card payments at the desk",
    "is there parking near the clinic",
    "what if I sweat a lot at the gym",
    "can my wife come with me",
    "will airport scanners notice the ink",
    "how does it work with a beard transplant",
    "do you sell gift vouchers",
    "is the ink vegan",
    "what music do you play during treatment",
    "could I bring my own headphones",
    "does swimming in the sea fade it",
    "any discount for students",
    "how early should I arrive",
    "can you fix another clinic's bad work on the temples",
    "do I need to shave before each visit",
    "is sunbed use ok afterwards",
    "will it look odd when I go grey",
    "what qualifications do your staff hold",
    "can I pay in instalments over a year",
    "do you treat women with thinning partings",
    "does it help with a receding crown and a widow's peak",
    "are weekend appointments possible",
    "can I wear a cap to work the next day",
    "is the numbing cream safe with asthma",
    "what happens if I move abroad before the last session",
    "do you have a wheelchair accessible entrance",
    "can teenagers have it done",
)


@dataclass(frozen=True)
class Activity:
    widget_conversation: str
    long_conversation: str
    booking_conversation: str
    searchable_conversation: str
    non_english_conversation: str


def _fallback(text: str, guess: str = "faq_suitability") -> Said:
    """A message the FallbackClassifier took: nlu_fallback first in the ranking."""
    return Said(
        text,
        "nlu_fallback",
        0.35,
        reply="Sorry, I'm not sure I understood.",
        action="action_default_fallback",
        ranking=(("nlu_fallback", 0.35), (guess, 0.31), ("faq_cost", 0.12)),
    )


def _served(intent: str) -> tuple[tuple[str, object], ...]:
    return (("served_answer", {"answer_id": 1, "intent": intent, "version": 1}),)


def record_clinic_week(database_url: str) -> Activity:
    """Write the week's conversations and requests into `database_url`."""
    now = dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=1)
    widget = "widget-5d1c9e07a2b34f6c"
    record_conversation(
        database_url,
        widget,
        [
            Said(
                WIDGET_START,
                "greet",
                1.0,
                reply=GREETING,
                action="utter_greet",
                buttons=(COST_BUTTON, PAIN_BUTTON),
                ranking=(("greet", 1.0),),
            ),
            Said(
                COST_BUTTON[1],
                "faq_cost",
                1.0,
                reply="Treatment starts from £1,200 for a full head.",
                slots=_served("faq_cost"),
                ranking=(("faq_cost", 1.0),),
            ),
            Said(
                "and is it better than a hair system?",
                "faq_alternatives",
                0.87,
                reply="SMP needs no glue and no upkeep.",
                slots=_served("faq_alternatives"),
            ),
        ],
        started=now - dt.timedelta(minutes=30),
    )
    long_one = "widget-long-0001"
    record_conversation(
        database_url,
        long_one,
        [Said(WIDGET_START, "greet", 1.0, reply=GREETING), _fallback(LONG_UNBROKEN)],
        started=now - dt.timedelta(minutes=20),
    )
    for number in range(POPULAR_TIMES):
        record_conversation(
            database_url,
            f"widget-brows-{number:03d}",
            [_fallback(POPULAR_QUESTION, "faq_what_is_smp")],
            started=now - dt.timedelta(days=number % 6, hours=number),
        )
    for number, question in enumerate(UNANSWERED):
        record_conversation(
            database_url,
            f"rest-visitor-{number:03d}",
            [
                Said(
                    "what is smp", "faq_what_is_smp", slots=_served("faq_what_is_smp")
                ),
                _fallback(question),
            ],
            started=now - dt.timedelta(days=number % 7, hours=2 + number),
        )
    booked = "widget-booked-7f3a"
    record_conversation(
        database_url,
        booked,
        [
            Said("can it cover FUE scars?", "faq_scars", slots=_served("faq_scars")),
            Said("I'd like to book", "book_consultation", reply="Great, your name?"),
        ],
        started=now - dt.timedelta(days=1),
    )
    add_booking(database_url, booked, reference=BOOKING_REFERENCE, email=BOOKING_EMAIL)
    searchable = "rest-psoriasis-11"
    record_conversation(
        database_url,
        searchable,
        [Said(SEARCHABLE_TEXT, "faq_risks", 0.91, slots=_served("faq_risks"))],
        started=now - dt.timedelta(days=2),
    )
    add_handoff(database_url, searchable)
    foreign = "rest-es-pt-3"
    record_conversation(
        database_url,
        foreign,
        [_fallback(NON_ENGLISH_TEXT, "faq_cost")],
        started=now - dt.timedelta(days=3),
    )
    return Activity(widget, long_one, booked, searchable, foreign)
