"""What the widget puts on the page: text stays text, markdown stays minimal."""

from __future__ import annotations

import re

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


def test_phone_numbers_in_bot_text_are_tel_links_and_markup_stays_text(
    fake_site, open_page, running_fake_rasa
):
    chat = open_page(fake_site)
    chat.open_chat()
    expect(chat.bot_messages.first).to_have_text(WELCOME)

    chat.say("phone please")
    bubble = chat.bot_messages.last
    expected_links = {
        # The "(0)" of a number written for both home and abroad is dropped.
        "+44 (0)1244 555 010": "tel:+441244555010",
        "01244 555010": "tel:01244555010",
        "+44 1244 555 010": "tel:+441244555010",
    }
    expect(bubble.locator("a")).to_have_count(len(expected_links))
    for name, href in expected_links.items():
        anchor = bubble.get_by_role("link", name=name, exact=True)
        expect(anchor).to_have_attribute("href", href)
        expect(anchor).not_to_have_attribute("target", "_blank")
    expect(bubble.locator("strong")).to_have_text("+44 (0)1244 555 010")
    # A booking reference, a date and a price are not phone numbers.
    expect(bubble).to_contain_text(
        "Booking BK-20240512-0042 on 2024-05-12, from £1,800."
    )
    # Markup in the text, a link to "tel:1" included, stays text.
    expect(bubble).to_contain_text('<a href="tel:1">')
    expect(bubble.locator("a[href='tel:1']")).to_have_count(0)
    widget = chat.page.locator("#smp-chat")
    expect(widget.locator("img")).to_have_count(0)
    expect(bubble.get_by_role("link", name=re.compile("BK|2024|1,800"))).to_have_count(
        0
    )
    assert chat.dialogs == []
