"""polls, cast records, ballots (pending and counted), pre-positions, scheduled jobs

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 20:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "poll",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), sa.ForeignKey("meeting.id"), nullable=False),
        sa.Column("item_id", sa.Integer(), sa.ForeignKey("agenda_item.id"), nullable=False),
        sa.Column("item_ids", sa.String(length=2000), nullable=False),
        sa.Column("question", sa.String(length=500), nullable=False),
        sa.Column("options", sa.Text(), nullable=False),
        sa.Column("ballot", sa.String(length=8), nullable=False),
        sa.Column("mode", sa.String(length=8), nullable=False),
        sa.Column("rule", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("deadline", WHEN, nullable=True),
        sa.Column("created_by_id", sa.Integer(), sa.ForeignKey("user.id"), nullable=True),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("opened_at", WHEN, nullable=True),
        sa.Column("closed_at", WHEN, nullable=True),
        sa.Column("result", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_poll_meeting_id", "poll", ["meeting_id"])
    op.create_index("ix_poll_item_id", "poll", ["item_id"])
    op.create_table(
        "vote_cast",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("poll_id", sa.Integer(), sa.ForeignKey("poll.id"), nullable=False),
        sa.Column("participant_id", sa.Integer(), sa.ForeignKey("participant.id"), nullable=False),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("user.id"), nullable=False),
        sa.Column("key_digest", sa.String(length=64), nullable=False),
        sa.Column("by_secretary", sa.Boolean(), nullable=False),
        sa.Column("choice", sa.String(length=32), nullable=False),
        sa.Column("receipt", sa.String(length=20), nullable=False),
        sa.Column("comment", sa.String(length=2000), nullable=False),
        sa.Column("cast_at", WHEN, nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("poll_id", "participant_id"),
    )
    op.create_index("ix_vote_cast_poll_id", "vote_cast", ["poll_id"])
    for table in ("ballot", "pending_ballot"):
        op.create_table(
            table,
            sa.Column("id", sa.String(length=32), nullable=False),
            sa.Column("poll_id", sa.Integer(), sa.ForeignKey("poll.id"), nullable=False),
            sa.Column("receipt", sa.String(length=20), nullable=False),
            sa.Column("choice", sa.String(length=32), nullable=False),
            sa.Column("comment", sa.String(length=2000), nullable=False),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index(f"ix_{table}_poll_id", table, ["poll_id"])
    op.create_table(
        "pre_position",
        sa.Column("item_id", sa.Integer(), sa.ForeignKey("agenda_item.id"), nullable=False),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("user.id"), nullable=False),
        sa.Column("meeting_id", sa.Integer(), sa.ForeignKey("meeting.id"), nullable=False),
        sa.Column("position", sa.String(length=8), nullable=False),
        sa.Column("comment", sa.String(length=2000), nullable=False),
        sa.Column("updated_at", WHEN, nullable=False),
        sa.PrimaryKeyConstraint("item_id", "user_id"),
    )
    op.create_index("ix_pre_position_meeting_id", "pre_position", ["meeting_id"])
    op.create_table(
        "job",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("subject", sa.String(length=64), nullable=False),
        sa.Column("run_at", WHEN, nullable=False),
        sa.Column("done_at", WHEN, nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("kind", "subject"),
    )
    op.create_index("ix_job_run_at", "job", ["run_at"])
    op.create_index("ix_job_done_at", "job", ["done_at"])


def downgrade() -> None:
    for table in ("job", "pre_position", "pending_ballot", "ballot", "vote_cast", "poll"):
        op.drop_table(table)
