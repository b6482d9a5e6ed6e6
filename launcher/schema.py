"""The whole database schema: the core's tables and every area's own, kept up to
date by the Alembic revisions in `migrations/`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData, text
from sqlalchemy.engine import Connection, Engine

from channels.registry import CHANNELS
from console import models as console_models
from smp import db
from smp.conversations import EVENTS_TABLE
from smp.settings import PROJECT_ROOT

# Every area's models, imported so their tables are declared on `db.Base`.
AREA_TABLES = (console_models.StaffUser, console_models.UnansweredReview) + tuple(
    table for channel in CHANNELS for table in channel.tables
)

# The schema the migrations build: every table of every area.
METADATA: MetaData = db.Base.metadata

MIGRATIONS_DIR = PROJECT_ROOT / "migrations"
# The revision that creates the schema as it was before migrations existed.
BASELINE_REVISION = "0001"
# Tables in the clinic database that Rasa's SQL tracker store creates and owns.
RASA_TABLES = frozenset({EVENTS_TABLE})
# Serialises migrations when several servers start against one PostgreSQL.
_MIGRATION_LOCK_KEY = 0x534D50  # "SMP"


def include_in_migrations(
    item: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    """Alembic's filter: every table but Rasa's (autogenerate and comparisons)."""
    return not (type_ == "table" and name in RASA_TABLES)


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic's configuration (`migrations/alembic.ini`), on `connection` if given."""
    config = Config(str(MIGRATIONS_DIR / "alembic.ini"))
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The newest revision in `migrations/versions/`."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:
        raise RuntimeError(f"No migrations in {MIGRATIONS_DIR / 'versions'}")
    return head


def current_revision(connection: Connection) -> str | None:
    """The revision a database is at (None: never migrated)."""
    return MigrationContext.configure(connection).get_current_revision()


def create_all_tables(url: str | None = None) -> None:
    """Bring the database at `url` (default: the settings') to the newest schema.

    A new database gets every table from the migrations. A database that
    `create_all` made before migrations existed (its tables present, no
    `alembic_version`) is adopted: the baseline revision creates only the
    tables it lacks, so on a complete one it just records the revision (a
    stamp), and the later revisions run as usual. Idempotent; safe to call at
    every start.
    """
    engine = db.get_engine(url)
    _make_sqlite_folder(engine)
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            # Held until this transaction ends (PostgreSQL DDL is transactional).
            connection.execute(
                text("SELECT pg_advisory_xact_lock(:key)"),
                {"key": _MIGRATION_LOCK_KEY},
            )
        command.upgrade(alembic_config(connection), "head")


def _make_sqlite_folder(engine: Engine) -> None:
    if engine.url.get_backend_name() == "sqlite" and engine.url.database:
        Path(engine.url.database).parent.mkdir(parents=True, exist_ok=True)
