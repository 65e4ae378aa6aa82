"""Votes: live votes in the meeting and written opinion polls, named or secret: creating, opening, closing.

Casting is `ballots.py`. The close counts in one transaction under an exclusive lock on the poll (on
PostgreSQL; casts hold a shared one), and for a secret poll it writes every pending ballot to `ballot` in
a shuffled order under random ids and deletes the pending rows, so neither ids, row order nor transaction
ids follow the casting order (DESIGN §7). Events and audit rows say only that a member voted.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import secrets
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from ecabinet import audit, events
from ecabinet.database import Database
from ecabinet.errors import Conflict, Forbidden, Invalid, NotFound
from ecabinet.models import (
    AgendaItem,
    Attendance,
    Ballot,
    Job,
    MeetingStatus,
    Participant,
    ParticipantRole,
    PendingBallot,
    Poll,
    PollStatus,
    User,
    VoteCast,
    utcnow,
)
from ecabinet.permissions import Actor, MeetingAccess, meeting_access
from ecabinet.quorum import DEFAULT_QUORUM_RULE, QUORUM_RULES, quorum
from ecabinet.vote_rules import DEFAULT_OPTIONS, DEFAULT_VOTE_RULE, VOTE_RULES, VoteRule, outcome
from ecabinet.vote_schemas import MyVote, OptionOut, PollCreate, PollOut, PollOutcome, PollResult, RuleOut, VoterOut

# Reminders before a written poll's deadline, in hours.
REMIND_BEFORE_HOURS = (24, 1)
CLOSE_JOB = "poll.close"
REMIND_JOB = "poll.remind"
_shuffle = random.SystemRandom().shuffle


def rule_out(rule: VoteRule) -> RuleOut:
    return RuleOut(key=rule.key, label=rule.label, label_en=rule.label_en, basis=rule.basis, basis_en=rule.basis_en)


def rules() -> list[RuleOut]:
    return [rule_out(rule) for rule in VOTE_RULES.values()]


# ---- reading --------------------------------------------------------------------------------------------


def options_of(poll: Poll) -> list[tuple[str, str]]:
    return [(str(o), str(label)) for o, label in json.loads(poll.options)]


def _eligible(session: Session, meeting_id: int) -> list[Participant]:
    """The participants with a vote (the chair and members the meeting gave one)."""
    return list(
        session.exec(select(Participant).where(Participant.meeting_id == meeting_id, col(Participant.can_vote)))
    )


def eligible_count(session: Session, meeting_id: int) -> int:
    query = select(sa.func.count()).select_from(Participant)
    return session.exec(query.where(Participant.meeting_id == meeting_id, col(Participant.can_vote))).one()


def may_run(access: MeetingAccess) -> bool:
    """The chair and the meeting's managers run its votes."""
    return access.can_manage or ParticipantRole.chair in access.roles


def votes_in(session: Session, access: MeetingAccess, user_id: int) -> bool:
    """Whether a user is a member with a vote in the meeting."""
    query = select(Participant.id).where(
        Participant.meeting_id == access.meeting.id, Participant.user_id == user_id, col(Participant.can_vote)
    )
    return session.exec(query).first() is not None


def poll_out(session: Session, poll: Poll, actor: Actor | None, access: MeetingAccess | None) -> PollOut:
    """A poll as `actor` may see it (None: as every participant sees it, for events)."""
    rule = VOTE_RULES[poll.rule]
    eligible = _eligible(session, poll.meeting_id)
    casts = {c.participant_id: c for c in session.exec(select(VoteCast).where(VoteCast.poll_id == poll.id))}
    names = {u.id: u.name for u in session.exec(select(User).where(col(User.id).in_([p.user_id for p in eligible])))}
    closed = poll.status == PollStatus.closed
    named = poll.ballot == "named"
    # Who voted is known to all; what they chose only for named polls: to those who run it while open, to all after.
    show_choices = named and (closed or (access is not None and may_run(access)))
    voters = [
        VoterOut(
            user_id=p.user_id,
            name=names.get(p.user_id, "") if p.user_id else "",
            voted=p.id in casts,
            choice=casts[p.id].choice if show_choices and p.id in casts else None,
            by_secretary=casts[p.id].by_secretary if p.id in casts else False,
        )
        for p in eligible
    ]
    mine = None
    if actor is not None:
        # The member's own seat, or the one they stand in for (a ballot the secretary recorded is theirs too).
        own = [casts[p.id] for p in eligible if p.id in casts and actor.id in (p.user_id, p.substitute_id)]
        if own:
            mine = MyVote(
                voted=True,
                receipt=own[0].receipt,
                choice=own[0].choice if named else None,
                by_secretary=own[0].by_secretary,
            )
    result = PollResult.model_validate_json(poll.result) if poll.result else None
    comments = []
    if named and (closed or (access is not None and may_run(access))):
        comments = [{"name": names.get(c.user_id, ""), "text": c.comment} for c in casts.values() if c.comment]
    return PollOut(
        id=poll.id or 0,
        meeting_id=poll.meeting_id,
        item_id=poll.item_id,
        item_ids=json.loads(poll.item_ids),
        question=poll.question,
        options=[OptionOut(id=o, label=label) for o, label in options_of(poll)],
        ballot=poll.ballot,
        mode=poll.mode,
        status=str(poll.status),
        rule=rule_out(rule),
        deadline=poll.deadline,
        opened_at=poll.opened_at,
        closed_at=poll.closed_at,
        eligible=len(eligible),
        cast=len(casts),
        my_vote=mine,
        voters=voters,
        tally=result.tally if result else None,
        outcome=PollOutcome(
            adopted=result.adopted, winner=result.winner, rule=result.rule, basis=result.basis, basis_en=result.basis_en
        )
        if result
        else None,
        result=result,
        comments=comments,
    )


def _poll_access(session: Session, actor: Actor, poll_id: int) -> tuple[Poll, MeetingAccess]:
    poll = session.get(Poll, poll_id)
    if poll is None:
        raise NotFound("No such poll.")
    return poll, meeting_access(session, actor, poll.meeting_id)


def get_poll(db: Database, actor: Actor, poll_id: int) -> PollOut:
    with db.read() as session:
        poll, access = _poll_access(session, actor, poll_id)
        return poll_out(session, poll, actor, access)


def list_polls(db: Database, actor: Actor, meeting_id: int) -> list[PollOut]:
    with db.read() as session:
        access = meeting_access(session, actor, meeting_id)
        polls = session.exec(select(Poll).where(Poll.meeting_id == meeting_id).order_by(col(Poll.id).desc())).all()
        return [poll_out(session, poll, actor, access) for poll in polls]


def receipts(db: Database, actor: Actor, poll_id: int) -> list[str]:
    """The receipts of a closed poll, sorted, without choices: a voter finds theirs; nobody learns a choice."""
    with db.read() as session:
        poll, _access = _poll_access(session, actor, poll_id)
        if poll.status != PollStatus.closed:
            raise Conflict("Receipts are published when the poll closes.")
        return sorted(session.exec(select(Ballot.receipt).where(Ballot.poll_id == poll_id)).all())


# ---- running a poll ---------------------------------------------------------------------------------------


def _announce(session: Session, poll: Poll) -> None:
    """`poll.updated` on the meeting's channel: the poll as every participant sees it.

    A closed poll's event leaves out the list of voters: every tablet needs the result at once, and with a
    thousand voters the list is most of the message (those who show it read it with GET /api/polls/{id}).
    """
    shared = poll_out(session, poll, None, None).model_dump(mode="json")
    if poll.status == PollStatus.closed:
        shared.pop("voters")
    events.emit(session, events.meeting_channel(poll.meeting_id), events.POLL_UPDATED, {"poll": shared})


def create_poll(db: Database, actor: Actor, item_id: int, data: PollCreate) -> PollOut:
    """A poll on an item (or, with `item_ids`, on several: a consent agenda), ready to open."""
    with db.write() as session:
        item = session.get(AgendaItem, item_id)
        if item is None:
            raise NotFound("No such agenda item.")
        access = meeting_access(session, actor, item.meeting_id)
        if not may_run(access):
            raise Forbidden("Only the chair or the meeting's secretary may run votes.")
        if access.meeting.status in (MeetingStatus.closed, MeetingStatus.archived):
            raise Conflict(f"The meeting is {access.meeting.status}; it takes no more votes.")
        rule = data.rule or DEFAULT_VOTE_RULE
        if rule not in VOTE_RULES:
            raise Invalid(f"rule: use one of {', '.join(VOTE_RULES)}.", field="rule")
        items = data.item_ids or [item_id]
        known = set(session.exec(select(AgendaItem.id).where(AgendaItem.meeting_id == item.meeting_id)).all())
        if not set(items) <= known:
            raise Invalid("item_ids: every item must be on this meeting's agenda.", field="item_ids")
        if data.mode == "written" and data.deadline is None:
            raise Invalid("deadline: a written poll needs a deadline.", field="deadline")
        if data.options:
            if len(set(data.options)) != len(data.options):
                raise Invalid("options: each option once.", field="options")
            options = [[f"o{i}", label] for i, label in enumerate(data.options, start=1)]
        else:
            options = [[key, label] for key, label, _en in DEFAULT_OPTIONS]
        poll = Poll(
            meeting_id=item.meeting_id,
            item_id=item_id,
            item_ids=json.dumps(items),
            question=data.question,
            options=json.dumps(options, ensure_ascii=False),
            ballot=data.ballot,
            mode=data.mode,
            rule=rule,
            deadline=data.deadline,
            created_by_id=actor.id,
        )
        session.add(poll)
        session.flush()
        audit_poll(
            session, actor, poll, "poll.created", {"question": poll.question, "ballot": poll.ballot, "rule": rule}
        )
        _announce(session, poll)
        return poll_out(session, poll, actor, access)


def open_poll(db: Database, actor: Actor, poll_id: int) -> PollOut:
    """Open a poll: a live vote while the meeting sits; a written one until its deadline (closed then by itself)."""
    with db.write() as session:
        poll, access = _poll_access(session, actor, poll_id)
        if not may_run(access):
            raise Forbidden("Only the chair or the meeting's secretary may run votes.")
        if poll.status != PollStatus.draft:
            raise Conflict(f"The poll is already {poll.status}.")
        now = utcnow()
        if poll.mode == "live" and access.meeting.status != MeetingStatus.live:
            raise Conflict("A live vote opens while the meeting is in session.")
        if poll.mode == "written":
            if poll.deadline is None or poll.deadline <= now:
                raise Invalid("deadline: the deadline has passed; set a later one.", field="deadline")
            _schedule(session, CLOSE_JOB, str(poll.id), poll.deadline)
            for hours in REMIND_BEFORE_HOURS:
                at = poll.deadline - dt.timedelta(hours=hours)
                if at > now:
                    _schedule(session, REMIND_JOB, f"{poll.id}:{hours}", at)
        poll.status = PollStatus.open
        poll.opened_at = now
        session.add(poll)
        session.flush()
        audit_poll(session, actor, poll, "poll.opened", {})
        _announce(session, poll)
        return poll_out(session, poll, actor, access)


def close_poll(db: Database, actor: Actor, poll_id: int) -> PollOut:
    """Close a poll and announce its result; closing a closed poll answers the same result."""
    with db.write() as session:
        poll = locked_poll(session, poll_id, exclusive=True)
        access = meeting_access(session, actor, poll.meeting_id)
        if not may_run(access):
            raise Forbidden("Only the chair or the meeting's secretary may run votes.")
        if poll.status == PollStatus.draft:
            raise Conflict("The poll was never opened.")
        if poll.status == PollStatus.open:
            close_in(session, poll, actor.id)
        return poll_out(session, poll, actor, access)


def close_in(session: Session, poll: Poll, actor_id: int | None) -> None:
    """Count and close an open poll inside the caller's transaction (the chair, or the scheduler at a deadline)."""
    if poll.ballot == "secret":
        pending = list(session.exec(select(PendingBallot).where(PendingBallot.poll_id == poll.id)))
        _shuffle(pending)
        session.execute(sa.delete(PendingBallot).where(col(PendingBallot.poll_id) == poll.id))
        session.add_all(
            Ballot(
                id=secrets.token_hex(16), poll_id=poll.id or 0, receipt=p.receipt, choice=p.choice, comment=p.comment
            )
            for p in pending
        )
        session.flush()
    choices = list(session.exec(select(Ballot.choice).where(Ballot.poll_id == poll.id)))
    eligible = _eligible(session, poll.meeting_id)
    rule = VOTE_RULES[poll.rule]
    present_in_person = sum(p.attendance == Attendance.present and not p.by_substitute for p in eligible)
    present_by_substitute = sum(p.attendance == Attendance.present and p.by_substitute for p in eligible)
    room = quorum(len(eligible), present_in_person, present_by_substitute, QUORUM_RULES[DEFAULT_QUORUM_RULE])
    quorum_met = room.met if poll.mode == "live" else None
    decided = outcome(choices, [o for o, _ in options_of(poll)], rule, len(eligible), room.present, quorum_met)
    result = PollResult(
        tally=decided.tally,
        cast=decided.cast,
        eligible=len(eligible),
        present=room.present,
        quorum_met=quorum_met,
        needed=decided.needed,
        adopted=decided.adopted,
        winner=decided.winner,
        rule=rule.key,
        basis=rule.basis,
        basis_en=rule.basis_en,
    )
    poll.status = PollStatus.closed
    poll.closed_at = utcnow()
    poll.result = result.model_dump_json()
    session.add(poll)
    # Its reminders and deadline are moot now.
    session.execute(
        sa.update(Job)
        .where(
            (col(Job.subject) == str(poll.id)) | col(Job.subject).startswith(f"{poll.id}:"),
            col(Job.done_at).is_(None),
        )
        .values(done_at=poll.closed_at)
    )
    audit.append(
        session,
        actor_id=actor_id,
        action="poll.closed",
        object_type="poll",
        object_id=poll.id,
        meeting_id=poll.meeting_id,
        data={"tally": result.tally, "adopted": result.adopted, "cast": result.cast},
    )
    _announce(session, poll)


def locked_poll(session: Session, poll_id: int, exclusive: bool) -> Poll:
    """The poll row, locked: shared while casting, exclusive while closing (PostgreSQL; SQLite writes one at a time)."""
    query = select(Poll).where(Poll.id == poll_id)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(read=not exclusive)
    poll = session.exec(query).first()
    if poll is None:
        raise NotFound("No such poll.")
    return poll


def audit_poll(session: Session, actor: Actor, poll: Poll, action: str, data: dict[str, Any]) -> None:
    audit.append(
        session,
        actor_id=actor.id,
        action=action,
        object_type="poll",
        object_id=poll.id,
        meeting_id=poll.meeting_id,
        data={"poll_id": poll.id, **data},
    )


def _schedule(session: Session, kind: str, subject: str, at: Any) -> None:
    if session.exec(select(Job).where(Job.kind == kind, Job.subject == subject)).first() is None:
        session.add(Job(kind=kind, subject=subject, run_at=at))


# ---- the scheduler's work ------------------------------------------------------------------------------------


def run_job(session: Session, job: Job) -> None:
    """Do one due job inside the transaction that claimed it."""
    poll_id = int(job.subject.split(":")[0])
    poll = locked_poll(session, poll_id, exclusive=True)
    if poll.status != PollStatus.open:
        return
    if job.kind == CLOSE_JOB:
        close_in(session, poll, None)
    elif job.kind == REMIND_JOB:
        voted = set(session.exec(select(VoteCast.participant_id).where(VoteCast.poll_id == poll_id)))
        for participant in _eligible(session, poll.meeting_id):
            if participant.id not in voted and participant.user_id is not None:
                events.emit(
                    session,
                    events.user_channel(participant.user_id),
                    events.POLL_REMINDER,
                    {
                        "poll_id": poll_id,
                        "meeting_id": poll.meeting_id,
                        "question": poll.question,
                        "deadline": poll.deadline.isoformat() if poll.deadline else None,
                    },
                )
