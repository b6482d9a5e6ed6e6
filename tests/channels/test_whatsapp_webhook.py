"""Checking Meta's webhook requests and reading the messages they carry."""

from __future__ import annotations

import pytest
from whatsapp_payloads import (
    PHONE_NUMBER_ID,
    button_reply,
    delivery,
    image_message,
    list_reply,
    reaction,
    sign,
    status_update,
    template_button,
    text_message,
)

from channels.whatsapp import (
    IncomingMessage,
    Reaction,
    parse_reactions,
    parse_webhook,
    valid_signature,
    verification_challenge,
)

SECRET = "app-secret"  # noqa: S105
BODY = b'{"object":"whatsapp_business_account","entry":[]}'


def test_a_body_signed_with_the_app_secret_is_valid():
    assert valid_signature(BODY, sign(BODY, SECRET), SECRET)


def test_a_signature_made_with_another_secret_is_invalid():
    assert not valid_signature(BODY, sign(BODY, "other-secret"), SECRET)


def test_a_signature_of_another_body_is_invalid():
    assert not valid_signature(BODY + b" ", sign(BODY, SECRET), SECRET)


def test_missing_or_malformed_signatures_are_invalid():
    digest = sign(BODY, SECRET).removeprefix("sha256=")
    assert not valid_signature(BODY, None, SECRET)
    assert not valid_signature(BODY, "", SECRET)
    assert not valid_signature(BODY, digest, SECRET)
    assert not valid_signature(BODY, "sha1=" + digest, SECRET)
    assert not valid_signature(BODY, "sha256=é" + digest[1:], SECRET)


def test_the_handshake_echoes_the_challenge_for_the_right_token():
    args = {"hub.mode": "subscribe", "hub.verify_token": "vt", "hub.challenge": "123"}
    assert verification_challenge(args, "vt") == "123"


def test_the_handshake_is_refused_for_a_wrong_token_or_mode():
    args = {"hub.mode": "subscribe", "hub.verify_token": "no", "hub.challenge": "1"}
    assert verification_challenge(args, "vt") is None
    assert (
        verification_challenge(
            {**args, "hub.verify_token": "vt", "hub.mode": "x"}, "vt"
        )
        is None
    )
    assert (
        verification_challenge({"hub.mode": "subscribe", "hub.challenge": "1"}, "vt")
        is None
    )


def test_a_text_message_is_read_as_typed_text():
    payload = text_message("447700900123", "does it hurt?", message_id="wamid.A")
    assert parse_webhook(payload, PHONE_NUMBER_ID) == [
        IncomingMessage("wamid.A", "447700900123", "does it hurt?", typed=True)
    ]


def test_button_list_and_template_replies_are_read_as_their_payloads():
    for payload in (
        button_reply("447700900123", "/faq_cost"),
        list_reply("447700900123", "/faq_cost"),
        template_button("447700900123", "/faq_cost"),
    ):
        [message] = parse_webhook(payload, PHONE_NUMBER_ID)
        assert (message.text, message.typed) == ("/faq_cost", False)


def test_media_messages_have_no_text_to_read():
    [message] = parse_webhook(image_message("447700900123"), PHONE_NUMBER_ID)
    assert message.text is None


def test_statuses_and_reactions_carry_no_message():
    reaction = delivery(
        [
            {
                "from": "447700900123",
                "id": "wamid.R",
                "type": "reaction",
                "reaction": {"message_id": "wamid.X", "emoji": "👍"},
            }
        ]
    )
    assert parse_webhook(status_update("447700900123"), PHONE_NUMBER_ID) == []
    assert parse_webhook(reaction, PHONE_NUMBER_ID) == []


def test_a_reaction_is_read_with_the_message_it_rates():
    payload = reaction("447700900123", "wamid.SENT", "👍", message_id="wamid.R")
    assert parse_reactions(payload, PHONE_NUMBER_ID) == [
        Reaction("wamid.R", "447700900123", "wamid.SENT", "👍")
    ]
    assert parse_reactions(text_message("447700900123", "hi"), PHONE_NUMBER_ID) == []


@pytest.mark.parametrize(
    ("emoji", "vote"),
    [
        ("👍", True),
        ("👍🏽", True),  # skin tone
        ("👍🏿", True),
        ("\U0001f44d\ufe0f", True),  # variation selector
        ("👎", False),
        ("👎🏻", False),
        ("❤️", None),
        ("😂", None),
        ("👍👍", None),
        ("", None),  # a reaction taken back
        ("thumbs up", None),
    ],
)
def test_only_thumbs_up_and_down_are_votes(emoji, vote):
    assert Reaction("wamid.R", "4477", "wamid.SENT", emoji).vote is vote


def test_malformed_reactions_are_left_out():
    shapes = [
        {"type": "reaction"},
        {"type": "reaction", "from": "4477", "id": "wamid.R", "reaction": "👍"},
        {"type": "reaction", "from": "4477", "id": "wamid.R", "reaction": {}},
        {
            "type": "reaction",
            "from": 4477,
            "id": "wamid.R",
            "reaction": {"message_id": "wamid.X", "emoji": "👍"},
        },
        {
            "type": "reaction",
            "from": "4477",
            "id": "wamid.R",
            "reaction": {"message_id": "wamid.X", "emoji": ["👍"]},
        },
        "reaction",
        None,
    ]
    assert parse_reactions(delivery(shapes), PHONE_NUMBER_ID) == []
    assert parse_reactions({"entry": [{"changes": ["x"]}]}, PHONE_NUMBER_ID) == []
    assert parse_reactions("not a delivery", PHONE_NUMBER_ID) == []


def test_reactions_for_another_phone_number_are_left_out():
    payload = reaction("447700900123", "wamid.SENT", "👍")
    payload["entry"][0]["changes"][0]["value"]["metadata"]["phone_number_id"] = "999"
    assert parse_reactions(payload, PHONE_NUMBER_ID) == []


def test_messages_to_another_phone_number_are_left_out():
    payload = text_message("447700900123", "hi")
    payload["entry"][0]["changes"][0]["value"]["metadata"]["phone_number_id"] = "999"
    assert parse_webhook(payload, PHONE_NUMBER_ID) == []


def test_malformed_deliveries_carry_no_message():
    assert parse_webhook([], PHONE_NUMBER_ID) == []
    assert parse_webhook({"entry": [{"changes": [{"field": "messages"}]}]}, "1") == []
    assert parse_webhook(delivery([{"type": "text"}]), PHONE_NUMBER_ID) == []
