"""The whole database schema: the core's tables and every area's own, kept up to
date by the Alembic revisions in `migrations/`, and a copy of a whole database
(`python -m launcher.manage copy-database`).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import (
    Integer,
    MetaData,
    Table,
    create_engine,
    func,
    inspect,
    select,
    text,
)
from sqlalchemy.engine import Connection, Engine, make_url

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


# Copying a whole database (SQLite to PostgreSQL, typically) ----------------


class CopyError(Exception):
    """The copy was refused or did not verify; the message says why."""


def rasa_events_table() -> Table:
    """Rasa's `events` table, as Rasa's SQL tracker store declares it."""
    with warnings.catch_warnings():
        # Rasa 3.6's declarative base warns about SQLAlchemy 2.0 on import.
        warnings.simplefilter("ignore")
        from rasa.core.tracker_store import SQLTrackerStore
    table: Table = SQLTrackerStore.SQLEvent.__table__
    return table


def tables_to_copy() -> list[Table]:
    """Every area's tables, parents before children, then Rasa's conversations."""
    return [*METADATA.sorted_tables, rasa_events_table()]


def copy_database(
    source_url: str,
    target_url: str,
    *,
    force: bool = False,
    batch_size: int = 1000,
    report: Callable[[str], object] = print,
) -> dict[str, int]:
    """Copy every table of the clinic database at `source_url` to `target_url`.

    The target is brought to the newest schema first and must hold no rows
    (unless `force`: its rows are then replaced). Rows are copied in dependency
    order, `batch_size` at a time, in one transaction on the target, keeping
    their ids; PostgreSQL's id sequences then continue after the copied ids.
    Finally every table's row count is compared between the two databases.

    Returns:
        The number of rows copied per table.

    Raises:
        CopyError: the target is not empty, the source is missing or older than
            the schema, or the counts differ after the copy.
    """
    if batch_size < 1:
        raise CopyError("The batch size must be at least 1.")
    if make_url(source_url) == make_url(target_url):
        raise CopyError("The source and the target are the same database.")
    source = _source_engine(source_url)
    try:
        tables = _tables_in_source(source)
        report(f"Copying {_shown(source_url)} to {_shown(target_url)}")
        create_all_tables(target_url)
        target = db.get_engine(target_url)
        events = rasa_events_table()
        if events in tables:
            events.create(target, checkfirst=True)
        with target.begin() as target_connection:
            present = set(inspect(target_connection).get_table_names())
            target_tables = [t for t in tables_to_copy() if t.name in present]
            _check_empty(target_connection, target_tables, force)
            for table in reversed(target_tables):
                target_connection.execute(table.delete())
            copied = {}
            with source.connect() as source_connection:
                for table in tables:
                    copied[table.name] = _copy_table(
                        source_connection, target_connection, table, batch_size
                    )
                    report(f"  {table.name:<26} {_rows(copied[table.name]):>13}")
            if target_connection.dialect.name == "postgresql":
                for table in tables:
                    _reset_sequence(target_connection, table)
                report("PostgreSQL id sequences continue after the copied ids.")
        _verify(source, target, tables)
    finally:
        source.dispose()
    report(
        f"Verified: {len(tables)} tables, {_rows(sum(copied.values()))}, "
        "the same row count in both databases."
    )
    return copied


def _rows(count: int) -> str:
    return f"{count} row" if count == 1 else f"{count} rows"


def _shown(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def _source_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if not parsed.database or not Path(parsed.database).is_file():
            raise CopyError(f"No SQLite database at {parsed.database or url!r}.")
    # A plain engine: reading must not change the source (no journal-mode pragma).
    return create_engine(url, future=True, hide_parameters=True)


def _tables_in_source(source: Engine) -> list[Table]:
    """The tables to copy that the source has, after checking their columns."""
    inspector = inspect(source)
    present = set(inspector.get_table_names())
    tables = []
    for table in tables_to_copy():
        if table.name not in present:
            continue
        columns = {column["name"] for column in inspector.get_columns(table.name)}
        missing = sorted(set(table.columns.keys()) - columns)
        if missing:
            raise CopyError(
                f"The source's {table.name} table lacks {', '.join(missing)}: "
                "bring the source to the newest schema first "
                "(DATABASE_URL=<source> make migrate)."
            )
        tables.append(table)
    return tables


def _count(connection: Connection, table: Table) -> int:
    return int(connection.scalar(select(func.count()).select_from(table)) or 0)


def _check_empty(connection: Connection, tables: list[Table], force: bool) -> None:
    filled = {
        table.name: rows for table in tables if (rows := _count(connection, table))
    }
    if filled and not force:
        listed = ", ".join(f"{name} ({_rows(rows)})" for name, rows in filled.items())
        raise CopyError(
            f"The target database is not empty: {listed}. "
            "Use --force to replace its rows with the source's."
        )


def _copy_table(
    source: Connection, target: Connection, table: Table, batch_size: int
) -> int:
    query = select(table).order_by(*table.primary_key.columns)
    result = source.execution_options(stream_results=True).execute(query)
    copied = 0
    for batch in result.mappings().partitions(batch_size):
        target.execute(table.insert(), [dict(row) for row in batch])
        copied += len(batch)
    return copied


def _reset_sequence(connection: Connection, table: Table) -> None:
    """Make the table's id sequence (if any) hand out the id after the largest."""
    key = list(table.primary_key.columns)
    if len(key) != 1 or not isinstance(key[0].type, Integer):
        return
    column = key[0]
    sequence = connection.scalar(
        select(func.pg_get_serial_sequence(table.name, column.name))
    )
    if sequence is None:
        return
    next_id = select(func.coalesce(func.max(column), 0) + 1).scalar_subquery()
    connection.execute(select(func.setval(sequence, next_id, False)))


def _verify(source: Engine, target: Engine, tables: list[Table]) -> None:
    with source.connect() as source_connection, target.connect() as target_connection:
        differences = [
            f"{table.name}: {expected} in the source, {found} in the target"
            for table in tables
            if (expected := _count(source_connection, table))
            != (found := _count(target_connection, table))
        ]
    if differences:
        raise CopyError("Row counts differ after the copy: " + "; ".join(differences))
