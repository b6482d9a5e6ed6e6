"""The console in Chromium against the real Rasa server, action server and database."""

from __future__ import annotations

import csv
import io
import re
import uuid

import pytest
from console_support import add_handoff, count_rows, screenshot
from playwright.sync_api import expect
from sqlalchemy import select

from smp import repository
from smp.db import BookingRequest, session_scope

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


def new_sender() -> str:
    return f"e2e-console-{uuid.uuid4().hex[:10]}"


def texts(replies: list[dict]) -> str:
    return "\n".join(reply.get("text", "") for reply in replies)


def make_booking(stack, sender: str, name: str, email: str) -> BookingRequest:
    """A visitor books a consultation over REST, as in tests/e2e."""
    for message in (
        "can I cover my strip scar?",
        "I'd like to book a consultation",
        name,
        email,
        "next Tuesday afternoon",
        "/affirm",
        "/affirm",
        "/affirm",
    ):
        stack.say(sender, message)
    with session_scope(stack.database_url) as session:
        row = session.scalars(
            select(BookingRequest).where(BookingRequest.conversation_id == sender)
        ).one()
        session.expunge(row)
        return row


def test_staff_sign_in_and_a_wrong_password_is_refused(browser, live_console):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.goto(f"{live_console.url}/answers")
    assert page.url.startswith(f"{live_console.url}/login")
    screenshot(page, "login")
    page.fill("input[name=username]", "reception")
    page.fill("input[name=password]", "not-the-password")
    page.click("button[type=submit]")
    assert "Wrong username or password" in page.inner_text(".flash-error")
    page.fill("input[name=password]", "correct-horse-battery")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_console.url}/answers")
    assert "Signed in as" in page.inner_text(".sidebar-foot")
    context.close()


def test_a_test_chat_message_shows_its_intent_and_the_served_answer(
    staff_page, live_console
):
    page = staff_page
    page.goto(f"{live_console.url}/chat")
    page.fill("#chat-input", "does it hurt?")
    page.click("#chat-send")
    details = page.locator(".msg.debug").last
    details.locator(".intent-name").wait_for()
    assert details.locator(".intent-name").inner_text() == "faq_pain"
    assert "action_answer_faq" in details.inner_text()
    served = details.locator("a.served-answer")
    assert re.match(r"#\d+ faq_pain v\d+", served.inner_text())
    assert "/answers/" in served.get_attribute("href")
    assert page.locator(".msg.bot .bubble").count() >= 1
    # A button of the reply sends its payload like a visitor's click.
    page.locator(
        ".msg.bot button.chip", has_text="Book a free consultation"
    ).last.click()
    page.locator(".msg.debug").nth(1).locator(".intent-name").wait_for()
    assert page.locator(".intent-name").last.inner_text() == "book_consultation"
    screenshot(page, "chat")

    sender = page.inner_text("#chat-sender")
    assert sender.startswith("staff-test-")
    page.click("#chat-reset")
    expect(page.locator("#chat-sender")).not_to_have_text(sender)
    # Staff tests stay out of the conversation list and analytics.
    page.goto(f"{live_console.url}/conversations")
    assert sender not in page.content()


def test_an_edited_answer_is_what_the_assistant_says_next(
    staff_page, live_console, assistant_stack
):
    with session_scope(assistant_stack.database_url) as session:
        answer = repository.find_answer(session, "faq_pain")
    page = staff_page
    page.goto(f"{live_console.url}/answers")
    page.click(f"a[href='/answers/{answer.id}']")
    new_text = (
        "Edited in the console: most clients call SMP uncomfortable rather than "
        "painful. Ask us on {clinic_phone}."
    )
    page.fill("#answer-short", new_text)
    expect(page.locator("#preview-bubble")).to_contain_text("Ask us on +44 1244")
    screenshot(page, "answer-edit")
    page.click("button:has-text('Save new version')")
    assert "Saved as version" in page.inner_text(".flash-success")
    try:
        replies = assistant_stack.say(new_sender(), "does it hurt?")
        assert (
            "Edited in the console: most clients call SMP uncomfortable rather than "
            "painful. Ask us on +44 1244 555 010." in texts(replies)
        )
        page.goto(f"{live_console.url}/answers/{answer.id}/history")
        assert "reception" in page.inner_text(".revision.current")
        screenshot(page, "answer-history")
    finally:
        with session_scope(assistant_stack.database_url) as session:
            repository.restore_answer_version(
                session, answer.id, answer.version, editor="test-cleanup"
            )


def test_staff_move_a_booking_along_and_export_it(
    staff_page, live_console, assistant_stack
):
    sender = new_sender()
    booking = make_booking(
        assistant_stack, sender, "Olivia Export", "olivia@example.com"
    )
    page = staff_page
    page.goto(f"{live_console.url}/requests/bookings?status=new")
    row = page.locator(f"#bookings-{booking.id}")
    assert booking.reference in row.inner_text()
    row.locator("select[name=status]").select_option("contacted")
    row.locator("textarea[name=staff_note]").fill("Called, =will ring back")
    row.locator("button:has-text('Save')").click()
    assert "now “contacted”" in page.inner_text(".flash-success")
    with session_scope(assistant_stack.database_url) as session:
        stored = session.get(BookingRequest, booking.id)
        assert (stored.status, stored.staff_note) == (
            "contacted",
            "Called, =will ring back",
        )
    page.goto(f"{live_console.url}/requests/bookings")
    screenshot(page, "bookings")
    with page.expect_download() as download_info:
        page.click("a:has-text('Export CSV')")
    content = download_info.value.path().read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(content)))
    mine = next(r for r in rows if r["Reference"] == booking.reference)
    assert mine["Status"] == "contacted"
    assert mine["Email"] == "olivia@example.com"
    assert mine["Name"] == "Olivia Export"
    assert mine["Staff note"] == "Called, =will ring back"
    assert mine["Conversation"] == sender

    page.click(f"#bookings-{booking.id} a:has-text('Open conversation')")
    assert "I'd like to book a consultation" in page.inner_text(".transcript")


def test_deleting_a_visitor_removes_them_from_every_table(
    staff_page, live_console, assistant_stack
):
    sender = new_sender()
    make_booking(assistant_stack, sender, "Peter Private", "peter.private@example.com")
    add_handoff(assistant_stack.database_url, sender, email="peter.private@example.com")
    url = assistant_stack.database_url
    assert count_rows(url, "events", "sender_id", sender) > 0

    page = staff_page
    page.goto(f"{live_console.url}/privacy")
    page.fill("input[name=query]", "peter.private@example.com")
    page.click("button:has-text('Find')")
    preview = page.inner_text("#delete-preview")
    for table in ("events", "booking_requests", "handoff_requests"):
        assert table in preview
    assert "peter.private" not in page.url
    screenshot(page, "privacy")
    page.check("input[name=confirm]")
    page.click("button:has-text('Delete permanently')")
    assert "Visitor data deleted" in page.inner_text("h1")
    for table, column in (
        ("events", "sender_id"),
        ("booking_requests", "conversation_id"),
        ("handoff_requests", "conversation_id"),
    ):
        assert count_rows(url, table, column, sender) == 0


def test_screenshots_of_every_main_page(staff_page, live_console, assistant_stack):
    say = assistant_stack.say
    visitor = new_sender()
    for message in (
        "hi",
        "does it hurt?",
        "how much does it cost?",
        "how long does it last?",
    ):
        say(visitor, message)
    say(new_sender(), "do you also do eyebrow tattoos?")
    say(new_sender(), "what's the weather like in Paris")
    say(new_sender(), "qwertyuiop asdfgh")
    make_booking(assistant_stack, new_sender(), "Mia Screenshot", "mia@example.com")

    page = staff_page
    pages = {
        "overview": "/",
        "conversations": "/conversations",
        "unanswered": "/unanswered",
        "answers": "/answers",
        "callbacks": "/requests/callbacks",
        "analytics": "/analytics",
    }
    for name, path in pages.items():
        page.goto(f"{live_console.url}{path}")
        assert page.locator("h1").count() == 1
        if name == "analytics":
            # Chart.js styles each canvas once it has drawn it.
            for chart in ("conversations", "topics", "fallback", "funnel"):
                page.locator(f"#chart-{chart}[style*='box-sizing']").wait_for()
            page.wait_for_timeout(800)  # let the charts finish their animation
        screenshot(page, name)
    page.goto(f"{live_console.url}/conversations/{visitor}")
    assert "does it hurt?" in page.inner_text(".transcript")
    screenshot(page, "conversation")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_console.url}/requests/bookings")
    screenshot(page, "mobile-bookings")
