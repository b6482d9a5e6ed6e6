"""What the widget receives: Rasa's socket.io messages, answers marked as such.

An FAQ answer's message names the answer it comes from (`answer: {id,
version}`, from the action's `answer` field), on its last bubble, the one with
the suggested replies; the widget shows "Was this helpful?" under it and sends
the vote to channels/feedback.py.
"""

from __future__ import annotations

from typing import Any

from rasa.core.channels.socketio import SocketIOOutput


def answer_reference(value: object) -> dict[str, int] | None:
    """`{id, version}` of a served answer, or None if `value` is not one."""
    if not isinstance(value, dict):
        return None
    answer_id, version = value.get("id"), value.get("version")
    if type(answer_id) is not int or type(version) is not int:
        return None
    return {"id": answer_id, "version": version}


class WidgetOutput(SocketIOOutput):
    """Rasa's socket.io output with the answer reference on an answer's message."""

    _answer: dict[str, int] | None = None

    async def send_text_with_buttons(
        self,
        recipient_id: str,
        text: str,
        buttons: list[dict[str, Any]],
        **kwargs: Any,
    ) -> None:
        self._answer = answer_reference(kwargs.get("answer"))
        try:
            await super().send_text_with_buttons(recipient_id, text, buttons, **kwargs)
        finally:
            self._answer = None

    async def _send_message(self, socket_id: str, response: Any) -> None:
        if (
            self._answer
            and isinstance(response, dict)
            and response.get("quick_replies")
        ):
            response = {**response, "answer": self._answer}
        await super()._send_message(socket_id, response)
