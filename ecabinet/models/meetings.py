"""Meetings, their participants and agenda items, and who presents."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from ecabinet.models.columns import utcnow, when


class MeetingKind(StrEnum):
    cabinet_session = "cabinet_session"
    online_briefing = "online_briefing"
    thematic = "thematic"


class MeetingStatus(StrEnum):
    draft = "draft"
    scheduled = "scheduled"
    live = "live"
    closed = "closed"
    archived = "archived"


class ParticipantRole(StrEnum):
    chair = "chair"
    secretary = "secretary"
    member = "member"
    invitee = "invitee"
    site = "site"
    observer = "observer"


class Attendance(StrEnum):
    expected = "expected"
    present = "present"
    absent = "absent"


class ItemStatus(StrEnum):
    pending = "pending"
    current = "current"
    done = "done"


class Meeting(SQLModel, table=True):
    """A cabinet session, online briefing or thematic meeting."""

    id: int | None = Field(default=None, primary_key=True)
    kind: MeetingKind = Field(sa_type=sa.String(24))
    title: str = Field(max_length=500)
    starts_at: dt.datetime | None = when(nullable=True, default=None)
    place: str = Field(default="", max_length=300)
    status: MeetingStatus = Field(default=MeetingStatus.draft, sa_type=sa.String(16), index=True)
    # Set when a meeting came from agendas/ so that `ecabinet demo` loads it once.
    source_key: str | None = Field(default=None, max_length=100, unique=True)
    created_by_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: dt.datetime = when(default_factory=utcnow)
    updated_at: dt.datetime = when(default_factory=utcnow)


class Participant(SQLModel, table=True):
    """Someone (a user, or a remote site's unit through its account) taking part in a meeting."""

    __table_args__ = (sa.UniqueConstraint("meeting_id", "user_id", name="uq_participant_meeting_user"),)
    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    user_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    unit_id: int | None = Field(default=None, foreign_key="unit.id")
    role: ParticipantRole = Field(sa_type=sa.String(16))
    can_vote: bool = False
    substitute_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    attendance: Attendance = Field(default=Attendance.expected, sa_type=sa.String(16))
    absence_reason: str = Field(default="", max_length=500)
    checked_in_at: dt.datetime | None = when(nullable=True, default=None)
    checked_in_by_id: int | None = Field(default=None, foreign_key="user.id")
    # True when the named substitute, not the participant, is the one who checked in.
    by_substitute: bool = False


class AgendaItem(SQLModel, table=True):
    """An item on a meeting's agenda; items nest under a parent and sort by weight among siblings."""

    __tablename__ = "agenda_item"
    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    parent_id: int | None = Field(default=None, foreign_key="agenda_item.id", index=True)
    weight: int = 0
    title: str = Field(max_length=500)
    presenter_id: int | None = Field(default=None, foreign_key="user.id")
    presenter_unit_id: int | None = Field(default=None, foreign_key="unit.id")
    duration_minutes: int | None = None
    # When the presenting unit's papers are due; a paper submitted after it is marked late.
    submission_due_at: dt.datetime | None = when(nullable=True, default=None)
    status: ItemStatus = Field(default=ItemStatus.pending, sa_type=sa.String(16))
    # When the item was first taken up in the live meeting (its timer runs against duration_minutes).
    started_at: dt.datetime | None = when(nullable=True, default=None)


class Presenter(SQLModel, table=True):
    """Who presents a meeting's briefing pack, and the page every following tablet shows."""

    meeting_id: int = Field(foreign_key="meeting.id", primary_key=True)
    # The participant the chair designated; None: the chair presents.
    presenter_id: int | None = Field(default=None, foreign_key="user.id")
    document_id: int | None = Field(default=None, foreign_key="document.id")
    page: int | None = None
    zoom: float = 1.0
    by_id: int | None = Field(default=None, foreign_key="user.id")
    at: dt.datetime | None = when(nullable=True, default=None)
