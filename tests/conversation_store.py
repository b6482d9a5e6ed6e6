"""A real fault for end-to-end tests: the conversation store stops working.

The Rasa server of a test stack keeps conversations in the stack's database
(`events`); taking that table away makes every read of a conversation fail,
as an unreachable database would, until it is put back.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, text


@contextmanager
def conversation_store_broken(database_url: str) -> Iterator[None]:
    """Every read of a conversation fails until the block ends."""
    engine = create_engine(database_url)
    try:
        with engine.begin() as connection:
            connection.execute(text("ALTER TABLE events RENAME TO events_away"))
        try:
            yield
        finally:
            with engine.begin() as connection:
                connection.execute(text("ALTER TABLE events_away RENAME TO events"))
    finally:
        engine.dispose()
