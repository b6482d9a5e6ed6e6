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
from console.paging import PageOf
from console.views.common import (
    db_session,
    form_int,
    page_number,
    settings,
    staff_name,
)

blueprint = Blueprint("unanswered", __name__)
# Assigning a group of at least this many messages asks "are you sure?" first.
CONFIRM_ASSIGNING_FROM = 10


def _dates(source) -> DateRange:
    return DateRange.from_args(source)


def _back(dates: DateRange, page: int):
    return redirect(url_for("unanswered.index", page=page, **dates.as_args()))


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
        groups=PageOf.of(groups, page_number(), config.page_size),
        confirm_from=CONFIRM_ASSIGNING_FROM,
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
    page = form_int("page") if request.form.get("page") else 1
    if decision not in unanswered.DECISIONS:
        abort(400, description="Unknown decision.")
    if decision == "assigned" and intent not in unanswered.domain_intents(
        config.domain_file
    ):
        flash("Choose one of the assistant's intents for these questions.", "error")
        return _back(dates, page)
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
            return _back(dates, page)
        # Many messages become training data at once only when staff confirmed
        # that very number (the form's confirmation, or this page's).
        if (
            decision == "assigned"
            and group.count >= CONFIRM_ASSIGNING_FROM
            and request.form.get("confirmed") != str(group.count)
        ):
            return render_template(
                "unanswered_confirm.html",
                group=group,
                intent=intent,
                dates=dates,
                page=page,
            )
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
    return _back(dates, page)


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
