"""Answering FAQ intents with the clinic's approved text from the database."""

from __future__ import annotations

import json
import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session

from actions import texts
from actions.clauses import other_topics, without
from actions.common import in_session, latest_entities, latest_intent
from smp import repository
from smp.clinic import get_clinic
from smp.content import answer_parts, follow_ups
from smp.topics import DETAIL_ENTITY, FAQ_INTENTS

logger = logging.getLogger(__name__)

# The consultation is mentioned in words once, after the visitor's second
# answer; the button alone does the offering otherwise.
OFFER_AFTER_ANSWERS = 2
# Other topics of a many-question message offered as buttons, at most.
MAX_OTHER_TOPICS = 2


def faq_answers_given(tracker: Tracker) -> int:
    """How many FAQ answers this conversation has had so far."""
    return sum(
        1
        for event in tracker.events
        if event.get("event") == "action" and event.get("name") == ActionAnswerFaq.NAME
    )


def intent_to_answer(tracker: Tracker) -> str | None:
    """The FAQ intent to answer: the latest message's, or its best FAQ candidate."""
    intent = latest_intent(tracker)
    if intent in FAQ_INTENTS:
        return intent
    for candidate in tracker.latest_message.get("intent_ranking") or []:
        if candidate.get("name") in FAQ_INTENTS:
            return str(candidate["name"])
    return None


def detail_requested(tracker: Tracker) -> int | None:
    """The answer id a "Tell me more" button asks about, if this message is one."""
    for entity in tracker.latest_message.get("entities") or []:
        if entity.get("entity") == DETAIL_ENTITY:
            value = str(entity.get("value") or "")
            return int(value) if value.isdigit() else None
    return None


def tell_me_more_button(answer: repository.AnswerView) -> dict[str, str]:
    """Asks, on the answer's own intent, for the detail of exactly that answer."""
    payload = "/" + answer.intent + json.dumps({DETAIL_ENTITY: str(answer.id)})
    return texts.button("utter_label_tell_me_more", payload)


class ActionAnswerFaq(Action):
    """Serves the stored answer for the FAQ intent, refined by entities.

    The first paragraph of the answer is sent first, with "Tell me more" and as
    many follow-ups as fit in three buttons (a phone screen, and WhatsApp's
    reply buttons); the button brings the rest of that same answer, with the
    other follow-ups.
    """

    NAME = "action_answer_faq"

    def name(self) -> str:
        return self.NAME

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> list[EventType]:
        intent = intent_to_answer(tracker)
        if intent is None:
            dispatcher.utter_message(response="utter_answer_missing")
            return []
        entities = latest_entities(tracker)
        detail_of = detail_requested(tracker)

        def lookup(
            session: Session,
        ) -> tuple[repository.AnswerView | None, dict[str, repository.Topic]]:
            answer = None
            if detail_of is not None:
                answer = repository.get_answer(session, detail_of)
            if answer is None or answer.intent != intent:
                answer = repository.find_answer(session, intent, entities)
            return answer, repository.topics(session)

        answer, topics = await in_session(lookup)
        if answer is None:
            logger.warning("No stored answer for intent %s", intent)
            dispatcher.utter_message(response="utter_answer_missing")
            return []

        in_booking = tracker.active_loop_name in {"booking_form", "handoff_form"}
        declined = bool(tracker.get_slot("consultation_declined"))
        offer = not in_booking and not declined
        parts = answer_parts(get_clinic().render(answer.text))
        showing_detail = answer.id == detail_of and bool(parts.detail)
        text = parts.detail if showing_detail else parts.short
        more = (
            [] if showing_detail or not parts.detail else [tell_me_more_button(answer)]
        )
        if offer and faq_answers_given(tracker) + 1 == OFFER_AFTER_ANSWERS:
            text = f"{text}\n\n{texts.text('utter_offer_consultation')}"

        asked_too: list[str] = []
        if not showing_detail:
            asked_too = [
                name
                for name in await other_topics(
                    tracker.latest_message.get("text") or "", intent
                )
                if name in topics
            ][:MAX_OTHER_TOPICS]
        if asked_too:
            text = "\n\n".join(
                [
                    text,
                    texts.text(
                        "utter_also_asked",
                        topics=" and ".join(topics[name].topic for name in asked_too),
                    ),
                ]
            )
        related = [
            name
            for name in without(answer.related_intents, asked_too)
            if name in topics
        ]
        shown = follow_ups(
            related,
            detail=showing_detail,
            has_detail=bool(parts.detail),
            book=offer,
            taken=len(asked_too),
        )
        buttons = [
            {"title": topics[name].question, "payload": f"/{name}"}
            for name in asked_too
        ]
        buttons += more + [
            {"title": topics[name].question, "payload": f"/{name}"} for name in shown
        ]
        if offer:
            buttons.append(texts.book_button())
        # The widget asks "Was this helpful?" about this answer version.
        answer_ref = {"id": answer.id, "version": answer.version}
        dispatcher.utter_message(text=text, buttons=buttons, answer=answer_ref)

        discussed = list(tracker.get_slot("topics_discussed") or [])
        topic = topics[intent].topic if intent in topics else intent
        if topic not in discussed:
            discussed.append(topic)
        events: list[EventType] = [
            SlotSet(
                "served_answer",
                {
                    "answer_id": answer.id,
                    "intent": answer.intent,
                    "variant": answer.variant_label,
                    "version": answer.version,
                    "part": "detail" if showing_detail else "short",
                },
            ),
            SlotSet("topics_discussed", discussed),
        ]
        if offer:
            events.append(SlotSet("consultation_offered", True))
        return events


class ActionDeclineConsultation(Action):
    """Remembers that the visitor said no to the consultation offer."""

    def name(self) -> str:
        return "action_decline_consultation"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> list[EventType]:
        dispatcher.utter_message(response="utter_consultation_declined")
        return [SlotSet("consultation_declined", True)]
