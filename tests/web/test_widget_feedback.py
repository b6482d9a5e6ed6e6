"""'Was this helpful?' under an answer in the widget: one tap, an optional comment,
stored with the answer's version, and still shown after a reload."""

from __future__ import annotations

import pytest
from chat_page import eventually
from playwright.sync_api import expect
from sqlalchemy import select

from smp import repository
from smp.db import AnswerFeedback, session_scope

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

SMALL_PHONE = {"width": 360, "height": 640}


def test_a_visitor_rates_an_answer_with_one_tap_and_adds_a_comment(
    site, open_page, assistant_stack
):
    database_url = assistant_stack.database_url
    with session_scope(database_url) as session:
        answer = repository.find_answer(session, "faq_longevity")
    chat = open_page(site, viewport=SMALL_PHONE)
    chat.open_chat()
    chat.say("how long does it last?")

    rated = chat.page.locator(".smp-msg--answer").last
    feedback = rated.get_by_role("group", name="Was this helpful?")
    expect(feedback).to_be_visible()
    not_helpful = feedback.get_by_role("button", name="Not helpful")
    not_helpful.click()
    expect(not_helpful).to_have_attribute("aria-pressed", "true")
    expect(
        feedback.get_by_role("button", name="Helpful", exact=True)
    ).to_have_attribute("aria-pressed", "false")
    conversation = chat.session_id()

    def stored() -> list[tuple[int, int, bool, str, str]]:
        with session_scope(database_url) as session:
            rows = session.scalars(
                select(AnswerFeedback).where(
                    AnswerFeedback.conversation_id == conversation
                )
            ).all()
            return [
                (r.answer_id, r.answer_version, r.helpful, r.comment, r.question)
                for r in rows
            ]

    def vote_stored() -> bool:
        """The vote is in the database with the answer's version."""
        return stored() == [
            (answer.id, answer.version, False, "", "how long does it last?")
        ]

    eventually(vote_stored)

    comment = feedback.get_by_role("textbox", name="Anything to add? (optional)")
    expect(comment).to_be_visible()
    comment.fill("Does the sun matter?")
    chat.docs_screenshot("widget-phone-feedback")
    feedback.get_by_role("button", name="Send").click()
    expect(feedback.get_by_role("status")).to_have_text("Thanks for your feedback.")
    expect(comment).to_be_hidden()

    def comment_stored() -> bool:
        """The comment is kept with the vote."""
        return [row[3] for row in stored()] == ["Does the sun matter?"]

    eventually(comment_stored)

    chat.page.reload()
    again = chat.page.locator(".smp-msg--answer").last
    expect(again.get_by_role("button", name="Not helpful")).to_have_attribute(
        "aria-pressed", "true"
    )
