"""Meetings and their state."""

from __future__ import annotations

from fastapi import APIRouter

from ecabinet import meetings
from ecabinet.api.dependencies import Context, CurrentActor, ObjectId
from ecabinet.schemas import MeetingCreate, MeetingOut, MeetingState, MeetingUpdate, Transition

router = APIRouter(tags=["meetings"])


@router.get("/meetings", response_model=list[MeetingOut])
def list_meetings(actor: CurrentActor, context: Context) -> list[MeetingOut]:
    """The meetings the user may see, live and upcoming first."""
    return meetings.list_meetings(context.db, actor)


@router.post("/meetings", response_model=MeetingOut, status_code=201)
def create_meeting(body: MeetingCreate, actor: CurrentActor, context: Context) -> MeetingOut:
    """Create a draft meeting (secretariat)."""
    return meetings.create_meeting(context.db, actor, body)


@router.get("/meetings/{meeting_id}", response_model=MeetingOut)
def get_meeting(meeting_id: ObjectId, actor: CurrentActor, context: Context) -> MeetingOut:
    """One meeting."""
    return meetings.get_meeting(context.db, actor, meeting_id)


@router.patch("/meetings/{meeting_id}", response_model=MeetingOut)
def update_meeting(meeting_id: ObjectId, body: MeetingUpdate, actor: CurrentActor, context: Context) -> MeetingOut:
    """Change a meeting's kind, title, start or place."""
    return meetings.update_meeting(context.db, actor, meeting_id, body)


@router.post("/meetings/{meeting_id}/transition", response_model=MeetingOut)
def transition(meeting_id: ObjectId, body: Transition, actor: CurrentActor, context: Context) -> MeetingOut:
    """Move the meeting to another status; an invalid move answers 409 saying why."""
    return meetings.transition(context.db, actor, meeting_id, body.to)


@router.get("/meetings/{meeting_id}/state", response_model=MeetingState)
def meeting_state(meeting_id: ObjectId, actor: CurrentActor, context: Context) -> MeetingState:
    """The meeting, its agenda, participants and quorum in one snapshot."""
    return meetings.meeting_state(context.db, actor, meeting_id)
