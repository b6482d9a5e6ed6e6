"""Bookings and callbacks, the CSV export, deleting a visitor's data, and retention."""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import subprocess
import sys

from console_support import (
    Said,
    add_booking,
    add_handoff,
    count_rows,
    page_token,
    record_conversation,
)
from sqlalchemy import Column, Integer, MetaData, String, Table

from console.requests_data import safe_cell
from smp.db import BookingRequest, get_engine, session_scope


def test_staff_change_a_bookings_status_and_note(staff_client, database_url):
    booking = add_booking(database_url, "visitor-1")
    token = page_token(staff_client, "/requests/bookings")
    response = staff_client.post(
        "/requests/bookings/update",
        data={
            "request_id": booking,
            "status": "contacted",
            "staff_note": "Left a voicemail",
            "csrf_token": token,
        },
    )
    assert response.status_code == 302
    with session_scope(database_url) as session:
        row = session.get(BookingRequest, booking)
        assert (row.status, row.staff_note) == ("contacted", "Left a voicemail")
    contacted = staff_client.get("/requests/bookings?status=contacted").get_data(True)
    assert "Left a voicemail" in contacted
    assert "Left a voicemail" not in staff_client.get(
        "/requests/bookings?status=new"
    ).get_data(True)


def test_an_unknown_status_is_refused(staff_client, database_url):
    booking = add_booking(database_url, "visitor-1")
    token = page_token(staff_client, "/requests/bookings")
    response = staff_client.post(
        "/requests/bookings/update",
        data={"request_id": booking, "status": "lost", "csrf_token": token},
    )
    assert response.status_code == 400


def test_callbacks_are_listed_with_a_link_to_their_conversation(
    staff_client, database_url
):
    add_handoff(database_url, "visitor-cb")
    page = staff_client.get("/requests/callbacks").get_data(as_text=True)
    assert "Sam Caller" in page
    assert "/conversations/visitor-cb" in page


def test_the_csv_export_escapes_quotes_and_neutralises_formulas(
    staff_client, database_url
):
    add_booking(
        database_url,
        "visitor-1",
        name='Jane "JJ" Doe',
        concern='=HYPERLINK("http://evil.example","click")',
        preferred_time_text="+1 day, after 5pm\nor weekends",
    )
    add_booking(database_url, "visitor-2", name="@admin", status="closed")
    response = staff_client.get("/requests/bookings/export.csv")
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    body = response.get_data(as_text=True).lstrip("\ufeff")
    rows = list(csv.DictReader(io.StringIO(body)))
    assert len(rows) == 2
    first = next(r for r in rows if r["Name"] == 'Jane "JJ" Doe')
    assert first["Concern"] == '\'=HYPERLINK("http://evil.example","click")'
    assert first["Preferred time"] == "'+1 day, after 5pm\nor weekends"
    assert first["Email"] == "jane.visitor@example.com"
    assert first["Status"] == "new"
    assert next(r for r in rows if r["Status"] == "closed")["Name"] == "'@admin"
    only_closed = staff_client.get("/requests/bookings/export.csv?status=closed")
    assert len(list(csv.DictReader(io.StringIO(only_closed.get_data(True))))) == 1


def test_safe_cell_quotes_every_formula_prefix():
    for start in "=+-@":
        assert safe_cell(f"{start}SUM(A1)") == f"'{start}SUM(A1)"
    assert safe_cell("plain") == "plain"
    assert safe_cell(None) == ""


def _seed_visitor(database_url: str) -> None:
    record_conversation(
        database_url,
        "visitor-del",
        [
            Said("book please", "book_consultation"),
            Said("jane.visitor@example.com", "inform"),
        ],
    )
    record_conversation(
        database_url, "visitor-keep", [Said("does it hurt", "faq_pain")]
    )
    add_booking(database_url, "visitor-del")
    add_handoff(database_url, "visitor-del", email="jane.visitor@example.com")
    add_booking(database_url, "visitor-keep", email="someone.else@example.com")


def test_a_visitors_data_is_found_by_email_shown_then_deleted_everywhere(
    staff_client, database_url
):
    _seed_visitor(database_url)
    # A table added by another module is covered too.
    extra = Table(
        "visitor_notes",
        MetaData(),
        Column("id", Integer, primary_key=True),
        Column("conversation_id", String(255)),
    )
    extra.create(get_engine(database_url))
    with get_engine(database_url).begin() as connection:
        connection.execute(extra.insert(), [{"conversation_id": "visitor-del"}])

    token = page_token(staff_client, "/privacy")
    found = staff_client.post(
        "/privacy/search",
        data={"query": "Jane.Visitor@example.com", "csrf_token": token},
    ).get_data(as_text=True)
    assert "visitor-del" in found and "visitor-keep" not in found
    for table in ("events", "booking_requests", "handoff_requests", "visitor_notes"):
        assert f"<code>{table}</code>" in found

    response = staff_client.post(
        "/privacy/delete",
        data={"conversation_id": "visitor-del", "confirm": "yes", "csrf_token": token},
    )
    assert response.status_code == 200
    assert "Visitor data deleted" in response.get_data(as_text=True)
    for table, column in (
        ("events", "sender_id"),
        ("booking_requests", "conversation_id"),
        ("handoff_requests", "conversation_id"),
        ("visitor_notes", "conversation_id"),
    ):
        assert count_rows(database_url, table, column, "visitor-del") == 0
    assert count_rows(database_url, "events", "sender_id", "visitor-keep") > 0
    assert (
        count_rows(database_url, "booking_requests", "conversation_id", "visitor-keep")
        == 1
    )


def test_a_phone_number_finds_the_callback_conversation(staff_client, database_url):
    _seed_visitor(database_url)
    add_handoff(database_url, "visitor-phone", phone="+44 7700 900999")
    token = page_token(staff_client, "/privacy")
    page = staff_client.post(
        "/privacy/search", data={"query": "+44 7700 900999", "csrf_token": token}
    ).get_data(as_text=True)
    assert "visitor-phone" in page and "visitor-del" not in page


def test_deleting_needs_the_confirmation_box(staff_client, database_url):
    _seed_visitor(database_url)
    token = page_token(staff_client, "/privacy")
    response = staff_client.post(
        "/privacy/delete", data={"conversation_id": "visitor-del", "csrf_token": token}
    )
    assert response.status_code == 400
    assert count_rows(database_url, "events", "sender_id", "visitor-del") > 0


def test_no_personal_data_reaches_the_logs_during_search_and_delete(
    staff_client, database_url, caplog, capsys
):
    _seed_visitor(database_url)
    caplog.set_level(logging.DEBUG)
    token = page_token(staff_client, "/privacy")
    staff_client.post(
        "/privacy/search",
        data={"query": "jane.visitor@example.com", "csrf_token": token},
    )
    staff_client.post(
        "/privacy/search", data={"query": "+44 7700 900123", "csrf_token": token}
    )
    staff_client.get("/requests/bookings")
    staff_client.get("/requests/callbacks/export.csv")
    staff_client.post(
        "/privacy/delete",
        data={"conversation_id": "visitor-del", "confirm": "yes", "csrf_token": token},
    )
    logged = caplog.text + capsys.readouterr().err
    assert "console.access" in caplog.text, "the access log should have run"
    for secret in (
        "jane.visitor@example.com",
        "7700 900123",
        "900123",
        "Jane Visitor",
        "Sam Caller",
        "book please",
    ):
        assert secret not in logged


def test_purge_deletes_conversations_past_the_retention_period(database_url):
    now = dt.datetime.now(dt.timezone.utc)
    record_conversation(
        database_url,
        "ancient",
        [Said("hello", "greet")],
        started=now - dt.timedelta(days=40),
    )
    record_conversation(database_url, "recent", [Said("hello", "greet")], started=now)
    add_booking(database_url, "ancient")
    result = subprocess.run(
        [sys.executable, "-m", "launcher.manage", "purge", "--days", "30"],
        capture_output=True,
        text=True,
        env={**_env(), "DATABASE_URL": database_url},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "Deleted 1 conversations older than 30 days." in result.stdout
    assert "booking_requests: 1 rows" in result.stdout
    assert count_rows(database_url, "events", "sender_id", "ancient") == 0
    assert (
        count_rows(database_url, "booking_requests", "conversation_id", "ancient") == 0
    )
    assert count_rows(database_url, "events", "sender_id", "recent") > 0


def test_purge_takes_its_default_from_retention_days(database_url):
    now = dt.datetime.now(dt.timezone.utc)
    record_conversation(
        database_url,
        "old",
        [Said("hello", "greet")],
        started=now - dt.timedelta(days=10),
    )
    result = subprocess.run(
        [sys.executable, "-m", "launcher.manage", "purge"],
        capture_output=True,
        text=True,
        env={**_env(), "DATABASE_URL": database_url, "RETENTION_DAYS": "7"},
        check=False,
    )
    assert "Deleted 1 conversations older than 7 days." in result.stdout
    assert count_rows(database_url, "events", "sender_id", "old") == 0


def _env() -> dict[str, str]:
    import os

    return {**os.environ, "SQLALCHEMY_SILENCE_UBER_WARNING": "1"}


def test_the_log_filter_masks_contacts_but_not_addresses_or_dates():
    from console.logs import redact

    assert redact("mail jane@example.com or call +44 7700 900123") == (
        "mail [email] or call [phone]"
    )
    assert redact("07700900123") == "[phone]"
    unchanged = "Serving on http://127.0.0.1:8001/ since 2026-11-24 08:44"
    assert redact(unchanged) == unchanged
