"""The widget keeps its conversation by token, on the real servers.

A visitor's tabs share one conversation because they share the token the
server issued; a stranger's browser that only knows the conversation id (put
into its own storage, as a copied id would be) starts a new conversation and
sees none of the visitor's.
"""

from __future__ import annotations

import json

import pytest
from chat_page import eventually, words
from playwright.sync_api import expect

from smp import repository
from smp.clinic import get_clinic
from smp.db import session_scope

pytestmark = [pytest.mark.browser, pytest.mark.e2e]


def answer_start(database_url: str, intent: str) -> str:
    with session_scope(database_url) as session:
        answer = repository.find_answer(session, intent)
        assert answer is not None
        return words(get_clinic().render(answer.text), 10)


def said(stack, conversation: str) -> list[str]:
    events = stack.tracker(conversation)["events"]
    return [e.get("text") for e in events if e.get("event") == "user"]


def test_two_tabs_of_one_visitor_share_the_conversation_by_its_token(
    site, open_page, assistant_stack
):
    first = open_page(site)
    first.open_chat()
    first.say("does it hurt?")
    expect(first.log).to_contain_text(
        answer_start(assistant_stack.database_url, "faq_pain")
    )
    conversation, token = first.session_id(), first.session_token()
    assert conversation and token and len(token) == 43

    second = open_page(site, context=first.page.context)
    expect(second.panel).to_be_visible()
    expect(second.page.locator(".smp-widget.is-online")).to_have_count(1)
    second.say("how long does it last?")
    longevity = answer_start(assistant_stack.database_url, "faq_longevity")
    expect(second.log).to_contain_text(longevity)
    expect(first.log).to_contain_text(longevity)
    assert second.session_id() == conversation

    def both_questions_in_the_one_conversation() -> bool:
        """The server holds both tabs' questions in one conversation."""
        return said(assistant_stack, conversation)[-2:] == [
            "does it hurt?",
            "how long does it last?",
        ]

    eventually(both_questions_in_the_one_conversation)


@pytest.mark.parametrize(
    "stolen",
    [
        pytest.param(lambda conversation: conversation, id="bare-id"),
        pytest.param(
            lambda conversation: {"id": conversation, "token": "A" * 43},
            id="forged-token",
        ),
    ],
)
def test_a_browser_with_only_the_visitors_id_gets_a_new_conversation(
    site, open_page, assistant_stack, stolen
):
    visitor = open_page(site)
    visitor.open_chat()
    visitor.say("does it hurt?")
    expect(visitor.log).to_contain_text(
        answer_start(assistant_stack.database_url, "faq_pain")
    )
    conversation = visitor.session_id()

    stranger = open_page(site)
    stranger.page.evaluate(
        "value => localStorage.setItem('smp-chat:session', value)",
        json.dumps(stolen(conversation)),
    )
    stranger.page.reload()
    stranger.open_chat()
    expect(stranger.bot_messages.first).to_be_visible()  # A new welcome.
    stranger.say("what did they book?")
    expect(stranger.bot_messages).not_to_have_count(1)
    assert stranger.session_id() != conversation
    expect(stranger.log).not_to_contain_text("does it hurt?")

    visitor.say("how much does it cost?")
    cost = answer_start(assistant_stack.database_url, "faq_cost")
    expect(visitor.log).to_contain_text(cost)
    stranger.page.wait_for_timeout(1000)
    expect(stranger.log).not_to_contain_text(cost)

    def the_visitors_conversation_holds_only_their_questions() -> bool:
        """The stranger's message never entered the visitor's conversation."""
        return said(assistant_stack, conversation)[-2:] == [
            "does it hurt?",
            "how much does it cost?",
        ]

    eventually(the_visitors_conversation_holds_only_their_questions)
    assert "what did they book?" not in said(assistant_stack, conversation)
