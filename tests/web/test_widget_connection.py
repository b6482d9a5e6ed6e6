"""Losing and regaining the Rasa server: the visitor is told, nothing is sent twice."""

from __future__ import annotations

import pytest
from fake_rasa import WELCOME
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_an_unreachable_server_shows_the_reconnecting_banner_and_holds_the_message(
    offline_site, open_page
):
    chat = open_page(offline_site)
    chat.launcher.click()
    expect(chat.panel).to_be_visible()

    expect(chat.banner).to_be_visible()
    expect(chat.banner).to_contain_text("Reconnecting")
    chat.input.fill("hello?")
    expect(chat.send_button).to_be_disabled()
    chat.input.press("Enter")
    expect(chat.user_messages).to_have_count(0)
    expect(chat.input).to_have_value("hello?")  # Kept for when the line is back.


def test_after_a_server_crash_the_widget_reconnects_and_sends_each_message_once(
    fake_site, open_page, running_fake_rasa
):
    chat = open_page(fake_site)
    chat.open_chat()
    expect(chat.bot_messages.first).to_have_text(WELCOME)
    chat.say("before the crash")
    expect(chat.bot_messages.last).to_have_text("Echo: before the crash")
    session_id = chat.session_id()

    running_fake_rasa.crash()
    expect(chat.banner).to_be_visible()
    expect(chat.banner).to_contain_text("Reconnecting")
    chat.input.fill("while offline")
    chat.input.press("Enter")
    expect(chat.send_button).to_be_disabled()

    running_fake_rasa.start()
    # socket.io retries on its own, at most 5 s apart.
    expect(chat.banner).to_be_hidden()
    chat.say("after the restart")
    expect(chat.bot_messages.last).to_have_text("Echo: after the restart")

    assert chat.session_id() == session_id
    assert running_fake_rasa.received(session_id) == [
        "/greet",
        "before the crash",
        "after the restart",
    ]
    expect(chat.user_messages).to_have_text(["before the crash", "after the restart"])
