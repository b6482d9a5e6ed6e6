"""End to end over Telegram: the real servers, a fake Bot API on loopback, and
updates that must carry the webhook's secret token."""

from __future__ import annotations

import itertools
import json
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fake_telegram_api import FakeTelegramApi
from sqlalchemy import select

from channels.telegram import (
    SECRET_HEADER,
    SECRET_TOKEN_SHAPE,
    TelegramInput,
    webhook_secret,
)
from launcher.services import PROJECT_ROOT
from launcher.testing import free_port, running_stack
from smp import repository
from smp.clinic import get_clinic
from smp.db import AnswerFeedback, session_scope
from smp.markup import to_plain

ACCESS_TOKEN = "123456789:AAtelegram-test-token_0123456789"  # noqa: S105
BOT_NAME = "smp_clinic_test_bot"
WEBHOOK_URL = "https://clinic.example/webhooks/telegram/webhook"
_updates = itertools.count(1)
_chats = itertools.count(700001)


@dataclass
class TelegramStack:
    rasa_url: str
    token: str
    database_url: str
    api: FakeTelegramApi

    @property
    def webhook(self) -> str:
        return f"{self.rasa_url}/webhooks/telegram/webhook"

    def post(self, url: str, body: bytes, headers: dict[str, str]) -> tuple[int, Any]:
        request = urllib.request.Request(  # noqa: S310 - loopback http URL
            url, data=body, headers=headers, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
                status, raw = response.status, response.read().decode("utf-8")
        except urllib.error.HTTPError as refused:
            status, raw = refused.code, refused.read().decode("utf-8")
        try:
            return status, json.loads(raw)
        except ValueError:
            return status, raw

    def deliver(self, chat_id: int, text: str, secret: str | None) -> tuple[int, Any]:
        """Post an update as Telegram would, with `secret` in its header."""
        update = {
            "update_id": next(_updates),
            "message": {
                "message_id": next(_updates),
                "date": int(time.time()),
                "chat": {"id": chat_id, "type": "private"},
                "from": {"id": chat_id, "is_bot": False, "first_name": "Sam"},
                "text": text,
            },
        }
        return self.send(update, secret)

    def press(self, chat_id: int, payload: str, secret: str) -> tuple[int, Any]:
        """Post the update Telegram sends when an inline button is pressed."""
        chat = {"id": chat_id, "type": "private"}
        sender = {"id": chat_id, "is_bot": False, "first_name": "Sam"}
        update = {
            "update_id": next(_updates),
            "callback_query": {
                "id": str(next(_updates)),
                "from": sender,
                "chat_instance": "1",
                "data": payload,
                "message": {
                    "message_id": next(_updates),
                    "date": int(time.time()),
                    "chat": chat,
                    "text": "earlier answer",
                },
            },
        }
        return self.send(update, secret)

    def send(self, update: dict[str, Any], secret: str | None) -> tuple[int, Any]:
        headers = {"Content-Type": "application/json"}
        if secret is not None:
            headers[SECRET_HEADER] = secret
        return self.post(self.webhook, json.dumps(update).encode(), headers)

    def user_texts(self, chat_id: int) -> list[str]:
        url = f"{self.rasa_url}/conversations/{chat_id}/tracker?token={self.token}"
        with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310
            events = json.loads(response.read().decode("utf-8"))["events"]
        return [e["text"] for e in events if e["event"] == "user"]


@pytest.fixture(scope="module")
def telegram_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TelegramStack]:
    api = FakeTelegramApi(ACCESS_TOKEN, BOT_NAME, free_port()).start()
    env = {
        "TELEGRAM_ACCESS_TOKEN": ACCESS_TOKEN,
        "TELEGRAM_BOT_NAME": BOT_NAME,
        "TELEGRAM_WEBHOOK_URL": WEBHOOK_URL,
        "TELEGRAM_API_URL": api.url,
    }
    try:
        with running_stack(
            tmp_path_factory.mktemp("telegram-stack"),
            env=env,
            log_dir=PROJECT_ROOT / "test-artifacts" / "logs",
            log_suffix="-telegram",
        ) as stack:
            yield TelegramStack(stack.rasa_url, stack.token, stack.database_url, api)
    finally:
        api.stop()


def secret() -> str:
    return webhook_secret(ACCESS_TOKEN)


def answer_start(database_url: str, intent: str) -> str:
    with session_scope(database_url) as session:
        answer = repository.find_answer(session, intent)
        assert answer is not None
        text = answer.text
    return to_plain(get_clinic().render(text)).split("\n")[0][:50]


@pytest.mark.e2e
def test_the_webhook_is_registered_with_a_secret_token(telegram_stack):
    [registered] = telegram_stack.api.webhooks[:1]
    assert registered["url"] == WEBHOOK_URL
    assert SECRET_TOKEN_SHAPE.fullmatch(registered["secret_token"])
    assert registered["secret_token"] == secret()
    assert ACCESS_TOKEN not in registered["secret_token"]


@pytest.mark.e2e
def test_an_update_from_telegram_is_answered_from_the_database(telegram_stack):
    chat = next(_chats)
    status, _ = telegram_stack.deliver(chat, "does it hurt?", secret())
    assert status == 200
    expected = answer_start(telegram_stack.database_url, "faq_pain")
    sent = telegram_stack.api.wait_for_reply(chat, containing=expected)
    assert not any("**" in message["text"] for message in sent)


@pytest.mark.e2e
def test_a_pressed_button_starts_the_booking(telegram_stack):
    chat = next(_chats)
    status, _ = telegram_stack.press(chat, "/book_consultation", secret())
    assert status == 200
    telegram_stack.api.wait_for_reply(chat, containing="the consultation is free")
    assert telegram_stack.user_texts(chat) == ["/book_consultation"]


def vote_buttons(message: dict[str, str]) -> list[dict[str, str]]:
    """The "Was this helpful?" row of a sent message's inline keyboard."""
    keyboard = json.loads(message.get("reply_markup") or "{}")
    rows = keyboard.get("inline_keyboard") or []
    return [b for row in rows for b in row if b["callback_data"].startswith("vote:")]


def answered_with_votes(stack: TelegramStack, question: str) -> tuple[int, list]:
    chat = next(_chats)
    stack.deliver(chat, question, secret())
    expected = answer_start(stack.database_url, "faq_pain")
    sent = stack.api.wait_for_reply(chat, containing=expected)
    [answer] = [m for m in sent if vote_buttons(m)]
    return chat, vote_buttons(answer)


def stored_votes(database_url: str, chat: int) -> list[AnswerFeedback]:
    with session_scope(database_url) as session:
        votes = session.scalars(
            select(AnswerFeedback).where(AnswerFeedback.conversation_id == str(chat))
        ).all()
        session.expunge_all()
    return list(votes)


@pytest.mark.e2e
def test_an_answer_asks_was_this_helpful_and_a_press_is_stored(telegram_stack):
    chat, buttons = answered_with_votes(telegram_stack, "does it hurt?")
    assert [b["text"] for b in buttons] == ["👍 Helpful", "👎 Not helpful"]
    notices_before = len(telegram_stack.api.called("answercallbackquery"))
    status, _ = telegram_stack.press(chat, buttons[1]["callback_data"], secret())
    assert status == 200
    [vote] = stored_votes(telegram_stack.database_url, chat)
    assert (vote.helpful, vote.channel, vote.question) == (
        False,
        "telegram",
        "does it hurt?",
    )
    notices = telegram_stack.api.called("answercallbackquery")[notices_before:]
    assert len(notices) == 1 and "improve the answer" in notices[0]["text"]
    # Changing one's mind replaces the vote; a press is never a message.
    telegram_stack.press(chat, buttons[0]["callback_data"], secret())
    [vote] = stored_votes(telegram_stack.database_url, chat)
    assert vote.helpful is True
    assert telegram_stack.user_texts(chat) == ["does it hurt?"]


@pytest.mark.e2e
def test_a_vote_on_an_answer_another_chat_was_given_is_not_counted(telegram_stack):
    _, buttons = answered_with_votes(telegram_stack, "is it painful?")
    stranger = next(_chats)
    telegram_stack.deliver(stranger, "hello", secret())
    telegram_stack.api.wait_for_reply(stranger, containing="")
    status, _ = telegram_stack.press(stranger, buttons[0]["callback_data"], secret())
    assert status == 200
    assert stored_votes(telegram_stack.database_url, stranger) == []
    notice = telegram_stack.api.called("answercallbackquery")[-1]
    assert "isn't part of this chat" in notice["text"]


@pytest.mark.e2e
@pytest.mark.parametrize(
    "data", ["vote:0:1:1", "vote:1:1:2", "vote:99999999999:1:1", "vote:1:1:1;x"]
)
def test_malformed_vote_data_stores_nothing(telegram_stack, data):
    chat, _ = answered_with_votes(telegram_stack, "will it hurt?")
    telegram_stack.press(chat, data, secret())
    assert stored_votes(telegram_stack.database_url, chat) == []


@pytest.mark.e2e
def test_a_forged_button_press_is_refused(telegram_stack):
    chat = next(_chats)
    status, _ = telegram_stack.press(chat, "/book_consultation", "guessed")
    assert status == 401
    assert telegram_stack.user_texts(chat) == []


@pytest.mark.e2e
@pytest.mark.parametrize(
    "forged_secret",
    [None, "", "wrong-secret", secret()[:-1], secret() + "x"],
    ids=["no header", "empty", "guessed", "one short", "one long"],
)
def test_a_forged_update_is_refused_and_never_reaches_the_assistant(
    telegram_stack, forged_secret
):
    victim = next(_chats)
    status, body = telegram_stack.deliver(
        victim, "I want to book a consultation", forged_secret
    )
    assert status == 401
    assert body["error"] == "unauthorised" and SECRET_HEADER in body["reason"]
    # A genuine update sent after it is answered; by then the forged one
    # would have been too, had it been taken.
    witness = next(_chats)
    telegram_stack.deliver(witness, "how much does it cost?", secret())
    telegram_stack.api.wait_for_reply(
        witness, containing=answer_start(telegram_stack.database_url, "faq_cost")
    )
    assert telegram_stack.api.sent_to(victim) == []
    assert telegram_stack.user_texts(victim) == []


@pytest.mark.e2e
def test_a_malformed_body_without_the_secret_is_refused_before_it_is_read(
    telegram_stack,
):
    status, body = telegram_stack.post(
        telegram_stack.webhook, b"{not json", {"Content-Type": "application/json"}
    )
    assert status == 401 and body["error"] == "unauthorised"


@pytest.mark.e2e
@pytest.mark.parametrize(
    "body", [b"", b"{not json", b"[1, 2]", b'"text"', b"\xff\xfe", b"{" * 5000]
)
def test_a_malformed_body_with_the_secret_gets_a_clear_400(telegram_stack, body):
    status, answer = telegram_stack.post(
        telegram_stack.webhook,
        body,
        {"Content-Type": "application/json", SECRET_HEADER: secret()},
    )
    assert status == 400
    assert answer == {
        "error": "bad_request",
        "reason": "the body must be a Telegram update, a JSON object",
    }


@pytest.mark.e2e
def test_nobody_else_can_make_the_server_re_register_its_webhook(telegram_stack):
    before = len(telegram_stack.api.webhooks)
    url = f"{telegram_stack.rasa_url}/webhooks/telegram/set_webhook"
    status, body = telegram_stack.post(url, b"", {})
    assert status == 401 and body["error"] == "unauthorised"
    assert len(telegram_stack.api.webhooks) == before
    # With the secret it re-registers, keeping the secret token.
    status, _ = telegram_stack.post(url, b"", {SECRET_HEADER: secret()})
    assert status == 200
    assert telegram_stack.api.webhooks[-1]["secret_token"] == secret()


@pytest.mark.e2e
def test_the_health_check_stays_open(telegram_stack):
    url = f"{telegram_stack.rasa_url}/webhooks/telegram/"
    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310
        assert json.loads(response.read()) == {"status": "ok"}


def test_the_secret_is_derived_from_the_token_unless_one_is_configured():
    assert webhook_secret(ACCESS_TOKEN) == webhook_secret(ACCESS_TOKEN)
    assert webhook_secret(ACCESS_TOKEN) != webhook_secret(ACCESS_TOKEN + "1")
    assert webhook_secret(ACCESS_TOKEN, "clinic_secret-1") == "clinic_secret-1"
    channel = TelegramInput.from_credentials(
        {
            "access_token": ACCESS_TOKEN,
            "verify": BOT_NAME,
            "webhook_url": WEBHOOK_URL,
            "secret_token": "clinic_secret-1",
        }
    )
    assert channel.secret_token == "clinic_secret-1"


@pytest.mark.parametrize("configured", ["has space", "semi;colon", "x" * 257, "ünï"])
def test_a_secret_telegram_would_refuse_stops_the_start_with_a_clear_message(
    configured,
):
    from rasa.shared.exceptions import RasaException

    with pytest.raises(RasaException, match="TELEGRAM_SECRET_TOKEN must be"):
        webhook_secret(ACCESS_TOKEN, configured)
