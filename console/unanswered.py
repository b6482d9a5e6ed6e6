"""Questions the assistant could not answer, grouped for staff review.

A visitor message counts as unanswered when it was classified `nlu_fallback` or
`out_of_scope`, or its top intent's confidence was below the threshold, or the
visitor marked the answer it got as not helpful ("Was this helpful?"). Messages
with the same text, or nearly the same, form one group. Staff assign a group to
an intent (it becomes training data in the NLU export) or dismiss it; either
way the decision is kept in `unanswered_reviews` and the group leaves the list.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from console.dates import DateRange
from console.events import UserMessage, user_messages
from console.models import UnansweredReview
from smp import repository
from smp.db import utcnow
from smp.topics import UNCLEAR_INTENTS

SIMILARITY = 0.88
DECISIONS = ("assigned", "dismissed")
_PUNCTUATION = re.compile(r"[^\w\s]", re.UNICODE)
_SPACES = re.compile(r"\s+")
# Intents that are never a useful training target.
_NOT_ASSIGNABLE = {"nlu_fallback"}
MAX_EXAMPLE_LENGTH = 500


def normalise(text: str) -> str:
    """Lower case, no punctuation, single spaces: `Does it HURT??` → `does it hurt`."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    text = text.replace("’", "'")
    text = _PUNCTUATION.sub(" ", text)
    return _SPACES.sub(" ", text).strip()[:MAX_EXAMPLE_LENGTH]


def similar(a: str, b: str, threshold: float = SIMILARITY) -> bool:
    """Whether two normalised texts are the same question, give or take a typo."""
    if a == b:
        return True
    # The cheap upper bounds of the ratio first (difflib's real_quick_ratio and
    # quick_ratio, without building a matcher): most pairs are nothing alike.
    total = len(a) + len(b)
    if not total or 2 * min(len(a), len(b)) / total < threshold:
        return False
    shared = sum((_letters(a) & _letters(b)).values())
    if 2 * shared / total < threshold:
        return False
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio() >= threshold


@lru_cache(maxsize=4096)
def _letters(text: str) -> Counter[str]:
    return Counter(text)


def is_unanswered(message: UserMessage, threshold: float) -> bool:
    return message.intent in UNCLEAR_INTENTS or message.confidence < threshold


@dataclass
class QuestionGroup:
    """Messages with the same or nearly the same text."""

    key: str  # normalised text of the first message: the group's representative
    messages: list[UserMessage] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.messages)

    @property
    def example(self) -> str:
        """The most frequent wording, as visitors typed it."""
        counts: dict[str, int] = {}
        for message in self.messages:
            counts[message.text] = counts.get(message.text, 0) + 1
        return max(counts, key=lambda text: (counts[text], -len(text)))

    @property
    def variants(self) -> list[str]:
        """Each distinct wording once, most frequent first."""
        seen: dict[str, int] = {}
        for message in self.messages:
            seen[message.text] = seen.get(message.text, 0) + 1
        return sorted(seen, key=lambda text: -seen[text])

    @property
    def normalised_texts(self) -> list[str]:
        return sorted({normalise(message.text) for message in self.messages})

    @property
    def first_at(self) -> float:
        return min(message.timestamp for message in self.messages)

    @property
    def last_at(self) -> float:
        return max(message.timestamp for message in self.messages)

    @property
    def conversations(self) -> int:
        return len({message.sender_id for message in self.messages})

    @property
    def intents(self) -> list[tuple[str, float]]:
        """The classifier's best real guesses (never "not understood"), with its
        best confidence for each."""
        best: dict[str, float] = {}
        for message in self.messages:
            if message.guess:
                best[message.guess] = max(
                    best.get(message.guess, 0.0), message.guess_confidence
                )
        return sorted(best.items(), key=lambda item: -item[1])


def group_messages(messages: Iterable[UserMessage]) -> list[QuestionGroup]:
    """Group messages by normalised text, joining near-duplicates."""
    exact: dict[str, QuestionGroup] = {}
    for message in messages:
        key = normalise(message.text)
        if not key:
            continue
        exact.setdefault(key, QuestionGroup(key)).messages.append(message)
    # Bigger groups absorb their near-duplicates first.
    groups: list[QuestionGroup] = []
    for candidate in sorted(exact.values(), key=lambda g: (-g.count, g.key)):
        for group in groups:
            if similar(group.key, candidate.key):
                group.messages.extend(candidate.messages)
                break
        else:
            groups.append(candidate)
    return groups


def decided_texts(session: Session) -> list[str]:
    return list(session.scalars(select(UnansweredReview.normalised_text)).all())


def unhelpfully_answered(
    session: Session, dates: DateRange = DateRange()
) -> list[UserMessage]:
    """Questions whose answer a visitor marked "not helpful", as review messages.

    Their intent is the one answered, with full confidence: the classifier was
    sure, the answer still did not help.
    """
    return [
        UserMessage(
            event_id=0,
            sender_id=question.conversation_id,
            timestamp=question.at.replace(tzinfo=dt.timezone.utc).timestamp(),
            text=question.question,
            intent=question.intent,
            confidence=1.0,
            guess=question.intent,
            guess_confidence=1.0,
        )
        for question in repository.unhelpful_questions(
            session, since=dates.start_utc, until=dates.end_utc
        )
    ]


def open_groups(
    session: Session,
    *,
    threshold: float,
    staff_prefix: str,
    dates: DateRange = DateRange(),
) -> list[QuestionGroup]:
    """Unanswered questions nobody has decided about yet, most frequent first."""
    decided = decided_texts(session)
    decided_set = set(decided)
    pending = []
    unclear = [
        message
        for message in user_messages(session, staff_prefix=staff_prefix, dates=dates)
        if is_unanswered(message, threshold)
    ]
    seen = {(message.sender_id, message.text) for message in unclear}
    unhelpful = [
        message
        for message in unhelpfully_answered(session, dates)
        if (message.sender_id, message.text) not in seen
    ]
    for message in unclear + unhelpful:
        key = normalise(message.text)
        if key in decided_set or any(similar(key, done) for done in decided):
            continue
        pending.append(message)
    groups = group_messages(pending)
    return sorted(groups, key=lambda g: (-g.count, -g.last_at))


def find_group(groups: Sequence[QuestionGroup], key: str) -> QuestionGroup | None:
    return next((group for group in groups if group.key == key), None)


def decide(
    session: Session,
    group: QuestionGroup,
    *,
    decision: str,
    staff: str,
    intent: str | None = None,
) -> int:
    """Record a decision for every distinct wording in the group.

    Returns:
        How many wordings were recorded.
    """
    if decision not in DECISIONS:
        raise ValueError(f"decision must be one of {', '.join(DECISIONS)}")
    if decision == "assigned" and not intent:
        raise ValueError("Choose the intent these questions belong to.")
    recorded = 0
    now = utcnow()
    wordings: dict[str, str] = {}
    for message in group.messages:
        wordings.setdefault(normalise(message.text), message.text)
    for key, example in wordings.items():
        review = session.scalars(
            select(UnansweredReview).where(UnansweredReview.normalised_text == key)
        ).first()
        if review is None:
            review = UnansweredReview(normalised_text=key)
            session.add(review)
        review.example_text = example[:MAX_EXAMPLE_LENGTH]
        review.decision = decision
        review.intent = intent if decision == "assigned" else None
        review.decided_by = staff
        review.decided_at = now
        recorded += 1
    session.flush()
    return recorded


@dataclass(frozen=True)
class ReviewView:
    id: int
    example_text: str
    decision: str
    intent: str | None
    decided_by: str
    decided_at: dt.datetime


def recent_decisions(session: Session, limit: int = 50) -> list[ReviewView]:
    rows = session.scalars(
        select(UnansweredReview)
        .order_by(UnansweredReview.decided_at.desc(), UnansweredReview.id.desc())
        .limit(limit)
    ).all()
    return [
        ReviewView(
            r.id, r.example_text, r.decision, r.intent, r.decided_by, r.decided_at
        )
        for r in rows
    ]


def reopen(session: Session, review_id: int) -> bool:
    """Forget a decision, so its question shows in the open list again."""
    review = session.get(UnansweredReview, review_id)
    if review is None:
        return False
    session.delete(review)
    return True


def assigned_examples(session: Session) -> dict[str, list[str]]:
    """Assigned wordings by intent, for the NLU export."""
    rows = session.execute(
        select(UnansweredReview.intent, UnansweredReview.example_text)
        .where(UnansweredReview.decision == "assigned")
        .order_by(UnansweredReview.intent, UnansweredReview.example_text)
    ).all()
    examples: dict[str, list[str]] = {}
    for intent, text in rows:
        examples.setdefault(intent, []).append(text)
    return examples


def _example_line(text: str) -> str:
    # One line per example; Rasa reads the block literally, so only line
    # breaks need removing.
    return " ".join(text.split())


def nlu_yaml(examples: dict[str, list[str]]) -> str:
    """Training examples in Rasa's NLU format (`version: "3.1"`)."""
    lines = ['version: "3.1"', "nlu:"]
    for intent in sorted(examples):
        texts = sorted({_example_line(t) for t in examples[intent] if t.strip()})
        if not texts:
            continue
        lines.append(f"- intent: {intent}")
        lines.append("  examples: |")
        lines.extend(f"    - {text}" for text in texts)
    if len(lines) == 2:
        lines[-1] = "nlu: []"
    return "\n".join(lines) + "\n"


@lru_cache(maxsize=4)
def _domain_intents(path: str, mtime: float) -> tuple[str, ...]:
    raw = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    names = []
    for entry in raw.get("intents") or []:
        # An intent is either a name or a one-key mapping with its options.
        name = next(iter(entry)) if isinstance(entry, dict) else entry
        names.append(str(name))
    return tuple(names)


def domain_intents(domain_file: Path) -> list[str]:
    """The intents declared in domain.yml that questions may be assigned to."""
    try:
        mtime = domain_file.stat().st_mtime
    except OSError:
        return []
    return [
        name
        for name in _domain_intents(str(domain_file), mtime)
        if name not in _NOT_ASSIGNABLE
    ]
