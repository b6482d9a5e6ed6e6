"""Alembic's environment: the clinic database and every area's tables.

The database comes from `smp.settings` (`DATABASE_URL`), unless the caller hands
over an open connection (`launcher.schema.create_all_tables` does). The target
metadata is the whole schema as `launcher.schema` declares it; Rasa's `events`
table lives in the same database but belongs to Rasa, so autogenerate leaves it
alone.
"""

from __future__ import annotations

from logging.config import fileConfig

from alembic import context
from sqlalchemy.engine import Connection

from launcher.schema import METADATA, include_in_migrations
from smp.db import get_engine
from smp.settings import get_settings

config = context.config


def run_migrations(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=METADATA,
        include_object=include_in_migrations,
        compare_type=True,
        # SQLite alters a table by copying it; batch mode writes revisions that way.
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


def run_offline() -> None:
    """`alembic upgrade head --sql`: print the SQL instead of running it."""
    context.configure(
        url=get_settings().database_url,
        target_metadata=METADATA,
        include_object=include_in_migrations,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


given_connection = config.attributes.get("connection")
if given_connection is not None:
    run_migrations(given_connection)
else:
    # The alembic command line: its logging comes from alembic.ini.
    if config.config_file_name is not None:
        fileConfig(config.config_file_name, disable_existing_loggers=False)
    if context.is_offline_mode():
        run_offline()
    else:
        with get_engine(get_settings().database_url).connect() as connection:
            run_migrations(connection)
