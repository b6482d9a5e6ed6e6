"""The conversation list counts what visitors typed, on SQLite and PostgreSQL:
the widget's `/greet` and button clicks are no typed messages."""

from __future__ import annotations

import pytest
from console_support import Said, record_conversation

from console.events import ConversationFilter, list_conversations
from smp.db import session_scope

pytestmark = pytest.mark.parametrize(
    "database_url", ["sqlite", "postgresql"], indirect=True
)


def typed_counts(database_url: str) -> dict[str, int]:
    with session_scope(database_url) as session:
        page = list_conversations(session, ConversationFilter(), staff_prefix="staff-")
    return {row.sender_id: row.user_messages for row in page.items}


def test_payloads_are_not_counted_as_typed_messages(database_url):
    record_conversation(
        database_url,
        "v-mixed",
        [
            Said("/greet", "greet"),
            Said('/faq_cost{"answer_detail": "3"}', "faq_cost"),
            Said("does it hurt?", "faq_pain"),
            Said("and how long does it last", "faq_longevity"),
        ],
    )
    record_conversation(database_url, "v-clicks-only", [Said("/greet", "greet")])
    # A conversation of clicks alone is still listed, with nothing typed.
    assert typed_counts(database_url) == {"v-mixed": 2, "v-clicks-only": 0}
