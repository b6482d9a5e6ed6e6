"""On a phone, an answer with suggested replies is read from its start, buttons in view."""

from __future__ import annotations

import shutil

import pytest
from chat_page import SCREENSHOTS, ChatPage
from fake_rasa import WELCOME
from playwright.sync_api import Locator, expect

pytestmark = pytest.mark.browser

SMALL_PHONE = {"width": 360, "height": 640}


def in_view(chat: ChatPage, locator: Locator, edge: str) -> bool:
    """Whether the element's top (or bottom) edge is inside the visible list."""
    box = locator.bounding_box()
    view = chat.log.bounding_box()
    assert box is not None and view is not None
    y = box["y"] if edge == "top" else box["y"] + box["height"]
    return view["y"] - 1 <= y <= view["y"] + view["height"] + 1


def wait_until(check, what: str, chat: ChatPage) -> None:
    for _ in range(100):
        if check():
            return
        chat.page.wait_for_timeout(50)
    raise AssertionError(f"never true: {what}")


def test_on_a_phone_an_answer_with_buttons_shows_its_start_and_its_buttons(
    fake_site, open_page, running_fake_rasa
):
    chat = open_page(fake_site, viewport=SMALL_PHONE)
    chat.open_chat()
    expect(chat.bot_messages.first).to_have_text(WELCOME)

    chat.say("long answer please")
    answer = chat.bot_messages.last
    expect(answer).to_contain_text("Aftercare, day by day.")
    buttons = chat.page.get_by_role("group", name="Suggested replies")
    expect(buttons).to_be_visible()
    expect(chat.page.locator(".smp-typing")).to_have_count(0)

    wait_until(lambda: in_view(chat, answer, "top"), "the answer's start in view", chat)
    wait_until(lambda: in_view(chat, buttons, "bottom"), "the buttons in view", chat)
    expect(chat.page.get_by_role("button", name="More below")).to_be_hidden()
    path = chat.screenshot("widget-phone-answer-with-buttons")
    shutil.copyfile(path, SCREENSHOTS / "widget-phone.png")


def test_on_a_phone_a_very_long_answer_starts_at_the_top_with_a_cue_to_its_buttons(
    fake_site, open_page, running_fake_rasa
):
    chat = open_page(fake_site, viewport=SMALL_PHONE)
    chat.open_chat()
    expect(chat.bot_messages.first).to_have_text(WELCOME)

    chat.say("very long answer please")
    answer = chat.bot_messages.last
    expect(answer).to_contain_text("Aftercare, day by day.")
    buttons = chat.page.get_by_role("group", name="Suggested replies")
    expect(buttons).to_be_attached()
    cue = chat.page.get_by_role("button", name="More below")
    expect(cue).to_be_visible()
    wait_until(lambda: in_view(chat, answer, "top"), "the answer's start in view", chat)
    assert not in_view(chat, buttons, "bottom")
    chat.screenshot("widget-phone-long-answer-cue")

    cue.click()
    wait_until(lambda: in_view(chat, buttons, "bottom"), "the buttons in view", chat)
    expect(cue).to_be_hidden()
    chat.screenshot("widget-phone-long-answer-buttons")
