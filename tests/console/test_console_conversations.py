"""Conversations in Chromium: what visitors said, as they saw it, and finding them."""

from __future__ import annotations

import pytest
from clinic_activity import COST_BUTTON, GREETING, WIDGET_START
from console_support import signed_in_page

pytestmark = [pytest.mark.browser]


@pytest.fixture(scope="module")
def staff(browser, busy_console):
    page = signed_in_page(browser, busy_console.url)
    yield page
    page.context.close()


def test_the_widgets_start_payload_is_no_visitor_message(staff, busy_console):
    staff.goto(f"{busy_console.url}/conversations/widget-5d1c9e07a2b34f6c")
    said = staff.locator(".msg.user .bubble").all_inner_texts()
    assert said == [COST_BUTTON[0], "and is it better than a hair system?"]
    assert GREETING in staff.locator(".msg.bot .bubble").first.inner_text()
    assert WIDGET_START not in staff.locator(".chat-log").inner_text()


def test_a_button_click_shows_as_the_buttons_title(staff, busy_console):
    staff.goto(f"{busy_console.url}/conversations/widget-5d1c9e07a2b34f6c")
    clicked = staff.locator(".msg.user.clicked .bubble")
    assert clicked.all_inner_texts() == [COST_BUTTON[0]]
    assert COST_BUTTON[1] not in staff.locator(".msg.user").first.inner_text()


def test_the_list_previews_what_the_visitor_typed_first(staff, busy_console):
    staff.goto(f"{busy_console.url}/conversations")
    row = staff.locator("tr", has=staff.locator("code", has_text="widget-5d1c9e07"))
    assert "and is it better than a hair system?" in row.inner_text()
    assert WIDGET_START not in staff.locator("table.data").inner_text()
