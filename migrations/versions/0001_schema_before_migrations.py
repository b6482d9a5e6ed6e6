"""The schema as it was before migrations.

Answers and their revisions, booking and callback requests, the staff console's
tables and WhatsApp's.

A database made by `create_all` before migrations existed already holds some or
all of these tables. Each table is created only when missing, so such a database
is adopted: on a complete one this revision creates nothing and is only recorded
(a stamp), and a database from an older `create_all` gains the tables it lacks.

Revision ID: 0001
Revises:
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

REQUEST_INDEXES = ("conversation_id", "created_at", "email", "phone", "status")


def _request_columns() -> list[sa.Column]:
    """Columns shared by booking and callback requests (VisitorRequestColumns)."""
    return [
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=16), nullable=False),
        sa.Column("submission_key", sa.String(length=64), nullable=False),
        sa.Column("conversation_id", sa.String(length=255), nullable=False),
        sa.Column("channel", sa.String(length=64), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("phone", sa.String(length=32), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("staff_note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    ]


def _tables() -> list[tuple[str, list[sa.SchemaItem], tuple[str, ...]]]:
    """(table, columns and constraints, indexed columns), parents first.

    Built afresh on each call: a column belongs to the one table it was made for.
    """
    return [
        (
            "answers",
            [
                sa.Column("id", sa.Integer(), nullable=False),
                sa.Column("intent", sa.String(length=64), nullable=False),
                sa.Column("entity", sa.String(length=64), nullable=False),
                sa.Column("entity_value", sa.String(length=64), nullable=False),
                sa.Column("topic", sa.String(length=120), nullable=False),
                sa.Column("question", sa.String(length=120), nullable=False),
                sa.Column("text", sa.Text(), nullable=False),
                sa.Column("related_intents", sa.JSON(), nullable=False),
                sa.Column("version", sa.Integer(), nullable=False),
                sa.Column("updated_at", sa.DateTime(), nullable=False),
                sa.Column("updated_by", sa.String(length=120), nullable=False),
                sa.PrimaryKeyConstraint("id"),
                sa.UniqueConstraint("intent", "entity", "entity_value"),
            ],
            ("intent",),
        ),
        (
            "answer_revisions",
            [
                sa.Column("id", sa.Integer(), nullable=False),
                sa.Column("answer_id", sa.Integer(), nullable=False),
                sa.Column("version", sa.Integer(), nullable=False),
                sa.Column("text", sa.Text(), nullable=False),
                sa.Column("related_intents", sa.JSON(), nullable=False),
                sa.Column("topic", sa.String(length=120), nullable=False),
                sa.Column("question", sa.String(length=120), nullable=False),
                sa.Column("edited_by", sa.String(length=120), nullable=False),
                sa.Column("edited_at", sa.DateTime(), nullable=False),
                sa.ForeignKeyConstraint(
                    ["answer_id"], ["answers.id"], ondelete="CASCADE"
                ),
                sa.PrimaryKeyConstraint("id"),
                sa.UniqueConstraint("answer_id", "version"),
            ],
            (),
        ),
        (
            "booking_requests",
            [
                *_request_columns(),
                sa.Column("name", sa.String(length=120), nullable=False),
                sa.Column("preferred_time_text", sa.String(length=200), nullable=False),
                sa.Column("preferred_date", sa.Date(), nullable=True),
                sa.Column("concern", sa.String(length=500), nullable=False),
                sa.Column("consent_given_at", sa.DateTime(), nullable=False),
                sa.PrimaryKeyConstraint("id"),
                sa.UniqueConstraint("reference"),
                sa.UniqueConstraint("submission_key"),
            ],
            REQUEST_INDEXES,
        ),
        (
            "handoff_requests",
            [
                *_request_columns(),
                sa.Column("name", sa.String(length=120), nullable=True),
                sa.Column("topic", sa.String(length=500), nullable=False),
                sa.Column("reply_expected_at", sa.DateTime(), nullable=True),
                sa.PrimaryKeyConstraint("id"),
                sa.UniqueConstraint("reference"),
                sa.UniqueConstraint("submission_key"),
            ],
            REQUEST_INDEXES,
        ),
        (
            "staff_users",
            [
                sa.Column("id", sa.Integer(), nullable=False),
                sa.Column("username", sa.String(length=80), nullable=False),
                sa.Column("password_hash", sa.String(length=255), nullable=False),
                sa.Column("is_active", sa.Boolean(), nullable=False),
                sa.Column("created_at", sa.DateTime(), nullable=False),
                sa.Column("last_login_at", sa.DateTime(), nullable=True),
                sa.PrimaryKeyConstraint("id"),
                sa.UniqueConstraint("username"),
            ],
            (),
        ),
        (
            "staff_sessions",
            [
                sa.Column("id", sa.Integer(), nullable=False),
                sa.Column("token_hash", sa.String(length=64), nullable=False),
                sa.Column("staff_user_id", sa.Integer(), nullable=False),
                sa.Column("signed_in_at", sa.DateTime(), nullable=False),
                sa.Column("last_seen_at", sa.DateTime(), nullable=False),
                sa.ForeignKeyConstraint(
                    ["staff_user_id"], ["staff_users.id"], ondelete="CASCADE"
                ),
                sa.PrimaryKeyConstraint("id"),
                sa.UniqueConstraint("token_hash"),
            ],
            ("staff_user_id",),
        ),
        (
            "sign_in_lockouts",
            [
                sa.Column("username_key", sa.String(length=80), nullable=False),
                sa.Column("failed_attempts", sa.Integer(), nullable=False),
                sa.Column("first_failed_at", sa.DateTime(), nullable=True),
                sa.Column("locked_until", sa.DateTime(), nullable=True),
                sa.PrimaryKeyConstraint("username_key"),
            ],
            (),
        ),
        (
            "unanswered_reviews",
            [
                sa.Column("id", sa.Integer(), nullable=False),
                sa.Column("normalised_text", sa.String(length=500), nullable=False),
                sa.Column("example_text", sa.Text(), nullable=False),
                sa.Column("decision", sa.String(length=16), nullable=False),
                sa.Column("intent", sa.String(length=64), nullable=True),
                sa.Column("decided_by", sa.String(length=80), nullable=False),
                sa.Column("decided_at", sa.DateTime(), nullable=False),
                sa.PrimaryKeyConstraint("id"),
                sa.UniqueConstraint("normalised_text"),
            ],
            (),
        ),
        (
            "whatsapp_deliveries",
            [
                sa.Column("message_digest", sa.String(length=64), nullable=False),
                sa.Column("received_at", sa.DateTime(), nullable=False),
                sa.PrimaryKeyConstraint("message_digest"),
            ],
            ("received_at",),
        ),
        (
            "whatsapp_pending_choices",
            [
                sa.Column("conversation_key", sa.String(length=64), nullable=False),
                sa.Column("options", sa.JSON(), nullable=False),
                sa.Column("sent_at", sa.DateTime(), nullable=False),
                sa.PrimaryKeyConstraint("conversation_key"),
            ],
            ("sent_at",),
        ),
    ]


def upgrade() -> None:
    present = set(sa.inspect(op.get_bind()).get_table_names())
    for name, elements, indexed in _tables():
        if name in present:
            continue
        op.create_table(name, *elements)
        for column in indexed:
            op.create_index(op.f(f"ix_{name}_{column}"), name, [column])


def downgrade() -> None:
    for name, _elements, indexed in reversed(_tables()):
        for column in indexed:
            op.drop_index(op.f(f"ix_{name}_{column}"), table_name=name)
        op.drop_table(name)
