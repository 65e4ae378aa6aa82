"""Participants: who takes part in a meeting, in which role, their substitute, check-in and quorum."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from ecabinet import audit, events
from ecabinet.database import Database
from ecabinet.errors import Conflict, Forbidden, Invalid, NotFound
from ecabinet.lifecycle import CHECK_IN_OPEN, EDITABLE
from ecabinet.models import Attendance, Participant, ParticipantRole, Unit, User, utcnow
from ecabinet.permissions import Actor, MeetingAccess, editable_meeting, meeting_access
from ecabinet.quorum import DEFAULT_QUORUM_RULE, QUORUM_RULES, quorum
from ecabinet.schemas import ParticipantCreate, ParticipantOut, ParticipantUpdate, QuorumOut, reject_nulls
from ecabinet.units import exists_on

VOTING_BY_DEFAULT = frozenset({ParticipantRole.chair, ParticipantRole.member})
# Roles that attend in person and so may send a substitute in their place.
MAY_SEND_SUBSTITUTE = frozenset(
    {ParticipantRole.chair, ParticipantRole.secretary, ParticipantRole.member, ParticipantRole.invitee}
)


def participants_out(session: Session, meeting_id: int) -> list[ParticipantOut]:
    rows = session.exec(select(Participant).where(Participant.meeting_id == meeting_id)).all()
    user_ids = {p.user_id for p in rows} | {p.substitute_id for p in rows}
    users = {u.id: u for u in session.exec(select(User).where(col(User.id).in_([i for i in user_ids if i]))).all()}
    unit_ids = {p.unit_id for p in rows} | {u.unit_id for u in users.values()}
    units = {u.id: u for u in session.exec(select(Unit).where(col(Unit.id).in_([i for i in unit_ids if i]))).all()}
    order = list(ParticipantRole)
    out = []
    for p in rows:
        user = users.get(p.user_id)
        unit_id = p.unit_id if p.unit_id is not None else (user.unit_id if user else None)
        unit = units.get(unit_id)
        substitute = users.get(p.substitute_id)
        name = (
            unit.name
            if p.role == ParticipantRole.site and unit
            else (user.name if user else (unit.name if unit else "?"))
        )
        out.append(
            ParticipantOut(
                id=p.id,  # type: ignore[arg-type]
                meeting_id=p.meeting_id,
                user_id=p.user_id,
                name=name,
                title=user.title if user else "",
                unit_id=unit_id,
                unit_name=unit.name if unit else None,
                role=p.role,
                can_vote=p.can_vote,
                substitute_id=p.substitute_id,
                substitute_name=substitute.name if substitute else None,
                attendance=p.attendance,
                absence_reason=p.absence_reason,
                checked_in_at=p.checked_in_at,
                by_substitute=p.by_substitute,
            )
        )
    out.sort(key=lambda p: (order.index(p.role), p.name, p.id))
    return out


def quorum_of(participants: list[ParticipantOut]) -> QuorumOut:
    """The meeting's quorum under the default rule, from its participants' attendance."""
    voters = [p for p in participants if p.can_vote]
    present = [p for p in voters if p.attendance == Attendance.present]
    result = quorum(
        len(voters),
        sum(not p.by_substitute for p in present),
        sum(p.by_substitute for p in present),
        QUORUM_RULES[DEFAULT_QUORUM_RULE],
    )
    return QuorumOut(
        rule=result.rule.key,
        basis=result.rule.basis,
        basis_en=result.rule.basis_en,
        members=result.members,
        present=result.present,
        required=result.required,
        met=result.met,
    )


def list_participants(db: Database, actor: Actor, meeting_id: int) -> list[ParticipantOut]:
    with db.read() as session:
        meeting_access(session, actor, meeting_id)
        return participants_out(session, meeting_id)


def _announce(session: Session, participant: Participant, type_: str) -> ParticipantOut:
    """Emit a participant event carrying the participant and the new quorum; return the participant."""
    session.flush()
    everyone = participants_out(session, participant.meeting_id)
    one = next(p for p in everyone if p.id == participant.id)
    _emit(session, participant.meeting_id, type_, one.model_dump(mode="json"), everyone)
    return one


def _emit(
    session: Session, meeting_id: int, type_: str, participant: dict[str, Any], everyone: list[ParticipantOut]
) -> None:
    quorum = quorum_of(everyone).model_dump(mode="json")
    events.emit(session, events.meeting_channel(meeting_id), type_, {"participant": participant, "quorum": quorum})


def _tell_users(session: Session, meeting_id: int, *user_ids: int | None) -> None:
    # Their lists of meetings changed: the meetings page reloads itself.
    for user_id in sorted({u for u in user_ids if u is not None}):
        events.emit(session, events.user_channel(user_id), events.MEETINGS_CHANGED, {"meeting_id": meeting_id})


def add_participant(db: Database, actor: Actor, meeting_id: int, data: ParticipantCreate) -> ParticipantOut:
    if data.user_id is None and data.unit_id is None:
        raise Invalid("user_id: give the participant's user_id (or, for a remote site, its unit_id).", field="user_id")
    with db.write() as session:
        access = editable_meeting(session, actor, meeting_id)
        user = session.get(User, data.user_id) if data.user_id is not None else None
        if data.user_id is not None and (user is None or not user.active):
            raise Invalid(f"user_id: no active user with id {data.user_id}.", field="user_id")
        unit_id = data.unit_id if data.unit_id is not None else (user.unit_id if user else None)
        if data.role == ParticipantRole.site and unit_id is None:
            raise Invalid("unit_id: a remote site is a unit; give its unit_id.", field="unit_id")
        if data.unit_id is not None:
            unit = session.get(Unit, data.unit_id)
            if unit is None:
                raise Invalid(f"unit_id: no unit with id {data.unit_id}.", field="unit_id")
            if not exists_on(unit, (access.meeting.starts_at or utcnow()).date()):
                raise Invalid(
                    f"unit_id: {unit.name} does not exist on the meeting's date "
                    f"(valid {unit.valid_from or '…'} to {unit.valid_to or '…'}).",
                    field="unit_id",
                )
        if (
            user is not None
            and session.exec(
                select(Participant).where(Participant.meeting_id == meeting_id, Participant.user_id == user.id)
            ).first()
        ):
            raise Conflict(f"{user.name} already takes part in this meeting.")
        can_vote = data.can_vote if data.can_vote is not None else data.role in VOTING_BY_DEFAULT
        participant = Participant(
            meeting_id=meeting_id, user_id=data.user_id, unit_id=data.unit_id, role=data.role, can_vote=can_vote
        )
        session.add(participant)
        session.flush()
        audit.append(
            session,
            actor_id=actor.id,
            action="participant.added",
            object_type="participant",
            object_id=participant.id,
            meeting_id=meeting_id,
            data=data.model_dump(mode="json"),
        )
        _tell_users(session, meeting_id, participant.user_id)
        return _announce(session, participant, events.PARTICIPANT_ADDED)


def _participant(session: Session, actor: Actor, participant_id: int) -> tuple[Participant, MeetingAccess]:
    participant = session.get(Participant, participant_id)
    if participant is None:
        raise NotFound("No such participant.")
    return participant, meeting_access(session, actor, participant.meeting_id)


def update_participant(db: Database, actor: Actor, participant_id: int, data: ParticipantUpdate) -> ParticipantOut:
    """Change a role, voting right or attendance (secretary), or name a substitute (the member too)."""
    changes = data.model_dump(exclude_unset=True)
    with db.write() as session:
        participant, access = _participant(session, actor, participant_id)
        before_substitute = participant.substitute_id
        own = participant.user_id == actor.id
        if not access.can_manage and not (own and set(changes) <= {"substitute_id", "absence_reason"}):
            raise Forbidden("Only the meeting's secretary may change this; a member may name their own substitute.")
        if access.meeting.status not in EDITABLE:
            raise Conflict(f"The meeting is {access.meeting.status}; its participants can no longer change.")
        reject_nulls(changes, "role", "can_vote", "attendance", "absence_reason")
        if changes.get("substitute_id") is not None:
            _check_substitute(session, participant, changes["substitute_id"])
        if changes.get("substitute_id", participant.substitute_id) != participant.substitute_id and (
            participant.by_substitute
        ):
            # The check-in was the old substitute's; it does not hold for the new one.
            participant.attendance, participant.checked_in_at, participant.by_substitute = (
                Attendance.expected,
                None,
                False,
            )
        if changes.get("attendance") == Attendance.present:
            raise Invalid(
                f"attendance: check the participant in with POST /api/participants/{participant_id}/checkin.",
                field="attendance",
            )
        if "attendance" in changes:
            participant.checked_in_at, participant.by_substitute = None, False
        for key, value in changes.items():
            setattr(participant, key, value)
        session.add(participant)
        audit.append(
            session,
            actor_id=actor.id,
            action="participant.updated",
            object_type="participant",
            object_id=participant_id,
            meeting_id=participant.meeting_id,
            data=data.model_dump(mode="json", exclude_unset=True),
        )
        if "substitute_id" in changes:
            _tell_users(session, participant.meeting_id, before_substitute, participant.substitute_id)
        return _announce(session, participant, events.PARTICIPANT_UPDATED)


def _check_substitute(session: Session, participant: Participant, substitute_id: int) -> None:
    if ParticipantRole(participant.role) not in MAY_SEND_SUBSTITUTE:
        raise Invalid(
            f"substitute_id: a participant in the role {participant.role} does not send a substitute.",
            field="substitute_id",
        )
    substitute = session.get(User, substitute_id)
    if substitute is None or not substitute.active:
        raise Invalid(f"substitute_id: no active user with id {substitute_id}.", field="substitute_id")
    if substitute_id == participant.user_id:
        raise Invalid("substitute_id: a participant cannot be their own substitute.", field="substitute_id")
    taken = session.exec(
        select(Participant).where(
            Participant.meeting_id == participant.meeting_id,
            (Participant.user_id == substitute_id) | (Participant.substitute_id == substitute_id),
            Participant.id != participant.id,
        )
    ).first()
    if taken:
        raise Conflict(f"{substitute.name} already attends this meeting in their own right or for someone else.")


def _require_check_in_open(access: MeetingAccess) -> None:
    if access.meeting.status not in CHECK_IN_OPEN:
        raise Conflict(f"Check-in is open while the meeting is scheduled or live; it is {access.meeting.status}.")


def check_in(db: Database, actor: Actor, participant_id: int, by_substitute: bool | None) -> ParticipantOut:
    """Mark a participant present: on their own tablet, by their substitute, or by the secretary."""
    with db.write() as session:
        participant, access = _participant(session, actor, participant_id)
        if actor.id == participant.substitute_id:
            by_substitute = True
        elif actor.id == participant.user_id:
            if by_substitute:
                raise Forbidden("Only the substitute can check in as the substitute.")
            by_substitute = False
        elif not access.can_manage:
            raise Forbidden("You may check in only yourself, or the member you attend for.")
        if by_substitute and participant.substitute_id is None:
            raise Conflict("This participant has named no substitute.")
        _require_check_in_open(access)
        participant.attendance = Attendance.present
        participant.checked_in_at = utcnow()
        participant.checked_in_by_id = actor.id
        participant.by_substitute = bool(by_substitute)
        participant.absence_reason = ""
        session.add(participant)
        audit.append(
            session,
            actor_id=actor.id,
            action="participant.checked_in",
            object_type="participant",
            object_id=participant_id,
            meeting_id=participant.meeting_id,
            data={"by_substitute": participant.by_substitute},
        )
        return _announce(session, participant, events.PARTICIPANT_UPDATED)


def undo_check_in(db: Database, actor: Actor, participant_id: int) -> ParticipantOut:
    with db.write() as session:
        participant, access = _participant(session, actor, participant_id)
        if not access.can_manage and actor.id not in (participant.user_id, participant.substitute_id):
            raise Forbidden("You may undo only your own check-in.")
        _require_check_in_open(access)
        participant.attendance = Attendance.expected
        participant.checked_in_at = None
        participant.by_substitute = False
        session.add(participant)
        audit.append(
            session,
            actor_id=actor.id,
            action="participant.check_in_undone",
            object_type="participant",
            object_id=participant_id,
            meeting_id=participant.meeting_id,
        )
        return _announce(session, participant, events.PARTICIPANT_UPDATED)


def remove_participant(db: Database, actor: Actor, participant_id: int) -> None:
    with db.write() as session:
        participant, _ = _participant(session, actor, participant_id)
        editable_meeting(session, actor, participant.meeting_id)
        session.delete(participant)
        audit.append(
            session,
            actor_id=actor.id,
            action="participant.removed",
            object_type="participant",
            object_id=participant_id,
            meeting_id=participant.meeting_id,
            data={"user_id": participant.user_id, "unit_id": participant.unit_id},
        )
        _tell_users(session, participant.meeting_id, participant.user_id, participant.substitute_id)
        session.flush()
        gone = {"id": participant_id, "user_id": participant.user_id}
        everyone = participants_out(session, participant.meeting_id)
        _emit(session, participant.meeting_id, events.PARTICIPANT_REMOVED, gone, everyone)
