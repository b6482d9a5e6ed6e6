"""Messages that ask two things at once ("does it hurt and how much is it?").

The classifier gives one intent per message. When a message reads as several
questions, each clause is parsed on its own through the Rasa server's HTTP API
(`/model/parse`, the same model), so the answer can name the other topics the
visitor asked about and offer them as buttons.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable, Sequence

import aiohttp

from smp.settings import get_settings
from smp.topics import FAQ_INTENTS

logger = logging.getLogger(__name__)

# A clause starts where a question mark, semicolon or sentence ends, or where
# "and"/"also"/"plus" is followed by a new question.
_QUESTION_WORDS = (
    r"how|what|whats|what's|when|where|which|who|why|will|would|can|could|do|does|"
    r"did|is|are|should|any|and|also"
)
_BOUNDARY = re.compile(
    r"[?;!]+|\.\s+|,?\s+\b(?:and|also|plus|oh and|btw)\b(?=\s+(?:"
    + _QUESTION_WORDS
    + r")\b)",
    re.IGNORECASE,
)
MIN_CLAUSE_WORDS = 2
MAX_CLAUSES = 4
PARSE_TIMEOUT_SECONDS = 3.0

Parser = Callable[[str], Awaitable[tuple[str, float]]]


def question_clauses(text: str) -> list[str]:
    """The separate questions in `text` (one item when it asks one thing)."""
    parts = [part.strip(" ,.-–") for part in _BOUNDARY.split(text or "")]
    clauses = [part for part in parts if len(part.split()) >= MIN_CLAUSE_WORDS]
    return clauses[:MAX_CLAUSES]


async def parse_with_rasa(text: str) -> tuple[str, float]:
    """The intent and confidence the Rasa server gives `text`."""
    settings = get_settings()
    timeout = aiohttp.ClientTimeout(total=PARSE_TIMEOUT_SECONDS)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        async with session.post(
            f"{settings.rasa_url}/model/parse",
            params={"token": settings.rasa_token},
            json={"text": text},
        ) as response:
            response.raise_for_status()
            parsed = await response.json()
    intent = parsed.get("intent") or {}
    return str(intent.get("name") or ""), float(intent.get("confidence") or 0.0)


async def other_topics(
    text: str,
    answered: str,
    *,
    parse: Parser | None = None,
    min_confidence: float | None = None,
) -> list[str]:
    """FAQ topics asked in `text` besides `answered`, in the order asked.

    Empty when the message asks one thing, or when the server cannot be reached
    (the visitor still gets the main answer).
    """
    clauses = question_clauses(text)
    if len(clauses) < 2:
        return []
    threshold = (
        get_settings().low_confidence_threshold
        if min_confidence is None
        else min_confidence
    )
    parse = parse or parse_with_rasa
    found: list[str] = []
    for clause in clauses:
        try:
            intent, confidence = await parse(clause)
        except (aiohttp.ClientError, TimeoutError, ValueError) as problem:
            logger.warning("Could not parse a clause: %s", type(problem).__name__)
            return []
        if (
            intent in FAQ_INTENTS
            and intent != answered
            and confidence >= threshold
            and intent not in found
        ):
            found.append(intent)
    return found


def without(items: Sequence[str], excluded: Sequence[str]) -> list[str]:
    return [item for item in items if item not in excluded]
