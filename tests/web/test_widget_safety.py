"""What the widget puts on the page: text stays text, markdown stays minimal."""

from __future__ import annotations

import pytest
from fake_rasa import HOSTILE, WELCOME
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

VISITOR_HOSTILE = '<img src=x onerror=alert(1)><script>alert("visitor")</script>'


def test_markup_from_the_visitor_or_the_bot_is_shown_as_text_never_run(
    fake_site, open_page, running_fake_rasa
):
    chat = open_page(fake_site)
    chat.open_chat()
    expect(chat.bot_messages.first).to_have_text(WELCOME)

    chat.say(VISITOR_HOSTILE)
    expect(chat.bot_messages.last).to_have_text(f"Echo: {VISITOR_HOSTILE}")
    chat.say("hostile please")
    expect(chat.bot_messages.last).to_have_text(HOSTILE)
    # One more round trip gives any injected handler time to fire.
    chat.say("still here?")
    expect(chat.bot_messages.last).to_have_text("Echo: still here?")

    widget = chat.page.locator("#smp-chat")
    expect(widget.locator("img")).to_have_count(0)
    expect(widget.locator("script")).to_have_count(0)
    assert chat.dialogs == []

    # History is drawn again from storage after a reload: still only text.
    chat.page.reload()
    expect(chat.log).to_contain_text(HOSTILE)
    expect(chat.user_messages.first).to_have_text(VISITOR_HOSTILE)
    expect(widget.locator("img")).to_have_count(0)
    expect(widget.locator("script")).to_have_count(0)
    assert chat.dialogs == []


def test_bot_markdown_renders_bold_italic_lists_and_safe_links(
    fake_site, open_page, running_fake_rasa
):
    chat = open_page(fake_site)
    chat.open_chat()
    expect(chat.bot_messages.first).to_have_text(WELCOME)

    chat.say("markdown please")
    bubble = chat.bot_messages.last
    expect(bubble.locator("strong")).to_have_text("Bold claim")
    expect(bubble.locator("em")).to_have_text("a gentle aside")
    expect(bubble.locator("ul > li")).to_have_text(
        ["first point", "second point with https://clinic.example/aftercare."]
    )
    expect(bubble.locator("a")).to_have_count(3)
    expected_links = {
        # The full stop after a bare link is not part of it.
        "https://clinic.example/aftercare": "https://clinic.example/aftercare",
        "hello@clinic.example": "mailto:hello@clinic.example",
        "see the guide": "https://clinic.example/guide",
    }
    for name, href in expected_links.items():
        anchor = bubble.get_by_role("link", name=name, exact=True)
        expect(anchor).to_have_attribute("href", href)
        expect(anchor).to_have_attribute("target", "_blank")
        expect(anchor).to_have_attribute("rel", "noopener noreferrer")
    # A javascript: link keeps its words and loses its link.
    expect(bubble).to_contain_text("Do not click")
    expect(bubble.get_by_role("link", name="Do not click")).to_have_count(0)
