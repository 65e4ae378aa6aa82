"""Polls, ballots and the record that a member voted; positions taken before the meeting; scheduled jobs."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from ecabinet.models.columns import utcnow, when


class PollStatus(StrEnum):
    draft = "draft"
    open = "open"
    closed = "closed"


class Poll(SQLModel, table=True):
    """A vote on an agenda item (or several: a consent agenda), live in the meeting or written with a deadline."""

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    item_id: int = Field(foreign_key="agenda_item.id", index=True)
    # Every item the poll decides: [item_id] for one, several for a consent agenda.
    item_ids: str = Field(default="[]", max_length=2000)
    question: str = Field(max_length=500)
    # [[id, label], …]
    options: str = Field(sa_type=sa.Text)
    ballot: str = Field(default="named", max_length=8)
    mode: str = Field(default="live", max_length=8)
    rule: str = Field(max_length=64)
    status: PollStatus = Field(default=PollStatus.draft, sa_type=sa.String(8))
    deadline: dt.datetime | None = when(nullable=True, default=None)
    created_by_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: dt.datetime = when(default_factory=utcnow)
    opened_at: dt.datetime | None = when(nullable=True, default=None)
    closed_at: dt.datetime | None = when(nullable=True, default=None)
    # The result as announced at close (JSON), so every later read and every repeated close agree.
    result: str = Field(default="", sa_type=sa.Text)


class VoteCast(SQLModel, table=True):
    """That a member voted in a poll (once: the unique key), by whose hand; the choice only for named polls."""

    __tablename__ = "vote_cast"
    __table_args__ = (sa.UniqueConstraint("poll_id", "participant_id"),)
    id: int | None = Field(default=None, primary_key=True)
    poll_id: int = Field(foreign_key="poll.id", index=True)
    participant_id: int = Field(foreign_key="participant.id")
    user_id: int = Field(foreign_key="user.id")
    # The member's own request (its Idempotency-Key, hashed) or the secretary's hand.
    key_digest: str = Field(max_length=64)
    by_secretary: bool = False
    # Named polls only; a secret poll's cast row says nothing of the choice.
    choice: str = Field(default="", max_length=32)
    receipt: str = Field(default="", max_length=20)
    comment: str = Field(default="", max_length=2000)
    cast_at: dt.datetime | None = when(nullable=True, default=None)


class Ballot(SQLModel, table=True):
    """A counted ballot: a random id, the receipt and the choice, no voter and no time.

    A secret poll's ballots wait in `pending_ballot` while it is open and are written here at close, in a
    shuffled order in one transaction, so neither ids, row order nor transaction ids follow the casting order.
    """

    id: str = Field(primary_key=True, max_length=32)
    poll_id: int = Field(foreign_key="poll.id", index=True)
    receipt: str = Field(max_length=20)
    choice: str = Field(max_length=32)
    comment: str = Field(default="", max_length=2000)


class PendingBallot(SQLModel, table=True):
    """A secret ballot of an open poll, until the close shuffles it into `ballot` and deletes it."""

    __tablename__ = "pending_ballot"
    id: str = Field(primary_key=True, max_length=32)
    poll_id: int = Field(foreign_key="poll.id", index=True)
    receipt: str = Field(max_length=20)
    choice: str = Field(max_length=32)
    comment: str = Field(default="", max_length=2000)


class PrePosition(SQLModel, table=True):
    """A member's position on an agenda item before the meeting: agree, object, or wish to speak."""

    __tablename__ = "pre_position"
    item_id: int = Field(foreign_key="agenda_item.id", primary_key=True)
    user_id: int = Field(foreign_key="user.id", primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    position: str = Field(max_length=8)
    comment: str = Field(default="", max_length=2000)
    updated_at: dt.datetime = when(default_factory=utcnow)


class Job(SQLModel, table=True):
    """A scheduled piece of work (a written poll's reminder or close): done once, whichever worker gets it."""

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=32)
    # What it is about (a poll id); with `kind`, unique: scheduling again changes nothing.
    subject: str = Field(max_length=64)
    run_at: dt.datetime = when(index=True)
    done_at: dt.datetime | None = when(nullable=True, default=None, index=True)
    __table_args__ = (sa.UniqueConstraint("kind", "subject"),)
