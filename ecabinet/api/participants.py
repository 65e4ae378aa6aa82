"""Participants, substitutes and check-in."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict

from ecabinet import participants
from ecabinet.api.dependencies import Context, CurrentActor, ObjectId
from ecabinet.schemas import ParticipantCreate, ParticipantOut, ParticipantUpdate

router = APIRouter(tags=["participants"])


class CheckIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    # For the secretary checking someone in: it is the named substitute who arrived.
    by_substitute: bool | None = None


@router.get("/meetings/{meeting_id}/participants", response_model=list[ParticipantOut])
def list_participants(meeting_id: ObjectId, actor: CurrentActor, context: Context) -> list[ParticipantOut]:
    """Who takes part, in which role, with attendance."""
    return participants.list_participants(context.db, actor, meeting_id)


@router.post("/meetings/{meeting_id}/participants", response_model=ParticipantOut, status_code=201)
def add_participant(
    meeting_id: ObjectId, body: ParticipantCreate, actor: CurrentActor, context: Context
) -> ParticipantOut:
    """Add a person or a remote site to the meeting."""
    return participants.add_participant(context.db, actor, meeting_id, body)


@router.patch("/participants/{participant_id}", response_model=ParticipantOut)
def update_participant(
    participant_id: ObjectId, body: ParticipantUpdate, actor: CurrentActor, context: Context
) -> ParticipantOut:
    """Change role, voting right or attendance; name or clear a substitute."""
    return participants.update_participant(context.db, actor, participant_id, body)


@router.delete("/participants/{participant_id}", status_code=204)
def remove_participant(participant_id: ObjectId, actor: CurrentActor, context: Context) -> None:
    """Remove a participant from the meeting."""
    participants.remove_participant(context.db, actor, participant_id)


@router.post("/participants/{participant_id}/checkin", response_model=ParticipantOut)
def check_in(
    participant_id: ObjectId, actor: CurrentActor, context: Context, body: CheckIn | None = None
) -> ParticipantOut:
    """Check a participant in (themselves, their substitute, or the secretary for them)."""
    return participants.check_in(context.db, actor, participant_id, body.by_substitute if body else None)


@router.delete("/participants/{participant_id}/checkin", response_model=ParticipantOut)
def undo_check_in(participant_id: ObjectId, actor: CurrentActor, context: Context) -> ParticipantOut:
    """Undo a check-in."""
    return participants.undo_check_in(context.db, actor, participant_id)
