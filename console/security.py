"""Request-level protection: sign-in required, CSRF tokens, session expiry, headers.

Everything is deny-by-default: `require_sign_in` runs before every request and
lets through only the endpoints in `PUBLIC_ENDPOINTS`, so a new route is
protected without anyone remembering a decorator.
"""

from __future__ import annotations

import hmac
import secrets
import time
from urllib.parse import urlsplit

from flask import (
    Flask,
    Response,
    abort,
    current_app,
    jsonify,
    redirect,
    request,
    url_for,
)
from flask import session as cookie
from flask_login import current_user, logout_user

from console.config import ConsoleSettings

# Reachable without signing in: the sign-in page and static files only.
PUBLIC_ENDPOINTS = frozenset({"auth.login", "static", "vendor.asset"})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def settings() -> ConsoleSettings:
    return current_app.config["CONSOLE_SETTINGS"]


def csrf_token() -> str:
    """This session's CSRF token (created on first use)."""
    token = cookie.get("csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        cookie["csrf"] = token
    return token


def wants_json() -> bool:
    return request.path.startswith("/api/") or (
        request.accept_mimetypes.best == "application/json"
    )


def safe_next(target: str | None) -> str:
    """A same-site path to return to after signing in, never another site."""
    if not target:
        return url_for("home.index")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or "\\" in target:
        return url_for("home.index")
    if target.startswith("//"):
        return url_for("home.index")
    return target


def start_session() -> None:
    """Record when a session began; called right after signing in."""
    now = time.time()
    cookie["login_at"] = now
    cookie["last_seen"] = now
    cookie["csrf"] = secrets.token_urlsafe(32)
    cookie.permanent = True


def _expired(now: float) -> str | None:
    config = settings()
    login_at = cookie.get("login_at")
    last_seen = cookie.get("last_seen")
    if not isinstance(login_at, (int, float)) or not isinstance(
        last_seen, (int, float)
    ):
        return "Please sign in."
    if now - login_at > config.session_lifetime.total_seconds():
        return "Your session ended. Please sign in again."
    if now - last_seen > config.idle_timeout.total_seconds():
        return "You were signed out after a period of inactivity."
    return None


def _refuse(message: str) -> Response:
    if wants_json() or request.method not in SAFE_METHODS:
        response = jsonify(error="authentication required", message=message)
        response.status_code = 401
        return response
    cookie["notice"] = message
    target = request.full_path if request.query_string else request.path
    return redirect(url_for("auth.login", next=target))


def require_sign_in() -> Response | None:
    """Before every request: refuse anyone not signed in, end expired sessions."""
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    if not current_user.is_authenticated:
        return _refuse("Please sign in.")
    now = time.time()
    reason = _expired(now)
    if reason is not None:
        logout_user()
        cookie.clear()
        return _refuse(reason)
    cookie["last_seen"] = now
    return None


def check_csrf() -> None:
    """Before every state-changing request: the session's token must come with it."""
    if request.method in SAFE_METHODS:
        return
    origin = request.headers.get("Origin")
    if origin and urlsplit(origin).netloc != request.host:
        abort(403, description="Cross-site request refused.")
    sent = request.headers.get(CSRF_HEADER) or request.form.get(CSRF_FIELD) or ""
    expected = cookie.get("csrf") or ""
    if not expected or not hmac.compare_digest(str(sent), str(expected)):
        abort(
            403,
            description="The form expired or did not come from this console. "
            "Reload the page and try again.",
        )


def security_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault(
        "Permissions-Policy", "camera=(), microphone=(), geolocation=()"
    )
    if request.endpoint not in ("static", "vendor.asset"):
        # Pages show personal data: never keep them in a shared cache or history.
        response.headers["Cache-Control"] = "no-store"
    return response


def install(app: Flask) -> None:
    """Wire the checks into the app, in order: sign-in, then CSRF."""
    app.before_request(require_sign_in)
    app.before_request(check_csrf)
    app.after_request(security_headers)
    app.jinja_env.globals["csrf_token"] = csrf_token
