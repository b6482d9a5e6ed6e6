"""One reading of the answers' markdown, shared with the widget, per channel."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from smp import markup

# The same cases tests/widget/markup.test.mjs checks the widget's renderer with.
CASES = json.loads(
    (Path(__file__).parent.parent / "markup_cases.json").read_text(encoding="utf-8")
)


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_the_markdown_is_read_as_the_widget_reads_it(case):
    assert markup.tree(markup.parse(case["markdown"])) == case["tree"]


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_each_channel_gets_its_rendering(case):
    assert markup.to_html(case["markdown"]) == case["html"]
    assert markup.to_plain(case["markdown"]) == case["plain"]
    assert markup.to_whatsapp(case["markdown"]) == case["whatsapp"]


def test_plain_text_has_no_markdown_markers_left():
    text = "**Numbing cream:** *yes*, see [the guide](https://clinic.example/g)\n* one"
    plain = markup.to_plain(text)
    assert "*" not in plain and "[" not in plain
    assert plain == (
        "Numbing cream: yes, see the guide (https://clinic.example/g)\n- one"
    )


def test_html_never_lets_text_through_as_markup():
    html = markup.to_html('**<script>alert("x")</script>** [x](javascript:alert(1))')
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert "href" not in html


def test_a_message_is_one_bubble_per_paragraph():
    assert markup.bubbles("One\nline two\n\n- a\n- b\n\n\nLast ") == [
        "One\nline two",
        "- a\n- b",
        "Last",
    ]


@pytest.mark.parametrize(
    ("text", "href"),
    [
        ("+44 1244 555 010", "tel:+441244555010"),
        ("(555) 123-4567", "tel:5551234567"),
        ("2026-12-02", None),
        ("1800", None),
        ("1234 5678", None),
    ],
)
def test_phone_numbers_are_told_from_other_numbers(text, href):
    assert markup.phone_href(text) == href
