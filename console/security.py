"""Request-level protection: sign-in required, CSRF tokens, session expiry, headers.

Everything is deny-by-default: `require_sign_in` runs before every request and
lets through only the endpoints in `PUBLIC_ENDPOINTS`, so a new route is
protected without anyone remembering a decorator. A session is valid only while
its server-side row lives (`console/staff_sessions.py`); its expiry is judged
from that row, not from anything the cookie says.
"""

from __future__ import annotations

import datetime as dt
import hmac
import ipaddress
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
from flask.sessions import SecureCookieSessionInterface
from flask_login import current_user, logout_user

from console import staff_sessions
from console.config import ConsoleSettings
from console.staff_sessions import StaffMember
from smp.db import session_scope

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


def utc_now() -> dt.datetime:
    """Naive UTC, as the database stores it (from `time.time()`, which tests move)."""
    return dt.datetime.fromtimestamp(time.time(), dt.timezone.utc).replace(tzinfo=None)


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
    """A fresh CSRF token and a cookie that lasts the session's lifetime."""
    cookie["csrf"] = secrets.token_urlsafe(32)
    cookie.permanent = True


def _expired(member: StaffMember, now: dt.datetime) -> str | None:
    config = settings()
    if now - member.signed_in_at > config.session_lifetime:
        return "Your session ended. Please sign in again."
    if now - member.last_seen_at > config.idle_timeout:
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
    now = utc_now()
    reason = _expired(current_user, now)
    with session_scope(settings().database_url) as session:
        if reason is None:
            staff_sessions.mark_seen(session, current_user, now)
        else:
            staff_sessions.end_session(session, current_user.session_token)
    if reason is not None:
        logout_user()
        cookie.clear()
        return _refuse(reason)
    return None


def is_loopback(host: str) -> bool:
    """Whether a Host value (`name`, `name:port`, `[v6]:port`) names this machine."""
    name = host.strip().lower()
    if name.startswith("["):
        name = name[1:].partition("]")[0]
    elif name.count(":") == 1:
        name = name.partition(":")[0]
    name = name.rstrip(".")
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def _forwarded(parameter: str) -> list[str]:
    """A parameter's values (`host`, `proto`) in the standard `Forwarded` header."""
    values = []
    for element in request.headers.get("Forwarded", "").replace(",", ";").split(";"):
        name, _, value = element.strip().partition("=")
        if name.lower() == parameter:
            values.append(value.strip('"'))
    return values


def cookie_must_be_secure() -> bool:
    """`Secure` unless every sign says the console is used on this machine by HTTP.

    Forced by `CONSOLE_COOKIE_SECURE`, and set whenever the console listens
    beyond loopback, the request came over HTTPS, or the browser used any name
    but localhost, directly or through a proxy's forwarded headers (a proxy
    usually connects over loopback). The headers can only add the flag, never
    remove it, so a forged one does no harm.
    """
    config = settings()
    if config.cookie_secure or not is_loopback(config.host) or request.is_secure:
        return True
    protocols = [request.headers.get("X-Forwarded-Proto", ""), *_forwarded("proto")]
    if any("https" in protocol.lower() for protocol in protocols):
        return True
    hosts = [
        request.host,
        *request.headers.get("X-Forwarded-Host", "").split(","),
        *_forwarded("host"),
    ]
    return not all(is_loopback(host) for host in hosts if host.strip())


class ConsoleSessionInterface(SecureCookieSessionInterface):
    """Flask's signed cookie, with `Secure` decided per request."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return cookie_must_be_secure()


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
