"""Analytics: conversations, topics, fallbacks and bookings over a date range."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, render_template, request

from console import analytics
from console.dates import DateRange, today
from console.views.common import db_session, settings

blueprint = Blueprint("analytics", __name__)
DEFAULT_DAYS = 30
MAX_DAYS = 366


@blueprint.route("/analytics")
def index():
    dates = DateRange.from_args(request.args, default_days=DEFAULT_DAYS)
    end = dates.end or today()
    start = dates.start or end - dt.timedelta(days=DEFAULT_DAYS - 1)
    if (end - start).days >= MAX_DAYS:
        start = end - dt.timedelta(days=MAX_DAYS - 1)
    dates = DateRange(start, end)
    with db_session() as session:
        figures = analytics.compute(
            session, dates, staff_prefix=settings().test_sender_prefix
        )
    return render_template("analytics.html", figures=figures, dates=dates)
