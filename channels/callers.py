"""Who is calling: the client's address, whether it is a local tool, its origin.

The Rasa server listens on loopback only, so a visitor always arrives through
a reverse proxy on the same machine, which must add `X-Forwarded-For`
(docs/security.md). A loopback request *without* forwarding headers is a local
tool (the staff console, the tests, the benchmark): it needs no REST token and
is not rate-limited. A request with them is a visitor, known by the address
the proxy appended last (the only one a visitor cannot forge).

`OriginPolicy` is the list of sites whose pages may use the chat
(`WIDGET_ALLOWED_ORIGINS`), and `install_origin_check` makes the whole Rasa
server (socket.io, REST and the HTTP API) refuse any other origin.
"""

from __future__ import annotations

import ipaddress
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

FORWARDING_HEADERS = ("x-forwarded-for", "x-real-ip", "forwarded")
PROXIED = "proxied-unknown"
# A refused origin is logged at once, then at most once a minute with a count.
LOG_EVERY_SECONDS = 60.0

logger = logging.getLogger(__name__)


def is_loopback(address: str) -> bool:
    """Whether `address` (IPv4, IPv6 or IPv4-mapped IPv6) is this machine."""
    try:
        ip = ipaddress.ip_address(address.strip().strip("[]"))
    except ValueError:
        return False
    mapped = getattr(ip, "ipv4_mapped", None)
    return bool(ip.is_loopback or (mapped is not None and mapped.is_loopback))


@dataclass(frozen=True)
class Caller:
    """The client behind a request."""

    address: str
    local: bool


def _last_forwarded_for(value: str) -> str | None:
    """The address the proxy appended last to an `X-Forwarded-For` value."""
    hops = [hop.strip() for hop in value.split(",") if hop.strip()]
    return hops[-1] if hops else None


def caller_from(peer: str, header: Callable[[str], str | None]) -> Caller:
    """The caller of a request from `peer` with headers read by `header(name)`.

    Forwarding headers count only when the peer itself is on loopback: anyone
    else could write them.
    """
    peer = peer or ""
    if not is_loopback(peer):
        return Caller(address=peer or "unknown", local=False)
    forwarded = {name: header(name) for name in FORWARDING_HEADERS}
    if not any(forwarded.values()):
        return Caller(address=peer, local=True)
    address = (
        _last_forwarded_for(forwarded["x-forwarded-for"] or "")
        or (forwarded["x-real-ip"] or "").strip()
        or PROXIED
    )
    return Caller(address=address, local=False)


def caller_of(request: Request) -> Caller:
    """The caller of a Sanic request."""
    return caller_from(request.ip, request.headers.get)


def _normalise(origin: str) -> str:
    return origin.strip().rstrip("/").lower()


class OriginPolicy:
    """The sites whose pages may use the chat; `*` allows every site."""

    def __init__(self, origins: Iterable[str]) -> None:
        self.origins = tuple(
            dict.fromkeys(_normalise(o) for o in origins if o and o.strip())
        )
        self.allows_any = "*" in self.origins

    def allows(self, origin: str | None) -> bool:
        """Whether a request with this `Origin` header may go on.

        No header: not a browser's cross-site request (server-side callers
        such as the console, curl), so the origin rule does not apply.
        """
        if origin is None:
            return True
        return self.allows_any or _normalise(origin) in self.origins


def refusal(origin: str) -> HTTPResponse:
    """The answer to a request from a site that is not allowed."""
    return response.json(
        {
            "error": "origin_not_allowed",
            "reason": f"pages on {origin} may not use this assistant",
        },
        status=403,
    )


def install_origin_check(app: Sanic, policy: OriginPolicy) -> None:
    """Make `app` refuse, and log, every request from an origin not in `policy`.

    Idempotent, so every channel can install it.
    """
    if getattr(app.ctx, "smp_origin_check", False):
        return
    app.ctx.smp_origin_check = True
    # origin -> (when last logged, refusals since)
    refused: dict[str, tuple[float, int]] = {}

    async def check_origin(request: Request) -> Any:
        origin = request.headers.get("origin")
        if policy.allows(origin):
            return None
        origin = str(origin)[:200]
        now = time.monotonic()
        logged_at, count = refused.get(origin, (-LOG_EVERY_SECONDS, 0))
        if now - logged_at < LOG_EVERY_SECONDS:
            refused[origin] = (logged_at, count + 1)
        else:
            logger.warning(
                "Refused %s %s from origin %s (client %s): not in "
                "WIDGET_ALLOWED_ORIGINS.%s",
                request.method,
                request.path,
                origin,
                caller_of(request).address,
                f" {count} more refused from it since the last report."
                if count
                else "",
            )
            if len(refused) > 10_000:
                refused.clear()
            refused[origin] = (now, 0)
        return refusal(origin)

    app.register_middleware(check_origin, "request")
