"""Votes: polls (live and written), ballots with an Idempotency-Key, receipts, pre-positions, consent agendas."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Response

from ecabinet import ballots, polls, prepositions
from ecabinet.api.dependencies import Context, CurrentActor, ObjectId
from ecabinet.vote_schemas import (
    BallotIn,
    BallotOut,
    ConsentIn,
    ManualBallotIn,
    PollCreate,
    PollOut,
    PrePositionIn,
    PrePositionsOut,
    PrePositionTally,
    RuleOut,
)

router = APIRouter(tags=["votes"])
IdempotencyKey = Annotated[str, Header(alias="Idempotency-Key", max_length=200)]


@router.get("/vote-rules", response_model=list[RuleOut])
def vote_rules(actor: CurrentActor) -> list[RuleOut]:
    """The rules a poll may follow, each with its legal basis."""
    return polls.rules()


@router.get("/meetings/{meeting_id}/polls", response_model=list[PollOut])
def list_polls(meeting_id: ObjectId, actor: CurrentActor, context: Context) -> list[PollOut]:
    return polls.list_polls(context.db, actor, meeting_id)


@router.post("/items/{item_id}/polls", response_model=PollOut, status_code=201)
def create_poll(item_id: ObjectId, body: PollCreate, actor: CurrentActor, context: Context) -> PollOut:
    """A poll on an item, ready to open (the chair or the meeting's managers)."""
    return polls.create_poll(context.db, actor, item_id, body)


@router.get("/polls/{poll_id}", response_model=PollOut)
def get_poll(poll_id: ObjectId, actor: CurrentActor, context: Context) -> PollOut:
    return polls.get_poll(context.db, actor, poll_id)


@router.post("/polls/{poll_id}/open", response_model=PollOut)
def open_poll(poll_id: ObjectId, actor: CurrentActor, context: Context) -> PollOut:
    return polls.open_poll(context.db, actor, poll_id)


@router.post("/polls/{poll_id}/close", response_model=PollOut)
def close_poll(poll_id: ObjectId, actor: CurrentActor, context: Context) -> PollOut:
    return polls.close_poll(context.db, actor, poll_id)


@router.post("/polls/{poll_id}/ballots", response_model=BallotOut, status_code=201)
def cast(
    poll_id: ObjectId, body: BallotIn, key: IdempotencyKey, actor: CurrentActor, context: Context, response: Response
) -> BallotOut:
    """A member's ballot, once: a retry with the same Idempotency-Key answers the same receipt (200)."""
    answer, new = ballots.cast(context.db, actor, poll_id, body, key, context.settings.resolved_secret_key())
    if not new:
        response.status_code = 200
    return answer


@router.post("/polls/{poll_id}/ballots/manual", response_model=BallotOut, status_code=201)
def cast_by_hand(
    poll_id: ObjectId,
    body: ManualBallotIn,
    key: IdempotencyKey,
    actor: CurrentActor,
    context: Context,
    response: Response,
) -> BallotOut:
    """The secretary records the ballot of a member whose tablet failed; it is marked as recorded by hand."""
    choice = BallotIn(choice=body.choice, comment=body.comment)
    answer, new = ballots.cast(
        context.db, actor, poll_id, choice, key, context.settings.resolved_secret_key(), for_user_id=body.user_id
    )
    if not new:
        response.status_code = 200
    return answer


@router.get("/polls/{poll_id}/receipts")
def receipts(poll_id: ObjectId, actor: CurrentActor, context: Context) -> dict[str, list[str]]:
    """A closed poll's receipts, without choices."""
    return {"receipts": polls.receipts(context.db, actor, poll_id)}


@router.get("/meetings/{meeting_id}/prepositions", response_model=PrePositionsOut)
def get_positions(meeting_id: ObjectId, actor: CurrentActor, context: Context) -> PrePositionsOut:
    return prepositions.positions(context.db, actor, meeting_id)


@router.put("/items/{item_id}/preposition", response_model=PrePositionTally)
def set_position(item_id: ObjectId, body: PrePositionIn, actor: CurrentActor, context: Context) -> PrePositionTally:
    """A member's position on an item before the meeting: agree, object or wish to speak."""
    return prepositions.set_position(context.db, actor, item_id, body)


@router.delete("/items/{item_id}/preposition", status_code=204)
def withdraw_position(item_id: ObjectId, actor: CurrentActor, context: Context) -> None:
    prepositions.set_position(context.db, actor, item_id, None)


@router.post("/meetings/{meeting_id}/consent", response_model=PollOut, status_code=201)
def consent(meeting_id: ObjectId, body: ConsentIn, actor: CurrentActor, context: Context) -> PollOut:
    """A draft poll adopting together the items nobody objects to."""
    return prepositions.consent_poll(context.db, actor, meeting_id, body.item_ids)
