"""The floor: members ask to speak, the chair gives the floor in turn, each speaker against a time limit.

The console (giving the floor) is the chair's; if the chair's tablet fails, the meeting's secretary takes it
over and hands it back. Every change locks the meeting's console row first, so two hand-overs at once queue
behind each other and never leave two people holding the floor.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, or_, select

from ecabinet import audit, events
from ecabinet.database import Database
from ecabinet.errors import Conflict, Forbidden, Invalid, NotFound
from ecabinet.models import (
    AgendaItem,
    Attendance,
    Console,
    ItemStatus,
    MeetingStatus,
    Participant,
    ParticipantRole,
    SpeakerRequest,
    SpeakerStatus,
    Unit,
    User,
    utcnow,
)
from ecabinet.permissions import Actor, MeetingAccess, meeting_access
from ecabinet.record_schemas import ConsoleOut, FloorItem, FloorOut, NotSpoken, SpeakerIn, SpeakerOut

OPEN = (SpeakerStatus.queued, SpeakerStatus.speaking)


def _chaired(session: Session, meeting_id: int) -> bool:
    """Whether the meeting has a chair at all (without one, the secretary runs the console)."""
    row = session.exec(
        select(Participant.id).where(Participant.meeting_id == meeting_id, Participant.role == ParticipantRole.chair)
    ).first()
    return row is not None


def _console(session: Session, meeting_id: int, lock: bool = False) -> Console:
    """The meeting's console; with `lock`, its row made if need be and locked for this transaction."""
    query = select(Console).where(Console.meeting_id == meeting_id)
    if lock:
        # The first floor changes of a meeting may arrive together: each makes the row unless another did
        # (never a duplicate-key error), then all queue on its lock.
        values = {"meeting_id": meeting_id, "holder": _first_holder(session, meeting_id), "since": utcnow()}
        insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
        session.execute(insert(Console).values(**values).on_conflict_do_nothing(index_elements=["meeting_id"]))
        return session.exec(query.with_for_update()).one()
    row = session.exec(query).first()
    return row or Console(meeting_id=meeting_id, holder=_first_holder(session, meeting_id))


def _first_holder(session: Session, meeting_id: int) -> str:
    return "chair" if _chaired(session, meeting_id) else "secretary"


def may_grant(access: MeetingAccess, console: Console) -> bool:
    """Only the console holder gives the floor: the chair, or the secretary who took the console over."""
    if console.holder == "chair":
        return ParticipantRole.chair in access.roles
    return access.can_manage


def may_request(access: MeetingAccess) -> bool:
    """Anyone taking part asks for the floor, except observers (who only watch)."""
    return access.meeting.status == MeetingStatus.live and (
        bool(access.roles - {ParticipantRole.observer}) or access.is_substitute
    )


def _speakers_out(session: Session, rows: list[SpeakerRequest], meeting_id: int) -> list[SpeakerOut]:
    user_ids = {r.user_id for r in rows}
    people = {u.id: u for u in session.exec(select(User).where(col(User.id).in_(user_ids)))} if user_ids else {}
    unit_ids = {u.unit_id for u in people.values() if u.unit_id is not None}
    units = {u.id: u.name for u in session.exec(select(Unit).where(col(Unit.id).in_(unit_ids)))} if unit_ids else {}
    granted = session.exec(
        select(SpeakerRequest.id, SpeakerRequest.user_id, SpeakerRequest.granted_at).where(
            SpeakerRequest.meeting_id == meeting_id, col(SpeakerRequest.granted_at).is_not(None)
        )
    ).all()
    now = utcnow()
    out = []
    for row in rows:
        person = people.get(row.user_id)
        spoken = None
        if row.granted_at is not None and row.ended_at is not None:
            spoken = int((row.ended_at - row.granted_at).total_seconds())
        # Turns this person had before this one (all their turns, for a request still waiting).
        before = len(
            [
                g
                for g in granted
                if g[1] == row.user_id and g[0] != row.id and (row.granted_at is None or (g[2] or now) < row.granted_at)
            ]
        )
        out.append(
            SpeakerOut(
                id=row.id or 0,
                meeting_id=row.meeting_id,
                item_id=row.item_id,
                user_id=row.user_id,
                name=person.name if person else "",
                unit_name=units.get(person.unit_id) if person and person.unit_id else None,
                status=row.status,
                note=row.note,
                requested_at=row.requested_at,
                granted_at=row.granted_at,
                ended_at=row.ended_at,
                limit_secs=row.limit_secs,
                spoken_secs=spoken,
                spoken_before=before,
            )
        )
    return out


def floor_out(
    session: Session, meeting_id: int, actor: Actor | None = None, access: MeetingAccess | None = None
) -> FloorOut:
    """The floor as everyone sees it; with an actor, also what that actor may do and their own request."""
    console = _console(session, meeting_id)
    rows = list(
        session.exec(
            select(SpeakerRequest)
            .where(SpeakerRequest.meeting_id == meeting_id, col(SpeakerRequest.status).in_(OPEN))
            .order_by(col(SpeakerRequest.requested_at), col(SpeakerRequest.id))
        ).all()
    )
    speakers = _speakers_out(session, rows, meeting_id)
    spoke = list(
        session.exec(
            select(SpeakerRequest.user_id)
            .where(SpeakerRequest.meeting_id == meeting_id, col(SpeakerRequest.granted_at).is_not(None))
            .distinct()
            .order_by(col(SpeakerRequest.user_id))
        ).all()
    )
    present = session.exec(
        select(Participant.user_id, Participant.substitute_id, Participant.by_substitute).where(
            Participant.meeting_id == meeting_id,
            Participant.role == ParticipantRole.member,
            Participant.attendance == Attendance.present,
        )
    ).all()
    # Whoever is in the seat: the member, or their substitute when the substitute checked in.
    seated = [sub if by_sub and sub is not None else uid for uid, sub, by_sub in present]
    waiting = [uid for uid in seated if uid is not None and uid not in spoke]
    names = {u.id: u.name for u in session.exec(select(User).where(col(User.id).in_(waiting)))} if waiting else {}
    current = session.exec(
        select(AgendaItem).where(AgendaItem.meeting_id == meeting_id, AgendaItem.status == ItemStatus.current)
    ).first()
    floor = FloorOut(
        meeting_id=meeting_id,
        # A console nobody has touched yet has no row, and no moment it changed hands.
        console=ConsoleOut(
            holder=console.holder,  # type: ignore[arg-type]
            user_id=console.user_id,
            since=console.since if sa.inspect(console).persistent else None,
        ),
        speaking=next((s for s in speakers if s.status == SpeakerStatus.speaking), None),
        queue=[s for s in speakers if s.status == SpeakerStatus.queued],
        spoken=spoke,
        not_spoken=[NotSpoken(user_id=u, name=names.get(u, "")) for u in waiting],
        item=FloorItem(
            id=current.id or 0,
            title=current.title,
            duration_minutes=current.duration_minutes,
            started_at=current.started_at,
        )
        if current
        else None,
        server_time=utcnow(),
    )
    if actor is not None and access is not None:
        floor.may_request = may_request(access)
        floor.may_grant = may_grant(access, console)
        floor.mine = next((s for s in speakers if s.user_id == actor.id), None)
    return floor


# What only the HTTP answer carries: the reader's own view and clock, and what follows from other parts of the
# meeting (check-ins, the agenda), which change without a floor event.
PERSONAL = frozenset({"may_request", "may_grant", "mine", "server_time"})
DERIVED = frozenset({"not_spoken", "item"})


def shared(floor: FloorOut) -> dict[str, object]:
    """The floor as every participant's event (and the meeting state) carries it: only what floor changes change."""
    return floor.model_dump(mode="json", exclude=set(PERSONAL | DERIVED))


def get_floor(db: Database, actor: Actor, meeting_id: int) -> FloorOut:
    with db.read() as session:
        access = meeting_access(session, actor, meeting_id)
        return floor_out(session, meeting_id, actor, access)


def _announce(session: Session, meeting_id: int, actor: Actor, access: MeetingAccess) -> FloorOut:
    session.flush()
    floor = floor_out(session, meeting_id, actor, access)
    _emit(session, floor)  # the event leaves out the actor's own fields
    return floor


def _emit(session: Session, floor: FloorOut) -> None:
    data = {"floor": shared(floor)}
    events.emit(session, events.meeting_channel(floor.meeting_id), events.FLOOR_UPDATED, data)


def _audit(session: Session, actor: Actor, row: SpeakerRequest, action: str) -> None:
    audit.append(
        session,
        actor_id=actor.id,
        action=action,
        object_type="speaker_request",
        object_id=row.id,
        meeting_id=row.meeting_id,
        data={"user_id": row.user_id, "item_id": row.item_id},
    )


def _live(access: MeetingAccess) -> None:
    if access.meeting.status != MeetingStatus.live:
        raise Conflict(f"The meeting is {access.meeting.status}; the floor is given while it is live.")


def request(db: Database, actor: Actor, meeting_id: int, data: SpeakerIn) -> tuple[SpeakerOut, bool]:
    """Ask for the floor (or, by the console holder, put someone in the queue); asking again changes nothing."""
    with db.write() as session:
        access = meeting_access(session, actor, meeting_id)
        _live(access)
        console = _console(session, meeting_id, lock=True)
        user_id = data.user_id or actor.id
        if user_id != actor.id:
            if not may_grant(access, console):
                raise Forbidden("Only the chair, or the secretary running the console, puts others in the queue.")
            # The participant, or the substitute sitting in for them.
            seat = session.exec(
                select(Participant).where(
                    Participant.meeting_id == meeting_id,
                    or_(
                        Participant.user_id == user_id,
                        sa.and_(col(Participant.substitute_id) == user_id, col(Participant.by_substitute).is_(True)),
                    ),
                )
            ).first()
            if seat is None or seat.role == ParticipantRole.observer:
                raise Invalid("user_id: not a participant who may speak in this meeting.", field="user_id")
        elif not may_request(access):
            raise Forbidden("Observers follow the meeting; they do not take the floor.")
        mine = session.exec(
            select(SpeakerRequest).where(
                SpeakerRequest.meeting_id == meeting_id,
                SpeakerRequest.user_id == user_id,
                col(SpeakerRequest.status).in_(OPEN),
            )
        ).first()
        if mine is not None:
            return _speakers_out(session, [mine], meeting_id)[0], False
        item_id = data.item_id
        if item_id is not None:
            item = session.get(AgendaItem, item_id)
            if item is None or item.meeting_id != meeting_id:
                raise Invalid("item_id: expected the id of an agenda item.", field="item_id")
        else:
            item_id = session.exec(
                select(AgendaItem.id).where(
                    AgendaItem.meeting_id == meeting_id, AgendaItem.status == ItemStatus.current
                )
            ).first()
        row = SpeakerRequest(meeting_id=meeting_id, item_id=item_id, user_id=user_id, note=data.note)
        session.add(row)
        session.flush()
        _audit(session, actor, row, "speaker.requested")
        _announce(session, meeting_id, actor, access)
        return _speakers_out(session, [row], meeting_id)[0], True


def _speaker(session: Session, actor: Actor, speaker_id: int) -> tuple[SpeakerRequest, MeetingAccess, Console]:
    row = session.get(SpeakerRequest, speaker_id)
    if row is None:
        raise NotFound("No such request to speak.")
    access = meeting_access(session, actor, row.meeting_id)
    _live(access)
    console = _console(session, row.meeting_id, lock=True)
    session.refresh(row)  # as it is now that the console is locked
    return row, access, console


def withdraw(db: Database, actor: Actor, speaker_id: int) -> FloorOut:
    """The requester (or the console holder) takes a request back while it waits."""
    with db.write() as session:
        row, access, console = _speaker(session, actor, speaker_id)
        if row.user_id != actor.id and not may_grant(access, console):
            raise Forbidden("Only the one who asked, or the console holder, withdraws a request to speak.")
        if row.status != SpeakerStatus.queued:
            raise Conflict(f"The request is {row.status}; only a waiting request can be withdrawn.")
        row.status, row.ended_at = SpeakerStatus.withdrawn, utcnow()
        session.add(row)
        _audit(session, actor, row, "speaker.withdrawn")
        return _announce(session, row.meeting_id, actor, access)


def grant(db: Database, actor: Actor, speaker_id: int, limit_secs: int | None, default_secs: int) -> FloorOut:
    """The console holder gives the floor to a waiting speaker; whoever held it is done."""
    with db.write() as session:
        row, access, console = _speaker(session, actor, speaker_id)
        if not may_grant(access, console):
            raise Forbidden("Only the chair, or the secretary running the console, gives the floor.")
        if row.status != SpeakerStatus.queued:
            raise Conflict(f"The request is {row.status}; the floor goes to someone waiting for it.")
        now = utcnow()
        for holder in session.exec(
            select(SpeakerRequest).where(
                SpeakerRequest.meeting_id == row.meeting_id, SpeakerRequest.status == SpeakerStatus.speaking
            )
        ).all():
            holder.status, holder.ended_at = SpeakerStatus.done, now
            session.add(holder)
            _audit(session, actor, holder, "speaker.done")
        row.status, row.granted_at, row.granted_by_id = SpeakerStatus.speaking, now, actor.id
        row.limit_secs = limit_secs or default_secs
        session.add(row)
        _audit(session, actor, row, "speaker.granted")
        return _announce(session, row.meeting_id, actor, access)


def done(db: Database, actor: Actor, speaker_id: int) -> FloorOut:
    """The speaker yields the floor, or the console holder ends their turn."""
    with db.write() as session:
        row, access, console = _speaker(session, actor, speaker_id)
        if row.user_id != actor.id and not may_grant(access, console):
            raise Forbidden("Only the speaker, or the console holder, ends a turn.")
        if row.status != SpeakerStatus.speaking:
            raise Conflict(f"The request is {row.status}; only the one speaking can finish.")
        row.status, row.ended_at = SpeakerStatus.done, utcnow()
        session.add(row)
        _audit(session, actor, row, "speaker.done")
        return _announce(session, row.meeting_id, actor, access)


def set_console(db: Database, actor: Actor, meeting_id: int, holder: str) -> FloorOut:
    """The secretary takes over the chair's console (and hands it back); the chair takes it back."""
    with db.write() as session:
        access = meeting_access(session, actor, meeting_id)
        _live(access)
        console = _console(session, meeting_id, lock=True)
        is_chair = ParticipantRole.chair in access.roles
        if holder == "secretary":
            if not access.can_manage:
                raise Forbidden("Only the meeting's secretary takes over the console.")
            console.user_id = actor.id
        else:
            if not (is_chair or access.can_manage):
                raise Forbidden("Only the chair or the meeting's secretary hands the console to the chair.")
            if not _chaired(session, meeting_id):
                raise Conflict("The meeting has no chair to hand the console to.")
            console.user_id = None
        console.holder, console.since = holder, utcnow()
        session.add(console)
        audit.append(
            session,
            actor_id=actor.id,
            action="console.taken",
            object_type="meeting",
            object_id=meeting_id,
            meeting_id=meeting_id,
            data={"holder": holder},
        )
        return _announce(session, meeting_id, actor, access)


def end(session: Session, meeting_id: int, at: dt.datetime) -> None:
    """When the meeting stops being live, the speaker's turn ends and waiting requests lapse."""
    rows = session.exec(
        select(SpeakerRequest).where(SpeakerRequest.meeting_id == meeting_id, col(SpeakerRequest.status).in_(OPEN))
    ).all()
    for row in rows:
        row.status = SpeakerStatus.done if row.status == SpeakerStatus.speaking else SpeakerStatus.withdrawn
        row.ended_at = at
        session.add(row)
    if rows:
        session.flush()
        _emit(session, floor_out(session, meeting_id))
