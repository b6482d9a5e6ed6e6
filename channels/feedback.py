"""The widget's "Was this helpful?" votes: `POST /webhooks/feedback/answers`.

A vote is `{session_id, token, answer_id, version, helpful, comment?}` as JSON.
It is guarded like the widget's chat:

- only pages from `WIDGET_ALLOWED_ORIGINS` may send it (channels/callers.py);
- the conversation's token (channels/tokens.py) must come with its id, so a
  visitor votes only in their own conversation (401 without it);
- the answer and version must be one the assistant served in that
  conversation, read from the tracker store (404 otherwise), which also gives
  the question the answer followed;
- it counts against the conversation's and the address's rate limits
  (channels/guard.py; 429 with `Retry-After`);
- the body is at most `MAX_BODY_BYTES` (413) and the comment at most
  `repository.MAX_FEEDBACK_COMMENT` characters (400).

Stored votes (one per conversation, answer and version; voting again changes
it) feed the console's helpfulness view and, when unhelpful, its review of
unanswered questions.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.shared.core.events import SlotSet, UserUttered
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy.exc import SQLAlchemyError

from channels.bodies import BodyError
from channels.callers import OriginPolicy, caller_of
from channels.guard import ChannelGuard, shared_guard
from channels.rest import OriginCheckedBlueprint, error, read_body
from channels.spec import ChannelSpec
from channels.tokens import ConversationSigner, session_signer
from smp import repository
from smp.db import session_scope
from smp.settings import get_settings

# Always on, next to the widget's channel.
CHANNEL = ChannelSpec(
    name="Answer feedback", credentials_key=f"{__name__}.FeedbackInput"
)
# A vote is a few hundred bytes; a comment of the longest allowed length in
# multi-byte characters still fits.
MAX_BODY_BYTES = 8192
SERVED_ANSWER_SLOT = "served_answer"

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Vote:
    """A vote as the widget sent it, its fields checked."""

    conversation_id: str
    token: str
    answer_id: int
    version: int
    helpful: bool
    comment: str


def parse_vote(body: bytes) -> Vote:
    """The vote in a request body.

    Raises:
        BodyError: not a JSON object with the fields of a vote, or a comment
            that is too long.
    """
    try:
        data = json.loads(body)
    except ValueError:
        raise BodyError(400, "the body is not JSON") from None
    if not isinstance(data, dict):
        raise BodyError(400, "the body must be a JSON object")
    conversation, token = data.get("session_id"), data.get("token", "")
    if not isinstance(conversation, str) or not conversation:
        raise BodyError(400, "`session_id` must be the conversation id")
    if not isinstance(token, str):
        raise BodyError(400, "`token` must be the conversation's token")
    numbers = [data.get("answer_id"), data.get("version")]
    if not all(type(n) is int and n > 0 for n in numbers):
        raise BodyError(400, "`answer_id` and `version` must be positive integers")
    if not isinstance(data.get("helpful"), bool):
        raise BodyError(400, "`helpful` must be true or false")
    comment = data.get("comment", "")
    if not isinstance(comment, str):
        raise BodyError(400, "`comment` must be text")
    if len(comment) > repository.MAX_FEEDBACK_COMMENT:
        raise BodyError(
            400,
            f"`comment` must be at most {repository.MAX_FEEDBACK_COMMENT} characters",
        )
    return Vote(
        conversation_id=conversation,
        token=token,
        answer_id=int(numbers[0]),
        version=int(numbers[1]),
        helpful=bool(data["helpful"]),
        comment=comment.strip(),
    )


def served_question(events: Any, answer_id: int, version: int) -> str | None:
    """The question the assistant answered with that answer version, if it did.

    None when the answer was never served in the conversation; "" when it was
    served after a button's payload rather than a typed question.
    """
    question = ""
    for event in events:
        if isinstance(event, UserUttered):
            text = (event.text or "").strip()
            if text and not text.startswith("/"):
                question = text
        elif isinstance(event, SlotSet) and event.key == SERVED_ANSWER_SLOT:
            served = event.value if isinstance(event.value, dict) else {}
            if (served.get("answer_id"), served.get("version")) == (
                answer_id,
                version,
            ):
                return question
    return None


class FeedbackInput(InputChannel):
    """Receives the widget's votes; sends nothing to the assistant."""

    signer: ConversationSigner | None = None
    guard: ChannelGuard | None = None

    @classmethod
    def name(cls) -> str:
        return "feedback"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> FeedbackInput:
        return cls()

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Blueprint:
        settings = get_settings()
        if self.signer is None:
            self.signer = session_signer()
        if self.guard is None:
            self.guard = shared_guard()
        signer, guard = self.signer, self.guard
        max_bytes = min(MAX_BODY_BYTES, settings.channel_limits.max_body_bytes)
        feedback = OriginCheckedBlueprint(
            OriginPolicy(settings.widget_allowed_origins), "smp_answer_feedback"
        )

        @feedback.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @feedback.route("/answers", methods=["POST"], stream=True)
        async def receive(request: Request) -> HTTPResponse:
            caller = caller_of(request)
            try:
                vote = parse_vote(await read_body(request, max_bytes))
            except BodyError as refused:
                guard.report(caller.address, f"feedback refused, {refused.reason}")
                code = "too_large" if refused.status == 413 else "bad_request"
                return error(refused.status, code, refused.reason)
            if not signer.verify(vote.conversation_id, vote.token):
                guard.report(caller.address, "feedback without the conversation token")
                return error(401, "unauthorised", "not this conversation's token")
            admission = await guard.admit(vote.conversation_id, caller, vote.comment)
            if admission.reason == "rate_limited":
                return error(
                    429,
                    "rate_limited",
                    admission.reply,
                    retry_after=admission.retry_after,
                    headers={"Retry-After": str(admission.retry_after)},
                )
            tracker = await request.app.ctx.agent.tracker_store.retrieve(
                vote.conversation_id
            )
            question = served_question(
                tracker.events if tracker else [], vote.answer_id, vote.version
            )
            if question is None:
                return error(
                    404, "not_served", "that answer was not given in this conversation"
                )
            stored = repository.FeedbackVote(
                conversation_id=vote.conversation_id,
                answer_id=vote.answer_id,
                answer_version=vote.version,
                helpful=vote.helpful,
                comment=vote.comment,
                question=question,
                channel="socketio",
            )
            try:
                saved = await asyncio.to_thread(save_vote, stored)
            except SQLAlchemyError as exc:
                logger.error("Could not store a vote: %s", type(exc).__name__)
                return error(503, "unavailable", "please try again later")
            if not saved:
                return error(404, "not_found", "no such answer version")
            return response.json({"status": "saved"})

        return feedback


def save_vote(vote: repository.FeedbackVote) -> bool:
    """Store a vote; False when the answer version does not exist."""
    with session_scope() as session:
        return repository.record_feedback(session, vote)
