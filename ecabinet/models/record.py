"""The floor (speakers' queue and console), conclusions with tasks for units, and the minutes and invitations."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from ecabinet.models.columns import utcnow, when


class SpeakerStatus(StrEnum):
    queued = "queued"
    speaking = "speaking"
    done = "done"
    withdrawn = "withdrawn"


class SpeakerRequest(SQLModel, table=True):
    """A participant's request for the floor, and their time holding it once given."""

    __tablename__ = "speaker_request"
    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    item_id: int | None = Field(default=None, foreign_key="agenda_item.id")
    user_id: int = Field(foreign_key="user.id", index=True)
    status: SpeakerStatus = Field(default=SpeakerStatus.queued, sa_type=sa.String(16))
    note: str = Field(default="", max_length=300)
    requested_at: dt.datetime = when(default_factory=utcnow)
    granted_at: dt.datetime | None = when(nullable=True, default=None)
    ended_at: dt.datetime | None = when(nullable=True, default=None)
    granted_by_id: int | None = Field(default=None, foreign_key="user.id")
    limit_secs: int = 0


class Console(SQLModel, table=True):
    """Who runs a live meeting's console: the chair, or the secretary who took it over."""

    meeting_id: int = Field(foreign_key="meeting.id", primary_key=True)
    holder: str = Field(default="chair", max_length=16)
    user_id: int | None = Field(default=None, foreign_key="user.id")
    since: dt.datetime = when(default_factory=utcnow)


class Conclusion(SQLModel, table=True):
    """What the meeting concluded on an agenda item, as the secretary records it (kết luận)."""

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    item_id: int = Field(foreign_key="agenda_item.id", index=True)
    text: str = Field(sa_type=sa.Text)
    created_by_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: dt.datetime = when(default_factory=utcnow)
    updated_at: dt.datetime = when(default_factory=utcnow)


class TaskStatus(StrEnum):
    open = "open"
    in_progress = "in_progress"
    done = "done"
    cancelled = "cancelled"


class Task(SQLModel, table=True):
    """Work a conclusion assigns to a unit, with its due date: "rõ người, rõ việc, rõ tiến độ"."""

    id: int | None = Field(default=None, primary_key=True)
    conclusion_id: int = Field(foreign_key="conclusion.id", index=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    title: str = Field(max_length=1000)
    detail: str = Field(default="", sa_type=sa.Text)
    due_on: dt.date
    status: TaskStatus = Field(default=TaskStatus.open, sa_type=sa.String(16), index=True)
    created_by_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: dt.datetime = when(default_factory=utcnow)
    completed_at: dt.datetime | None = when(nullable=True, default=None)


class TaskReport(SQLModel, table=True):
    """A unit's report back on its task (progress, or done)."""

    __tablename__ = "task_report"
    id: int | None = Field(default=None, primary_key=True)
    task_id: int = Field(foreign_key="task.id", index=True)
    user_id: int = Field(foreign_key="user.id")
    text: str = Field(sa_type=sa.Text)
    status: TaskStatus = Field(sa_type=sa.String(16))
    at: dt.datetime = when(default_factory=utcnow)


class Record(SQLModel, table=True):
    """A document the meeting issues (minutes, invitation): one generated version, and its signed form."""

    __table_args__ = (sa.UniqueConstraint("meeting_id", "kind", "version"),)
    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    kind: str = Field(max_length=16)
    version: int
    number: str = Field(default="", max_length=64)
    draft: bool = False
    pages: int = 0
    # Content-addressed files (files/ab/<sha256>.pdf): as generated, and as signed.
    sha256: str = Field(max_length=64)
    signed_sha256: str | None = Field(default=None, max_length=64)
    signer: str | None = Field(default=None, max_length=300)
    signed_by_id: int | None = Field(default=None, foreign_key="user.id")
    signed_at: dt.datetime | None = when(nullable=True, default=None)
    created_by_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: dt.datetime = when(default_factory=utcnow)
