"""Logging that keeps visitors' personal data out of the console's logs.

The console never logs request bodies, query strings or message text: its access
log names the route pattern (`/requests/<kind>`), not the URL. As a second line
of defence the handler installed here masks anything shaped like an email
address or phone number, including in exception text.
"""

from __future__ import annotations

import logging
import os
import re
import stat
import sys
import traceback
from typing import IO

_EMAIL = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+")
# International (+44 ...) or national (07700 ...) numbers; not dates, times or
# IP addresses, which start otherwise or use dots.
_PHONE = re.compile(r"(?:\+|\b0)\d(?:[\s\-()/]?\d){8,13}\b")

# Loggers whose records carry URLs with query strings or request bodies.
_NOISY = {
    "werkzeug": logging.WARNING,  # request lines include the query string
    "urllib3": logging.WARNING,  # URLs include the Rasa token
    "requests": logging.WARNING,
    "sqlalchemy.engine": logging.WARNING,  # statements' parameters
}


def redact(text: str) -> str:
    return _PHONE.sub("[phone]", _EMAIL.sub("[email]", text))


class RedactingFilter(logging.Filter):
    """Masks emails and phone numbers in a record's message and exception."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            message = str(record.msg)
        record.msg, record.args = redact(message), None
        if record.exc_info and record.exc_info[0] is not None:
            record.exc_text = redact(
                "".join(traceback.format_exception(*record.exc_info))
            )
            record.exc_info = None
        return True


def quiet_third_party_loggers() -> None:
    for name, level in _NOISY.items():
        logging.getLogger(name).setLevel(level)


def configure_logging(level: int = logging.INFO) -> None:
    """Log to stderr through the redacting filter (for `python -m console`)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    handler.addFilter(RedactingFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    quiet_third_party_loggers()


def keep_output_private(*streams: IO[str]) -> None:
    """Make the files the console writes its output to owner-only (mode 600).

    The launcher sends the console's output to `var/log/console.log`; the log
    names routes and staff ids, so no other user of the machine may read it.
    Terminals and pipes are left as they are.
    """
    for stream in streams or (sys.stdout, sys.stderr):
        try:
            descriptor = stream.fileno()
            if stat.S_ISREG(os.fstat(descriptor).st_mode):
                os.fchmod(descriptor, 0o600)
        except (AttributeError, OSError, ValueError):
            continue
