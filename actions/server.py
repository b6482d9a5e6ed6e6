"""`python -m actions.server`: rasa-sdk's action server, callable only by Rasa.

rasa-sdk serves `POST /webhook` to anyone who can reach it: any local process
could store a booking with no conversation behind it. This entry point builds
rasa-sdk's own Sanic app and adds what it lacks:

- every request but `GET /health` must carry the shared secret in the
  `X-Actions-Secret` header (compared in constant time), or gets 401; the
  launcher writes the same secret into the Rasa server's endpoints;
- an action that fails answers 500 without echoing the request (rasa-sdk's
  handler sends the whole tracker back, and Rasa logs that reply);
- keep-alive and timeouts matched to Rasa's action client, so neither side
  closes a connection the other is still using.
"""

from __future__ import annotations

import argparse
import hmac
import logging
import sys
import traceback

from rasa_sdk import utils
from rasa_sdk.endpoint import create_app
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from smp.secrets import ACTIONS_SECRET_HEADER, actions_secret
from smp.settings import LOOPBACK, get_settings

ACTIONS_PACKAGE = "actions"
OPEN_PATHS = frozenset({"/health"})
# Rasa's action client gives a call 5 minutes in all (rasa.core.constants
# DEFAULT_REQUEST_TIMEOUT): the server must not give up on a slow action first.
RESPONSE_TIMEOUT_SECONDS = 300
# Longer than any client's idle keep-alive (aiohttp keeps 15 s), so the server
# never closes a connection a client is about to reuse.
KEEP_ALIVE_TIMEOUT_SECONDS = 75

logger = logging.getLogger("actions.server")


def secret_matches(given: str | None, expected: str) -> bool:
    """Whether the header value is the shared secret (constant-time compare)."""
    return hmac.compare_digest((given or "").encode("utf-8"), expected.encode("utf-8"))


def build_app(secret: str) -> Sanic:
    """rasa-sdk's app for the `actions` package, refusing calls without `secret`."""
    if not secret:
        raise ValueError("the action server needs a non-empty shared secret")
    app: Sanic = create_app(ACTIONS_PACKAGE, cors_origins=None)
    app.config.RESPONSE_TIMEOUT = RESPONSE_TIMEOUT_SECONDS
    app.config.KEEP_ALIVE_TIMEOUT = KEEP_ALIVE_TIMEOUT_SECONDS

    async def require_secret(request: Request) -> HTTPResponse | None:
        if request.path in OPEN_PATHS:
            return None
        if secret_matches(request.headers.get(ACTIONS_SECRET_HEADER), secret):
            return None
        logger.warning(
            "Refused %s %s from %s: no valid %s header.",
            request.method,
            request.path,
            request.ip,
            ACTIONS_SECRET_HEADER,
        )
        return response.json({"error": "unauthorised"}, status=401)

    async def action_failed(request: Request, error: Exception) -> HTTPResponse:
        # The type and where it happened, never the message or the request:
        # both can carry what visitors typed.
        where = "".join(traceback.format_tb(error.__traceback__))
        logger.error("An action call failed: %s\n%s", type(error).__name__, where)
        return response.json({"error": "action failed"}, status=500)

    app.register_middleware(require_secret, "request")
    # Replaces rasa-sdk's handler, which echoes the request body.
    app.error_handler.add(Exception, action_failed)
    return app


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=get_settings().actions_port)
    arguments = parser.parse_args(argv)
    utils.configure_colored_logging("INFO")
    utils.update_sanic_log_level()
    app = build_app(actions_secret(get_settings().actions_secret))
    logger.info("Action server on http://%s:%s/", LOOPBACK, arguments.port)
    app.run(LOOPBACK, arguments.port, workers=1, access_log=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
