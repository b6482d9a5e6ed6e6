"""The widget's messages: an answer names itself on its last bubble only."""

from __future__ import annotations

from typing import Any

from rasa.shared.core.events import SlotSet, UserUttered

from channels.feedback import served_question
from channels.widget_output import WidgetOutput


class RecordingServer:
    """Stands in for python-socketio's server: keeps what is emitted."""

    def __init__(self) -> None:
        self.emitted: list[dict[str, Any]] = []

    async def emit(self, event: str, data: dict[str, Any], room: str) -> None:
        self.emitted.append(data)


BUTTONS = [{"title": "Tell me more", "payload": '/faq_pain{"answer_detail": "3"}'}]


async def test_an_answers_last_bubble_carries_its_id_and_version():
    server = RecordingServer()
    output = WidgetOutput(server, "bot_uttered")  # type: ignore[arg-type]
    answer = {"id": 3, "version": 2}
    await output.send_text_with_buttons("room", "One.\n\nTwo.", BUTTONS, answer=answer)
    assert [m.get("answer") for m in server.emitted] == [None, answer]
    await output.send_text_with_buttons("room", "Other.", BUTTONS)
    await output.send_text_with_buttons("room", "Forged.", BUTTONS, answer={"id": "3"})
    assert "answer" not in server.emitted[-1] and "answer" not in server.emitted[-2]


def test_a_vote_counts_only_for_an_answer_served_in_the_conversation():
    served = {"answer_id": 3, "version": 2, "intent": "faq_pain", "part": "short"}
    events = [
        UserUttered("does it hurt?"),
        SlotSet("served_answer", served),
        UserUttered('/faq_pain{"answer_detail": "3"}'),
        SlotSet("served_answer", {**served, "part": "detail"}),
    ]
    assert served_question(events, 3, 2) == "does it hurt?"
    assert served_question(events, 3, 1) is None
    assert served_question(events, 4, 2) is None
    assert served_question([SlotSet("served_answer", served)], 3, 2) == ""
