"""Unanswered questions in Chromium: paged, the classifier's real guess, and a
confirmation before many messages become training data at once."""

from __future__ import annotations

import pytest
from clinic_activity import POPULAR_QUESTION, POPULAR_TIMES, UNANSWERED
from console_support import count_rows, csrf_of

pytestmark = [pytest.mark.browser]

# The popular question, the long unbroken one, the Spanish one and UNANSWERED.
OPEN_GROUPS = 3 + len(UNANSWERED)


def decisions_on_the_popular_question(console) -> int:
    return count_rows(
        console.database_url, "unanswered_reviews", "normalised_text", POPULAR_QUESTION
    )


def popular_row(page):
    """The popular question's row in the open list (not in recent decisions)."""
    return page.locator("#open-questions tbody tr").filter(has_text=POPULAR_QUESTION)


def test_unanswered_questions_come_a_page_at_a_time(staff, busy_console):
    staff.goto(f"{busy_console.url}/unanswered")
    first = staff.locator("button[value=assigned]").count()
    assert first == 25
    assert f"{OPEN_GROUPS}" in staff.locator("h2", has_text="Open").inner_text()
    assert "Page 1 of 2" in staff.locator(".pager").inner_text()
    staff.click(".pager a[rel=next]")
    assert staff.locator("button[value=assigned]").count() == OPEN_GROUPS - first
    assert "Page 2 of 2" in staff.locator(".pager").inner_text()


def test_the_guess_is_the_top_intent_other_than_not_understood(staff, busy_console):
    staff.goto(f"{busy_console.url}/unanswered")
    guess = popular_row(staff).locator("td.guess").inner_text()
    assert guess.split() == ["faq_what_is_smp", "0.310"]
    assert "nlu_fallback" not in staff.locator("#open-questions").inner_text()


def test_a_post_without_the_confirmation_assigns_nothing(staff, busy_console):
    staff.goto(f"{busy_console.url}/unanswered")
    token = csrf_of(staff.content())
    response = staff.request.post(
        f"{busy_console.url}/unanswered/decide",
        form={
            "csrf_token": token,
            "key": POPULAR_QUESTION,
            "decision": "assigned",
            "intent": "faq_what_is_smp",
        },
    )
    assert response.status == 200
    assert f"Assign {POPULAR_TIMES} messages" in response.text()
    assert decisions_on_the_popular_question(busy_console) == 0


def test_assigning_many_messages_asks_first_with_the_count(staff, busy_console):
    staff.goto(f"{busy_console.url}/unanswered")
    row = popular_row(staff)
    row.locator("select[name=intent]").select_option("faq_what_is_smp")
    row.locator("button[value=assigned]").click()
    question = staff.locator(".confirm-card")
    assert f"{POPULAR_TIMES} messages" in question.inner_text()
    assert "faq_what_is_smp" in question.inner_text()
    staff.click("text=Cancel")
    assert popular_row(staff).count() == 1

    row = popular_row(staff)
    row.locator("select[name=intent]").select_option("faq_what_is_smp")
    row.locator("button[value=assigned]").click()
    staff.click(f"button:has-text('Assign {POPULAR_TIMES} messages')")
    assert f"Assigned {POPULAR_TIMES} messages" in staff.locator(".flash").inner_text()
    assert popular_row(staff).count() == 0
    assert decisions_on_the_popular_question(busy_console) == 1
