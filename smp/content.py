"""Load the clinic's approved answers from `content/answers.yml` into the database.

Medical referral lines ("safety lines") are written once, under `referrals:`, and
an answer lists the ones it needs under `safety:`. A variant inherits its base
answer's safety lines, so a line cannot drop out when a variant replaces the
default text; a variant may add more with `extra_safety:`, or replace them with
its own `safety:` only together with a `safety_reason:`. The stored text is the
answer followed by its safety lines, so everything that reads answers from the
database shows them without knowing about this file's structure.

Every answer opens with a short, direct answer (`short:`, one paragraph of at
most `MAX_SHORT_WORDS` words), stored as the first paragraph of the text; the
rest (`text:` and the safety lines) is the detail a visitor gets on "Tell me
more". `answer_parts()` splits a stored answer back into the two.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy.orm import Session

from smp.repository import upsert_content_answer
from smp.topics import FAQ_INTENTS

# The first message of an answer fits a phone screen with its buttons.
MAX_SHORT_WORDS = 60
# Buttons under one message: all in view on a phone, and WhatsApp's limit.
MAX_BUTTONS = 3
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")
_PLACEHOLDER = re.compile(r"\{[a-z_]+\}")
_WORD = re.compile(r"\w+(?:['’]\w+)*")


@dataclass(frozen=True)
class AnswerParts:
    """A stored answer as the visitor receives it: the short answer, then more."""

    short: str
    detail: str


def answer_parts(text: str) -> AnswerParts:
    """The first paragraph of `text` (the short answer) and the rest (the detail)."""
    parts = _PARAGRAPH_BREAK.split(text.strip(), maxsplit=1)
    return AnswerParts(parts[0].strip(), parts[1].strip() if len(parts) > 1 else "")


def join_parts(short: str, detail: str) -> str:
    """The stored text of an answer made of `short` and `detail`."""
    return "\n\n".join(part for part in (short.strip(), detail.strip()) if part)


def follow_ups(
    related: Sequence[str],
    *,
    detail: bool,
    has_detail: bool,
    book: bool,
    taken: int = 0,
) -> list[str]:
    """The follow-up questions offered under one message of an answer.

    The short answer leads with the first ones, next to "Tell me more" (when
    there is more) and the booking button (when offered), after `taken`
    buttons already used; the detail brings the rest.
    """
    first = MAX_BUTTONS - int(has_detail) - int(book)
    if detail:
        return (list(related[first:]) or list(related))[: MAX_BUTTONS - int(book)]
    return list(related[: max(first - taken, 0)])


def word_count(text: str) -> int:
    """Words as a reader counts them; a placeholder counts as one."""
    return len(_WORD.findall(_PLACEHOLDER.sub("x", text)))


@dataclass(frozen=True)
class ContentAnswer:
    """One answer as written in the content file.

    `text` is the full answer as it is stored and shown: `short` as its first
    paragraph, then the detail, ending with `safety`.
    """

    intent: str
    entity: str
    entity_value: str
    topic: str
    question: str
    text: str
    related_intents: tuple[str, ...]
    safety: tuple[str, ...] = ()
    short: str = ""


def _short(entry: Mapping[str, Any], where: str) -> str:
    """An entry's short answer: one paragraph, or "" when it has none."""
    short = " ".join(str(entry.get("short") or "").split())
    if _PARAGRAPH_BREAK.search(str(entry.get("short") or "").strip()):
        raise ValueError(f"{where}: `short` must be a single paragraph")
    return short


def with_safety(text: str, safety: tuple[str, ...]) -> str:
    """The answer as shown: its text, then its safety lines as a last paragraph."""
    text = text.strip()
    return "\n\n".join([text, "\n".join(safety)]) if safety else text


def _referrals(raw: object, path: Path) -> dict[str, str]:
    """The named referral lines that `safety` lists refer to."""
    if not isinstance(raw, Mapping):
        raise ValueError(f"{path}: `referrals` must map a name to a referral line")
    referrals = {str(name): str(line or "").strip() for name, line in raw.items()}
    empty = sorted(name for name, line in referrals.items() if not line)
    if empty:
        raise ValueError(f"{path}: referral {', '.join(empty)} has no text")
    return referrals


def _safety_lines(
    names: object, referrals: Mapping[str, str], where: str
) -> tuple[str, ...]:
    """The referral lines named by a `safety` or `extra_safety` list."""
    if not isinstance(names, list | tuple):
        raise ValueError(f"{where}: safety must be a list of referral names")
    unknown = [str(name) for name in names if name not in referrals]
    if unknown:
        raise ValueError(
            f"{where}: unknown referral {', '.join(unknown)} "
            f"(known: {', '.join(sorted(referrals))})"
        )
    return tuple(referrals[name] for name in names)


def _variant_safety(
    variant: Mapping[str, Any],
    inherited: tuple[str, ...],
    referrals: Mapping[str, str],
    where: str,
) -> tuple[str, ...]:
    """A variant's safety lines: its base's, plus any extra, unless replaced."""
    replaces = "safety" in variant
    reason = str(variant.get("safety_reason") or "").strip()
    if replaces and not reason:
        raise ValueError(
            f"{where}: a variant that replaces its base answer's safety lines "
            "needs a `safety_reason` saying why they do not apply"
        )
    if reason and not replaces:
        raise ValueError(f"{where}: `safety_reason` given but no `safety` list")
    if replaces:
        lines = _safety_lines(variant.get("safety") or [], referrals, where)
    else:
        lines = inherited
    extra = _safety_lines(variant.get("extra_safety") or [], referrals, where)
    # dict keeps the first occurrence of each line, in order
    return tuple(dict.fromkeys(lines + extra))


def load_content(path: Path) -> list[ContentAnswer]:
    """Read and check the answers file.

    Raises:
        ValueError: an entry is incomplete, names an unknown intent or referral,
            or a variant drops its base answer's safety lines without a reason.
    """
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    referrals = _referrals(raw.get("referrals") or {}, path)
    answers: list[ContentAnswer] = []
    for entry in raw.get("answers", []):
        intent = entry.get("intent")
        if intent not in FAQ_INTENTS:
            raise ValueError(f"{path}: unknown FAQ intent {intent!r}")
        text = str(entry.get("text") or "").strip()
        if not text:
            raise ValueError(f"{path}: {intent} has no text")
        related = tuple(entry.get("related") or ())
        unknown = [name for name in related if name not in FAQ_INTENTS]
        if unknown:
            raise ValueError(f"{path}: {intent} relates to unknown {unknown}")
        if "safety_reason" in entry or "extra_safety" in entry:
            raise ValueError(
                f"{path}: {intent}: a base answer lists its lines under `safety`"
            )
        safety = _safety_lines(
            entry.get("safety") or [], referrals, f"{path}: {intent}"
        )
        topic = str(entry.get("topic") or intent)
        question = str(entry.get("question") or topic)
        short = _short(entry, f"{path}: {intent}")
        answers.append(
            ContentAnswer(
                intent=intent,
                entity="",
                entity_value="",
                topic=topic,
                question=question,
                text=with_safety(join_parts(short, text), safety),
                related_intents=related,
                safety=safety,
                short=short,
            )
        )
        for variant in entry.get("variants") or ():
            variant_text = str(variant.get("text") or "").strip()
            if not (variant.get("entity") and variant.get("value") and variant_text):
                raise ValueError(f"{path}: {intent} has an incomplete variant")
            entity = str(variant["entity"])
            value = str(variant["value"]).lower()
            where = f"{path}: {intent} {entity}={value}"
            variant_safety = _variant_safety(variant, safety, referrals, where)
            variant_short = _short(variant, where)
            answers.append(
                ContentAnswer(
                    intent=intent,
                    entity=entity,
                    entity_value=value,
                    topic=topic,
                    question=question,
                    text=with_safety(
                        join_parts(variant_short, variant_text), variant_safety
                    ),
                    related_intents=related,
                    safety=variant_safety,
                    short=variant_short,
                )
            )
    missing = set(FAQ_INTENTS) - {a.intent for a in answers}
    if missing:
        raise ValueError(f"{path}: no answer for {', '.join(sorted(missing))}")
    return answers


def sync_content(session: Session, path: Path, *, force: bool = False) -> Counter[str]:
    """Create or update every answer from the file; keep staff edits unless `force`.

    Returns:
        How many answers were created, updated, unchanged or kept.
    """
    outcome: Counter[str] = Counter()
    for answer in load_content(path):
        outcome[
            upsert_content_answer(
                session,
                intent=answer.intent,
                entity=answer.entity,
                entity_value=answer.entity_value,
                topic=answer.topic,
                question=answer.question,
                text=answer.text,
                related_intents=answer.related_intents,
                force=force,
            )
        ] += 1
    return outcome
