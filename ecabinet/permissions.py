"""Who may do what: the signed-in actor and their access to one meeting.

A meeting the actor takes no part in answers 404 (its existence is not revealed); an action their
role does not allow answers 403 (DESIGN §5).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import Session, or_, select

from ecabinet.errors import Conflict, Forbidden, NotFound
from ecabinet.lifecycle import EDITABLE
from ecabinet.models import GlobalRole, Meeting, MeetingStatus, Participant, ParticipantRole, User, utcnow


@dataclass(frozen=True)
class Actor:
    """The signed-in user making a request."""

    user: User
    session_id: str | None = None
    csrf_token: str = ""

    @property
    def id(self) -> int:
        assert self.user.id is not None
        return self.user.id

    @property
    def is_admin(self) -> bool:
        return self.user.role == GlobalRole.admin

    @property
    def is_secretariat(self) -> bool:
        """Admins and the secretariat prepare every meeting."""
        return self.user.role in (GlobalRole.admin, GlobalRole.secretariat)

    def require_admin(self) -> None:
        if not self.is_admin:
            raise Forbidden("Only an administrator may do this.")

    def require_secretariat(self) -> None:
        if not self.is_secretariat:
            raise Forbidden("Only the secretariat may do this.")


@dataclass(frozen=True)
class MeetingAccess:
    """What one actor may do in one meeting."""

    meeting: Meeting
    roles: frozenset[ParticipantRole] = field(default_factory=frozenset)
    is_substitute: bool = False
    is_secretariat: bool = False

    @property
    def can_manage(self) -> bool:
        """Edit the meeting, its agenda and participants, check anyone in."""
        return self.is_secretariat or ParticipantRole.secretary in self.roles

    @property
    def can_chair(self) -> bool:
        return self.can_manage or ParticipantRole.chair in self.roles

    def require_manage(self) -> None:
        if not self.can_manage:
            raise Forbidden("Only the meeting's secretary or the secretariat may change this meeting.")


def my_participations(session: Session, actor: Actor, meeting_id: int | None = None) -> list[Participant]:
    """The participant rows that are the actor's own or name the actor as substitute (in one meeting, or all)."""
    query = select(Participant).where(or_(Participant.user_id == actor.id, Participant.substitute_id == actor.id))
    if meeting_id is not None:
        query = query.where(Participant.meeting_id == meeting_id)
    return list(session.exec(query).all())


def access_from(meeting: Meeting, rows: list[Participant], actor: Actor) -> MeetingAccess:
    """The actor's access to a meeting, given their participant rows in it."""
    roles = frozenset(ParticipantRole(p.role) for p in rows if p.user_id == actor.id)
    return MeetingAccess(meeting, roles, any(p.substitute_id == actor.id for p in rows), actor.is_secretariat)


def meeting_access(session: Session, actor: Actor, meeting_id: int) -> MeetingAccess:
    """The actor's access to a meeting, or NotFound if they may not know it exists."""
    meeting = session.get(Meeting, meeting_id)
    if meeting is None:
        raise NotFound("No such meeting.")
    access = access_from(meeting, my_participations(session, actor, meeting_id), actor)
    if access.can_manage:
        return access
    if not access.roles and not access.is_substitute:
        raise NotFound("No such meeting.")
    # A draft is still being prepared: only those who prepare it and the chair see it.
    if meeting.status == MeetingStatus.draft and not access.can_chair:
        raise NotFound("No such meeting.")
    return access


def visible_meeting_ids_clause(actor: Actor) -> object:
    """A WHERE clause selecting the meetings an actor may list (None: all of them)."""
    if actor.is_secretariat:
        return None
    mine = select(Participant.meeting_id).where(
        or_(Participant.user_id == actor.id, Participant.substitute_id == actor.id)
    )
    managed = select(Participant.meeting_id).where(
        Participant.user_id == actor.id,
        Participant.role.in_([ParticipantRole.secretary, ParticipantRole.chair]),  # type: ignore[attr-defined]
    )
    return or_(
        Meeting.id.in_(managed),  # type: ignore[union-attr]
        (Meeting.id.in_(mine)) & (Meeting.status != MeetingStatus.draft),  # type: ignore[union-attr]
    )


def editable_meeting(session: Session, actor: Actor, meeting_id: int) -> MeetingAccess:
    """Access for changing a meeting's agenda or participants: a manager, while the meeting is not yet closed."""
    access = meeting_access(session, actor, meeting_id)
    access.require_manage()
    if access.meeting.status not in EDITABLE:
        raise Conflict(f"The meeting is {access.meeting.status}; its agenda and participants can no longer change.")
    access.meeting.updated_at = utcnow()
    session.add(access.meeting)
    return access
