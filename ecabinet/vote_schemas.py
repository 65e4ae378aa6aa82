"""Request and response bodies of votes: polls, ballots, positions taken before the meeting."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StringConstraints, field_validator

from ecabinet.schemas import Id, Request, aware


class PollCreate(Request):
    question: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
    options: list[Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]] | None = (
        Field(default=None, min_length=2, max_length=20)
    )
    ballot: Literal["named", "secret"] = "named"
    rule: str | None = None
    mode: Literal["live", "written"] = "live"
    deadline: dt.datetime | None = None
    item_ids: list[Id] | None = Field(default=None, max_length=200)

    _deadline_aware = field_validator("deadline")(aware)


class OptionOut(BaseModel):
    id: str
    label: str


class RuleOut(BaseModel):
    key: str
    label: str
    label_en: str
    basis: str
    basis_en: str


class MyVote(BaseModel):
    voted: bool
    receipt: str
    choice: str | None
    by_secretary: bool


class VoterOut(BaseModel):
    user_id: int | None
    name: str
    voted: bool
    choice: str | None = None
    by_secretary: bool = False


class PollResult(BaseModel):
    tally: dict[str, int]
    cast: int
    eligible: int
    present: int
    quorum_met: bool | None
    needed: int
    adopted: bool
    winner: str | None
    rule: str
    basis: str
    basis_en: str


class PollOutcome(BaseModel):
    adopted: bool
    winner: str | None
    rule: str
    basis: str
    basis_en: str


class PollOut(BaseModel):
    id: int
    meeting_id: int
    item_id: int
    item_ids: list[int]
    question: str
    options: list[OptionOut]
    ballot: str
    mode: str
    status: str
    rule: RuleOut
    deadline: dt.datetime | None
    opened_at: dt.datetime | None
    closed_at: dt.datetime | None
    eligible: int
    cast: int
    my_vote: MyVote | None = None
    voters: list[VoterOut] = []
    # Once closed (DESIGN §5): the tally, and the outcome with its rule and legal basis; `result` has it all.
    tally: dict[str, int] | None = None
    outcome: PollOutcome | None = None
    result: PollResult | None = None
    comments: list[dict[str, str]] = []


class BallotIn(Request):
    choice: Annotated[str, StringConstraints(min_length=1, max_length=32)]
    comment: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)] = ""


class ManualBallotIn(BallotIn):
    user_id: Id


class BallotOut(BaseModel):
    poll_id: int
    receipt: str
    choice: str | None
    by_secretary: bool


class PrePositionIn(Request):
    position: Literal["agree", "object", "speak"]
    comment: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)] = ""


class PrePositionTally(BaseModel):
    item_id: int
    agree: int
    object: int
    speak: int
    mine: str | None = None


class PrePositionsOut(BaseModel):
    items: list[PrePositionTally]
    consent_item_ids: list[int]
    members: list[dict[str, Any]] = []


class ConsentIn(Request):
    item_ids: list[Id] | None = Field(default=None, max_length=200)
