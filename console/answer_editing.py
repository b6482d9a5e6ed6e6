"""Checking an edited answer and showing it as the visitor will see it."""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from markupsafe import Markup, escape
from werkzeug.datastructures import MultiDict

from smp import markup
from smp.clinic import ClinicConfig
from smp.content import (
    MAX_SHORT_WORDS,
    answer_parts,
    follow_ups,
    join_parts,
    word_count,
)
from smp.repository import AnswerView, Topic
from smp.topics import FAQ_INTENTS

# Editorial rules from content/answers.yml.
MIN_RELATED, MAX_RELATED = 2, 3
MAX_QUESTION_LENGTH = 20
MAX_TOPIC_LENGTH = 120
MAX_TEXT_LENGTH = 2000
WORDS_ADVISED = (50, 130)
BOOK_BUTTON_TITLE = "Book a free consultation"
MORE_BUTTON_TITLE = "Tell me more"

_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


@dataclass(frozen=True)
class AnswerEdit:
    """What staff submitted on the answer form.

    The short answer (sent first) and the detail (behind "Tell me more") are
    edited apart and stored as one text, the short answer as its first
    paragraph; a form posting the whole `text` is split the same way.
    """

    short: str
    detail: str
    topic: str
    question: str
    related_intents: tuple[str, ...]
    base_version: int

    @classmethod
    def from_form(cls, form: MultiDict) -> AnswerEdit:
        related = tuple(str(value) for value in form.getlist("related_intents"))
        try:
            version = int(str(form.get("base_version") or 0))
        except ValueError:
            version = 0
        if "short" in form or "detail" in form:
            short = _clean(form.get("short"))
            detail = _clean(form.get("detail"))
        else:
            whole = answer_parts(_clean(form.get("text")))
            short, detail = whole.short, whole.detail
        return cls(
            short=short,
            detail=detail,
            topic=" ".join(str(form.get("topic") or "").split()),
            question=" ".join(str(form.get("question") or "").split()),
            related_intents=tuple(dict.fromkeys(related)),
            base_version=version,
        )

    @classmethod
    def of(cls, answer: AnswerView) -> AnswerEdit:
        """The form as it opens: the stored answer."""
        parts = answer_parts(answer.text)
        return cls(
            short=parts.short,
            detail=parts.detail,
            topic=answer.topic,
            question=answer.question,
            related_intents=answer.related_intents,
            base_version=answer.version,
        )

    @property
    def text(self) -> str:
        """The answer as it is stored."""
        return join_parts(self.short, self.detail)


def _clean(value: object) -> str:
    return str(value or "").replace("\r\n", "\n").strip()


@dataclass
class Checked:
    errors: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def unknown_placeholders(text: str, known: Sequence[str]) -> list[str]:
    return sorted({name for name in _PLACEHOLDER.findall(text) if name not in known})


def check(edit: AnswerEdit, answer: AnswerView, clinic: ClinicConfig) -> Checked:
    """Errors that stop the save, and editorial warnings that do not."""
    result = Checked()
    if not edit.short:
        result.errors["text"] = "The answer cannot be empty."
    elif len(edit.text) > MAX_TEXT_LENGTH:
        result.errors["text"] = f"Keep the answer under {MAX_TEXT_LENGTH} characters."
    else:
        unknown = unknown_placeholders(edit.text, list(clinic.placeholders()))
        if unknown:
            names = ", ".join("{" + name + "}" for name in unknown)
            result.errors["text"] = (
                f"Unknown placeholder {names}. Use one of: "
                + ", ".join("{" + n + "}" for n in sorted(clinic.placeholders()))
            )
    if edit.short and answer_parts(edit.short).detail:
        result.errors["short"] = (
            "Keep the short answer to one paragraph; the rest goes under "
            "“Tell me more”."
        )
    elif word_count(clinic.render(edit.short)) > MAX_SHORT_WORDS:
        result.errors["short"] = (
            f"Keep the short answer to at most {MAX_SHORT_WORDS} words as the "
            f"visitor reads it (now {word_count(clinic.render(edit.short))})."
        )
    if not answer.entity:
        if not edit.topic:
            result.errors["topic"] = "Give the topic in a few plain words."
        elif len(edit.topic) > MAX_TOPIC_LENGTH:
            result.errors["topic"] = f"At most {MAX_TOPIC_LENGTH} characters."
        if not edit.question:
            result.errors["question"] = "The button question cannot be empty."
        elif len(edit.question) > MAX_QUESTION_LENGTH:
            result.errors["question"] = (
                f"At most {MAX_QUESTION_LENGTH} characters, so it fits on a button "
                f"(now {len(edit.question)})."
            )
    unknown_related = [i for i in edit.related_intents if i not in FAQ_INTENTS]
    related = [i for i in edit.related_intents if i != answer.intent]
    if unknown_related:
        result.errors["related_intents"] = "Choose follow-ups from the FAQ topics only."
    elif not MIN_RELATED <= len(related) <= MAX_RELATED:
        result.errors["related_intents"] = (
            f"Choose {MIN_RELATED} or {MAX_RELATED} follow-up questions "
            f"(now {len(related)})."
        )
    if edit.base_version and edit.base_version != answer.version:
        result.errors["form"] = (
            f"{answer.updated_by} saved a newer version (v{answer.version}) while "
            "you were editing. Your text is kept below: compare it with theirs and "
            "save again."
        )
    words = word_count(edit.text)
    low, high = WORDS_ADVISED
    if edit.text and not low <= words <= high:
        result.warnings.append(
            f"The answer has {words} words; the clinic's guideline is {low}–{high}."
        )
    return result


def message_html(text: str) -> Markup:
    """A message as the chat widget shows it (smp/markup.py reads it alike)."""
    return Markup(markup.to_html(text))  # noqa: S704 - to_html escapes every text


def bubbles_html(text: str) -> list[str]:
    """`text` as the chat's bubbles (one per paragraph), each as HTML."""
    return [str(message_html(part)) for part in markup.bubbles(text)]


def preview(
    edit: AnswerEdit,
    answer: AnswerView,
    topics: Mapping[str, Topic],
    clinic: ClinicConfig,
) -> dict[str, object]:
    """The messages and buttons the assistant would send with this edit.

    `html` and `buttons` are the first message; `detail` and `detail_buttons`
    what "Tell me more" brings (no detail: no button and no second message).
    """
    related = [i for i in edit.related_intents if i != answer.intent][:MAX_RELATED]

    def titles(names: list[str]) -> list[str]:
        return [topics[name].question if name in topics else name for name in names]

    has_detail = bool(edit.detail)
    first = titles(follow_ups(related, detail=False, has_detail=has_detail, book=True))
    more = titles(follow_ups(related, detail=True, has_detail=True, book=True))
    return {
        "html": str(message_html(clinic.render(edit.short))),
        "buttons": ([MORE_BUTTON_TITLE] if has_detail else [])
        + first
        + [BOOK_BUTTON_TITLE],
        "detail": bubbles_html(clinic.render(edit.detail)) if has_detail else [],
        "detail_buttons": more + [BOOK_BUTTON_TITLE] if has_detail else [],
        "words": word_count(clinic.render(edit.short)),
        "detail_words": word_count(edit.detail),
    }


def word_diff(old: str, new: str) -> Markup:
    """`new` with words added since `old` in <ins> and words removed in <del>."""
    old_words, new_words = re.split(r"(\s+)", old), re.split(r"(\s+)", new)
    matcher = difflib.SequenceMatcher(None, old_words, new_words, autojunk=False)
    pieces: list[str] = []
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            pieces.append(str(escape("".join(new_words[b1:b2]))))
            continue
        if op in ("delete", "replace"):
            pieces.append(f"<del>{escape(''.join(old_words[a1:a2]))}</del>")
        if op in ("insert", "replace"):
            pieces.append(f"<ins>{escape(''.join(new_words[b1:b2]))}</ins>")
    return Markup("".join(pieces))  # noqa: S704 - every piece was escaped above
