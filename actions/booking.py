"""The consultation booking form and the callback (handoff) form.

Both forms share the name, contact and consent questions. Every form slot has a
custom mapping: the validation actions below read the visitor's text only for
the question that was asked, so a question typed mid-form ("does it hurt?") is
left for the FAQ rules to answer before the form asks again.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import texts
from actions.common import (
    as_naive_utc,
    channel_of,
    in_session,
    latest_intent,
    now_utc,
)
from smp import repository
from smp.clinic import get_clinic
from smp.topics import FAQ_INTENTS
from smp.validation import (
    Contact,
    InvalidInput,
    clean_text,
    has_time_words,
    looks_like_attempt,
    looks_like_question,
    parse_contact,
    parse_preferred_date,
    region_of,
    validate_name,
    yes_or_no_reply,
)

logger = logging.getLogger(__name__)

# Intents that mean the visitor is asking something rather than answering.
INTERRUPTING_INTENTS = set(FAQ_INTENTS) | {
    "clinic_info",
    "request_human",
    "cancel",
    "bot_challenge",
}
# Below this confidence a message is taken as the answer to the form's question.
INTERRUPTION_CONFIDENCE = 0.6

BOOKING_SLOTS = (
    "booking_name",
    "booking_contact",
    "booking_preferred_time",
    "booking_concern",
    "booking_consent",
    "booking_confirmed",
)
# Kept after a booking so a later callback request need not ask again.
REMEMBERED_SLOTS = {"booking_name", "booking_contact"}


def is_interruption(tracker: Tracker) -> bool:
    """Whether the latest message asks something instead of answering the form."""
    intent = tracker.latest_message.get("intent") or {}
    name = intent.get("name")
    if name == "cancel":
        return True
    confident = (intent.get("confidence") or 0.0) >= INTERRUPTION_CONFIDENCE
    return name in INTERRUPTING_INTENTS and confident


def contact_of(text: str) -> Contact:
    """The email or phone in `text`, numbers read in the clinic's country."""
    return parse_contact(text, region_of(get_clinic().phone))


def message_text(tracker: Tracker) -> str:
    return clean_text(tracker.latest_message.get("text") or "")


async def preferred_date(text: str) -> dt.date | None:
    """The calendar date named in the visitor's preferred time, in clinic time.

    Date parsing is CPU work (and loads its data on first use), so it runs in
    a worker thread rather than on the action server's event loop.
    """
    now = now_utc().astimezone(get_clinic().tz)
    return await asyncio.to_thread(parse_preferred_date, text, now)


async def check_preferred_time(value: object) -> str:
    """The preferred time as typed, unless it is empty or only a question."""
    text = clean_text(str(value or ""))
    readable = has_time_words(text) or await preferred_date(text) is not None
    if not text or (not readable and looks_like_question(text)):
        raise InvalidInput("preferred_time")
    return text


def check_concern(value: object) -> str:
    """The visitor's main concern, a few words at least."""
    text = clean_text(str(value or ""), limit=500)
    if len(text) < 2:
        raise InvalidInput("concern")
    return text


def stored_name(value: object) -> str:
    """A name about to be stored: only a string that passes `validate_name`."""
    if not isinstance(value, str):
        raise InvalidInput("name_missing")
    return validate_name(value)


def stored_contact(value: object) -> Contact:
    """Contact details about to be stored: only a string `contact_of` reads."""
    if not isinstance(value, str):
        raise InvalidInput("contact_missing")
    return contact_of(value)


def refuse_to_store(
    dispatcher: CollectingDispatcher, kind: str, problem: InvalidInput
) -> None:
    """Tell the visitor nothing was stored and why, so they can try again.

    The form checks every answer, so this is reached only by a call that did
    not come through it; the log names the reason, never the value.
    """
    logger.warning("A %s request was not stored: %s.", kind, problem.reason)
    # Text read from domain.yml, like the form's reasons (actions/texts.py).
    dispatcher.utter_message(text=texts.text("utter_request_not_stored"))


async def preferred_time_shown(tracker: Tracker) -> str:
    """The preferred time as the visitor wrote it, with the date it names."""
    text = tracker.get_slot("booking_preferred_time") or ""
    date = await preferred_date(text)
    return f"{text} ({date:%A %-d %B})" if date else text


class ContactQuestions:
    """The questions both forms ask: name, contact details and consent.

    `extract_*` decides whether the latest message answers the question asked
    (a question typed instead is left for the FAQ rules); `validate_*` checks
    the answer and, when it cannot be used, says why so the form asks again.
    """

    def _answer_to(self, tracker: Tracker, slot: str) -> str | None:
        """The visitor's text if the form just asked for `slot`, else None."""
        if tracker.get_slot("requested_slot") != slot:
            return None
        return message_text(tracker)

    def _text_answer(
        self, tracker: Tracker, slot: str, check: Callable[[str], object]
    ) -> dict[str, Any]:
        """The text for `slot`, unless it fails `check` and is clearly a question.

        Text that looks like an attempt at the answer (an @ or digits for the
        contact, a short phrase for a name) is always taken as the answer, so a
        mistyped email address is re-asked with the reason instead of being
        answered as a question.
        """
        text = self._answer_to(tracker, slot)
        if text is None:
            return {}
        try:
            check(text)
        except InvalidInput:
            if not looks_like_attempt(slot, text) and is_interruption(tracker):
                return {}
        return {slot: text}

    def _yes_or_no(self, tracker: Tracker, slot: str) -> dict[str, Any]:
        """True or False for a yes/no question; "unclear" makes validation re-ask."""
        text = self._answer_to(tracker, slot)
        if text is None:
            return {}
        reply = yes_or_no_reply(text)
        if reply is not None:
            return {slot: reply}
        intent = latest_intent(tracker)
        if intent in {"affirm", "deny"}:
            return {slot: intent == "affirm"}
        if is_interruption(tracker):
            return {}
        return {slot: "unclear"}

    @staticmethod
    def _checked(
        slot: str,
        value: Any,
        dispatcher: CollectingDispatcher,
        check: Callable[[str], str],
    ) -> dict[str, Any]:
        """`check(value)` for the slot, or None and the reason told to the visitor."""
        try:
            return {slot: check(str(value or ""))}
        except InvalidInput as problem:
            dispatcher.utter_message(response=problem.response, value=problem.value)
            return {slot: None}

    async def extract_booking_name(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self._text_answer(tracker, "booking_name", validate_name)

    def validate_booking_name(
        self,
        value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        return self._checked("booking_name", value, dispatcher, validate_name)

    async def extract_booking_contact(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self._text_answer(tracker, "booking_contact", contact_of)

    def validate_booking_contact(
        self,
        value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        return self._checked(
            "booking_contact",
            value,
            dispatcher,
            lambda text: contact_of(text).display,
        )

    async def extract_booking_consent(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self._yes_or_no(tracker, "booking_consent")

    def validate_booking_consent(
        self,
        value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        if value is True:
            return {"booking_consent": True}
        if value is False:
            dispatcher.utter_message(response="utter_consent_needed")
        else:
            dispatcher.utter_message(response="utter_invalid_yes_no")
        return {"booking_consent": None}


class ValidateBookingForm(ContactQuestions, FormValidationAction):
    """Reads and checks the answers to the booking form's questions."""

    def name(self) -> str:
        return "validate_booking_form"

    async def extract_booking_preferred_time(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = self._answer_to(tracker, "booking_preferred_time")
        if text is None:
            return {}
        attempt = looks_like_attempt("booking_preferred_time", text)
        readable = attempt or await preferred_date(text) is not None
        if not readable and is_interruption(tracker):
            return {}
        return {"booking_preferred_time": text}

    async def validate_booking_preferred_time(
        self,
        value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        try:
            return {"booking_preferred_time": await check_preferred_time(value)}
        except InvalidInput:
            dispatcher.utter_message(response="utter_invalid_preferred_time")
            return {"booking_preferred_time": None}

    async def extract_booking_concern(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        # Any text answers this question (it is often about an FAQ topic), so
        # only "cancel" interrupts here.
        text = self._answer_to(tracker, "booking_concern")
        if text is None or latest_intent(tracker) == "cancel":
            return {}
        suggested = ", ".join(tracker.get_slot("topics_discussed") or [])
        if latest_intent(tracker) == "affirm" and suggested:
            return {"booking_concern": suggested}
        return {"booking_concern": text}

    def validate_booking_concern(
        self,
        value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        return self._checked("booking_concern", value, dispatcher, check_concern)

    async def extract_booking_confirmed(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self._yes_or_no(tracker, "booking_confirmed")

    def validate_booking_confirmed(
        self,
        value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        if value is True:
            return {"booking_confirmed": True}
        if value is False:
            dispatcher.utter_message(response="utter_booking_change_details")
            # Clearing the answers makes the form ask each question again.
            return {slot: None for slot in BOOKING_SLOTS}
        dispatcher.utter_message(response="utter_invalid_confirmation")
        return {"booking_confirmed": None}


class ValidateHandoffForm(ContactQuestions, FormValidationAction):
    """Reads and checks the answers to the callback form's questions."""

    def name(self) -> str:
        return "validate_handoff_form"


class ActionAskBookingConcern(Action):
    """Asks for the main concern, suggesting the topics already discussed."""

    def name(self) -> str:
        return "action_ask_booking_concern"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        discussed = tracker.get_slot("topics_discussed") or []
        if discussed:
            dispatcher.utter_message(
                response="utter_booking_concern_suggested", topics=", ".join(discussed)
            )
        else:
            dispatcher.utter_message(response="utter_booking_concern_open")
        return []


class ActionAskBookingConfirmed(Action):
    """Reads the request back and asks the visitor to confirm it."""

    def name(self) -> str:
        return "action_ask_booking_confirmed"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        dispatcher.utter_message(
            response="utter_booking_readback",
            preferred_time=await preferred_time_shown(tracker),
        )
        return []


class ActionSubmitBooking(Action):
    """Stores the confirmed booking request, then tells the visitor its reference."""

    def name(self) -> str:
        return "action_submit_booking"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        if not (
            tracker.get_slot("booking_confirmed")
            and tracker.get_slot("booking_consent")
        ):
            return []
        # Every field is checked again: the action server may be called with
        # slots the form never saw.
        try:
            name = stored_name(tracker.get_slot("booking_name"))
            contact = stored_contact(tracker.get_slot("booking_contact"))
            preferred_time = await check_preferred_time(
                tracker.get_slot("booking_preferred_time")
            )
            concern = check_concern(tracker.get_slot("booking_concern"))
        except InvalidInput as problem:
            refuse_to_store(dispatcher, "booking", problem)
            return [SlotSet("booking_confirmed", None)]
        draft = repository.BookingDraft(
            conversation_id=tracker.sender_id,
            channel=channel_of(tracker),
            name=name,
            email=contact.email,
            phone=contact.phone,
            preferred_time_text=preferred_time,
            preferred_date=await preferred_date(preferred_time),
            concern=concern,
            consent_given_at=as_naive_utc(now_utc()),
        )
        # The row is committed before the visitor is told it is done.
        stored = await in_session(
            lambda session: repository.create_booking(session, draft)
        )
        logger.info(
            "Booking request %s stored (new=%s)", stored.reference, stored.created
        )
        _, when = get_clinic().expected_reply(now_utc())
        dispatcher.utter_message(
            response="utter_booking_sent"
            if stored.created
            else "utter_booking_already_sent",
            reference=stored.reference,
            when=when,
        )
        return (
            [SlotSet("booking_reference", stored.reference)]
            + [
                SlotSet(slot, None)
                for slot in BOOKING_SLOTS
                if slot not in REMEMBERED_SLOTS
            ]
            + [SlotSet("consultation_declined", False)]
        )


class ActionCancelBooking(Action):
    """Stops the booking or callback form; nothing is stored."""

    def name(self) -> str:
        return "action_cancel_booking"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        dispatcher.utter_message(response="utter_booking_cancelled")
        return [ActiveLoop(None), SlotSet("requested_slot", None)] + [
            SlotSet(slot, None) for slot in BOOKING_SLOTS
        ]


class ActionSubmitHandoff(Action):
    """Stores a request to talk to a person and says when staff will reply."""

    def name(self) -> str:
        return "action_submit_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        if not tracker.get_slot("booking_consent"):
            return []
        clinic = get_clinic()
        reply_at, when = clinic.expected_reply(now_utc())
        discussed = tracker.get_slot("topics_discussed") or []
        try:
            name = stored_name(tracker.get_slot("booking_name"))
            contact = stored_contact(tracker.get_slot("booking_contact"))
        except InvalidInput as problem:
            refuse_to_store(dispatcher, "callback", problem)
            return [SlotSet("booking_consent", None)]
        draft = repository.HandoffDraft(
            conversation_id=tracker.sender_id,
            channel=channel_of(tracker),
            name=name,
            email=contact.email,
            phone=contact.phone,
            topic=", ".join(discussed),
            reply_expected_at=as_naive_utc(reply_at) if reply_at else None,
        )
        stored = await in_session(
            lambda session: repository.create_handoff(session, draft)
        )
        logger.info(
            "Handoff request %s stored (new=%s)", stored.reference, stored.created
        )
        dispatcher.utter_message(
            response="utter_handoff_sent",
            reference=stored.reference,
            when=when,
            clinic_phone=clinic.phone,
        )
        return [
            SlotSet("booking_consent", None),
            SlotSet("handoff_reference", stored.reference),
        ]
