"""Request and response bodies of online briefings: the briefing, its sites' roll call, signaling."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, Field, model_validator

from ecabinet.schemas import Id, Request

# An SDP of a peer with a few tracks is a few KB; far more is not a browser's.
SDP_MAX_CHARS = 60_000


class BriefingStart(Request):
    video_codec: Literal["vp8", "h264"] | None = None


class RollCallIn(Request):
    status: Literal["present", "absent", "excused"]
    reason: str = Field(default="", max_length=500)

    @model_validator(mode="after")
    def _reason_when_excused(self) -> RollCallIn:
        if self.status == "excused" and not self.reason.strip():
            raise ValueError("an excused absence needs its reason")
        return self


class SiteOut(BaseModel):
    """A remote site in the roll call: `status` is expected until it joins or the secretary marks it."""

    user_id: int
    name: str
    unit_name: str
    status: Literal["expected", "present", "absent", "excused"]
    reason: str
    # Marked by the bridge when the site's video joined (None), or by whom.
    recorded_by: str | None
    at: dt.datetime | None
    connected: bool


class HallOut(BaseModel):
    user_id: int
    name: str
    role: str
    connected: bool


class BriefingOut(BaseModel):
    meeting_id: int
    started: bool
    video_codec: str | None
    started_at: dt.datetime | None
    ended_at: dt.datetime | None
    hall: list[HallOut]
    sites: list[SiteOut]
    # The caller's part: hall (city hall: the chair, the secretary), site, or none (may follow, not join).
    my_role: Literal["hall", "site", "none"]
    may_manage: bool


class Description(Request):
    """A session description as RTCPeerConnection gives it, with the meeting it is for."""

    meeting_id: Id
    sdp: str = Field(min_length=10, max_length=SDP_MAX_CHARS)
    type: Literal["offer", "answer"]


class CandidateIn(Request):
    meeting_id: Id
    candidate: dict[str, Any]


class LeaveIn(Request):
    meeting_id: Id
