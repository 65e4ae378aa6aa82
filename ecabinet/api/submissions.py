"""Department submissions and the secretariat's submissions board."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from ecabinet import submissions
from ecabinet.api.dependencies import Context, CurrentActor, ObjectId
from ecabinet.api.documents import form_classification, read_upload
from ecabinet.errors import Invalid
from ecabinet.models import PaperKind
from ecabinet.schemas import BoardRow, SubmissionDecision, SubmissionOut

router = APIRouter(tags=["submissions"])


@router.get("/submissions", response_model=list[BoardRow])
def my_submissions(actor: CurrentActor, context: Context) -> list[BoardRow]:
    """The agenda items the signed-in user's unit presents, with their deadlines and its papers."""
    return submissions.my_submissions(context.db, actor)


@router.post("/items/{item_id}/submissions", response_model=list[SubmissionOut], status_code=202)
async def submit(item_id: ObjectId, request: Request, actor: CurrentActor, context: Context) -> list[SubmissionOut]:
    """A department submits papers for its item.

    Multipart: `file` parts, and optionally `kind`, `title` and `classification`.
    """
    target = await run_in_threadpool(submissions.submission_target, context.db, actor, item_id)
    form = await read_upload(request, context)
    level = form_classification(form, None)
    try:
        kind = PaperKind(form.fields.get("kind") or PaperKind.proposal)
    except ValueError:
        form.discard()
        raise Invalid("kind: use proposal, draft_decision, report or other.", field="kind") from None
    try:
        for upload in form.files:
            context.store.keep(upload)
        title = form.fields.get("title", "")[:300]
        added = await run_in_threadpool(submissions.submit, context.db, actor, target, form.files, kind, title, level)
    except Exception:
        form.discard()
        raise
    for submission in added:
        if submission.document is not None:
            context.processor.submit(submission.document.id)
    return added


@router.get("/meetings/{meeting_id}/submissions", response_model=list[BoardRow])
def board(meeting_id: ObjectId, actor: CurrentActor, context: Context) -> list[BoardRow]:
    """The submissions board: per item, the unit expected, the deadline, and what is submitted, late or missing."""
    return submissions.board(context.db, actor, meeting_id)


@router.post("/submissions/{submission_id}/decision", response_model=SubmissionOut)
def decide(submission_id: ObjectId, body: SubmissionDecision, actor: CurrentActor, context: Context) -> SubmissionOut:
    """Accept a paper (it joins the item's documents) or return it with a comment."""
    return submissions.decide(context.db, actor, submission_id, body)
