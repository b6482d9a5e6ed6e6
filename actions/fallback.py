"""What the assistant does when it did not understand, or the topic is elsewhere."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.common import (
    BOOK_BUTTON,
    CONVERSATION_TOPICS,
    HUMAN_BUTTON,
    in_session,
    latest_intent,
)
from smp import repository
from smp.clinic import get_clinic
from smp.topics import FAQ_INTENTS, UNCLEAR_INTENTS

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
        if name in FAQ_INTENTS or name in CONVERSATION_TOPICS:
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
                text=(
                    "Sorry, I'm still not getting it. A person at "
                    f"{clinic.name} can help: I can ask the team to contact you, "
                    "or you can book a free consultation. You can also call us on "
                    f"{clinic.phone}."
                ),
                buttons=[dict(HUMAN_BUTTON), dict(BOOK_BUTTON)],
            )
            return []

        topics = await in_session(repository.topics)
        if latest_intent(tracker) == "out_of_scope":
            dispatcher.utter_message(
                text=(
                    f"That's outside what I can help with. I'm {clinic.name}'s "
                    "assistant for scalp micropigmentation (SMP): what it is, pain, "
                    "scars, suitability, results, aftercare, risks, prices, and "
                    "booking a free consultation."
                ),
                buttons=starter_buttons(topics) + [dict(BOOK_BUTTON)],
            )
            return []

        candidates = candidate_intents(tracker)
        if not candidates:
            # Nothing to guess from (an empty message, emoji only...).
            dispatcher.utter_message(
                text=(
                    "Sorry, I didn't catch that. Ask me in your own words, "
                    "or pick a topic:"
                ),
                buttons=starter_buttons(topics) + [dict(BOOK_BUTTON)],
            )
            return []
        buttons = []
        for name in candidates:
            if name in topics:
                title = topics[name].topic
            else:
                title = CONVERSATION_TOPICS[name]
            buttons.append(
                {"title": title[:1].upper() + title[1:], "payload": f"/{name}"}
            )
        buttons.append({"title": "Something else", "payload": "/deny"})
        dispatcher.utter_message(
            text="Sorry, I'm not sure I understood. Did you mean one of these?",
            buttons=buttons,
        )
        return []
