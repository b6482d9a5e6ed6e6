"""Unanswered questions: review, assign to an intent or dismiss, export as NLU data."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)

from console import unanswered
from console.dates import DateRange
from console.views.common import db_session, form_int, settings, staff_name

blueprint = Blueprint("unanswered", __name__)


def _dates(source) -> DateRange:
    return DateRange.from_args(source)


@blueprint.route("/unanswered")
def index():
    config = settings()
    dates = _dates(request.args)
    with db_session() as session:
        groups = unanswered.open_groups(
            session,
            threshold=config.low_confidence_threshold,
            staff_prefix=config.test_sender_prefix,
            dates=dates,
        )
        decisions = unanswered.recent_decisions(session, limit=30)
        examples = unanswered.assigned_examples(session)
    return render_template(
        "unanswered.html",
        groups=groups,
        decisions=decisions,
        exported=sum(len(texts) for texts in examples.values()),
        intents=unanswered.domain_intents(config.domain_file),
        dates=dates,
        threshold=config.low_confidence_threshold,
    )


@blueprint.route("/unanswered/decide", methods=["POST"])
def decide():
    config = settings()
    key = request.form.get("key", "")
    decision = request.form.get("decision", "")
    intent = request.form.get("intent", "").strip() or None
    dates = _dates(request.form)
    if decision not in unanswered.DECISIONS:
        abort(400, description="Unknown decision.")
    if decision == "assigned" and intent not in unanswered.domain_intents(
        config.domain_file
    ):
        flash("Choose one of the assistant's intents for these questions.", "error")
        return redirect(url_for("unanswered.index", **dates.as_args()))
    with db_session() as session:
        groups = unanswered.open_groups(
            session,
            threshold=config.low_confidence_threshold,
            staff_prefix=config.test_sender_prefix,
            dates=dates,
        )
        group = unanswered.find_group(groups, key)
        if group is None:
            flash("Those questions were already reviewed.", "info")
            return redirect(url_for("unanswered.index", **dates.as_args()))
        unanswered.decide(
            session, group, decision=decision, staff=staff_name(), intent=intent
        )
    if decision == "assigned":
        flash(
            f"Assigned {group.count} message{'s' if group.count != 1 else ''} "
            f"to {intent}. They are in the NLU export.",
            "success",
        )
    else:
        flash("Dismissed.", "success")
    return redirect(url_for("unanswered.index", **dates.as_args()))


@blueprint.route("/unanswered/reviews/reopen", methods=["POST"])
def reopen():
    review_id = form_int("review_id")
    with db_session() as session:
        found = unanswered.reopen(session, review_id)
    flash("Back in the open list." if found else "Already reopened.", "success")
    return redirect(url_for("unanswered.index"))


@blueprint.route("/unanswered/export.yml")
def export():
    with db_session() as session:
        text = unanswered.nlu_yaml(unanswered.assigned_examples(session))
    return Response(
        text,
        mimetype="application/x-yaml",
        headers={"Content-Disposition": 'attachment; filename="nlu_reviewed.yml"'},
    )
