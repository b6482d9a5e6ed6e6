"""Data functions over the clinic database.

Each function takes the caller's `session`; none opens, commits or closes one.
Callers (actions, console, tools) wrap a unit of work in `session_scope()`.
Results leave as plain dataclasses so nothing depends on a live session.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from smp.db import (
    REQUEST_STATUSES,
    Answer,
    AnswerFeedback,
    AnswerRevision,
    BookingRequest,
    HandoffRequest,
    utcnow,
)

# No 0/O or 1/I/L: references are read out over the phone.
_REFERENCE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


@dataclass(frozen=True)
class AnswerView:
    """A snapshot of one stored answer."""

    id: int
    intent: str
    entity: str
    entity_value: str
    topic: str
    question: str
    text: str
    related_intents: tuple[str, ...]
    version: int
    updated_by: str
    updated_at: dt.datetime

    @property
    def variant_label(self) -> str:
        return f"{self.entity}={self.entity_value}" if self.entity else ""

    @classmethod
    def of(cls, answer: Answer) -> AnswerView:
        return cls(
            id=answer.id,
            intent=answer.intent,
            entity=answer.entity or "",
            entity_value=answer.entity_value or "",
            topic=answer.topic,
            question=answer.question,
            text=answer.text,
            related_intents=tuple(answer.related_intents or ()),
            version=answer.version,
            updated_by=answer.updated_by,
            updated_at=answer.updated_at,
        )


@dataclass(frozen=True)
class Topic:
    """How an FAQ intent is named to visitors."""

    intent: str
    topic: str
    question: str


def find_answer(
    session: Session, intent: str, entities: Sequence[tuple[str, str]] = ()
) -> AnswerView | None:
    """The answer for `intent`, refined by the first entity that has a variant.

    Args:
        session: open database session.
        intent: FAQ intent name.
        entities: (entity, value) pairs in order of preference.

    Returns:
        The matching variant, else the base answer, else None.
    """
    rows = session.scalars(select(Answer).where(Answer.intent == intent)).all()
    by_key = {(row.entity or "", row.entity_value or ""): row for row in rows}
    for entity, value in entities:
        row = by_key.get((entity, str(value).lower()))
        if row is not None:
            return AnswerView.of(row)
    base = by_key.get(("", ""))
    return AnswerView.of(base) if base is not None else None


def topics(session: Session) -> dict[str, Topic]:
    """Plain-words topic and button question of every FAQ intent."""
    rows = session.execute(
        select(Answer.intent, Answer.topic, Answer.question).where(Answer.entity == "")
    ).all()
    return {intent: Topic(intent, topic, question) for intent, topic, question in rows}


def list_answers(session: Session) -> list[AnswerView]:
    """Every answer, base answers first within each intent."""
    rows = session.scalars(
        select(Answer).order_by(Answer.intent, Answer.entity, Answer.entity_value)
    ).all()
    return [AnswerView.of(row) for row in rows]


def get_answer(session: Session, answer_id: int) -> AnswerView | None:
    """One answer by id."""
    row = session.get(Answer, answer_id)
    return AnswerView.of(row) if row is not None else None


def answer_history(session: Session, answer_id: int) -> list[AnswerRevision]:
    """All versions of an answer, newest first."""
    return list(
        session.scalars(
            select(AnswerRevision)
            .where(AnswerRevision.answer_id == answer_id)
            .order_by(AnswerRevision.version.desc())
        ).all()
    )


def _record_revision(session: Session, answer: Answer) -> None:
    session.add(
        AnswerRevision(
            answer_id=answer.id,
            version=answer.version,
            text=answer.text,
            related_intents=list(answer.related_intents or []),
            topic=answer.topic,
            question=answer.question,
            edited_by=answer.updated_by,
            edited_at=answer.updated_at,
        )
    )


def update_answer(
    session: Session,
    answer_id: int,
    *,
    editor: str,
    text: str | None = None,
    related_intents: Iterable[str] | None = None,
    topic: str | None = None,
    question: str | None = None,
) -> AnswerView:
    """Change an answer, keeping the previous text as a revision.

    Raises:
        LookupError: no answer has that id.
        ValueError: the new text is empty.
    """
    answer = session.get(Answer, answer_id)
    if answer is None:
        raise LookupError(f"no answer {answer_id}")
    if text is not None:
        if not text.strip():
            raise ValueError("An answer cannot be empty.")
        answer.text = text.strip()
    if related_intents is not None:
        answer.related_intents = [i for i in related_intents if i != answer.intent]
    if topic is not None:
        answer.topic = topic.strip()
    if question is not None:
        answer.question = question.strip()
    answer.version += 1
    answer.updated_by = editor
    answer.updated_at = utcnow()
    session.flush()
    _record_revision(session, answer)
    session.flush()
    return AnswerView.of(answer)


def restore_answer_version(
    session: Session, answer_id: int, version: int, *, editor: str
) -> AnswerView:
    """Make an earlier version current again (as a new version)."""
    revision = session.scalars(
        select(AnswerRevision).where(
            AnswerRevision.answer_id == answer_id, AnswerRevision.version == version
        )
    ).first()
    if revision is None:
        raise LookupError(f"answer {answer_id} has no version {version}")
    return update_answer(
        session,
        answer_id,
        editor=editor,
        text=revision.text,
        related_intents=revision.related_intents,
        topic=revision.topic,
        question=revision.question,
    )


def upsert_content_answer(
    session: Session,
    *,
    intent: str,
    entity: str,
    entity_value: str,
    topic: str,
    question: str,
    text: str,
    related_intents: Sequence[str],
    force: bool,
    editor: str = "content-sync",
) -> str:
    """Load one answer from the content files.

    Answers that staff have edited in the console are kept unless `force`.

    Returns:
        "created", "updated", "unchanged" or "kept" (a staff edit was kept).
    """
    answer = session.scalars(
        select(Answer).where(
            Answer.intent == intent,
            Answer.entity == entity,
            Answer.entity_value == entity_value,
        )
    ).first()
    if answer is None:
        answer = Answer(
            intent=intent,
            entity=entity,
            entity_value=entity_value,
            topic=topic,
            question=question,
            text=text.strip(),
            related_intents=list(related_intents),
            version=1,
            updated_by=editor,
            updated_at=utcnow(),
        )
        session.add(answer)
        session.flush()
        _record_revision(session, answer)
        return "created"
    same = (
        answer.text == text.strip()
        and list(answer.related_intents or []) == list(related_intents)
        and answer.topic == topic
        and answer.question == question
    )
    if same:
        return "unchanged"
    if answer.updated_by != editor and not force:
        return "kept"
    update_answer(
        session,
        answer.id,
        editor=editor,
        text=text,
        related_intents=related_intents,
        topic=topic,
        question=question,
    )
    return "updated"


def new_reference(prefix: str) -> str:
    """A short, unambiguous reference such as `BK-7F3K9Q`."""
    body = "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(6))
    return f"{prefix}-{body}"


def submission_key(conversation_id: str, fields: Mapping[str, object]) -> str:
    """Stable hash of a conversation and the fields it submitted."""
    payload = json.dumps([conversation_id, fields], sort_keys=True, default=str)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class BookingDraft:
    """What the booking form collected, ready to store."""

    conversation_id: str
    channel: str
    name: str
    email: str | None
    phone: str | None
    preferred_time_text: str
    preferred_date: dt.date | None
    concern: str
    consent_given_at: dt.datetime


@dataclass(frozen=True)
class StoredRequest:
    """The outcome of storing a booking or handoff request."""

    id: int
    reference: str
    created: bool


def _store_once(
    session: Session, model: Any, key: str, values: dict[str, Any]
) -> StoredRequest:
    existing = session.scalars(select(model).where(model.submission_key == key)).first()
    if existing is not None:
        return StoredRequest(existing.id, existing.reference, created=False)
    row = model(
        submission_key=key, reference=new_reference(values.pop("prefix")), **values
    )
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        # A concurrent identical submit won the race: return its row.
        existing = session.scalars(
            select(model).where(model.submission_key == key)
        ).one()
        return StoredRequest(existing.id, existing.reference, created=False)
    return StoredRequest(row.id, row.reference, created=True)


def create_booking(session: Session, draft: BookingDraft) -> StoredRequest:
    """Store a booking request once; a repeated submit returns the first row."""
    fields = {
        "name": draft.name,
        "email": draft.email,
        "phone": draft.phone,
        "preferred_time_text": draft.preferred_time_text,
        "concern": draft.concern,
    }
    key = submission_key(draft.conversation_id, fields)
    return _store_once(
        session,
        BookingRequest,
        key,
        {
            "prefix": "BK",
            "conversation_id": draft.conversation_id,
            "channel": draft.channel,
            "preferred_date": draft.preferred_date,
            "consent_given_at": draft.consent_given_at,
            **fields,
        },
    )


@dataclass(frozen=True)
class HandoffDraft:
    """A request to talk to a person, ready to store."""

    conversation_id: str
    channel: str
    name: str | None
    email: str | None
    phone: str | None
    topic: str
    reply_expected_at: dt.datetime | None


def create_handoff(session: Session, draft: HandoffDraft) -> StoredRequest:
    """Store a handoff request once per conversation while it is still open."""
    open_row = session.scalars(
        select(HandoffRequest).where(
            HandoffRequest.conversation_id == draft.conversation_id,
            HandoffRequest.status == "new",
        )
    ).first()
    if open_row is not None:
        # Keep the newest contact details on the request staff will act on.
        open_row.email = draft.email or open_row.email
        open_row.phone = draft.phone or open_row.phone
        open_row.name = draft.name or open_row.name
        open_row.updated_at = utcnow()
        return StoredRequest(open_row.id, open_row.reference, created=False)
    fields = {"email": draft.email, "phone": draft.phone, "name": draft.name}
    key = submission_key(draft.conversation_id, {**fields, "at": utcnow().isoformat()})
    return _store_once(
        session,
        HandoffRequest,
        key,
        {
            "prefix": "CB",
            "conversation_id": draft.conversation_id,
            "channel": draft.channel,
            "topic": draft.topic,
            "reply_expected_at": draft.reply_expected_at,
            **fields,
        },
    )


def set_request_status(
    session: Session,
    model: type[BookingRequest] | type[HandoffRequest],
    request_id: int,
    status: str,
    note: str | None = None,
) -> None:
    """Move a booking or handoff request along new → contacted → booked → closed."""
    if status not in REQUEST_STATUSES:
        raise ValueError(f"status must be one of {', '.join(REQUEST_STATUSES)}")
    row = session.get(model, request_id)
    if row is None:
        raise LookupError(f"no request {request_id}")
    row.status = status
    if note is not None:
        row.staff_note = note
    row.updated_at = utcnow()


def conversations_for_contact(session: Session, contact: str) -> set[str]:
    """Conversation ids of every request that used this email or phone."""
    contact = contact.strip()
    ids: set[str] = set()
    for model in (BookingRequest, HandoffRequest):
        ids.update(
            session.scalars(
                select(model.conversation_id).where(
                    or_(
                        func.lower(model.email) == contact.lower(),
                        model.phone == contact,
                    )
                )
            ).all()
        )
    return ids


def delete_requests_for_conversations(
    session: Session, conversation_ids: Iterable[str]
) -> int:
    """Delete every booking and handoff request of these conversations."""
    ids = list(conversation_ids)
    removed = 0
    for model in (BookingRequest, HandoffRequest):
        rows = session.scalars(
            select(model).where(model.conversation_id.in_(ids))
        ).all()
        for row in rows:
            session.delete(row)
        removed += len(rows)
    return removed


# -- "Was this helpful?" --------------------------------------------------------

MAX_FEEDBACK_COMMENT = 1000
MAX_FEEDBACK_QUESTION = 500


@dataclass(frozen=True)
class FeedbackVote:
    """A visitor's vote on one version of an answer, as the channel received it."""

    conversation_id: str
    answer_id: int
    answer_version: int
    helpful: bool
    comment: str = ""
    question: str = ""
    channel: str = ""


def record_feedback(session: Session, vote: FeedbackVote) -> bool:
    """Store `vote`, replacing this conversation's earlier vote on that version.

    A later vote without a comment keeps the comment given before.

    Returns:
        False (nothing stored) when the answer or that version does not exist.
    """
    answer = session.get(Answer, vote.answer_id)
    if answer is None or not 1 <= vote.answer_version <= answer.version:
        return False
    key = (
        AnswerFeedback.conversation_id == vote.conversation_id,
        AnswerFeedback.answer_id == vote.answer_id,
        AnswerFeedback.answer_version == vote.answer_version,
    )
    row = session.scalars(select(AnswerFeedback).where(*key)).first()
    if row is None:
        row = AnswerFeedback(
            conversation_id=vote.conversation_id,
            answer_id=vote.answer_id,
            answer_version=vote.answer_version,
            helpful=vote.helpful,
            comment="",
            question=vote.question[:MAX_FEEDBACK_QUESTION],
            channel=vote.channel,
        )
        try:
            with session.begin_nested():
                session.add(row)
                session.flush()
        except IntegrityError:  # the same visitor's other tab, just now
            row = session.scalars(select(AnswerFeedback).where(*key)).one()
    row.helpful = vote.helpful
    if vote.comment.strip():
        row.comment = vote.comment.strip()[:MAX_FEEDBACK_COMMENT]
    row.updated_at = utcnow()
    session.flush()
    return True


@dataclass(frozen=True)
class Helpfulness:
    """The votes on one version of one answer."""

    answer_id: int
    intent: str
    variant: str
    version: int
    current_version: int
    helpful: int
    unhelpful: int
    comments: tuple[str, ...]

    @property
    def votes(self) -> int:
        return self.helpful + self.unhelpful

    @property
    def helpful_share(self) -> float:
        """Helpful votes as a share of all votes (0 without votes)."""
        return self.helpful / self.votes if self.votes else 0.0


def helpfulness(session: Session, comments_per_version: int = 5) -> list[Helpfulness]:
    """Votes per answer and version, answers in intent order, newest version first."""
    counts = session.execute(
        select(
            AnswerFeedback.answer_id,
            AnswerFeedback.answer_version,
            func.sum(case((AnswerFeedback.helpful.is_(True), 1), else_=0)),
            func.sum(case((AnswerFeedback.helpful.is_(False), 1), else_=0)),
        ).group_by(AnswerFeedback.answer_id, AnswerFeedback.answer_version)
    ).all()
    if not counts:
        return []
    answers = {
        row.id: row
        for row in session.scalars(
            select(Answer).where(Answer.id.in_({answer_id for answer_id, *_ in counts}))
        )
    }
    comments: dict[tuple[int, int], list[str]] = {}
    for answer_id, version, comment in session.execute(
        select(
            AnswerFeedback.answer_id,
            AnswerFeedback.answer_version,
            AnswerFeedback.comment,
        )
        .where(AnswerFeedback.comment != "")
        .order_by(AnswerFeedback.updated_at.desc(), AnswerFeedback.id.desc())
    ):
        kept = comments.setdefault((answer_id, version), [])
        if len(kept) < comments_per_version:
            kept.append(comment)
    rows = [
        Helpfulness(
            answer_id=answer_id,
            intent=answers[answer_id].intent,
            variant=AnswerView.of(answers[answer_id]).variant_label,
            version=version,
            current_version=answers[answer_id].version,
            helpful=int(helpful or 0),
            unhelpful=int(unhelpful or 0),
            comments=tuple(comments.get((answer_id, version), ())),
        )
        for answer_id, version, helpful, unhelpful in counts
        if answer_id in answers
    ]
    return sorted(rows, key=lambda r: (r.intent, r.variant, -r.version))


@dataclass(frozen=True)
class UnhelpfulQuestion:
    """A question whose answer a visitor marked as not helpful."""

    feedback_id: int
    conversation_id: str
    question: str
    intent: str
    at: dt.datetime


def unhelpful_questions(
    session: Session,
    *,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
) -> list[UnhelpfulQuestion]:
    """Questions answered unhelpfully, oldest first (for the review queue)."""
    query = (
        select(AnswerFeedback, Answer.intent)
        .join(Answer, Answer.id == AnswerFeedback.answer_id)
        .where(AnswerFeedback.helpful.is_(False), AnswerFeedback.question != "")
        .order_by(AnswerFeedback.created_at, AnswerFeedback.id)
    )
    if since is not None:
        query = query.where(AnswerFeedback.created_at >= since)
    if until is not None:
        query = query.where(AnswerFeedback.created_at < until)
    return [
        UnhelpfulQuestion(
            row.id, row.conversation_id, row.question, intent, row.created_at
        )
        for row, intent in session.execute(query)
    ]
