"""Online briefings (giao ban trực tuyến): a live meeting's video link between city hall and its remote sites.

The secretary starts the briefing of a live meeting; from then on city hall (the chair and the meeting's
managers) and the meeting's remote sites (participants with role `site`) may connect to the video bridge.
A site whose video joins is marked present in the roll call (điểm danh) by the bridge; the secretary marks
the others absent, or absent with a reason, and may correct any mark. Members in the room follow the meeting
as before and do not join the video. Who is connected right now is the bridge's to say: callers pass it in.
"""

from __future__ import annotations

from typing import Literal

from sqlmodel import Session, col, select

from ecabinet import audit, events
from ecabinet.briefing_schemas import BriefingOut, BriefingStart, HallOut, RollCallIn, SiteOut
from ecabinet.database import Database
from ecabinet.errors import Conflict, Forbidden, NotFound
from ecabinet.models import (
    Briefing,
    MeetingStatus,
    Participant,
    ParticipantRole,
    RollCall,
    Unit,
    User,
    utcnow,
)
from ecabinet.permissions import Actor, MeetingAccess, meeting_access

PeerRole = Literal["hall", "site"]


def role_in(access: MeetingAccess) -> Literal["hall", "site", "none"]:
    """City hall (the chair, the secretary, the secretariat), a remote site, or neither."""
    if ParticipantRole.site in access.roles:
        return "site"
    if access.can_chair:
        return "hall"
    return "none"


def room_of(meeting_id: int) -> str:
    """The bridge's name for a meeting's room."""
    return str(meeting_id)


def start(
    db: Database, actor: Actor, meeting_id: int, data: BriefingStart, codec: str, connected: set[int]
) -> BriefingOut:
    """Start (or start again) the online briefing of a live meeting; starting a running one changes nothing."""
    with db.write() as session:
        access = meeting_access(session, actor, meeting_id)
        if not access.can_manage:
            raise Forbidden("Only the meeting's secretary or the secretariat starts the online briefing.")
        if access.meeting.status != MeetingStatus.live:
            raise Conflict("The online briefing starts once the meeting is live.")
        row = session.get(Briefing, meeting_id)
        if row is None or row.ended_at is not None:
            row = row or Briefing(meeting_id=meeting_id, video_codec=codec, started_by_id=actor.id)
            row.video_codec = data.video_codec or codec
            row.started_by_id, row.started_at, row.ended_at = actor.id, utcnow(), None
            session.add(row)
            session.flush()
            audit.append(
                session,
                actor_id=actor.id,
                action="briefing.started",
                object_type="meeting",
                object_id=meeting_id,
                meeting_id=meeting_id,
                data={"video_codec": row.video_codec},
            )
            _announce(session, meeting_id, connected)
        return _out(session, access, connected)


def end(db: Database, actor: Actor, meeting_id: int) -> BriefingOut:
    """End the briefing: its peers are to be disconnected by the caller; the roll call stays."""
    with db.write() as session:
        access = meeting_access(session, actor, meeting_id)
        if not access.can_manage:
            raise Forbidden("Only the meeting's secretary or the secretariat ends the online briefing.")
        row = session.get(Briefing, meeting_id)
        if row is None or row.ended_at is not None:
            raise Conflict("The online briefing is not running.")
        row.ended_at = utcnow()
        session.add(row)
        audit.append(
            session,
            actor_id=actor.id,
            action="briefing.ended",
            object_type="meeting",
            object_id=meeting_id,
            meeting_id=meeting_id,
        )
        _announce(session, meeting_id, set())
        return _out(session, access, set())


def get(db: Database, actor: Actor, meeting_id: int, connected: set[int]) -> BriefingOut:
    with db.read() as session:
        return _out(session, meeting_access(session, actor, meeting_id), connected)


def peer_role(db: Database, actor: Actor, meeting_id: int) -> tuple[PeerRole, str]:
    """What the actor joins the running briefing's video as, and the briefing's video codec; refused for members,
    and before it starts."""
    with db.read() as session:
        access = meeting_access(session, actor, meeting_id)
        role = role_in(access)
        if role == "none":
            raise Forbidden("Only city hall (the chair and the secretary) and the remote sites join the video.")
        row = session.get(Briefing, meeting_id)
        if row is None or row.ended_at is not None or access.meeting.status != MeetingStatus.live:
            raise Conflict("The online briefing is not running.")
        return role, row.video_codec


def roll(
    db: Database, actor: Actor, meeting_id: int, user_id: int, data: RollCallIn, connected: set[int]
) -> BriefingOut:
    """The secretary marks a site present, absent, or absent with its reason."""
    with db.write() as session:
        access = meeting_access(session, actor, meeting_id)
        if not access.can_manage:
            raise Forbidden("Only the meeting's secretary or the secretariat takes the roll call.")
        if user_id not in _site_ids(session, meeting_id):
            raise NotFound("No such remote site in this meeting.")
        row = session.get(RollCall, (meeting_id, user_id)) or RollCall(
            meeting_id=meeting_id, user_id=user_id, status=""
        )
        row.status, row.reason = data.status, data.reason.strip() if data.status != "present" else ""
        row.recorded_by_id, row.at = actor.id, utcnow()
        session.add(row)
        audit.append(
            session,
            actor_id=actor.id,
            action="briefing.roll_call",
            object_type="user",
            object_id=user_id,
            meeting_id=meeting_id,
            data={"status": row.status, "reason": row.reason},
        )
        _announce(session, meeting_id, connected)
        return _out(session, access, connected)


def mark_joined(db: Database, meeting_id: int, connected: set[int]) -> bool:
    """Sites whose video is connected and not yet marked present are marked by the bridge; True if any was."""
    with db.write() as session:
        briefing = session.get(Briefing, meeting_id)
        if briefing is None or briefing.ended_at is not None:
            return False
        joined = [u for u in _site_ids(session, meeting_id) if u in connected]
        marked = False
        for user_id in joined:
            row = session.get(RollCall, (meeting_id, user_id))
            if row is not None and row.status == "present":
                continue
            row = row or RollCall(meeting_id=meeting_id, user_id=user_id, status="")
            row.status, row.reason, row.recorded_by_id, row.at = "present", "", None, utcnow()
            session.add(row)
            marked = True
        if marked:
            session.flush()
            _announce(session, meeting_id, connected)
        return marked


def _site_ids(session: Session, meeting_id: int) -> list[int]:
    rows = session.exec(
        select(Participant.user_id).where(
            Participant.meeting_id == meeting_id, Participant.role == ParticipantRole.site
        )
    ).all()
    return [r for r in rows if r is not None]


def _announce(session: Session, meeting_id: int, connected: set[int]) -> None:
    data = {
        "briefing": _state(session, meeting_id, connected).model_dump(mode="json", exclude={"my_role", "may_manage"})
    }
    events.emit(session, events.bridge_channel(meeting_id), events.BRIEFING_UPDATED, data)


def _out(session: Session, access: MeetingAccess, connected: set[int]) -> BriefingOut:
    state = _state(session, access.meeting.id or 0, connected)
    return state.model_copy(update={"my_role": role_in(access), "may_manage": access.can_manage})


def _state(session: Session, meeting_id: int, connected: set[int]) -> BriefingOut:
    briefing = session.get(Briefing, meeting_id)
    participants = session.exec(
        select(Participant).where(
            Participant.meeting_id == meeting_id,
            col(Participant.role).in_([ParticipantRole.chair, ParticipantRole.secretary, ParticipantRole.site]),
        )
    ).all()
    users = {
        u.id: u for u in session.exec(select(User).where(col(User.id).in_([p.user_id for p in participants]))).all()
    }
    unit_ids = {p.unit_id for p in participants} | {u.unit_id for u in users.values()}
    units = {u.id: u.name for u in session.exec(select(Unit).where(col(Unit.id).in_(unit_ids - {None})))}
    marks = {r.user_id: r for r in session.exec(select(RollCall).where(RollCall.meeting_id == meeting_id)).all()}
    running = briefing is not None and briefing.ended_at is None
    hall, sites = [], []
    for p in sorted(participants, key=lambda p: p.id or 0):
        user = users.get(p.user_id)
        if user is None or p.user_id is None:
            continue
        online = running and p.user_id in connected
        if p.role != ParticipantRole.site:
            hall.append(HallOut(user_id=p.user_id, name=user.name, role=p.role, connected=online))
            continue
        mark = marks.get(p.user_id)
        by = users.get(mark.recorded_by_id) if mark and mark.recorded_by_id else None
        if mark is not None and mark.recorded_by_id is not None and by is None:
            by = session.get(User, mark.recorded_by_id)
        sites.append(
            SiteOut(
                user_id=p.user_id,
                name=user.name,
                unit_name=units.get(p.unit_id or user.unit_id, "") if (p.unit_id or user.unit_id) else "",
                status=mark.status if mark else "expected",  # type: ignore[arg-type]
                reason=mark.reason if mark else "",
                recorded_by=by.name if by else None,
                at=mark.at if mark else None,
                connected=online,
            )
        )
    return BriefingOut(
        meeting_id=meeting_id,
        started=running,
        video_codec=briefing.video_codec if briefing else None,
        started_at=briefing.started_at if briefing else None,
        ended_at=briefing.ended_at if briefing else None,
        hall=hall,
        sites=sites,
        my_role="none",
        may_manage=False,
    )
