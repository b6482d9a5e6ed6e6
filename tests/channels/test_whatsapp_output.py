"""Sending replies through the Graph API: formats, numbering, splitting, logging."""

from __future__ import annotations

import logging
import uuid

import pytest
from whatsapp_payloads import ACCESS_TOKEN, PHONE_NUMBER_ID

from channels import whatsapp_store as store
from channels.whatsapp import ConversationKeys, WhatsAppOutput
from channels.whatsapp_format import CHOICE_PROMPT, TEXT_LIMIT
from channels.whatsapp_graph import GraphApiClient
from smp.db import session_scope

KEYS = ConversationKeys("secret")
BOOK = {"title": "Book a free consultation", "payload": "/book_consultation"}
PAIN = {"title": "Does it hurt?", "payload": "/faq_pain"}
COST = {"title": "What does it cost?", "payload": "/faq_cost"}


@pytest.fixture
async def graph(fake_graph):
    client = GraphApiClient(fake_graph.url, PHONE_NUMBER_ID, ACCESS_TOKEN)
    yield client
    await client.close()


def new_wa_id() -> str:
    return "4477" + str(uuid.uuid4().int)[:8]


def open_choices(wa_id: str) -> list[dict]:
    with session_scope() as session:
        row = session.get(store.WhatsAppPendingChoices, KEYS.key(wa_id))
        return list(row.options) if row else []


async def test_short_buttons_go_out_as_reply_buttons(graph, fake_graph, database_url):
    wa_id = new_wa_id()
    await WhatsAppOutput(graph, KEYS).send_text_with_buttons(
        wa_id, "Pick", [PAIN, COST]
    )
    [sent] = fake_graph.sent_to(wa_id)
    assert sent["messaging_product"] == "whatsapp"
    assert sent["type"] == "interactive"
    ids = [b["reply"]["id"] for b in sent["interactive"]["action"]["buttons"]]
    assert ids == ["/faq_pain", "/faq_cost"]
    assert open_choices(wa_id) == []


async def test_long_titles_go_out_as_a_numbered_list_and_are_remembered(
    graph, fake_graph, database_url
):
    wa_id = new_wa_id()
    await WhatsAppOutput(graph, KEYS).send_text_with_buttons(
        wa_id, "Next?", [PAIN, BOOK]
    )
    [sent] = fake_graph.sent_to(wa_id)
    assert sent["type"] == "text"
    assert sent["text"]["body"].endswith(
        f"{CHOICE_PROMPT}\n1. Does it hurt?\n2. Book a free consultation"
    )
    assert [o["payload"] for o in open_choices(wa_id)] == [
        "/faq_pain",
        "/book_consultation",
    ]


async def test_numbering_continues_across_lists_in_one_turn(
    graph, fake_graph, database_url
):
    wa_id = new_wa_id()
    output = WhatsAppOutput(graph, KEYS)
    await output.send_text_with_buttons(wa_id, "First", [PAIN, BOOK])
    await output.send_text_with_buttons(wa_id, "Second", [BOOK])
    assert fake_graph.sent_to(wa_id)[1]["text"]["body"].endswith(
        "3. Book a free consultation"
    )
    assert len(open_choices(wa_id)) == 3


async def test_long_text_is_sent_in_parts_within_the_limit(
    graph, fake_graph, database_url
):
    wa_id = new_wa_id()
    text = "\n\n".join(["word " * 400] * 4)
    await WhatsAppOutput(graph, KEYS).send_text_message(wa_id, text)
    bodies = [m["text"]["body"] for m in fake_graph.sent_to(wa_id)]
    assert len(bodies) >= 2
    assert all(len(body) <= TEXT_LIMIT for body in bodies)


async def test_bold_markdown_is_sent_as_whatsapp_bold(graph, fake_graph, database_url):
    wa_id = new_wa_id()
    await WhatsAppOutput(graph, KEYS).send_text_message(wa_id, "It's **not** a tattoo")
    assert fake_graph.sent_to(wa_id)[0]["text"]["body"] == "It's *not* a tattoo"


async def test_a_refused_send_is_logged_without_number_or_text(fake_graph, caplog):
    wa_id = new_wa_id()
    client = GraphApiClient(fake_graph.url, PHONE_NUMBER_ID, "wrong-token")
    rejected_before = fake_graph.rejected
    with caplog.at_level(logging.ERROR, logger="channels.whatsapp_graph"):
        await WhatsAppOutput(client, KEYS).send_text_message(wa_id, "private words")
    await client.close()
    assert fake_graph.rejected == rejected_before + 1
    assert fake_graph.sent_to(wa_id) == []
    logged = caplog.text
    assert "HTTP 401" in logged and "190" in logged and KEYS.ref(wa_id) in logged
    assert wa_id not in logged and "private words" not in logged


async def test_an_unreachable_graph_api_is_logged_not_raised(caplog):
    client = GraphApiClient("http://127.0.0.1:9/v19.0", PHONE_NUMBER_ID, ACCESS_TOKEN)
    with caplog.at_level(logging.ERROR, logger="channels.whatsapp_graph"):
        sent = await client.send("447700900123", {"type": "text"}, ref="abc")
    await client.close()
    assert sent is False
    assert "WhatsApp send failed for conversation abc" in caplog.text
