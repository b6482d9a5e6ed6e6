"""Privacy: find everything held about a visitor, review it, delete it.

Searches arrive by POST so an email address or phone number never appears in a
URL, a browser history or a server log.
"""

from __future__ import annotations

import logging

from flask import Blueprint, abort, render_template, request
from flask_login import current_user

from console.views.common import db_session, settings
from smp import privacy

blueprint = Blueprint("privacy", __name__)
log = logging.getLogger("console.privacy")
MAX_QUERY_LENGTH = 254


@blueprint.route("/privacy")
def index():
    return render_template(
        "privacy.html", query="", found=None, retention_days=settings().retention_days
    )


@blueprint.route("/privacy/search", methods=["POST"])
def search():
    query = request.form.get("query", "").strip()[:MAX_QUERY_LENGTH]
    found = None
    if query:
        with db_session() as session:
            ids = privacy.find_conversations(session, query)
            found = privacy.preview(session, ids)
        log.info(
            "Visitor data search: %d conversations found", len(found.conversation_ids)
        )
    return render_template(
        "privacy.html",
        query=query,
        found=found,
        retention_days=settings().retention_days,
    )


@blueprint.route("/privacy/delete", methods=["POST"])
def delete():
    ids = [i for i in request.form.getlist("conversation_id") if i.strip()]
    if not ids:
        abort(400, description="Nothing to delete.")
    if request.form.get("confirm") != "yes":
        abort(400, description="Tick the box to confirm the deletion.")
    with db_session() as session:
        removed = privacy.delete_conversations(session, ids)
    log.info(
        "Visitor data deleted by staff member %s: %d conversations, %d rows",
        current_user.id,
        len(removed.conversation_ids),
        removed.total,
    )
    return render_template("privacy_done.html", removed=removed)
