"""Ballots: a member's vote in an open poll, counted exactly once, and unlinkable in a secret poll.

Exactly once: a member's ballot is one `vote_cast` row (unique per poll and member) written in the same
transaction as the ballot; a retry with the same Idempotency-Key finds that row and answers the same
receipt; a new key is refused. Casting reads the poll under a shared lock and the close under an exclusive
one (PostgreSQL), so no acknowledged ballot lands after the count.

In a secret poll the cast row holds no choice and no receipt, only a digest of the member's own key; the
choice waits in `pending_ballot` under a random id until the close shuffles it into place (`polls.close_in`).
The receipt is derived from the member's key with the server's secret, so it is stored nowhere beside them.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from ecabinet import events, polls
from ecabinet.database import Database
from ecabinet.errors import AlreadyVoted, Forbidden, Invalid, PollClosed
from ecabinet.models import Ballot, Participant, PendingBallot, Poll, PollStatus, VoteCast, utcnow
from ecabinet.permissions import Actor, meeting_access
from ecabinet.vote_rules import VOTE_RULES, VoteRule
from ecabinet.vote_schemas import BallotIn, BallotOut

MIN_KEY, MAX_KEY = 16, 100


def cast(
    db: Database,
    actor: Actor,
    poll_id: int,
    data: BallotIn,
    key: str,
    server_secret: str,
    for_user_id: int | None = None,
) -> tuple[BallotOut, bool]:
    """Record a member's ballot once; (the answer, whether it is new). A retry with the same key answers the same.

    With `for_user_id`, the meeting's secretary records the ballot of a member whose tablet failed.
    """
    if not MIN_KEY <= len(key) <= MAX_KEY:
        raise Invalid(
            f"Idempotency-Key: send a unique key of {MIN_KEY} to {MAX_KEY} characters with each ballot "
            "(the same key when retrying it).",
            field="Idempotency-Key",
        )
    try:
        return _cast_once(db, actor, poll_id, data, key, server_secret, for_user_id)
    except sa.exc.IntegrityError:
        # The same ballot arrived twice at once (a retry racing its original) and the other copy won the
        # unique key: read it back, as any later retry would.
        return _cast_once(db, actor, poll_id, data, key, server_secret, for_user_id)


def _cast_once(
    db: Database,
    actor: Actor,
    poll_id: int,
    data: BallotIn,
    key: str,
    server_secret: str,
    for_user_id: int | None,
) -> tuple[BallotOut, bool]:
    with db.write() as session:
        poll = polls.locked_poll(session, poll_id, exclusive=False)
        access = meeting_access(session, actor, poll.meeting_id)
        rule = VOTE_RULES[poll.rule]
        if for_user_id is not None:
            if not access.can_manage:
                raise Forbidden("Only the meeting's secretary may record a vote by hand.")
            participant = _voter(session, poll, for_user_id, rule, by_hand=True)
        else:
            participant = _voter(session, poll, actor.id, rule, by_hand=False)
        digest = hashlib.sha256(f"{poll.id}|{participant.id}|{key}".encode()).hexdigest()
        receipt = _receipt(server_secret, poll.id or 0, participant.id or 0, key)
        named = poll.ballot == "named"
        done = session.exec(
            select(VoteCast).where(VoteCast.poll_id == poll.id, VoteCast.participant_id == participant.id)
        ).first()
        if done is not None:
            if hmac.compare_digest(done.key_digest, digest):
                return BallotOut(
                    poll_id=poll_id, receipt=receipt, choice=done.choice or None, by_secretary=done.by_secretary
                ), False
            raise AlreadyVoted("This member has already voted in this poll.")
        if poll.status != PollStatus.open:
            raise PollClosed(
                "The poll is not open for voting." if poll.status == PollStatus.draft else "The poll is closed."
            )
        if data.choice not in {o for o, _ in polls.options_of(poll)}:
            raise Invalid(f"choice: use one of {', '.join(o for o, _ in polls.options_of(poll))}.", field="choice")
        session.add(
            VoteCast(
                poll_id=poll.id or 0,
                participant_id=participant.id or 0,
                user_id=actor.id,
                key_digest=digest,
                by_secretary=for_user_id is not None,
                choice=data.choice if named else "",
                receipt=receipt if named else "",
                comment=data.comment if named else "",
                cast_at=utcnow() if named else None,
            )
        )
        box = Ballot if named else PendingBallot
        session.add(
            box(
                id=secrets.token_hex(16),
                poll_id=poll.id or 0,
                receipt=receipt,
                choice=data.choice,
                comment=data.comment,
            )
        )
        session.flush()
        detail: dict[str, Any] = {"member_user_id": participant.user_id, "by_secretary": for_user_id is not None}
        if named:
            detail["choice"] = data.choice
        polls.audit_poll(session, actor, poll, "poll.cast", detail)
        counted = session.exec(select(sa.func.count()).select_from(VoteCast).where(VoteCast.poll_id == poll.id)).one()
        events.emit(
            session,
            events.meeting_channel(poll.meeting_id),
            events.POLL_CAST,
            {
                "poll_id": poll.id,
                "cast": counted,
                "eligible": polls.eligible_count(session, poll.meeting_id),
                "user_id": participant.user_id,
            },
        )
        return BallotOut(
            poll_id=poll_id,
            receipt=receipt,
            choice=data.choice if named else None,
            by_secretary=for_user_id is not None,
        ), True


def _voter(session: Session, poll: Poll, user_id: int, rule: VoteRule, by_hand: bool) -> Participant:
    """The participant row a user votes for: their own, or (where the rule allows) whom they stand in for."""
    rows = session.exec(
        select(Participant).where(
            Participant.meeting_id == poll.meeting_id,
            (col(Participant.user_id) == user_id) | (col(Participant.substitute_id) == user_id),
        )
    ).all()
    own = [p for p in rows if p.user_id == user_id and p.can_vote]
    if own:
        return own[0]
    standing_in = [p for p in rows if p.substitute_id == user_id and p.can_vote]
    if standing_in and rule.substitutes_vote:
        return standing_in[0]
    if by_hand:
        raise Invalid("user_id: not a member with a vote in this meeting.", field="user_id")
    if standing_in:
        raise Forbidden("Under this poll's rule a substitute does not vote.")
    raise Forbidden("Only members with a vote may vote.")


def _receipt(server_secret: str, poll_id: int, participant_id: int, key: str) -> str:
    """A code the voter can find in the published receipts; stored nowhere beside the voter."""
    mac = hmac.new(server_secret.encode(), f"receipt|{poll_id}|{participant_id}|{key}".encode(), hashlib.sha256)
    code = base64.b32encode(mac.digest()).decode()[:12]
    return f"{code[:4]}-{code[4:8]}-{code[8:]}"
