"""The staff console: a Flask application for the clinic's team.

`create_app()` builds it from `ConsoleSettings` (from the environment unless
given). Each page lives in its own blueprint under `console/views/`; data
functions live in the modules beside this one and take a session, as the
repository's do.
"""

from __future__ import annotations

import logging
import time
import traceback

from flask import Flask, g, render_template, request
from flask_login import LoginManager

from console import security
from console.config import ConsoleSettings
from console.logs import quiet_third_party_loggers
from console.rasa_client import RasaClient
from console.staff_sessions import load_session
from console.views import register_blueprints
from console.views.filters import register_filters
from smp.db import create_schema, session_scope

access_log = logging.getLogger("console.access")
error_log = logging.getLogger("console.errors")


class ConsoleFlask(Flask):
    """Flask, but unhandled errors are logged without their message.

    Exception messages can carry personal data (a database error quotes its
    parameters), so the log gets the exception type, the route pattern and the
    stack frames only.
    """

    def log_exception(self, exc_info) -> None:
        exc_type, _exc, tb = exc_info
        frames = "".join(traceback.format_list(traceback.extract_tb(tb)))
        rule = request.url_rule.rule if request.url_rule else "<unmatched>"
        error_log.error(
            "Unhandled %s on %s %s\n%s",
            exc_type.__name__ if exc_type else "error",
            request.method,
            rule,
            frames,
        )


def create_app(settings: ConsoleSettings | None = None) -> Flask:
    """Build the console for `settings` (default: from the environment)."""
    settings = settings or ConsoleSettings.from_environment()
    app = ConsoleFlask(__name__)
    app.config.update(
        CONSOLE_SETTINGS=settings,
        SECRET_KEY=settings.secret_key,
        SESSION_COOKIE_NAME="smp_console_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        # `Secure` is decided per request: security.ConsoleSessionInterface.
        PERMANENT_SESSION_LIFETIME=settings.session_lifetime,
        # No "remember me": every session ends with its lifetime.
        REMEMBER_COOKIE_DURATION=0,
        MAX_CONTENT_LENGTH=1024 * 1024,
        JSON_SORT_KEYS=False,
    )
    app.extensions["rasa_client"] = RasaClient(
        settings.rasa_url, settings.rasa_token, settings.rasa_timeout_seconds
    )
    app.session_interface = security.ConsoleSessionInterface()
    quiet_third_party_loggers()
    create_schema(settings.database_url)

    login_manager = LoginManager(app)
    login_manager.session_protection = "strong"

    @login_manager.user_loader
    def _load_user(session_token: str):
        with session_scope(settings.database_url) as session:
            return load_session(session, session_token)

    @app.before_request
    def _start_timer() -> None:
        g.started = time.perf_counter()

    security.install(app)
    register_blueprints(app)
    register_filters(app)

    @app.after_request
    def _access_log(response):
        # The route pattern, never the URL: paths and query strings may carry
        # a conversation id or a search, and bodies are never logged.
        rule = request.url_rule.rule if request.url_rule else "<unmatched>"
        elapsed = (time.perf_counter() - g.get("started", time.perf_counter())) * 1000
        access_log.info(
            "%s %s %s %.0fms", request.method, rule, response.status_code, elapsed
        )
        return response

    for code in (400, 403, 404, 405, 413, 500, 502):
        app.register_error_handler(code, _error_page)
    return app


def _error_page(error):
    code = getattr(error, "code", 500) or 500
    description = getattr(error, "description", "") or "Something went wrong."
    if security.wants_json():
        return {"error": description}, code
    return render_template("error.html", code=code, description=description), code
