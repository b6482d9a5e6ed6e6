"""A message the Rasa server cannot process: the visitor is told so in the
clinic's words, the message is kept, and "Try again" sends it once more.

The fault is real: the conversation store's table is taken away under the
running servers (tests/conversation_store.py), so the Rasa server fails to
read the conversation.
"""

from __future__ import annotations

import pytest
import yaml
from chat_page import eventually, words
from conversation_store import conversation_store_broken
from playwright.sync_api import expect

from launcher.services import PROJECT_ROOT
from smp import repository
from smp.db import session_scope

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

DOMAIN = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))
TURN_FAILED = DOMAIN["responses"]["utter_turn_failed"][0]["text"]
GREETING = DOMAIN["responses"]["utter_greet"][0]["text"]


def user_texts(stack, conversation: str) -> list[str]:
    events = stack.tracker(conversation)["events"]
    return [event["text"] for event in events if event["event"] == "user"]


def test_a_message_that_fails_is_kept_and_try_again_sends_it(
    site, open_page, assistant_stack
):
    chat = open_page(site)
    chat.open_chat()
    expect(chat.bot_messages.first).to_contain_text(words(GREETING))
    conversation = chat.session_id()
    assert conversation is not None
    eventually(lambda: user_texts(assistant_stack, conversation) == ["/greet"])
    typing = chat.page.locator(".smp-typing")
    expect(typing).to_have_count(0)

    question = "does it hurt?"
    notice = chat.page.locator(".smp-notice")
    with conversation_store_broken(assistant_stack.database_url):
        chat.say(question)
        expect(notice).to_contain_text(TURN_FAILED)
        expect(typing).to_have_count(0)
        expect(chat.bot_messages).to_have_count(1)  # Only the welcome.
        chat.screenshot("widget-turn-failed-notice")

    notice.get_by_role("button", name="Try again").click()
    expect(notice).to_have_count(0)
    with session_scope(assistant_stack.database_url) as session:
        answer = repository.find_answer(session, "faq_pain")
        assert answer is not None
    expect(chat.log).to_contain_text(words(answer.text, 10))
    expect(chat.user_messages).to_have_text([question])  # Not shown twice.
    eventually(
        lambda: user_texts(assistant_stack, conversation) == ["/greet", question]
    )
