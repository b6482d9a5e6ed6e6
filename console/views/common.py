"""Small helpers the views share."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import abort, current_app, request
from flask_login import current_user
from sqlalchemy.orm import Session

from console.config import ConsoleSettings
from console.rasa_client import RasaClient
from smp.db import session_scope


def settings() -> ConsoleSettings:
    return current_app.config["CONSOLE_SETTINGS"]


def staff_name() -> str:
    return current_user.username


def rasa() -> RasaClient:
    return current_app.extensions["rasa_client"]


def page_number() -> int:
    try:
        return max(1, int(request.args.get("page", "1")))
    except ValueError:
        return 1


def form_int(name: str) -> int:
    """An integer form field, or 400 when it is missing or not a number."""
    try:
        return int(request.form.get(name, ""))
    except ValueError:
        abort(400, description=f"Missing or invalid {name}.")


@contextmanager
def db_session() -> Iterator[Session]:
    """One unit of work on the console's database: commit, or roll back on error."""
    with session_scope(settings().database_url) as session:
        yield session
