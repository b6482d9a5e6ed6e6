"""The Alembic migrations build exactly the models' schema, on SQLite and on
PostgreSQL, and adopt databases that `create_all` made before they existed."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import func, inspect, select

from launcher import schema
from smp import db
from smp.settings import PROJECT_ROOT

EVERY_TABLE = {
    "answers",
    "answer_revisions",
    "answer_feedback",
    "booking_requests",
    "handoff_requests",
    "staff_users",
    "unanswered_reviews",
    "staff_sessions",
    "sign_in_lockouts",
    "whatsapp_deliveries",
    "whatsapp_pending_choices",
    "whatsapp_answer_messages",
}


def schema_differences(url: str) -> list:
    """What autogenerate would change to make the database match the models."""
    with db.get_engine(url).connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={
                "include_object": schema.include_in_migrations,
                "compare_type": True,
            },
        )
        return list(compare_metadata(context, schema.METADATA))


def revision_of(url: str) -> str | None:
    with db.get_engine(url).connect() as connection:
        return schema.current_revision(connection)


def tables_of(url: str) -> set[str]:
    return set(inspect(db.get_engine(url)).get_table_names())


def test_the_models_declare_every_area_table():
    assert set(schema.METADATA.tables) == EVERY_TABLE


def test_a_new_database_is_migrated_to_exactly_the_models_schema(empty_database_url):
    schema.create_all_tables(empty_database_url)
    assert tables_of(empty_database_url) == EVERY_TABLE | {"alembic_version"}
    assert revision_of(empty_database_url) == schema.head_revision()
    assert schema_differences(empty_database_url) == []


def test_migrating_again_changes_nothing(empty_database_url):
    schema.create_all_tables(empty_database_url)
    with db.session_scope(empty_database_url) as session:
        session.add(db.Answer(intent="faq_pain", text="Kept."))
    schema.create_all_tables(empty_database_url)
    assert revision_of(empty_database_url) == schema.head_revision()
    with db.session_scope(empty_database_url) as session:
        assert session.scalar(select(db.Answer.text)) == "Kept."


def test_a_create_all_database_from_before_migrations_is_stamped_and_keeps_its_rows(
    empty_database_url,
):
    db.create_schema(empty_database_url)  # what init-db did before migrations
    with db.session_scope(empty_database_url) as session:
        session.add(db.Answer(intent="faq_cost", text="From £900."))
    assert revision_of(empty_database_url) is None

    schema.create_all_tables(empty_database_url)

    assert revision_of(empty_database_url) == schema.head_revision()
    assert schema_differences(empty_database_url) == []
    with db.session_scope(empty_database_url) as session:
        assert session.scalar(select(db.Answer.text)) == "From £900."


def test_an_older_create_all_database_gains_the_tables_it_lacked(empty_database_url):
    # A database from before the console's sessions, lockouts and WhatsApp.
    older = ["answers", "answer_revisions", "booking_requests", "handoff_requests"]
    schema.METADATA.create_all(
        db.get_engine(empty_database_url),
        tables=[schema.METADATA.tables[name] for name in older],
    )
    with db.session_scope(empty_database_url) as session:
        session.add(
            db.HandoffRequest(
                reference="CB-ABC234",
                submission_key="k" * 64,
                conversation_id="visitor-9",
                phone="07700900123",
                created_at=dt.datetime(2026, 1, 2, 3, 4, 5),
            )
        )

    schema.create_all_tables(empty_database_url)

    assert tables_of(empty_database_url) == EVERY_TABLE | {"alembic_version"}
    assert schema_differences(empty_database_url) == []
    with db.session_scope(empty_database_url) as session:
        count = session.scalar(select(func.count()).select_from(db.HandoffRequest))
        assert count == 1


def test_rasas_events_table_is_left_out_of_the_comparison(empty_database_url):
    schema.create_all_tables(empty_database_url)
    schema.rasa_events_table().create(db.get_engine(empty_database_url))
    assert "events" in tables_of(empty_database_url)
    assert schema_differences(empty_database_url) == []
    # Migrating with Rasa's table present leaves it alone.
    schema.create_all_tables(empty_database_url)
    assert "events" in tables_of(empty_database_url)


def test_downgrading_to_nothing_and_upgrading_again_rebuilds_the_schema(
    empty_database_url,
):
    schema.create_all_tables(empty_database_url)
    with db.get_engine(empty_database_url).begin() as connection:
        command.downgrade(schema.alembic_config(connection), "base")
    assert tables_of(empty_database_url) == {"alembic_version"}
    schema.create_all_tables(empty_database_url)
    assert schema_differences(empty_database_url) == []


def test_make_migrate_brings_the_settings_database_to_head(tmp_path):
    url = f"sqlite:///{tmp_path / 'clinic.db'}"
    # The command `make migrate` runs, with DATABASE_URL pointing at a new file.
    completed = subprocess.run(
        [
            os.path.join(os.path.dirname(sys.executable), "alembic"),
            "-c",
            "migrations/alembic.ini",
            "upgrade",
            "head",
        ],
        cwd=PROJECT_ROOT,
        env={**os.environ, "DATABASE_URL": url},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert f"-> {schema.head_revision()}" in completed.stderr
    assert revision_of(url) == schema.head_revision()
    assert schema_differences(url) == []
    db.dispose_engines()


def test_the_alembic_config_names_the_migrations_but_no_database():
    config = schema.alembic_config()
    assert config.get_main_option("script_location") == str(schema.MIGRATIONS_DIR)
    assert config.get_main_option("sqlalchemy.url") is None
