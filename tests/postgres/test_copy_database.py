"""`python -m launcher.manage copy-database` moves a clinic's SQLite database,
conversations included, to PostgreSQL, and the product works on the copy."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
from clinic_sample import (
    STAFF_PASSWORD,
    STAFF_USERNAME,
    WHATSAPP_OPTIONS,
    fill_clinic_tables,
    rasa_tracker_store,
    record_conversations,
)
from rasa.shared.core.events import UserUttered
from sqlalchemy import create_engine, func, select

from channels.whatsapp_store import claim_delivery, take_choices
from console.staff import authenticate
from launcher import manage, schema
from launcher.testing import make_database
from smp import conversations, repository
from smp.db import Answer, session_scope
from smp.settings import PROJECT_ROOT

CONVERSATIONS = ["visitor-1", "visitor-2", "visitor-3"]


@pytest.fixture
def clinic_sqlite(tmp_path: Path) -> str:
    """A SQLite clinic database with rows in every table, conversations included."""
    url = make_database(tmp_path)
    fill_clinic_tables(url)
    asyncio.run(record_conversations(url, CONVERSATIONS))
    return url


def all_rows(url: str) -> dict[str, list[tuple]]:
    """Every row of every table to copy, in id order, read with the models' types."""
    engine = create_engine(url, future=True)
    try:
        with engine.connect() as connection:
            return {
                table.name: [
                    tuple(row)
                    for row in connection.execute(
                        select(table).order_by(*table.primary_key.columns)
                    )
                ]
                for table in schema.tables_to_copy()
            }
    finally:
        engine.dispose()


def copy(*args: str) -> int:
    return manage.main(["copy-database", *args])


def test_the_command_copies_every_table_to_postgresql_and_verifies_the_counts(
    clinic_sqlite, empty_postgres_url
):
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "launcher.manage",
            "copy-database",
            "--from",
            clinic_sqlite,
            "--to",
            empty_postgres_url,
            "--batch-size",
            "7",
        ],
        cwd=PROJECT_ROOT,
        env={**os.environ, "SQLALCHEMY_SILENCE_UBER_WARNING": "1"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    source = all_rows(clinic_sqlite)
    # Every table has rows to copy, several batches' worth for some.
    assert all(source.values()), {name: len(rows) for name, rows in source.items()}
    assert len(source["answers"]) > 7 and len(source["events"]) > 7
    assert all_rows(empty_postgres_url) == source
    for name, rows in source.items():
        counted = f"{len(rows)} row" + ("" if len(rows) == 1 else "s")
        assert f"  {name:<26} {counted:>13}" in completed.stdout
    total = sum(len(rows) for rows in source.values())
    assert f"Verified: {len(source)} tables, {total} rows" in completed.stdout


def test_the_product_works_on_the_copy(clinic_sqlite, empty_postgres_url, capsys):
    assert copy("--from", clinic_sqlite, "--to", empty_postgres_url) == 0
    assert "Verified" in capsys.readouterr().out

    with session_scope(empty_postgres_url) as session:
        assert authenticate(session, STAFF_USERNAME, STAFF_PASSWORD) is not None
        answer = repository.find_answer(session, "faq_pain")
        assert answer.text == "Edited: a light scratching."
        assert [rev.version for rev in repository.answer_history(session, answer.id)][
            :2
        ] == [answer.version, answer.version - 1]
        # The id sequences continue after the copied rows.
        edited = repository.update_answer(
            session, answer.id, editor="sam", text="Edited on PostgreSQL."
        )
        assert edited.version == answer.version + 1
        booking = repository.create_booking(
            session,
            repository.BookingDraft(
                conversation_id="visitor-3",
                channel="rest",
                name="Sam Roe",
                email="sam@example.com",
                phone=None,
                preferred_time_text="Monday",
                preferred_date=dt.date(2026, 12, 7),
                concern="crown",
                consent_given_at=dt.datetime(2026, 12, 1, 12, 0),
            ),
        )
        assert booking.created and booking.id == 2
        # WhatsApp's memory came along: a re-delivery is still recognised.
        assert not claim_delivery(session, "wamid.HBgLNDQ3NzAwOTAwMTIz")
        assert take_choices(session, "a" * 64) == WHATSAPP_OPTIONS
        assert conversations.conversation_events(session, "visitor-2")

    async def continue_conversation() -> list[str]:
        store = rasa_tracker_store(empty_postgres_url)
        try:
            tracker = await store.retrieve_full_tracker("visitor-2")
            tracker.update(UserUttered("and how long does it last?"))
            await store.save(tracker)
            again = await store.retrieve_full_tracker("visitor-2")
        finally:
            store.engine.dispose()
        return [event.text for event in again.events if isinstance(event, UserUttered)]

    texts = asyncio.run(continue_conversation())
    assert texts == ["does it hurt?", "and how long does it last?"]


def test_a_target_with_rows_is_refused_unless_forced(
    clinic_sqlite, empty_postgres_url, capsys
):
    assert copy("--from", clinic_sqlite, "--to", empty_postgres_url) == 0
    capsys.readouterr()

    assert copy("--from", clinic_sqlite, "--to", empty_postgres_url) == 1
    refused = capsys.readouterr()
    assert "not empty" in refused.err and "--force" in refused.err
    assert "Verified" not in refused.out

    assert copy("--from", clinic_sqlite, "--to", empty_postgres_url, "--force") == 0
    assert all_rows(empty_postgres_url) == all_rows(clinic_sqlite)


def test_a_missing_source_is_refused(tmp_path, empty_postgres_url, capsys):
    missing = f"sqlite:///{tmp_path / 'nothing-here.db'}"
    assert copy("--from", missing, "--to", empty_postgres_url) == 1
    assert "No SQLite database" in capsys.readouterr().err
    assert not (tmp_path / "nothing-here.db").exists()


def test_a_source_older_than_the_schema_is_refused_with_the_fix(
    tmp_path, empty_postgres_url, capsys
):
    old = f"sqlite:///{tmp_path / 'old.db'}"
    engine = create_engine(old)
    with engine.begin() as connection:
        connection.exec_driver_sql(
            "CREATE TABLE answers (id INTEGER PRIMARY KEY, intent TEXT, text TEXT)"
        )
    engine.dispose()
    assert copy("--from", old, "--to", empty_postgres_url) == 1
    err = capsys.readouterr().err
    assert "answers table lacks" in err and "make migrate" in err


def test_copying_a_database_onto_itself_is_refused(clinic_sqlite, capsys):
    assert copy("--from", clinic_sqlite, "--to", clinic_sqlite) == 1
    assert "same database" in capsys.readouterr().err


def test_an_empty_table_copies_as_zero_rows(tmp_path, empty_postgres_url, capsys):
    source = make_database(tmp_path)  # answers only: no requests, no staff
    assert copy("--from", source, "--to", empty_postgres_url) == 0
    out = capsys.readouterr().out
    assert f"  {'booking_requests':<26} {'0 rows':>13}" in out
    assert "  events " not in out  # Rasa never ran here: nothing to copy
    with session_scope(empty_postgres_url) as session:
        assert session.scalar(select(func.count()).select_from(Answer)) > 0
