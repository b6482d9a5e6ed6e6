"""What the assistant does when it did not understand, or the topic is elsewhere."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions import texts
from actions.common import in_session, latest_intent
from smp import repository
from smp.clinic import get_clinic
from smp.topics import FAQ_INTENTS, NAMED_CONVERSATION_INTENTS, UNCLEAR_INTENTS

# Popular topics offered when the visitor asked about something else entirely.
STARTER_TOPICS = ("faq_what_is_smp", "faq_pain", "faq_cost")


def unclear_streak(tracker: Tracker) -> int:
    """How many of the latest user messages in a row were not understood.

    Clicking "Something else" after a "Did you mean" question counts as one.
    """
    turns: list[tuple[str | None, str | None]] = []
    last_action = None
    for event in tracker.events:
        if event.get("event") == "action" and event.get("name") != "action_listen":
            last_action = event.get("name")
        elif event.get("event") == "user":
            intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
            turns.append((intent, last_action))
            last_action = None
    streak = 0
    for intent, answered_by in reversed(turns):
        if intent in UNCLEAR_INTENTS or (
            intent == "deny" and answered_by == ActionClarify.NAME
        ):
            streak += 1
        else:
            break
    return streak


def candidate_intents(tracker: Tracker, limit: int = 2) -> list[str]:
    """The classifier's best guesses that have a plain-words name."""
    names = []
    for candidate in tracker.latest_message.get("intent_ranking") or []:
        name = candidate.get("name")
        if name in FAQ_INTENTS or name in NAMED_CONVERSATION_INTENTS:
            names.append(name)
        if len(names) == limit:
            break
    return names


def starter_buttons(topics: dict[str, repository.Topic]) -> list[dict[str, str]]:
    """Buttons for the most asked questions."""
    return [
        {"title": topics[name].question, "payload": f"/{name}"}
        for name in STARTER_TOPICS
        if name in topics
    ]


class ActionClarify(Action):
    """Handles low-confidence messages, out-of-scope ones and "Something else".

    First time: "Did you mean …?" with the two best candidate topics (or, for an
    off-topic message, what the assistant can help with). When the visitor is
    still not understood, it offers a person at the clinic or a consultation.
    """

    NAME = "action_clarify"

    def name(self) -> str:
        return self.NAME

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> list[EventType]:
        clinic = get_clinic()
        if unclear_streak(tracker) >= 2:
            dispatcher.utter_message(
                response="utter_clarify_still_lost",
                buttons=[texts.human_button(), texts.book_button()],
                clinic_name=clinic.name,
                clinic_phone=clinic.phone,
            )
            return []

        topics = await in_session(repository.topics)
        if latest_intent(tracker) == "out_of_scope":
            dispatcher.utter_message(
                response="utter_clarify_out_of_scope",
                buttons=starter_buttons(topics) + [texts.book_button()],
                clinic_name=clinic.name,
            )
            return []

        candidates = candidate_intents(tracker)
        if not candidates:
            # Nothing to guess from (an empty message, emoji only...).
            dispatcher.utter_message(
                response="utter_clarify_nothing_to_guess",
                buttons=starter_buttons(topics) + [texts.book_button()],
            )
            return []
        buttons = []
        for name in candidates:
            if name in topics:
                title = topics[name].topic
            else:
                title = texts.topic_name(name) or name
            buttons.append(
                {"title": title[:1].upper() + title[1:], "payload": f"/{name}"}
            )
        buttons.append(texts.button("utter_label_something_else", "/deny"))
        dispatcher.utter_message(response="utter_clarify_did_you_mean", buttons=buttons)
        return []
