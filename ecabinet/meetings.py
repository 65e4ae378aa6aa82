"""Meetings: listing, creating, editing, moving through their statuses, and the meeting's state."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, func, select

from ecabinet import audit, events, floor
from ecabinet.agenda_items import items_out
from ecabinet.database import Database
from ecabinet.documents import meeting_documents
from ecabinet.errors import Conflict, Forbidden
from ecabinet.lifecycle import CHAIR_MAY, Readiness, transition_problem
from ecabinet.models import AgendaItem, Meeting, MeetingStatus, Participant, ParticipantRole, utcnow
from ecabinet.participants import participants_out, quorum_of
from ecabinet.permissions import (
    Actor,
    MeetingAccess,
    access_from,
    meeting_access,
    my_participations,
    visible_meeting_ids_clause,
)
from ecabinet.presenter import presenter_out
from ecabinet.schemas import MeetingCreate, MeetingOut, MeetingState, MeetingUpdate, reject_nulls
from realtime import eventlog

PER_VIEWER = {"my_roles", "can_manage", "can_chair"}


def meeting_out(access: MeetingAccess) -> MeetingOut:
    out = MeetingOut.model_validate(access.meeting)
    out.my_roles = sorted(access.roles)
    out.can_manage = access.can_manage
    out.can_chair = access.can_chair
    return out


def shared(meeting: Meeting) -> dict[str, Any]:
    """The meeting as every participant sees it (without the viewer's own roles and rights)."""
    return MeetingOut.model_validate(meeting).model_dump(mode="json", exclude=PER_VIEWER)


def list_meetings(db: Database, actor: Actor) -> list[MeetingOut]:
    """The meetings the actor may see: upcoming and live first, by start time, then the rest."""
    with db.read() as session:
        query = select(Meeting)
        clause = visible_meeting_ids_clause(actor)
        if clause is not None:
            query = query.where(clause)  # type: ignore[arg-type]
        meetings = session.exec(query).all()
        rank = {
            MeetingStatus.live: 0,
            MeetingStatus.scheduled: 1,
            MeetingStatus.draft: 2,
            MeetingStatus.closed: 3,
            MeetingStatus.archived: 4,
        }
        far = utcnow().replace(year=9999)
        meetings = sorted(meetings, key=lambda m: (rank[MeetingStatus(m.status)], m.starts_at or far, m.id or 0))
        # The actor's roles in every meeting at once: one query, however many meetings there are.
        rows_by_meeting: dict[int, list[Participant]] = {}
        for row in my_participations(session, actor):
            rows_by_meeting.setdefault(row.meeting_id, []).append(row)
        return [meeting_out(access_from(m, rows_by_meeting.get(m.id or 0, []), actor)) for m in meetings]


def create_meeting(db: Database, actor: Actor, data: MeetingCreate) -> MeetingOut:
    actor.require_secretariat()
    with db.write() as session:
        meeting = Meeting(**data.model_dump(), created_by_id=actor.id)
        session.add(meeting)
        session.flush()
        audit.append(
            session,
            actor_id=actor.id,
            action="meeting.created",
            object_type="meeting",
            object_id=meeting.id,
            meeting_id=meeting.id,
            data=data.model_dump(mode="json"),
        )
        access = meeting_access(session, actor, meeting.id)  # type: ignore[arg-type]
        return meeting_out(access)


def get_meeting(db: Database, actor: Actor, meeting_id: int) -> MeetingOut:
    with db.read() as session:
        return meeting_out(meeting_access(session, actor, meeting_id))


def update_meeting(db: Database, actor: Actor, meeting_id: int, data: MeetingUpdate) -> MeetingOut:
    changes = data.model_dump(exclude_unset=True)
    with db.write() as session:
        access = meeting_access(session, actor, meeting_id)
        access.require_manage()
        meeting = access.meeting
        if meeting.status in (MeetingStatus.closed, MeetingStatus.archived):
            raise Conflict(f"The meeting is {meeting.status}; it can no longer be changed.")
        reject_nulls(changes, "title", "kind", "place")
        for key, value in changes.items():
            setattr(meeting, key, value)
        meeting.updated_at = utcnow()
        session.add(meeting)
        audit.append(
            session,
            actor_id=actor.id,
            action="meeting.updated",
            object_type="meeting",
            object_id=meeting_id,
            meeting_id=meeting_id,
            data=data.model_dump(mode="json", exclude_unset=True),
        )
        events.emit(session, events.meeting_channel(meeting_id), events.MEETING_UPDATED, {"meeting": shared(meeting)})
        return meeting_out(access)


def transition(db: Database, actor: Actor, meeting_id: int, to: MeetingStatus) -> MeetingOut:
    """Move the meeting to another status, or refuse with the reason (409)."""
    with db.write() as session:
        access = meeting_access(session, actor, meeting_id)
        meeting = access.meeting
        current = MeetingStatus(meeting.status)
        if not access.can_manage and not (access.can_chair and (current, to) in CHAIR_MAY):
            raise Forbidden(
                "Only the secretariat, the meeting's secretary or (to start and end it) the chair may "
                "change the meeting's status."
            )
        problem = transition_problem(current, to, readiness(session, meeting_id, meeting))
        if problem:
            raise Conflict(problem, current=current.value, to=to.value)
        meeting.status = to
        meeting.updated_at = utcnow()
        session.add(meeting)
        audit.append(
            session,
            actor_id=actor.id,
            action="meeting.transitioned",
            object_type="meeting",
            object_id=meeting_id,
            meeting_id=meeting_id,
            data={"from": current.value, "to": to.value},
        )
        data = {"meeting": shared(meeting), "from": current.value}
        events.emit(session, events.meeting_channel(meeting_id), events.MEETING_TRANSITIONED, data)
        if current == MeetingStatus.live:
            floor.end(session, meeting_id, meeting.updated_at)
        if MeetingStatus.draft in (current, to):
            # Members see a meeting once it leaves draft: their lists of meetings change.
            users = session.exec(select(Participant.user_id).where(Participant.meeting_id == meeting_id)).all()
            for user_id in sorted({u for u in users if u is not None}):
                events.emit(session, events.user_channel(user_id), events.MEETINGS_CHANGED, {"meeting_id": meeting_id})
        return meeting_out(access)


def readiness(session: Session, meeting_id: int, meeting: Meeting) -> Readiness:
    items = session.exec(select(func.count()).where(AgendaItem.meeting_id == meeting_id)).one()
    chairs = session.exec(
        select(func.count()).where(Participant.meeting_id == meeting_id, col(Participant.role) == ParticipantRole.chair)
    ).one()
    return Readiness(bool(meeting.title.strip()), meeting.starts_at is not None, items, chairs)


def meeting_state(db: Database, actor: Actor, meeting_id: int) -> MeetingState:
    """The meeting, its agenda and its participants with the quorum, as one consistent snapshot.

    It carries the seq of the meeting's channel it is current to: a client subscribes with that as
    `since` and receives exactly the events after it.
    """
    with db.snapshot() as session:
        access = meeting_access(session, actor, meeting_id)
        participants = participants_out(session, meeting_id)
        connection = session.connection()
        return MeetingState(
            meeting=meeting_out(access),
            items=items_out(session, meeting_id),
            participants=participants,
            quorum=quorum_of(participants),
            documents=meeting_documents(session, meeting_id),
            presenter=presenter_out(session, meeting_id),
            floor=floor.shared(floor.floor_out(session, meeting_id)),
            channel=events.meeting_channel(meeting_id),
            seq=eventlog.head(connection, events.meeting_channel(meeting_id)),
            epoch=eventlog.epoch(connection),
        )
