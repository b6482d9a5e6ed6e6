"""Conversations in Chromium: what visitors said, as they saw it, and finding them."""

from __future__ import annotations

import pytest
from clinic_activity import (
    BOOKING_EMAIL,
    BOOKING_REFERENCE,
    COST_BUTTON,
    GREETING,
    WIDGET_START,
)

pytestmark = [pytest.mark.browser]


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


def test_the_message_count_is_what_the_visitor_typed(staff, busy_console):
    # The widget's /greet, one button click, then one typed question.
    staff.goto(f"{busy_console.url}/conversations")
    row = staff.locator("tr", has=staff.locator("code", has_text="widget-5d1c9e07"))
    assert row.locator("td.num").inner_text() == "1"
    heading = staff.locator("table.data th.num")
    assert heading.text_content() == "Typed"
    assert "button clicks are not counted" in heading.get_attribute("title").lower()


def search(page, base_url: str, query: str) -> list[str]:
    """Search from the conversation list's box; the conversation ids found."""
    page.goto(f"{base_url}/conversations")
    page.fill("input[name=q]", query)
    with page.expect_navigation() as navigation:
        page.click("button:has-text('Filter')")
    assert navigation.value is not None and navigation.value.status == 200
    return page.locator("table.data code.id").all_inner_texts()


@pytest.mark.parametrize(
    ("query", "conversation"),
    [
        pytest.param("PSORIASIS on my", "rest-psoriasis-11", id="typed words"),
        pytest.param("5d1c9e07", "widget-5d1c9e07a2b34f6c", id="conversation id"),
        pytest.param(BOOKING_EMAIL.upper(), "widget-booked-7f3a", id="email"),
        pytest.param(BOOKING_REFERENCE.lower(), "widget-booked-7f3a", id="reference"),
        pytest.param("cuánto cuesta", "rest-es-pt-3", id="non-English"),
    ],
)
def test_one_search_box_finds_a_conversation(staff, busy_console, query, conversation):
    assert search(staff, busy_console.url, query) == [conversation]


@pytest.mark.parametrize(
    "query",
    ["%", "_", "'; DROP TABLE events; --", '"', "\\", "ü" * 10_000, "a%b_c"],
    ids=["percent", "underscore", "quote", "double quote", "backslash", "10k", "mixed"],
)
def test_hostile_searches_get_a_clear_answer_never_an_error(staff, busy_console, query):
    # Nothing in the week's conversations holds these: `%` and `_` are no
    # wildcards, and the rest is text like any other.
    assert search(staff, busy_console.url, query) == []
    assert "No conversation matches" in staff.locator(".empty").inner_text()
    if len(query) > 1000:
        assert "first 200 characters" in staff.locator(".flash-info").inner_text()
