"""Online briefings (giao ban trực tuyến): a meeting's video link with its remote sites, and their roll call."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Field, SQLModel

from ecabinet.models.columns import utcnow, when


class Briefing(SQLModel, table=True):
    """The online briefing of a meeting, started by its secretary while it is live."""

    meeting_id: int = Field(foreign_key="meeting.id", primary_key=True)
    # The one video codec of the room, on every leg (the bridge forwards frames as they came).
    video_codec: str = Field(max_length=8)
    started_by_id: int = Field(foreign_key="user.id")
    started_at: dt.datetime = when(default_factory=utcnow)
    ended_at: dt.datetime | None = when(nullable=True, default=None)


class RollCall(SQLModel, table=True):
    """A remote site's place in the roll call (điểm danh): joined, absent, or absent with a reason."""

    __tablename__ = "roll_call"
    meeting_id: int = Field(foreign_key="meeting.id", primary_key=True)
    user_id: int = Field(foreign_key="user.id", primary_key=True)
    # present | absent | excused
    status: str = Field(max_length=16)
    reason: str = Field(default="", max_length=500)
    # None: the site joined the video and was marked present by the bridge.
    recorded_by_id: int | None = Field(default=None, foreign_key="user.id")
    at: dt.datetime = when(default_factory=utcnow)
