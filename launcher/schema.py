"""The whole database schema: the core's tables and every area's own."""

from __future__ import annotations

from channels.registry import CHANNELS
from console import models as console_models
from smp import db

# Every area's models, imported so their tables are declared on `db.Base`.
AREA_TABLES = (console_models.StaffUser, console_models.UnansweredReview) + tuple(
    table for channel in CHANNELS for table in channel.tables
)


def create_all_tables(url: str | None = None) -> None:
    """Create every table of every area that does not exist yet (idempotent)."""
    db.create_schema(url)
