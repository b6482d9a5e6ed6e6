"""The overview: what needs attention today."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, render_template

from console import analytics, unanswered
from console.dates import DateRange, today
from console.requests_data import BOOKINGS, CALLBACKS, status_counts
from console.views.common import db_session, settings

blueprint = Blueprint("home", __name__)


@blueprint.route("/")
def index():
    config = settings()
    week = DateRange(today() - dt.timedelta(days=6), today())
    with db_session() as session:
        bookings = status_counts(session, BOOKINGS)
        callbacks = status_counts(session, CALLBACKS)
        groups = unanswered.open_groups(
            session,
            threshold=config.low_confidence_threshold,
            staff_prefix=config.test_sender_prefix,
        )
        figures = analytics.compute(
            session, week, staff_prefix=config.test_sender_prefix, top=5
        )
    return render_template(
        "home.html",
        bookings=bookings,
        callbacks=callbacks,
        open_questions=len(groups),
        top_groups=groups[:5],
        figures=figures,
    )
