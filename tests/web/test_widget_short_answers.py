"""On a phone, an answer comes short with its buttons in view, and more on request."""

from __future__ import annotations

import pytest
from chat_page import ChatPage
from playwright.sync_api import Locator, expect
from test_widget_phone_layout import in_view, wait_until

from launcher.services import PROJECT_ROOT
from smp import repository
from smp.clinic import get_clinic
from smp.content import answer_parts
from smp.db import session_scope

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

SMALL_PHONE = {"width": 360, "height": 640}
DOCS = PROJECT_ROOT / "docs"


def fully_in_view(chat: ChatPage, locator: Locator) -> bool:
    """Whether the element's top and bottom are both inside the visible list."""
    box, view = locator.bounding_box(), chat.log.bounding_box()
    assert box is not None and view is not None
    return (
        view["y"] - 1 <= box["y"]
        and box["y"] + box["height"] <= view["y"] + view["height"] + 1
    )


def test_on_a_phone_the_short_answer_and_its_buttons_are_in_view_and_more_follows(
    site, open_page, assistant_stack
):
    with session_scope(assistant_stack.database_url) as session:
        answer = repository.find_answer(session, "faq_risks")
    parts = answer_parts(get_clinic().render(answer.text))
    chat = open_page(site, viewport=SMALL_PHONE)
    chat.open_chat()
    chat.say("is it safe?")

    short = chat.bot_messages.last
    expect(short).to_have_text(parts.short)
    more = chat.reply_button("Tell me more")
    expect(more).to_be_enabled()
    buttons = chat.page.get_by_role("group", name="Suggested replies")
    expect(chat.page.locator(".smp-typing")).to_have_count(0)
    # Scrolling settles after the reply is shown; wait for it, then check.
    wait_until(lambda: in_view(chat, short, "top"), "the answer's start in view", chat)
    wait_until(lambda: in_view(chat, buttons, "bottom"), "the buttons in view", chat)
    assert fully_in_view(chat, short) and fully_in_view(chat, buttons)
    chat.docs_screenshot("widget-phone-short-answer")

    more.click()
    expect(chat.user_messages.last).to_have_text("Tell me more")
    last_line = parts.detail.splitlines()[-1]
    expect(chat.log).to_contain_text(last_line)
    expect(chat.reply_button("Tell me more")).to_have_count(0)
    # The detail is that answer's: its first words come right after the request.
    first_detail = chat.page.locator(".smp-msg--bot").filter(
        has_text=parts.detail.splitlines()[0].rstrip(":")
    )
    expect(first_detail).to_have_count(1)
