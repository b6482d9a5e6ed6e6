"""Empty databases on both backends, for the migration and copy tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from smp import db


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database with no tables at all, on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        db.dispose_engines()
    else:
        yield request.getfixturevalue("empty_postgres_url")
