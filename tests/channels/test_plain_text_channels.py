"""REST callers and Telegram get the answers as plain text, buttons kept."""

from __future__ import annotations

from asyncio import Queue
from typing import Any

from channels.plain_text import PlainTextCollector, PlainTextQueue
from channels.telegram import CHANNEL, PlainTextTelegramOutput, TelegramInput

ANSWER = "**Numbing cream:** we offer it.\n- *Hairline* first\n\nCall +44 1244 555 010."
PLAIN = "Numbing cream: we offer it.\n- Hairline first\n\nCall +44 1244 555 010."
BUTTONS = [{"title": "Tell me more", "payload": '/faq_pain{"answer_detail": "3"}'}]


async def test_the_rest_collector_keeps_plain_text_and_buttons():
    collector = PlainTextCollector()
    await collector.send_text_with_buttons("visitor", ANSWER, BUTTONS)
    await collector.send_text_message("visitor", ANSWER)
    assert collector.messages == [
        {"recipient_id": "visitor", "text": PLAIN, "buttons": BUTTONS},
        {"recipient_id": "visitor", "text": PLAIN.split("\n\n")[0]},
        {"recipient_id": "visitor", "text": PLAIN.split("\n\n")[1]},
    ]


async def test_the_streamed_rest_queue_gets_plain_text_and_buttons_as_they_come():
    queue: Queue = Queue()
    output = PlainTextQueue(queue)
    await output.send_text_with_buttons("visitor", ANSWER, BUTTONS)
    assert queue.get_nowait() == {
        "recipient_id": "visitor",
        "text": PLAIN,
        "buttons": BUTTONS,
    }
    await output.send_text_message("visitor", ANSWER)
    assert [queue.get_nowait()["text"] for _ in range(2)] == PLAIN.split("\n\n")


class RecordingTelegramOutput(PlainTextTelegramOutput):
    """Records what would be sent to Telegram's Bot API."""

    def __init__(self) -> None:
        super().__init__("123456:test-token")
        self.sent: list[tuple[str, dict[str, Any]]] = []

    async def send_message(self, chat_id: Any, text: str, **kwargs: Any) -> Any:  # type: ignore[override]
        self.sent.append((text, kwargs))


async def test_telegram_gets_plain_text_in_bubbles_and_with_buttons():
    output = RecordingTelegramOutput()
    await output.send_text_message("42", ANSWER)
    await output.send_text_with_buttons("42", ANSWER, BUTTONS)
    texts = [text for text, _ in output.sent]
    assert texts == [*PLAIN.split("\n\n"), PLAIN]
    keyboard = output.sent[-1][1]["reply_markup"].inline_keyboard
    assert [button.callback_data for button in keyboard[0]] == [BUTTONS[0]["payload"]]
    assert not any("*" in text for text in texts)


def test_the_telegram_channel_keeps_its_url_and_uses_the_plain_output():
    assert TelegramInput.name() == "telegram"
    assert CHANNEL.credentials_key == "channels.telegram.TelegramInput"
