"""The application's side of the video bridge: who may signal, where the bridge's offers go, the roll call.

The bridge (`realtime/bridge.py`) knows rooms and peers only; this module checks each signaling action
against the meeting (`briefings.peer_role`), sends the bridge's renegotiation offers to the one peer's own
`user:{id}` channel (never a shared one: descriptions carry addresses), and when who is connected changes,
marks joined sites present and tells the room (`briefing.peers` on `bridge:{id}`).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from pydantic import ValidationError

from ecabinet import briefings, events
from ecabinet.briefing_schemas import CandidateIn, Description, LeaveIn
from ecabinet.database import Database
from ecabinet.errors import AppError
from ecabinet.permissions import Actor
from ecabinet.settings import Settings
from realtime.bridge import Bridge, BridgeConfig, BridgeLike, SignalingError
from realtime.connection import Identity
from realtime.hub import ActionError, Hub

log = logging.getLogger("ecabinet.briefing")


class BriefingRoom:
    """Signaling actions for the hub, and the bridge they drive (in this process)."""

    def __init__(self, settings: Settings, db: Database, hub: Hub, bridge: BridgeLike | None = None) -> None:
        self.db = db
        self.hub = hub
        self.bridge: BridgeLike = bridge or Bridge(
            BridgeConfig(video_codec=settings.bridge_video_codec, hall_videos=settings.bridge_hall_videos),
            self._notify,
            self._changed,
        )
        self._tasks: set[asyncio.Task[Any]] = set()
        hub.handle("rtc.offer", self._offer)
        hub.handle("rtc.answer", self._answer)
        hub.handle("rtc.candidate", self._candidate)
        hub.handle("rtc.leave", self._leave)

    def connected(self, meeting_id: int) -> set[int]:
        """Who is connected to a meeting's room right now."""
        return {p["peer_id"] for p in self.bridge.peers(briefings.room_of(meeting_id)) if p["state"] == "connected"}

    async def close_meeting(self, meeting_id: int) -> None:
        await self.bridge.close_room(briefings.room_of(meeting_id))

    async def stop(self) -> None:
        await self.bridge.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    # ---- actions --------------------------------------------------------------------------------------

    async def _offer(self, identity: Identity, data: dict[str, Any]) -> dict[str, Any]:
        description = _parse(Description, data)
        if description.type != "offer":
            raise ActionError("invalid", "rtc.offer carries a description of type offer.", 422)
        role, codec = await self._checked(identity, briefings.peer_role, description.meeting_id)
        room = briefings.room_of(description.meeting_id)
        try:
            return await self.bridge.offer(room, identity.user_id, role, description.sdp, codec)
        except SignalingError as exc:
            raise ActionError("invalid", str(exc), 422) from None

    async def _answer(self, identity: Identity, data: dict[str, Any]) -> None:
        description = _parse(Description, data)
        if description.type != "answer":
            raise ActionError("invalid", "rtc.answer carries a description of type answer.", 422)
        try:
            await self.bridge.answer(briefings.room_of(description.meeting_id), identity.user_id, description.sdp)
        except SignalingError as exc:
            raise ActionError("invalid", str(exc), 422) from None

    async def _candidate(self, identity: Identity, data: dict[str, Any]) -> None:
        found = _parse(CandidateIn, data)
        try:
            await self.bridge.candidate(briefings.room_of(found.meeting_id), identity.user_id, found.candidate)
        except SignalingError as exc:
            raise ActionError("invalid", str(exc), 422) from None

    async def _leave(self, identity: Identity, data: dict[str, Any]) -> None:
        leaving = _parse(LeaveIn, data)
        await self.bridge.leave(briefings.room_of(leaving.meeting_id), identity.user_id)

    async def _checked(self, identity: Identity, fn: Any, meeting_id: int) -> Any:
        context = identity.context
        actor: Actor = context.actor
        try:
            return await asyncio.to_thread(fn, self.db, actor, meeting_id)
        except AppError as error:
            raise ActionError(error.code, error.body(context.language)["message"], error.status) from None

    # ---- the bridge's callbacks --------------------------------------------------------------------------

    async def _notify(self, room_id: str, peer_id: int, type_: str, data: dict[str, Any]) -> None:
        self.hub.volatile(events.user_channel(peer_id), type_, {**data, "meeting_id": int(room_id)})

    def _changed(self, room_id: str) -> None:
        task = asyncio.ensure_future(self._roll_call(int(room_id)))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _roll_call(self, meeting_id: int) -> None:
        connected = self.connected(meeting_id)
        peers = self.bridge.peers(briefings.room_of(meeting_id))
        self.hub.volatile(events.bridge_channel(meeting_id), events.BRIEFING_PEERS, {"peers": peers})
        try:
            await asyncio.to_thread(briefings.mark_joined, self.db, meeting_id, connected)
        except Exception:
            log.exception("marking the sites that joined meeting %s failed", meeting_id)


def _parse(model: Any, data: dict[str, Any]) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ())) or "data"
        raise ActionError("invalid", f"{where}: {first.get('msg', 'invalid')}", 422) from None
