"""Which answer each WhatsApp message the assistant sent carries, so that a
visitor's 👍 or 👎 reaction to it counts as a vote on that answer.

Like 0002, it adopts a database whose table was already made by `create_all`.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

TABLE = "whatsapp_answer_messages"


def upgrade() -> None:
    # A database made by `create_all` from the current models has it already.
    if TABLE in sa.inspect(op.get_bind()).get_table_names():
        return
    op.create_table(
        TABLE,
        sa.Column("message_digest", sa.String(length=64), nullable=False),
        sa.Column("conversation_key", sa.String(length=64), nullable=False),
        sa.Column("answer_id", sa.Integer(), nullable=False),
        sa.Column("answer_version", sa.Integer(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("message_digest"),
    )
    op.create_index(op.f(f"ix_{TABLE}_sent_at"), TABLE, ["sent_at"])


def downgrade() -> None:
    op.drop_index(op.f(f"ix_{TABLE}_sent_at"), table_name=TABLE)
    op.drop_table(TABLE)
