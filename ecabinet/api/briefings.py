"""Online briefings: start and end one, and the roll call of its remote sites (signaling is on the websocket)."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool

from ecabinet import briefings
from ecabinet.api.dependencies import Context, CurrentActor, ObjectId
from ecabinet.briefing_schemas import BriefingOut, BriefingStart, RollCallIn

router = APIRouter(tags=["briefings"])


@router.get("/meetings/{meeting_id}/briefing", response_model=BriefingOut)
async def get_briefing(meeting_id: ObjectId, actor: CurrentActor, context: Context) -> BriefingOut:
    """The briefing's state: city hall and the sites, who is connected, the roll call, the caller's part."""
    connected = context.briefing_room.connected(meeting_id)
    return await run_in_threadpool(briefings.get, context.db, actor, meeting_id, connected)


@router.post("/meetings/{meeting_id}/briefing", response_model=BriefingOut)
async def start_briefing(
    meeting_id: ObjectId, actor: CurrentActor, context: Context, body: BriefingStart | None = None
) -> BriefingOut:
    """Start the online briefing of a live meeting (the secretary); starting it again changes nothing."""
    connected = context.briefing_room.connected(meeting_id)
    data = body or BriefingStart()
    codec = context.settings.bridge_video_codec
    return await run_in_threadpool(briefings.start, context.db, actor, meeting_id, data, codec, connected)


@router.delete("/meetings/{meeting_id}/briefing", response_model=BriefingOut)
async def end_briefing(meeting_id: ObjectId, actor: CurrentActor, context: Context) -> BriefingOut:
    """End the briefing: every peer is disconnected; the roll call is kept."""
    ended = await run_in_threadpool(briefings.end, context.db, actor, meeting_id)
    await context.briefing_room.close_meeting(meeting_id)
    return ended


@router.put("/meetings/{meeting_id}/briefing/sites/{user_id}", response_model=BriefingOut)
async def roll_call(
    meeting_id: ObjectId, user_id: ObjectId, body: RollCallIn, actor: CurrentActor, context: Context
) -> BriefingOut:
    """Mark a remote site present, absent, or absent with its reason (excused)."""
    connected = context.briefing_room.connected(meeting_id)
    return await run_in_threadpool(briefings.roll, context.db, actor, meeting_id, user_id, body, connected)
