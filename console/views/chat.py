"""Test chat: staff talk to the assistant and see how each message was understood."""

from __future__ import annotations

import logging
import uuid

from flask import Blueprint, jsonify, render_template, request, url_for
from flask import session as cookie

from console.answer_editing import message_html
from console.rasa_client import AssistantUnavailable
from console.turns import build_turns
from console.views.common import rasa, settings

blueprint = Blueprint("chat", __name__)
log = logging.getLogger("console.chat")
MAX_MESSAGE_LENGTH = 1000


def _conversation_id(new: bool = False) -> str:
    """This staff session's test conversation id (prefixed, so analytics skip it)."""
    if new or not cookie.get("test_sender"):
        cookie["test_sender"] = (
            f"{settings().test_sender_prefix}{uuid.uuid4().hex[:16]}"
        )
    return cookie["test_sender"]


def _for_browser(turn: dict) -> dict:
    """A turn for the chat script: replies as safe HTML, a link to the answer."""
    served = turn.get("served_answer")
    if served and served.get("answer_id"):
        served["edit_url"] = url_for("answers.edit", answer_id=served["answer_id"])
    for reply in turn["replies"]:
        reply["html"] = str(message_html(reply["text"]))
    return turn


@blueprint.route("/chat")
def page():
    sender = _conversation_id()
    turns = []
    try:
        turns = build_turns(rasa().tracker(sender).get("events") or [])
    except AssistantUnavailable:
        turns = []
    return render_template("chat.html", sender=sender, turns=turns)


@blueprint.route("/api/chat/messages", methods=["POST"])
def send():
    payload = request.get_json(silent=True) or {}
    text = str(payload.get("text") or "").strip()
    if not text:
        return jsonify(error="Type a message first."), 400
    if len(text) > MAX_MESSAGE_LENGTH:
        return jsonify(error=f"At most {MAX_MESSAGE_LENGTH} characters."), 400
    sender = _conversation_id()
    client = rasa()
    try:
        client.send(sender, text)
        events = client.tracker(sender).get("events") or []
    except AssistantUnavailable as problem:
        log.warning("Assistant unavailable for the test chat: %s", problem)
        return jsonify(
            error="The assistant is not reachable. Is the Rasa server running?"
        ), 502
    turns = [turn for turn in build_turns(events) if turn.from_visitor]
    turn = _for_browser(turns[-1].as_dict()) if turns else None
    return jsonify(conversation_id=sender, turn=turn)


@blueprint.route("/api/chat/reset", methods=["POST"])
def reset():
    return jsonify(conversation_id=_conversation_id(new=True))
