"""Messages written before the chat is ready are shown at once and sent when it is."""

from __future__ import annotations

import pytest
from fake_rasa import WELCOME
from playwright.sync_api import Page, Route, expect

pytestmark = pytest.mark.browser

SOCKET_CLIENT = "**/widget/vendor/socket.io.esm.min.js"


def hold_socket_client(page: Page) -> list[Route]:
    """Holds back the socket.io client, so the widget stays "connecting"."""
    held: list[Route] = []
    page.route(SOCKET_CLIENT, lambda route: held.append(route))
    return held


def wait_for(page: Page, held: list[Route]) -> Route:
    for _ in range(200):
        if held:
            return held[0]
        page.wait_for_timeout(50)
    raise AssertionError("the widget never asked for the socket.io client")


def test_a_message_typed_while_connecting_is_shown_and_sent_once_connected(
    fake_site, open_page, running_fake_rasa
):
    chat = open_page(fake_site)
    held = hold_socket_client(chat.page)
    chat.launcher.click()
    expect(chat.panel).to_be_visible()
    client = wait_for(chat.page, held)

    chat.input.fill("typed while connecting")
    chat.input.press("Enter")
    expect(chat.user_messages).to_have_text(["typed while connecting"])
    expect(chat.input).to_have_value("")
    waiting = chat.page.locator(".smp-msg--waiting")
    expect(waiting).to_contain_text("Waiting to send")

    client.continue_()
    expect(chat.bot_messages.last).to_have_text("Echo: typed while connecting")
    expect(waiting).to_have_count(0)
    # The welcome first, then the question and its answer.
    expect(chat.page.locator(".smp-msg .smp-bubble")).to_have_text(
        [WELCOME, "typed while connecting", "Echo: typed while connecting"]
    )
    assert running_fake_rasa.received(chat.session_id()) == [
        "/greet",
        "typed while connecting",
    ]


def test_a_message_typed_before_the_welcome_arrives_follows_it(
    fake_site, open_page, running_fake_rasa
):
    chat = open_page(fake_site)
    # A welcome that takes 1.5 s (the fake server's "slow:" messages).
    chat.page.add_init_script(
        "window.SMPChatConfig = { startPayload: 'slow: welcome' }"
    )
    chat.page.reload()
    chat.open_chat()

    chat.input.fill("quick question")
    chat.input.press("Enter")
    expect(chat.user_messages).to_have_text(["quick question"])
    expect(chat.bot_messages).to_have_count(0)  # The welcome is still on its way.

    expect(chat.bot_messages.last).to_have_text("Echo: quick question")
    expect(chat.page.locator(".smp-msg .smp-bubble")).to_have_text(
        ["Slow echo: welcome", "quick question", "Echo: quick question"]
    )
    assert running_fake_rasa.received(chat.session_id()) == [
        "slow: welcome",
        "quick question",
    ]


def test_text_typed_while_connecting_returns_to_the_box_if_the_connection_fails(
    offline_site, open_page
):
    chat = open_page(offline_site)
    held = hold_socket_client(chat.page)
    chat.launcher.click()
    client = wait_for(chat.page, held)

    chat.input.fill("please keep this")
    chat.input.press("Enter")
    expect(chat.user_messages).to_have_text(["please keep this"])

    client.continue_()
    expect(chat.banner).to_be_visible()
    expect(chat.user_messages).to_have_count(0)
    expect(chat.input).to_have_value("please keep this")
    expect(chat.send_button).to_be_disabled()
