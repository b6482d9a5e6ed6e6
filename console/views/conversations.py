"""Conversations: the list with filters, and one conversation turn by turn."""

from __future__ import annotations

import unicodedata

from flask import Blueprint, abort, render_template, request

from console.dates import DateRange
from console.events import ConversationFilter, known_intents, list_conversations
from console.requests_data import conversations_with_requests, requests_for_conversation
from console.turns import build_turns
from console.views.common import db_session, page_number, settings
from smp.conversations import conversation_events

blueprint = Blueprint("conversations", __name__)
MAX_QUERY_LENGTH = 200


def search_query(raw: str) -> tuple[str, str | None]:
    """The search box's text, cleaned, and a note for staff when it was cut.

    Control characters go (PostgreSQL refuses a NUL in text), spaces are
    collapsed, and only the first `MAX_QUERY_LENGTH` characters are searched.
    """
    printable = "".join(" " if unicodedata.category(c) == "Cc" else c for c in raw)
    query = " ".join(printable.split())
    if len(query) <= MAX_QUERY_LENGTH:
        return query, None
    return query[:MAX_QUERY_LENGTH].rstrip(), (
        f"Searched for the first {MAX_QUERY_LENGTH} characters of what you typed."
    )


@blueprint.route("/conversations")
def index():
    config = settings()
    query, query_note = search_query(request.args.get("q", ""))
    filters = ConversationFilter(
        query=query,
        dates=DateRange.from_args(request.args),
        intent=request.args.get("intent", "").strip(),
        fallback_only=request.args.get("fallback") == "1",
        staff_tests=request.args.get("source") == "staff",
    )
    with db_session() as session:
        page = list_conversations(
            session,
            filters,
            page=page_number(),
            page_size=config.page_size,
            staff_prefix=config.test_sender_prefix,
        )
        intents = known_intents(session, config.test_sender_prefix)
        requests = conversations_with_requests(
            session, [c.sender_id for c in page.items]
        )
    args = {key: value for key, value in request.args.items() if key != "page"}
    return render_template(
        "conversations.html",
        page=page,
        filters=filters,
        intents=intents,
        requests=requests,
        args=args,
        query_note=query_note,
    )


@blueprint.route("/conversations/<path:conversation_id>")
def detail(conversation_id: str):
    with db_session() as session:
        events = conversation_events(session, conversation_id)
        requests = requests_for_conversation(session, conversation_id)
    if not events and not requests:
        abort(404, description="No conversation with that id.")
    turns = build_turns(events)
    return render_template(
        "conversation.html",
        conversation_id=conversation_id,
        turns=turns,
        requests=requests,
        is_staff_test=conversation_id.startswith(settings().test_sender_prefix),
        started=events[0].get("timestamp") if events else None,
        ended=events[-1].get("timestamp") if events else None,
    )
