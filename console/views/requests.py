"""Bookings and callbacks: follow-up status, notes and the CSV export."""

from __future__ import annotations

import datetime as dt
import logging

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

from console.dates import DateRange
from console.requests_data import (
    KINDS,
    RequestKind,
    export_csv,
    list_requests,
    status_counts,
)
from console.views.common import db_session, form_int
from smp import repository
from smp.db import REQUEST_STATUSES

blueprint = Blueprint("requests", __name__)
log = logging.getLogger("console.requests")
MAX_NOTE_LENGTH = 2000


def _kind(slug: str) -> RequestKind:
    kind = KINDS.get(slug)
    if kind is None:
        abort(404)
    return kind


def _status() -> str:
    status = request.args.get("status", "")
    return status if status in REQUEST_STATUSES else ""


@blueprint.route("/requests")
def root():
    return redirect(url_for("requests.index", kind="bookings"))


@blueprint.route("/requests/<kind>")
def index(kind: str):
    chosen = _kind(kind)
    status = _status()
    dates = DateRange.from_args(request.args)
    with db_session() as session:
        rows = list_requests(session, chosen, status=status, dates=dates)
        counts = status_counts(session, chosen)
    return render_template(
        "requests.html",
        kind=chosen,
        kinds=KINDS,
        rows=rows,
        counts=counts,
        status=status,
        statuses=REQUEST_STATUSES,
        dates=dates,
    )


@blueprint.route("/requests/<kind>/update", methods=["POST"])
def update(kind: str):
    chosen = _kind(kind)
    request_id = form_int("request_id")
    status = request.form.get("status", "")
    note = request.form.get("staff_note", "").strip()
    if len(note) > MAX_NOTE_LENGTH:
        abort(400, description=f"Keep the note under {MAX_NOTE_LENGTH} characters.")
    with db_session() as session:
        try:
            repository.set_request_status(
                session, chosen.model, request_id, status, note
            )
        except ValueError:
            abort(400, description="Unknown status.")
        except LookupError:
            abort(404, description=f"No such {chosen.singular}.")
    log.info("%s %s set to %s", chosen.singular, request_id, status)
    flash(f"The {chosen.singular} is now “{status}”.", "success")
    back = request.form.get("back_status", "")
    args = {"status": back} if back in REQUEST_STATUSES else {}
    return redirect(url_for("requests.index", kind=chosen.slug, **args))


@blueprint.route("/requests/<kind>/export.csv")
def export(kind: str):
    chosen = _kind(kind)
    status = _status()
    dates = DateRange.from_args(request.args)
    with db_session() as session:
        text = export_csv(session, chosen, status=status, dates=dates)
    stamp = dt.date.today().isoformat()
    name = f"{chosen.slug}-{status or 'all'}-{stamp}.csv"
    # A byte-order mark so spreadsheet programs read the file as UTF-8.
    return Response(
        "\ufeff" + text,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
