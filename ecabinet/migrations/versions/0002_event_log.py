"""event log: per-channel counters, the events, the epoch

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 16:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from realtime.eventlog import new_epoch

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "event_channel",
        sa.Column("channel", sa.String(length=100), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("channel"),
    )
    op.create_table(
        "event_log",
        sa.Column("channel", sa.String(length=100), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("type", sa.String(length=64), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("ts", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("channel", "seq"),
    )
    epoch = op.create_table(
        "event_epoch",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("epoch", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.bulk_insert(epoch, [{"id": 1, "epoch": new_epoch()}])


def downgrade() -> None:
    op.drop_table("event_epoch")
    op.drop_table("event_log")
    op.drop_table("event_channel")
