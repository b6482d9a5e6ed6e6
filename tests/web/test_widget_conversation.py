"""The widget on the demo site, talking to the real Rasa and action servers."""

from __future__ import annotations

import re

import pytest
import yaml
from chat_page import DESKTOP, PHONE, eventually, words
from playwright.sync_api import expect
from sqlalchemy import select

from launcher.services import PROJECT_ROOT
from smp import repository
from smp.db import BookingRequest, session_scope

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

DOMAIN = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))


def response_text(name: str) -> str:
    """The first text of a domain response, as the bot says it."""
    return DOMAIN["responses"][name][0]["text"]


def stored_answer(database_url: str, intent: str) -> repository.AnswerView:
    with session_scope(database_url) as session:
        answer = repository.find_answer(session, intent)
        assert answer is not None
        return answer


def follow_up_title(database_url: str, intent: str) -> str:
    """The button title that leads to `intent`'s answer."""
    with session_scope(database_url) as session:
        return repository.topics(session)[intent].question


def test_a_new_visitor_is_welcomed_with_suggested_questions(site, open_page):
    chat = open_page(site)
    chat.open_chat()
    expect(chat.bot_messages.first).to_contain_text(words(response_text("utter_greet")))
    for button in DOMAIN["responses"]["utter_greet"][0]["buttons"]:
        expect(chat.reply_button(button["title"])).to_be_enabled()


def test_a_typed_question_gets_the_answer_stored_in_the_database(
    site, open_page, assistant_stack
):
    chat = open_page(site)
    chat.open_chat()
    chat.say("does it hurt?")
    answer = stored_answer(assistant_stack.database_url, "faq_pain")
    expect(chat.log).to_contain_text(words(answer.text, 10))
    expect(chat.page.locator(".smp-typing")).to_have_count(0)


def test_a_follow_up_button_sends_its_payload_and_shows_its_title(
    site, open_page, assistant_stack
):
    database_url = assistant_stack.database_url
    chat = open_page(site)
    chat.open_chat()
    chat.say("does it hurt?")
    related = stored_answer(database_url, "faq_pain").related_intents[0]
    title = follow_up_title(database_url, related)

    chat.reply_button(title).click()

    expect(chat.user_messages.last).to_have_text(title)
    expect(chat.log).to_contain_text(
        words(stored_answer(database_url, related).text, 10)
    )
    # The buttons were answered, so they are gone.
    expect(chat.reply_button(title)).to_have_count(0)


def test_the_conversation_survives_a_reload_and_moving_to_another_page(
    site, open_page, assistant_stack
):
    chat = open_page(site)
    chat.open_chat()
    chat.say("does it hurt?")
    answer_start = words(
        stored_answer(assistant_stack.database_url, "faq_pain").text, 10
    )
    expect(chat.log).to_contain_text(answer_start)
    session_id = chat.session_id()
    assert session_id

    chat.page.reload()
    expect(chat.panel).to_be_visible()  # It was open, so it is open again.
    expect(chat.log).to_contain_text("does it hurt?")
    expect(chat.log).to_contain_text(answer_start)
    assert chat.session_id() == session_id

    chat.page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Treatments & prices"
    ).click()
    expect(chat.page).to_have_url(re.compile(r"/treatments\.html$"))
    expect(chat.log).to_contain_text(answer_start)
    assert chat.session_id() == session_id

    # The next message continues the same conversation on the server.
    replies_before = chat.bot_messages.count()
    chat.say("how much does it cost?")
    expect(chat.bot_messages).not_to_have_count(replies_before)

    def both_messages_in_one_conversation() -> bool:
        """The server's conversation holds the messages from both pages."""
        events = assistant_stack.tracker(session_id)["events"]
        said = [e.get("text") for e in events if e.get("event") == "user"]
        return "does it hurt?" in said and "how much does it cost?" in said

    eventually(both_messages_in_one_conversation)


def test_a_booking_made_in_the_widget_is_stored_with_its_reference(
    site, open_page, assistant_stack
):
    chat = open_page(site)
    chat.open_chat()
    chat.say("can I cover my strip scar?")
    chat.say("I'd like to book a consultation")
    expect(chat.log).to_contain_text(response_text("utter_ask_booking_name"))
    chat.say("Jane Doe")
    expect(chat.log).to_contain_text(response_text("utter_ask_booking_contact"))
    chat.say("jane.doe@example.com")
    expect(chat.log).to_contain_text(
        words(response_text("utter_ask_booking_preferred_time"))
    )
    chat.say("next Tuesday afternoon")
    chat.reply_button("Yes, that's right").click()
    chat.reply_button("Yes, you may contact me").click()
    expect(chat.bot_messages.filter(has_text="Jane Doe")).not_to_have_count(0)
    chat.reply_button("Yes, send it").click()

    confirmation = chat.bot_messages.filter(has_text=re.compile(r"BK-[A-Z0-9]{6}"))
    expect(confirmation).to_have_count(1)
    reference = re.search(r"BK-[A-Z0-9]{6}", confirmation.inner_text()).group(0)
    # The reference is shown in bold, as the bot's markdown asked.
    expect(confirmation.locator("strong")).to_have_text(reference)

    session_id = chat.session_id()
    with session_scope(assistant_stack.database_url) as session:
        rows = session.scalars(
            select(BookingRequest).where(BookingRequest.conversation_id == session_id)
        ).all()
        assert [row.reference for row in rows] == [reference]
        assert rows[0].name == "Jane Doe"
        assert rows[0].email == "jane.doe@example.com"
        assert rows[0].channel == "socketio"


def test_screenshots_at_desktop_and_phone_width(site, open_page, assistant_stack):
    answer_start = words(
        stored_answer(assistant_stack.database_url, "faq_pain").text, 10
    )
    for name, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        chat = open_page(site, viewport=viewport)
        expect(chat.page.locator(".smp-teaser")).to_be_visible()
        chat.screenshot(f"widget-{name}-closed")

        chat.open_chat()
        chat.say("does it hurt?")
        expect(chat.log).to_contain_text(answer_start)
        expect(chat.page.locator(".smp-typing")).to_have_count(0)
        chat.screenshot(f"widget-{name}-open")

        box = chat.panel.bounding_box()
        assert box is not None
        if viewport is PHONE:
            # Full screen on a phone, with nothing sticking out sideways.
            assert (box["x"], box["y"]) == (0, 0)
            assert (box["width"], box["height"]) == (PHONE["width"], PHONE["height"])
            assert chat.page.evaluate("document.documentElement.scrollWidth") <= 360
        else:
            assert box["x"] > 0 and box["y"] > 0
            assert box["x"] + box["width"] <= DESKTOP["width"]
            assert box["y"] + box["height"] <= DESKTOP["height"]
