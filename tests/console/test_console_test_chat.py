"""The test chat in Chromium, against the real Rasa and action servers: each
message's understanding as the classifier reported it."""

from __future__ import annotations

import pytest
from console_support import docs_screenshot
from playwright.sync_api import expect

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


def shown_confidences(details) -> list[str]:
    return details.locator(".conf").all_inner_texts()


def user_events(assistant_stack, page) -> list[dict]:
    sender = page.locator("#chat-sender").inner_text()
    events = assistant_stack.tracker(sender)["events"]
    return [event for event in events if event["event"] == "user"]


def start_over(page, base_url: str) -> None:
    """Open the test chat and start a new conversation (its id changes)."""
    page.goto(f"{base_url}/chat")
    before = page.locator("#chat-sender").inner_text()
    page.click("#chat-reset")
    expect(page.locator("#chat-sender")).not_to_have_text(before)


def understood(page, send) -> object:
    """Do `send` (type or click), then wait for the understanding of that message."""
    count = page.locator(".msg.debug").count()
    send()
    details = page.locator(".msg.debug").nth(count)
    details.locator(".intent-name").wait_for()
    return details


def typed(page, text: str):
    def send() -> None:
        page.fill("#chat-input", text)
        page.click("#chat-send")

    return understood(page, send)


def test_each_intent_shows_the_confidence_the_classifier_gave(
    staff_page, live_console, assistant_stack
):
    page = staff_page
    start_over(page, live_console.url)
    details = typed(page, "does it hurt?")
    parse = user_events(assistant_stack, page)[-1]["parse_data"]
    ranking = [item["confidence"] for item in parse["intent_ranking"]]
    # The classifier is sure but not certain, and the others are near zero but
    # not zero: rounded to two places every line read 1.00 or 0.00.
    assert 0.99 < ranking[0] < 1 and all(0 < value < 0.005 for value in ranking[1:4])
    shown = shown_confidences(details)
    assert len(shown) == 4
    assert shown[0] == (">0.999" if ranking[0] > 0.999 else f"{ranking[0]:.3f}")
    assert "1.00" not in shown and "0.00" not in shown
    docs_screenshot(page, "chat")


def test_a_button_click_is_shown_as_a_button_not_a_certainty(
    staff_page, live_console, assistant_stack
):
    page = staff_page
    start_over(page, live_console.url)
    typed(page, "how much does it cost?")
    chip = page.locator(".msg.bot button.chip").last
    title = chip.inner_text()
    details = understood(page, chip.click)
    assert page.locator(".msg.user").last.inner_text() == title
    assert user_events(assistant_stack, page)[-1]["text"].startswith("/")
    assert shown_confidences(details) == ["button"]
