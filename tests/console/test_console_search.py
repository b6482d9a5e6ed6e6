"""Searching conversations, on SQLite and PostgreSQL: literal, case-blind, and
never an error whatever staff type."""

from __future__ import annotations

import pytest
from console_support import Said, add_booking, add_handoff, record_conversation

from console.views.conversations import MAX_QUERY_LENGTH

pytestmark = pytest.mark.parametrize(
    "database_url", ["sqlite", "postgresql"], indirect=True
)


@pytest.fixture
def conversations(database_url: str) -> None:
    record_conversation(
        database_url, "v-discount", [Said("Any 50% off_deals?", "faq_cost")]
    )
    record_conversation(
        database_url, "v-irish", [Said("I'm O'Brien, \"Seán\"", "greet")]
    )
    record_conversation(
        database_url, "v-german", [Said("Tut es WEH? Grüße", "faq_pain")]
    )
    record_conversation(
        database_url, "v-booked", [Said("book me in", "book_consultation")]
    )
    add_booking(
        database_url, "v-booked", reference="BK-ABC123", email="Ana@Example.org"
    )
    record_conversation(database_url, "v-called", [Said("call me", "request_human")])
    add_handoff(database_url, "v-called", reference="CB-XYZ789")


def found(client, query: str) -> list[str]:
    response = client.get("/conversations", query_string={"q": query})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    return sorted(
        sender
        for sender in ("v-discount", "v-irish", "v-german", "v-booked", "v-called")
        if f'/conversations/{sender}"' in page
    )


@pytest.mark.usefixtures("conversations")
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("50%", ["v-discount"]),
        ("off_deals", ["v-discount"]),
        ("%", ["v-discount"]),
        ("_", ["v-discount"]),
        ("o'brien", ["v-irish"]),
        ('"Seán"', ["v-irish"]),
        ("tut es weh", ["v-german"]),
        ("Grüße", ["v-german"]),
        ("ana@example.ORG", ["v-booked"]),
        ("bk-abc123", ["v-booked"]),
        ("XYZ789", ["v-called"]),
        ("v-called", ["v-called"]),
        ("nobody said this", []),
    ],
)
def test_a_search_finds_exactly_the_conversations_that_hold_it(
    staff_client, query, expected
):
    assert found(staff_client, query) == expected


@pytest.mark.usefixtures("conversations")
@pytest.mark.parametrize(
    "query",
    ["\x00zz", "a\x00b", "\\", "\\%", "' OR 1=1 --", "Ω" * 10_000, "x" * 10_000],
    ids=[
        "nul",
        "inner nul",
        "backslash",
        "escaped percent",
        "quote",
        "10k greek",
        "10k",
    ],
)
def test_hostile_input_is_searched_as_text(staff_client, query):
    response = staff_client.get("/conversations", query_string={"q": query})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "No conversation matches" in page
    assert (f"first {MAX_QUERY_LENGTH} characters" in page) == (len(query) > 200)
