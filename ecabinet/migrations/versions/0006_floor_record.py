"""the floor and the record: speakers, console, conclusions, tasks, reports, issued records; signatures on papers

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 22:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("agenda_item") as batch:
        batch.add_column(sa.Column("started_at", WHEN, nullable=True))
    with op.batch_alter_table("document") as batch:
        batch.add_column(sa.Column("signature_status", sa.String(length=16), nullable=False, server_default=""))
        batch.add_column(sa.Column("signatures", sa.Text(), nullable=False, server_default="[]"))
    op.create_table(
        "speaker_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), sa.ForeignKey("meeting.id"), nullable=False),
        sa.Column("item_id", sa.Integer(), sa.ForeignKey("agenda_item.id"), nullable=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("user.id"), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("note", sa.String(length=300), nullable=False),
        sa.Column("requested_at", WHEN, nullable=False),
        sa.Column("granted_at", WHEN, nullable=True),
        sa.Column("ended_at", WHEN, nullable=True),
        sa.Column("granted_by_id", sa.Integer(), sa.ForeignKey("user.id"), nullable=True),
        sa.Column("limit_secs", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_speaker_request_meeting_id", "speaker_request", ["meeting_id"])
    op.create_index("ix_speaker_request_user_id", "speaker_request", ["user_id"])
    op.create_table(
        "console",
        sa.Column("meeting_id", sa.Integer(), sa.ForeignKey("meeting.id"), nullable=False),
        sa.Column("holder", sa.String(length=16), nullable=False),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("user.id"), nullable=True),
        sa.Column("since", WHEN, nullable=False),
        sa.PrimaryKeyConstraint("meeting_id"),
    )
    op.create_table(
        "conclusion",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), sa.ForeignKey("meeting.id"), nullable=False),
        sa.Column("item_id", sa.Integer(), sa.ForeignKey("agenda_item.id"), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), sa.ForeignKey("user.id"), nullable=True),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("updated_at", WHEN, nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_conclusion_meeting_id", "conclusion", ["meeting_id"])
    op.create_index("ix_conclusion_item_id", "conclusion", ["item_id"])
    op.create_table(
        "task",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conclusion_id", sa.Integer(), sa.ForeignKey("conclusion.id"), nullable=False),
        sa.Column("meeting_id", sa.Integer(), sa.ForeignKey("meeting.id"), nullable=False),
        sa.Column("unit_id", sa.Integer(), sa.ForeignKey("unit.id"), nullable=False),
        sa.Column("title", sa.String(length=1000), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_by_id", sa.Integer(), sa.ForeignKey("user.id"), nullable=True),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("completed_at", WHEN, nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    for column in ("conclusion_id", "meeting_id", "unit_id", "status"):
        op.create_index(f"ix_task_{column}", "task", [column])
    op.create_table(
        "task_report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), sa.ForeignKey("task.id"), nullable=False),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("user.id"), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("at", WHEN, nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_task_report_task_id", "task_report", ["task_id"])
    op.create_table(
        "record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), sa.ForeignKey("meeting.id"), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=64), nullable=False),
        sa.Column("draft", sa.Boolean(), nullable=False),
        sa.Column("pages", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("signed_sha256", sa.String(length=64), nullable=True),
        sa.Column("signer", sa.String(length=300), nullable=True),
        sa.Column("signed_by_id", sa.Integer(), sa.ForeignKey("user.id"), nullable=True),
        sa.Column("signed_at", WHEN, nullable=True),
        sa.Column("created_by_id", sa.Integer(), sa.ForeignKey("user.id"), nullable=True),
        sa.Column("created_at", WHEN, nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("meeting_id", "kind", "version"),
    )
    op.create_index("ix_record_meeting_id", "record", ["meeting_id"])


def downgrade() -> None:
    for table in ("record", "task_report", "task", "conclusion", "console", "speaker_request"):
        op.drop_table(table)
    with op.batch_alter_table("document") as batch:
        batch.drop_column("signatures")
        batch.drop_column("signature_status")
    with op.batch_alter_table("agenda_item") as batch:
        batch.drop_column("started_at")
