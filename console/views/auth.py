"""Signing in and out."""

from __future__ import annotations

import logging
import math

from flask import (
    Blueprint,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
from flask import session as cookie
from flask_login import current_user, login_user, logout_user

from console import security
from console.staff import LoginThrottle, authenticate
from console.views.common import db_session

blueprint = Blueprint("auth", __name__)
log = logging.getLogger("console.auth")


def _throttle() -> LoginThrottle:
    return current_app.extensions["login_throttle"]


@blueprint.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "GET" and current_user.is_authenticated:
        return redirect(url_for("home.index"))
    notice = cookie.pop("notice", None)
    error = None
    username = ""
    status = 200
    if request.method == "POST":
        username = request.form.get("username", "").strip()[:80]
        password = request.form.get("password", "")
        address = request.remote_addr or "unknown"
        throttle = _throttle()
        wait = throttle.locked_for(username, address)
        if wait is not None:
            minutes = max(1, math.ceil(wait.total_seconds() / 60))
            error = (
                "Too many failed sign-in attempts. "
                f"Try again in {minutes} minute{'s' if minutes != 1 else ''}."
            )
            status = 429
            log.warning("Sign-in refused: account or address locked")
        else:
            with db_session() as session:
                member = authenticate(session, username, password)
            if member is None:
                throttle.failed(username, address)
                error = "Wrong username or password."
                status = 401
                log.warning("Failed sign-in attempt")
            else:
                throttle.succeeded(username, address)
                next_url = security.safe_next(request.args.get("next"))
                # A fresh session on every sign-in (no fixation).
                cookie.clear()
                login_user(member)
                security.start_session()
                log.info("Staff member %s signed in", member.id)
                return redirect(next_url)
    return (
        render_template("login.html", error=error, notice=notice, username=username),
        status,
    )


@blueprint.route("/logout", methods=["POST"])
def logout():
    logout_user()
    cookie.clear()
    cookie["notice"] = "You are signed out."
    return redirect(url_for("auth.login"))
