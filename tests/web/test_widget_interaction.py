"""Keyboard use, the message limit, the unread badge and several open tabs."""

from __future__ import annotations

import re

import pytest
from chat_page import CLINIC_NAME
from fake_rasa import WELCOME
from playwright.sync_api import Locator, expect

pytestmark = pytest.mark.browser


def is_focused(locator: Locator) -> bool:
    """Whether the element has focus (inside the widget's shadow root too)."""
    return locator.evaluate("el => el.getRootNode().activeElement === el")


def test_the_chat_works_from_the_keyboard_alone(
    fake_site, open_page, running_fake_rasa
):
    chat = open_page(fake_site)
    page = chat.page
    launcher = page.get_by_role("button", name=f"Open chat with {CLINIC_NAME}")

    for _ in range(40):
        page.keyboard.press("Tab")
        if is_focused(launcher):
            break
    expect(launcher).to_be_focused()
    page.keyboard.press("Enter")
    expect(chat.panel).to_be_visible()
    expect(chat.input).to_be_focused()
    expect(chat.bot_messages.first).to_have_text(WELCOME)

    # The suggested reply sits just before the text box.
    page.keyboard.press("Shift+Tab")
    expect(chat.reply_button("Say hi")).to_be_focused()
    page.keyboard.press("Enter")
    expect(chat.user_messages.last).to_have_text("Say hi")
    expect(chat.bot_messages.last).to_have_text("Echo: hi there")
    expect(chat.input).to_be_focused()

    page.keyboard.type("typed on the keyboard")
    page.keyboard.press("Enter")
    expect(chat.bot_messages.last).to_have_text("Echo: typed on the keyboard")

    page.keyboard.press("Escape")
    expect(chat.panel).to_be_hidden()
    expect(launcher).to_be_focused()
    expect(launcher).to_have_attribute("aria-expanded", "false")


def test_blank_messages_are_not_sent_and_long_ones_stop_at_the_limit(
    fake_site, open_page, running_fake_rasa
):
    chat = open_page(fake_site)
    chat.open_chat()
    expect(chat.bot_messages.first).to_have_text(WELCOME)
    counter = chat.page.locator("#smp-counter")

    chat.input.fill("   \n  ")
    expect(chat.send_button).to_be_disabled()
    chat.input.press("Enter")
    expect(chat.user_messages).to_have_count(0)

    chat.input.fill("a" * 700)
    expect(counter).to_be_hidden()
    chat.input.fill("b" * 1200)
    expect(chat.input).to_have_value("b" * 1000)
    expect(counter).to_be_visible()
    expect(counter).to_have_text("1000 / 1000")
    chat.input.press("Enter")
    expect(chat.bot_messages.last).to_have_text("Echo: " + "b" * 1000)
    expect(counter).to_be_hidden()
    assert running_fake_rasa.received(chat.session_id()) == ["/greet", "b" * 1000]


def test_a_reply_that_arrives_while_the_chat_is_closed_shows_an_unread_badge(
    fake_site, open_page, running_fake_rasa
):
    chat = open_page(fake_site)
    chat.open_chat()
    expect(chat.bot_messages.first).to_have_text(WELCOME)
    chat.say("slow: take your time")
    chat.page.get_by_role("button", name="Close chat", exact=True).click()
    expect(chat.panel).to_be_hidden()

    badge = chat.page.locator(".smp-badge")
    expect(badge).to_have_text("1")
    expect(chat.launcher).to_have_attribute("aria-label", re.compile(r"\(1 unread\)$"))

    chat.launcher.click()
    expect(chat.bot_messages.last).to_have_text("Slow echo: take your time")
    expect(badge).to_be_hidden()


def test_two_tabs_show_one_conversation_and_store_each_reply_once(
    fake_site, open_page, running_fake_rasa
):
    first = open_page(fake_site)
    first.open_chat()
    expect(first.bot_messages.first).to_have_text(WELCOME)
    second = open_page(fake_site, context=first.page.context)
    expect(second.panel).to_be_visible()  # Open in the first tab, so open here.
    expect(second.bot_messages.first).to_have_text(WELCOME)
    expect(second.page.locator(".smp-widget.is-online")).to_have_count(1)

    first.say("from the first tab")
    expect(first.bot_messages.last).to_have_text("Echo: from the first tab")
    expect(second.bot_messages.last).to_have_text("Echo: from the first tab")
    expect(second.user_messages.last).to_have_text("from the first tab")

    texts = first.page.evaluate(
        "JSON.parse(localStorage.getItem('smp-chat:transcript')).map(m => m.text)"
    )
    assert texts == [WELCOME, "from the first tab", "Echo: from the first tab"]


def test_reopening_the_chat_does_not_read_the_history_out_again(
    fake_site, open_page, running_fake_rasa
):
    chat = open_page(fake_site)
    chat.open_chat()
    chat.say("first message")
    expect(chat.bot_messages.last).to_have_text("Echo: first message")
    # The log is an aria-live region: anything inserted into it is announced.
    chat.log.evaluate(
        """log => {
            window.insertedIntoLog = 0;
            new MutationObserver(changes => {
                for (const change of changes) window.insertedIntoLog += change.addedNodes.length;
            }).observe(log, { childList: true });
        }"""
    )
    chat.page.keyboard.press("Escape")
    expect(chat.panel).to_be_hidden()
    chat.launcher.click()
    expect(chat.panel).to_be_visible()
    expect(chat.user_messages).to_have_text(["first message"])
    assert chat.page.evaluate("window.insertedIntoLog") == 0


def test_reset_starts_a_new_conversation_with_a_new_welcome(
    fake_site, open_page, running_fake_rasa
):
    chat = open_page(fake_site)
    chat.open_chat()
    chat.say("remember me")
    expect(chat.bot_messages.last).to_have_text("Echo: remember me")
    old_session = chat.session_id()

    chat.page.evaluate("window.SMPChat.reset()")

    expect(chat.user_messages).to_have_count(0)
    expect(chat.bot_messages).to_have_text([WELCOME])
    new_session = chat.session_id()
    assert new_session and new_session != old_session
    assert running_fake_rasa.received(new_session) == ["/greet"]


def test_a_dismissed_greeting_stays_dismissed_on_the_next_page(fake_site, open_page):
    chat = open_page(fake_site)
    teaser = chat.page.locator(".smp-teaser")
    expect(teaser).to_be_visible()
    chat.page.get_by_role("button", name="Dismiss message").click()
    expect(teaser).to_be_hidden()
    chat.page.goto(f"{fake_site}/treatments.html")
    expect(chat.launcher).to_be_visible()
    expect(teaser).to_be_hidden()
