"""Fitting replies into WhatsApp's limits, and reading numbered replies."""

from __future__ import annotations

from channels.whatsapp_format import (
    CHOICE_PROMPT,
    TEXT_LIMIT,
    chosen_payload,
    fits_list,
    fits_reply_buttons,
    interactive_for,
    list_message,
    numbered_list,
    reply_buttons,
    split_text,
    to_whatsapp_markup,
)

SHORT = [
    {"title": "Does it hurt?", "payload": "/faq_pain"},
    {"title": "What does it cost?", "payload": "/faq_cost"},
]
BOOK = {"title": "Book a free consultation", "payload": "/book_consultation"}
SHORT_BOOK = {**BOOK, "short_title": "Book consultation"}


def test_up_to_three_short_buttons_fit_as_reply_buttons():
    assert fits_reply_buttons("Hello", SHORT)
    assert fits_reply_buttons("Hello", [*SHORT, {"title": "x" * 20, "payload": "/x"}])


def test_a_fourth_button_does_not_fit():
    four = [*SHORT, {"title": "A", "payload": "/a"}, {"title": "B", "payload": "/b"}]
    assert not fits_reply_buttons("Hello", four)


def test_a_title_longer_than_twenty_characters_does_not_fit():
    assert len(BOOK["title"]) > 20
    assert not fits_reply_buttons("Hello", [BOOK])


def test_a_short_title_stands_in_for_a_long_title():
    assert fits_reply_buttons("Hello", [*SHORT, SHORT_BOOK])
    titles = [
        b["reply"]["title"]
        for b in reply_buttons("Hello", [SHORT_BOOK])["action"]["buttons"]
    ]
    assert titles == ["Book consultation"]


def test_up_to_ten_buttons_with_titles_of_24_characters_fit_a_list():
    many = [{"title": f"Question {n}", "payload": f"/q{n}"} for n in range(9)]
    assert fits_list("Hello", [*many, BOOK])
    assert not fits_list("Hello", [*many, BOOK, {"title": "One more", "payload": "/x"}])
    assert not fits_list("Hello", [{"title": "x" * 25, "payload": "/x"}])


def test_buttons_go_as_reply_buttons_else_a_list_else_nothing():
    assert interactive_for("Hi", SHORT)["type"] == "button"
    assert interactive_for("Hi", [*SHORT, BOOK])["type"] == "list"
    rows = list_message("Hi", [*SHORT, BOOK])["action"]["sections"][0]["rows"]
    assert rows[-1] == {"id": "/book_consultation", "title": "Book a free consultation"}
    assert interactive_for("Hi", [{"title": "x" * 25, "payload": "/x"}]) is None


def test_a_body_longer_than_1024_characters_does_not_fit():
    assert fits_reply_buttons("x" * 1024, SHORT)
    assert not fits_reply_buttons("x" * 1025, SHORT)


def test_repeated_titles_or_empty_text_do_not_fit():
    assert not fits_reply_buttons("Hello", [SHORT[0], dict(SHORT[0])])
    assert not fits_reply_buttons("", SHORT)
    assert not fits_reply_buttons("Hello", [])


def test_reply_buttons_carry_the_payload_as_id():
    interactive = reply_buttons("Pick one", SHORT)
    assert interactive["type"] == "button"
    assert interactive["body"] == {"text": "Pick one"}
    assert interactive["action"]["buttons"][1] == {
        "type": "reply",
        "reply": {"id": "/faq_cost", "title": "What does it cost?"},
    }


def test_a_numbered_list_follows_the_text():
    text = numbered_list("Anything else?", [*SHORT, BOOK])
    assert text == (
        f"Anything else?\n\n{CHOICE_PROMPT}\n"
        "1. Does it hurt?\n2. What does it cost?\n3. Book a free consultation"
    )


def test_a_numbered_list_can_continue_earlier_numbering():
    assert numbered_list("More", [BOOK], start=4).endswith(
        "\n4. Book a free consultation"
    )


def test_a_typed_number_picks_that_option():
    options = [{"title": b["title"], "payload": b["payload"]} for b in [*SHORT, BOOK]]
    assert chosen_payload("3", options) == "/book_consultation"
    assert chosen_payload(" 1. ", options) == "/faq_pain"
    assert chosen_payload("2)", options) == "/faq_cost"


def test_other_text_or_numbers_out_of_range_pick_nothing():
    options = [{"title": "A", "payload": "/a"}]
    assert chosen_payload("2", options) is None
    assert chosen_payload("0", options) is None
    assert chosen_payload("1 please", options) is None
    assert chosen_payload("07700900123", options) is None
    assert chosen_payload("1", []) is None


def test_short_text_is_one_part():
    assert split_text("  Hello there.  ") == ["Hello there."]


def test_long_text_is_split_within_the_limit_without_losing_words():
    paragraph = " ".join(["scalp micropigmentation"] * 60)
    text = "\n\n".join([paragraph] * 8)
    assert len(text) > TEXT_LIMIT
    parts = split_text(text)
    assert len(parts) >= 2
    assert all(len(part) <= TEXT_LIMIT for part in parts)
    assert " ".join(" ".join(parts).split()) == " ".join(text.split())


def test_long_text_is_cut_at_a_paragraph_break_when_there_is_one():
    first, second = "a" * 3000, "b" * 3000
    assert split_text(f"{first}\n\n{second}") == [first, second]


def test_text_without_spaces_is_cut_hard_at_the_limit():
    parts = split_text("x" * (TEXT_LIMIT * 2 + 10))
    assert [len(part) for part in parts] == [TEXT_LIMIT, TEXT_LIMIT, 10]


def test_markdown_bold_becomes_whatsapp_bold():
    assert (
        to_whatsapp_markup("SMP does **not** grow hair") == "SMP does *not* grow hair"
    )
