"""The floor: requests to speak, giving the floor, and the chair's console."""

from __future__ import annotations

from fastapi import APIRouter, Response

from ecabinet import floor
from ecabinet.api.dependencies import Context, CurrentActor, ObjectId
from ecabinet.record_schemas import ConsoleIn, FloorOut, GrantIn, SpeakerIn, SpeakerOut

router = APIRouter(tags=["floor"])


@router.get("/meetings/{meeting_id}/floor", response_model=FloorOut)
def get_floor(meeting_id: ObjectId, actor: CurrentActor, context: Context) -> FloorOut:
    """Who has the floor, the queue (marking who has not spoken yet), the console, the current item's timer."""
    return floor.get_floor(context.db, actor, meeting_id)


@router.post("/meetings/{meeting_id}/speakers", response_model=SpeakerOut, status_code=201)
def ask_to_speak(
    meeting_id: ObjectId, body: SpeakerIn, actor: CurrentActor, context: Context, response: Response
) -> SpeakerOut:
    """Ask for the floor; asking again while waiting or speaking answers the same request (200)."""
    answer, new = floor.request(context.db, actor, meeting_id, body)
    if not new:
        response.status_code = 200
    return answer


@router.post("/speakers/{speaker_id}/withdraw", response_model=FloorOut)
def withdraw(speaker_id: ObjectId, actor: CurrentActor, context: Context) -> FloorOut:
    return floor.withdraw(context.db, actor, speaker_id)


@router.post("/speakers/{speaker_id}/grant", response_model=FloorOut)
def grant(speaker_id: ObjectId, actor: CurrentActor, context: Context, body: GrantIn | None = None) -> FloorOut:
    """Give the floor (the console holder only); whoever held it is done."""
    limit = body.limit_secs if body else None
    return floor.grant(context.db, actor, speaker_id, limit, context.settings.speaker_limit_secs)


@router.post("/speakers/{speaker_id}/done", response_model=FloorOut)
def done(speaker_id: ObjectId, actor: CurrentActor, context: Context) -> FloorOut:
    return floor.done(context.db, actor, speaker_id)


@router.post("/meetings/{meeting_id}/console", response_model=FloorOut)
def console(meeting_id: ObjectId, body: ConsoleIn, actor: CurrentActor, context: Context) -> FloorOut:
    """The secretary takes over the chair's console, or it goes back to the chair."""
    return floor.set_console(context.db, actor, meeting_id, body.holder)
