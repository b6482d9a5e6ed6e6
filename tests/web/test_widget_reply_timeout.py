"""A reply that never arrives: the visitor is told and can send the message again."""

from __future__ import annotations

import pytest
from fake_rasa import WELCOME
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_a_lost_reply_shows_a_notice_whose_try_again_sends_the_message_again(
    fake_site, open_page, running_fake_rasa
):
    chat = open_page(fake_site)
    chat.open_chat()
    expect(chat.bot_messages.first).to_have_text(WELCOME)
    typing = chat.page.locator(".smp-typing")
    expect(typing).to_have_count(0)
    # The page's clock from here on, so the test need not wait 45 s.
    chat.page.clock.install()

    question = "lost once: when can I book?"  # The fake server ignores it once.
    chat.say(question)
    expect(typing).to_be_visible()
    notice = chat.page.locator(".smp-notice")
    expect(notice).to_have_count(0)

    chat.page.clock.fast_forward(46_000)
    expect(typing).to_have_count(0)
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("No reply arrived")
    chat.screenshot("widget-no-reply-notice")

    notice.get_by_role("button", name="Try again").click()
    expect(notice).to_have_count(0)
    expect(chat.bot_messages.last).to_have_text(f"Echo: {question}")
    expect(chat.user_messages).to_have_text([question])  # Not shown twice.
    assert running_fake_rasa.received(chat.session_id()) == [
        "/greet",
        question,
        question,
    ]
