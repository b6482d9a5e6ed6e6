"""A conversation as staff read it: each visitor message and the replies to it.

`build_turns()` works on Rasa's event dicts, so it serves both a stored
conversation and a tracker fetched from Rasa's HTTP API (the test chat).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from smp.topics import FALLBACK_INTENT

# The action Rasa runs when the dialogue policies are unsure.
FALLBACK_ACTION = "action_default_fallback"
# Actions that only mean "waiting for the visitor", not worth showing.
_QUIET_ACTIONS = {"action_listen", "action_session_start"}
_SHOWN_SLOTS = (
    "served_answer",
    "consultation_offered",
    "booking_reference",
    "handoff_reference",
)


def confidence_text(value: float | None) -> str:
    """How sure the classifier was, to three places.

    Its softmax puts nearly everything on one intent, so the ends of the scale
    show as bounds (`>0.999`, `<0.001`) instead of rounding to a certainty
    (1.00) or an impossibility (0.00) it never reported.
    """
    if value is None:
        return "—"
    if 0.999 < value < 1:
        return ">0.999"
    if 0 < value < 0.001:
        return "<0.001"
    return f"{value:.3f}"


@dataclass
class BotMessage:
    text: str
    buttons: list[dict[str, str]] = field(default_factory=list)


def is_payload(text: str) -> bool:
    """Whether a user message is a payload (`/intent`), sent by a button or a
    channel rather than typed."""
    return text.startswith("/")


@dataclass
class Turn:
    """A visitor's message and everything the assistant did in reply.

    The turn before the first message (`user_text` None) holds whatever the
    assistant said unprompted. A button click shows as the button's title
    (`clicked`); a payload no button offered, such as the widget's `/greet`
    when it opens, is no visitor message: its turn keeps it in `payload` only.
    """

    user_text: str | None = None
    clicked: bool = False
    payload: str | None = None
    timestamp: float | None = None
    intent: str | None = None
    confidence: float | None = None
    runner_ups: list[tuple[str, float]] = field(default_factory=list)
    entities: list[dict[str, Any]] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)
    replies: list[BotMessage] = field(default_factory=list)
    slots: dict[str, Any] = field(default_factory=dict)
    session_start: bool = False

    @property
    def served_answer(self) -> dict[str, Any] | None:
        value = self.slots.get("served_answer")
        return value if isinstance(value, dict) else None

    @property
    def from_visitor(self) -> bool:
        """Whether a visitor message (typed, clicked or a payload) opened the turn."""
        return self.user_text is not None or self.payload is not None

    @property
    def is_fallback(self) -> bool:
        return self.intent == FALLBACK_INTENT or FALLBACK_ACTION in self.actions

    def as_dict(self) -> dict[str, Any]:
        return {
            "user_text": self.user_text,
            "clicked": self.clicked,
            "timestamp": self.timestamp,
            "intent": self.intent,
            "confidence": self.confidence,
            # A payload's intent was given, not classified: no confidence.
            "confidence_text": (
                "button" if self.payload else confidence_text(self.confidence)
            ),
            "runner_ups": [
                {
                    "name": name,
                    "confidence": conf,
                    "confidence_text": confidence_text(conf),
                }
                for name, conf in self.runner_ups
            ],
            "entities": self.entities,
            "actions": self.actions,
            "replies": [
                {"text": reply.text, "buttons": reply.buttons} for reply in self.replies
            ],
            "served_answer": self.served_answer,
            "is_fallback": self.is_fallback,
        }


def _entity(entity: dict[str, Any]) -> dict[str, Any]:
    return {
        "entity": entity.get("entity"),
        "value": entity.get("value"),
        "extractor": entity.get("extractor"),
    }


def build_turns(events: Iterable[dict[str, Any]], runner_ups: int = 3) -> list[Turn]:
    """Group Rasa events into turns: each user message and what followed it."""
    turns: list[Turn] = []
    current = Turn()
    pending_session_start = False
    # Payload → title of every button offered so far (later offers win).
    offered: dict[str, str] = {}
    for event in events:
        kind = event.get("event")
        if kind == "user":
            if current.user_text is not None or current.replies or current.actions:
                turns.append(current)
            text = str(event.get("text") or "")
            title = offered.get(text) if is_payload(text) else None
            parse = event.get("parse_data") or {}
            intent = parse.get("intent") or {}
            ranking = [
                (str(item.get("name")), float(item.get("confidence") or 0.0))
                for item in parse.get("intent_ranking") or []
                if item.get("name") != intent.get("name")
            ]
            current = Turn(
                user_text=title or (None if is_payload(text) else text),
                clicked=title is not None,
                payload=text if is_payload(text) else None,
                timestamp=event.get("timestamp"),
                intent=intent.get("name"),
                confidence=intent.get("confidence"),
                runner_ups=ranking[:runner_ups],
                entities=[_entity(e) for e in parse.get("entities") or []],
                session_start=pending_session_start,
            )
            pending_session_start = False
        elif kind == "session_started":
            pending_session_start = True
        elif kind == "action":
            name = event.get("name")
            if name and name not in _QUIET_ACTIONS:
                current.actions.append(name)
        elif kind == "bot":
            data = event.get("data") or {}
            buttons = [
                {"title": str(b.get("title", "")), "payload": str(b.get("payload", ""))}
                for b in data.get("buttons") or []
            ]
            offered.update((b["payload"], b["title"]) for b in buttons if b["title"])
            current.replies.append(BotMessage(str(event.get("text") or ""), buttons))
        elif kind == "slot" and event.get("name") in _SHOWN_SLOTS:
            current.slots[event["name"]] = event.get("value")
    if current.user_text is not None or current.replies or current.actions:
        turns.append(current)
    return turns
