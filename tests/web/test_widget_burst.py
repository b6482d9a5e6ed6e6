"""Replies of several bubbles, and several questions in a row."""

from __future__ import annotations

import json

import pytest
from fake_rasa import WELCOME
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_the_typing_dots_stay_until_the_last_bubble_of_a_reply(
    fake_site, open_page, running_fake_rasa
):
    chat = open_page(fake_site)
    chat.open_chat()
    expect(chat.bot_messages.first).to_have_text(WELCOME)
    dots_last = chat.page.locator(".smp-log > .smp-typing:last-child")

    chat.say("bubbles: 3")
    for n in (1, 2):
        expect(chat.bot_messages.last).to_have_text(f"Bubble {n} of 3")
        expect(dots_last).to_be_visible()  # More is coming, below this bubble.
    expect(chat.bot_messages.last).to_have_text("Bubble 3 of 3")
    expect(chat.page.locator(".smp-typing")).to_have_count(0)


def test_ten_quick_messages_each_get_their_answer_right_after_them(
    fake_site, open_page, running_fake_rasa
):
    chat = open_page(fake_site)
    chat.open_chat()
    expect(chat.bot_messages.first).to_have_text(WELCOME)

    questions = [f"burst {n}" for n in range(1, 11)]
    for question in questions:
        chat.input.fill(question)
        chat.input.press("Enter")
    expect(chat.user_messages).to_have_count(10)  # All shown at once.

    expected = [WELCOME]
    for question in questions:
        expected += [
            question,
            f"Answer to {question}, part 1",
            f"Answer to {question}, part 2",
        ]
    bubbles = chat.page.locator(".smp-msg .smp-bubble")
    expect(bubbles).to_have_text(expected, timeout=90_000)
    expect(chat.page.locator(".smp-typing")).to_have_count(0)
    expect(chat.page.locator(".smp-msg--waiting")).to_have_count(0)

    session_id = chat.session_id()
    assert running_fake_rasa.received(session_id) == ["/greet", *questions]
    stored = chat.page.evaluate("localStorage.getItem('smp-chat:transcript')")
    assert [message["text"] for message in json.loads(stored)] == expected
    # The same order after a reload.
    chat.page.reload()
    expect(bubbles).to_have_text(expected)
