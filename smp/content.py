"""Load the clinic's approved answers from `content/answers.yml` into the database."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import yaml
from sqlalchemy.orm import Session

from smp.repository import upsert_content_answer
from smp.topics import FAQ_INTENTS


@dataclass(frozen=True)
class ContentAnswer:
    """One answer as written in the content file."""

    intent: str
    entity: str
    entity_value: str
    topic: str
    question: str
    text: str
    related_intents: tuple[str, ...]


def load_content(path: Path) -> list[ContentAnswer]:
    """Read and check the answers file.

    Raises:
        ValueError: an entry is incomplete or names an unknown intent.
    """
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
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
        topic = str(entry.get("topic") or intent)
        question = str(entry.get("question") or topic)
        answers.append(ContentAnswer(intent, "", "", topic, question, text, related))
        for variant in entry.get("variants") or ():
            variant_text = str(variant.get("text") or "").strip()
            if not (variant.get("entity") and variant.get("value") and variant_text):
                raise ValueError(f"{path}: {intent} has an incomplete variant")
            answers.append(
                ContentAnswer(
                    intent,
                    str(variant["entity"]),
                    str(variant["value"]).lower(),
                    topic,
                    question,
                    variant_text,
                    related,
                )
            )
    missing = set(FAQ_INTENTS) - {a.intent for a in answers}
    if missing:
        raise ValueError(f"{path}: no answer for {', '.join(sorted(missing))}")
    return answers


def sync_content(session: Session, path: Path, *, force: bool = False) -> Counter:
    """Create or update every answer from the file; keep staff edits unless `force`.

    Returns:
        How many answers were created, updated, unchanged or kept.
    """
    outcome: Counter = Counter()
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
