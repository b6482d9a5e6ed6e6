"""Signing in and out."""

from __future__ import annotations

import logging
import math

from flask import Blueprint, redirect, render_template, request, url_for
from flask import session as cookie
from flask_login import current_user, login_user, logout_user

from console import security
from console.staff import attempt_sign_in
from console.staff_sessions import end_session
from console.views.common import db_session, settings

blueprint = Blueprint("auth", __name__)
log = logging.getLogger("console.auth")

# One message for a wrong username and a wrong password: which accounts exist
# is nobody's business.
WRONG_CREDENTIALS = "Wrong username or password."


@blueprint.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "GET" and current_user.is_authenticated:
        return redirect(url_for("home.index"))
    notice = cookie.pop("notice", None)
    error = None
    username = ""
    if request.method == "POST":
        username = request.form.get("username", "").strip()[:80]
        password = request.form.get("password", "")
        with db_session() as session:
            attempt = attempt_sign_in(
                session,
                username,
                password,
                now=security.utc_now(),
                settings=settings(),
            )
        if attempt.member is not None:
            next_url = security.safe_next(request.args.get("next"))
            # A fresh session on every sign-in (no fixation).
            cookie.clear()
            login_user(attempt.member)
            security.start_session()
            log.info("Staff member %s signed in", attempt.member.id)
            return redirect(next_url)
        if attempt.locked_for is not None:
            minutes = max(1, math.ceil(attempt.locked_for.total_seconds() / 60))
            error = (
                "Too many failed sign-in attempts. "
                f"Try again in {minutes} minute{'s' if minutes != 1 else ''}."
            )
            log.warning("Sign-in refused: username locked")
        else:
            error = WRONG_CREDENTIALS
            log.warning("Failed sign-in attempt")
    # Always 200: the browser shows the form again with the message (a 401
    # would ask for HTTP authentication, which the console does not use).
    return render_template("login.html", error=error, notice=notice, username=username)


@blueprint.route("/logout", methods=["POST"])
def logout():
    # The session row goes first, so every copy of the cookie dies with it.
    with db_session() as session:
        end_session(session, current_user.session_token)
    logout_user()
    cookie.clear()
    cookie["notice"] = "You are signed out."
    return redirect(url_for("auth.login"))
