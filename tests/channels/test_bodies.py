"""REST bodies: every malformed shape is refused with its reason."""

from __future__ import annotations

import json

import pytest

from channels.bodies import (
    MAX_DEPTH,
    BodyError,
    RestMessage,
    nesting_depth,
    parse_message_body,
)

LIMIT = 64 * 1024


def parse(document) -> RestMessage:
    raw = document if isinstance(document, bytes) else json.dumps(document).encode()
    return parse_message_body(raw, LIMIT)


def test_a_well_formed_message_is_read():
    assert parse({"sender": "s1", "message": "hi", "metadata": {"a": 1}}) == (
        RestMessage("s1", "hi", {"a": 1})
    )
    assert parse({"sender": "s1", "message": ""}).text == ""


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"", "empty"),
        (b"   ", "empty"),
        (b"{not json", "not valid JSON"),
        (b"\xff\xfe", "not UTF-8"),
        (b"[]", "not a list"),
        (b'"hello"', "not a string"),
        (b"null", "not null"),
        (b"42", "not a number"),
        (b"[" * 1000 + b"]" * 1000, "nests deeper"),
        (
            json.dumps({"sender": "s", "message": "m", "metadata": {}}).encode()[:-1]
            + b',"x":'
            + b"[" * 1000
            + b"]" * 1000
            + b"}",
            "nests deeper",
        ),
        (json.dumps({"message": "hi"}).encode(), "`sender` is missing"),
        (json.dumps({"sender": "", "message": "hi"}).encode(), "`sender` is blank"),
        (json.dumps({"sender": 7, "message": "hi"}).encode(), "not a number"),
        (json.dumps({"sender": "a\nb", "message": "hi"}).encode(), "printable"),
        (json.dumps({"sender": "s" * 200, "message": "hi"}).encode(), "at most"),
        (json.dumps({"sender": "s"}).encode(), "`message` is missing"),
        (json.dumps({"sender": "s", "message": 5}).encode(), "not a number"),
        (json.dumps({"sender": "s", "message": ["a"]}).encode(), "not a list"),
        (json.dumps({"sender": "s", "message": None}).encode(), "not null"),
        (
            json.dumps({"sender": "s", "message": "m", "metadata": "x"}).encode(),
            "`metadata` must be an object",
        ),
    ],
)
def test_malformed_bodies_are_refused_with_400_and_a_reason(body, reason):
    with pytest.raises(BodyError) as refused:
        parse_message_body(body, LIMIT)
    assert refused.value.status == 400
    assert reason in refused.value.reason


def test_a_body_over_the_size_limit_is_413():
    with pytest.raises(BodyError) as refused:
        parse_message_body(b"x" * (LIMIT + 1), LIMIT)
    assert refused.value.status == 413


def test_nesting_depth_counts_lists_and_objects_and_stops_past_the_limit():
    assert nesting_depth("text") == 0
    assert nesting_depth({"a": [1, {"b": 2}]}) == 3
    deep: list = []
    for _ in range(10_000):
        deep = [deep]
    assert nesting_depth(deep) == MAX_DEPTH + 1
