"""Checking an edited answer and showing it as the visitor will see it."""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from markupsafe import Markup, escape
from werkzeug.datastructures import MultiDict

from smp.clinic import ClinicConfig
from smp.repository import AnswerView, Topic
from smp.topics import FAQ_INTENTS

# Editorial rules from content/answers.yml.
MIN_RELATED, MAX_RELATED = 2, 3
MAX_QUESTION_LENGTH = 20
MAX_TOPIC_LENGTH = 120
MAX_TEXT_LENGTH = 2000
WORDS_ADVISED = (50, 130)
BOOK_BUTTON_TITLE = "Book a free consultation"

_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
_BOLD = re.compile(r"\*\*(.+?)\*\*")


@dataclass(frozen=True)
class AnswerEdit:
    """What staff submitted on the answer form."""

    text: str
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
        return cls(
            text=str(form.get("text") or "").replace("\r\n", "\n").strip(),
            topic=" ".join(str(form.get("topic") or "").split()),
            question=" ".join(str(form.get("question") or "").split()),
            related_intents=tuple(dict.fromkeys(related)),
            base_version=version,
        )


@dataclass
class Checked:
    errors: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def unknown_placeholders(text: str, known: Sequence[str]) -> list[str]:
    return sorted({name for name in _PLACEHOLDER.findall(text) if name not in known})


def word_count(text: str) -> int:
    return len(re.findall(r"\w+(?:['’]\w+)*", _PLACEHOLDER.sub("x", text)))


def check(edit: AnswerEdit, answer: AnswerView, clinic: ClinicConfig) -> Checked:
    """Errors that stop the save, and editorial warnings that do not."""
    result = Checked()
    if not edit.text:
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
    """An answer as the chat shows it: paragraphs, `- ` bullets and **bold**."""
    blocks: list[str] = []
    for block in re.split(r"\n\s*\n", text.strip()):
        # Consecutive lines of one kind (text or bullets) form one element.
        runs: list[tuple[bool, list[str]]] = []
        for line in block.split("\n"):
            if not line.strip():
                continue
            is_bullet = line.lstrip().startswith("- ")
            content = line.strip()[2:].strip() if is_bullet else line.strip()
            html = _BOLD.sub(r"<strong>\1</strong>", str(escape(content)))
            if runs and runs[-1][0] == is_bullet:
                runs[-1][1].append(html)
            else:
                runs.append((is_bullet, [html]))
        for is_bullet, lines in runs:
            if is_bullet:
                blocks.append(
                    "<ul>" + "".join(f"<li>{x}</li>" for x in lines) + "</ul>"
                )
            else:
                blocks.append("<p>" + "<br>".join(lines) + "</p>")
    return Markup("".join(blocks))  # noqa: S704 - every piece was escaped above


def preview(
    edit: AnswerEdit,
    answer: AnswerView,
    topics: Mapping[str, Topic],
    clinic: ClinicConfig,
) -> dict[str, object]:
    """The message and buttons the assistant would send with this edit."""
    related = [i for i in edit.related_intents if i != answer.intent][:MAX_RELATED]
    buttons = [topics[name].question if name in topics else name for name in related]
    buttons.append(BOOK_BUTTON_TITLE)
    return {
        "html": str(message_html(clinic.render(edit.text))),
        "buttons": buttons,
        "words": word_count(edit.text),
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
