"""FAQ answers: list, edit with a live preview, history and restore."""

from __future__ import annotations

import logging
from dataclasses import replace

from flask import (
    Blueprint,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from werkzeug.datastructures import MultiDict

from console.answer_editing import (
    MAX_QUESTION_LENGTH,
    AnswerEdit,
    check,
    message_html,
    preview,
    word_diff,
)
from console.views.common import db_session, form_int, staff_name
from smp import repository
from smp.clinic import get_clinic
from smp.content import MAX_SHORT_WORDS
from smp.topics import FAQ_INTENTS

blueprint = Blueprint("answers", __name__)
log = logging.getLogger("console.answers")


@blueprint.route("/answers")
def index():
    with db_session() as session:
        answers = repository.list_answers(session)
        topics = repository.topics(session)
    return render_template("answers.html", answers=answers, topics=topics)


def _load(session, answer_id: int) -> repository.AnswerView:
    answer = repository.get_answer(session, answer_id)
    if answer is None:
        abort(404, description="No answer with that id.")
    return answer


@blueprint.route("/answers/helpfulness")
def helpfulness():
    """Visitors' "Was this helpful?" votes per answer and per version."""
    with db_session() as session:
        rows = repository.helpfulness(session)
        topics = repository.topics(session)
    return render_template("answers_helpfulness.html", rows=rows, topics=topics)


@blueprint.route("/answers/<int:answer_id>", methods=["GET", "POST"])
def edit(answer_id: int):
    clinic = get_clinic()
    with db_session() as session:
        answer = _load(session, answer_id)
        topics = repository.topics(session)
        form = AnswerEdit.of(answer)
        checked = None
        if request.method == "POST":
            form = AnswerEdit.from_form(request.form)
            checked = check(form, answer, clinic)
            if "form" in checked.errors:
                # Saving again after seeing the conflict overwrites on purpose.
                form = replace(form, base_version=answer.version)
            if checked.ok:
                fields = {"text": form.text, "related_intents": form.related_intents}
                if not answer.entity:
                    fields.update(topic=form.topic, question=form.question)
                saved = repository.update_answer(
                    session, answer_id, editor=staff_name(), **fields
                )
                log.info("Answer %s saved as version %s", answer_id, saved.version)
                flash(
                    f"Saved as version {saved.version}. The assistant uses it "
                    "from the next message.",
                    "success",
                )
                for warning in checked.warnings:
                    flash(warning, "warning")
                return redirect(url_for("answers.edit", answer_id=answer_id))
    shown = preview(form, answer, topics, clinic)
    return (
        render_template(
            "answer_edit.html",
            answer=answer,
            form=form,
            checked=checked,
            preview=shown,
            faq_intents=[i for i in FAQ_INTENTS if i != answer.intent],
            topics=topics,
            placeholders=sorted(clinic.placeholders()),
            max_question=MAX_QUESTION_LENGTH,
            max_short_words=MAX_SHORT_WORDS,
        ),
        422 if checked is not None and not checked.ok else 200,
    )


@blueprint.route("/api/answers/<int:answer_id>/preview", methods=["POST"])
def live_preview(answer_id: int):
    payload = request.get_json(silent=True) or {}
    parts = [name for name in ("short", "detail") if name in payload] or ["text"]
    form = MultiDict(
        [(name, str(payload.get(name) or "")) for name in parts]
        + [
            ("topic", str(payload.get("topic") or "")),
            ("question", str(payload.get("question") or "")),
            ("base_version", str(payload.get("base_version") or "")),
        ]
        + [("related_intents", str(i)) for i in payload.get("related_intents") or []]
    )
    clinic = get_clinic()
    with db_session() as session:
        answer = _load(session, answer_id)
        topics = repository.topics(session)
    edit = AnswerEdit.from_form(form)
    checked = check(edit, answer, clinic)
    return jsonify(
        preview=preview(edit, answer, topics, clinic),
        errors=checked.errors,
        warnings=checked.warnings,
    )


@blueprint.route("/answers/<int:answer_id>/history")
def history(answer_id: int):
    with db_session() as session:
        answer = _load(session, answer_id)
        revisions = repository.answer_history(session, answer_id)
        rows = []
        for position, revision in enumerate(revisions):
            previous = (
                revisions[position + 1] if position + 1 < len(revisions) else None
            )
            rows.append(
                {
                    "version": revision.version,
                    "edited_by": revision.edited_by,
                    "edited_at": revision.edited_at,
                    "topic": revision.topic,
                    "question": revision.question,
                    "related_intents": list(revision.related_intents or []),
                    "html": message_html(revision.text),
                    "diff": word_diff(previous.text, revision.text)
                    if previous
                    else None,
                    "current": revision.version == answer.version,
                }
            )
    return render_template("answer_history.html", answer=answer, revisions=rows)


@blueprint.route("/answers/<int:answer_id>/restore", methods=["POST"])
def restore(answer_id: int):
    version = form_int("version")
    with db_session() as session:
        _load(session, answer_id)
        try:
            saved = repository.restore_answer_version(
                session, answer_id, version, editor=staff_name()
            )
        except LookupError:
            abort(404, description="That version does not exist.")
    flash(f"Version {version} restored as version {saved.version}.", "success")
    return redirect(url_for("answers.history", answer_id=answer_id))
