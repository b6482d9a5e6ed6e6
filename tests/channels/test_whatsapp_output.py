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
BOOK = {
    "title": "Book a free consultation",
    "short_title": "Book consultation",
    "payload": "/book_consultation",
}
# Too long for a list row (24 characters) and without a short title.
HOURS = {"title": "Opening hours and where we are", "payload": "/clinic_info"}
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


async def test_a_long_title_goes_out_as_its_short_title_on_a_reply_button(
    graph, fake_graph, database_url
):
    wa_id = new_wa_id()
    await WhatsAppOutput(graph, KEYS).send_text_with_buttons(
        wa_id, "Next?", [PAIN, BOOK]
    )
    [sent] = fake_graph.sent_to(wa_id)
    replies = [b["reply"] for b in sent["interactive"]["action"]["buttons"]]
    assert replies == [
        {"id": "/faq_pain", "title": "Does it hurt?"},
        {"id": "/book_consultation", "title": "Book consultation"},
    ]


async def test_more_than_three_buttons_go_out_as_a_list_message(
    graph, fake_graph, database_url
):
    wa_id = new_wa_id()
    four = [PAIN, COST, {"title": "Is it safe?", "payload": "/faq_risks"}, BOOK]
    await WhatsAppOutput(graph, KEYS).send_text_with_buttons(wa_id, "Next?", four)
    [sent] = fake_graph.sent_to(wa_id)
    interactive = sent["interactive"]
    assert interactive["type"] == "list"
    assert interactive["body"] == {"text": "Next?"}
    [section] = interactive["action"]["sections"]
    assert [(row["id"], row["title"]) for row in section["rows"]] == [
        ("/faq_pain", "Does it hurt?"),
        ("/faq_cost", "What does it cost?"),
        ("/faq_risks", "Is it safe?"),
        ("/book_consultation", "Book a free consultation"),
    ]
    assert open_choices(wa_id) == []


async def test_a_long_text_goes_first_and_its_last_part_carries_the_buttons(
    graph, fake_graph, database_url
):
    wa_id = new_wa_id()
    text = "\n\n".join(["word " * 150] * 3)
    await WhatsAppOutput(graph, KEYS).send_text_with_buttons(wa_id, text, [PAIN])
    sent = fake_graph.sent_to(wa_id)
    assert [m["type"] for m in sent] == ["text", "text", "interactive"]
    assert len(sent[-1]["interactive"]["body"]["text"]) <= 1024
    said = [m["text"]["body"] for m in sent[:-1]]
    said.append(sent[-1]["interactive"]["body"]["text"])
    assert " ".join(said).split() == text.split()


async def test_titles_too_long_even_for_a_list_go_out_numbered_and_are_remembered(
    graph, fake_graph, database_url
):
    wa_id = new_wa_id()
    await WhatsAppOutput(graph, KEYS).send_text_with_buttons(
        wa_id, "Next?", [PAIN, HOURS]
    )
    [sent] = fake_graph.sent_to(wa_id)
    assert sent["type"] == "text"
    assert sent["text"]["body"].endswith(
        f"{CHOICE_PROMPT}\n1. Does it hurt?\n2. Opening hours and where we are"
    )
    assert [o["payload"] for o in open_choices(wa_id)] == ["/faq_pain", "/clinic_info"]


async def test_numbering_continues_across_lists_in_one_turn(
    graph, fake_graph, database_url
):
    wa_id = new_wa_id()
    output = WhatsAppOutput(graph, KEYS)
    await output.send_text_with_buttons(wa_id, "First", [PAIN, HOURS])
    await output.send_text_with_buttons(wa_id, "Second", [HOURS])
    assert fake_graph.sent_to(wa_id)[1]["text"]["body"].endswith(
        "3. Opening hours and where we are"
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
    await WhatsAppOutput(graph, KEYS).send_text_message(
        wa_id, "It's **not** a *tattoo*\n* one"
    )
    assert fake_graph.sent_to(wa_id)[0]["text"]["body"] == (
        "It's *not* a _tattoo_\n- one"
    )


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
    assert sent is None
    assert "WhatsApp send failed for conversation abc" in caplog.text


def remembered_answer(wa_id: str, message_id: str) -> tuple[int, int] | None:
    with session_scope() as session:
        return store.answer_of_message(session, message_id, KEYS.key(wa_id))


async def test_an_answer_asks_for_a_reaction_and_remembers_its_messages(
    graph, fake_graph, database_url
):
    wa_id = new_wa_id()
    # Longer than one body: its first part goes as text, formatted once.
    long_answer = "It is **not** a tattoo. " + "Healing takes a few days. " * 60
    await WhatsAppOutput(graph, KEYS).send_text_with_buttons(
        wa_id, long_answer, [PAIN, BOOK], answer={"id": 4, "version": 2}
    )
    sent, ids = fake_graph.sent_to(wa_id), fake_graph.ids_sent_to(wa_id)
    assert [m["type"] for m in sent] == ["text", "interactive"]
    assert sent[0]["text"]["body"].startswith("It is *not* a tattoo.")
    footer = sent[-1]["interactive"]["footer"]["text"]
    assert "👍" in footer and "👎" in footer and len(footer) <= 60
    # A reaction to any part of the answer rates it.
    assert [remembered_answer(wa_id, i) for i in ids] == [(4, 2), (4, 2)]


async def test_buttons_that_are_not_an_answer_ask_for_no_reaction(
    graph, fake_graph, database_url
):
    wa_id = new_wa_id()
    output = WhatsAppOutput(graph, KEYS)
    await output.send_text_with_buttons(wa_id, "Pick", [PAIN, COST])
    await output.send_text_with_buttons(
        wa_id, "Pick", [PAIN, COST], answer={"id": "4", "version": None}
    )
    assert all("footer" not in m["interactive"] for m in fake_graph.sent_to(wa_id))
    assert [remembered_answer(wa_id, i) for i in fake_graph.ids_sent_to(wa_id)] == [
        None,
        None,
    ]


async def test_a_numbered_answer_is_remembered_and_keeps_its_bold(
    graph, fake_graph, database_url
):
    wa_id = new_wa_id()
    await WhatsAppOutput(graph, KEYS).send_text_with_buttons(
        wa_id, "It is **not** a tattoo.", [HOURS], answer={"id": 5, "version": 1}
    )
    [sent] = fake_graph.sent_to(wa_id)
    assert sent["text"]["body"].startswith("It is *not* a tattoo.")
    [message_id] = fake_graph.ids_sent_to(wa_id)
    assert remembered_answer(wa_id, message_id) == (5, 1)


async def test_the_graph_api_message_id_is_returned(graph, fake_graph):
    wa_id = new_wa_id()
    message_id = await graph.send(wa_id, {"type": "text", "text": {"body": "x"}}, "r")
    assert message_id == fake_graph.ids_sent_to(wa_id)[0]
    assert message_id.startswith("wamid.")
