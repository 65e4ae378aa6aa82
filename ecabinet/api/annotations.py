"""Annotations: ink, highlights and notes, saved by the tablet's uuid, each edit once."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Header, Query, Response
from fastapi.responses import FileResponse
from starlette.concurrency import run_in_threadpool

# Aliased: `annotations` is also the name `from __future__ import annotations` binds.
from ecabinet import annotations as service
from ecabinet.annotation_schemas import AnnotationDelete, AnnotationIn, AnnotationOut, ConflictOut
from ecabinet.api.dependencies import Context, CurrentActor, ObjectId
from ecabinet.api.documents import made_for_download

router = APIRouter(tags=["annotations"])
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key", min_length=8, max_length=100)]


@router.get("/documents/{document_id}/annotations", response_model=list[AnnotationOut])
def list_annotations(
    document_id: ObjectId,
    actor: CurrentActor,
    context: Context,
    since: Annotated[dt.datetime | None, Query()] = None,
) -> list[AnnotationOut]:
    """The user's own annotations on a paper and the others' shared ones; with `since`, changes after it."""
    return service.list_for_document(context.db, actor, document_id, since)


@router.get("/documents/{document_id}/annotated.pdf", response_class=FileResponse)
async def annotated_copy(
    document_id: ObjectId,
    actor: CurrentActor,
    context: Context,
    scope: Annotated[Literal["mine", "shared"], Query()] = "mine",
) -> FileResponse:
    """The paper for download with annotations on its pages as PDF annotations and a summary of the notes at the
    end: the user's own (`mine`) or the meeting's shared ones (`shared`); stamped and refused as /file is."""
    ticket, title, items = await run_in_threadpool(service.export_ticket, context.db, actor, document_id, scope)
    return await made_for_download(context, actor, ticket, "export_annotated", title=title, annotations=items)


@router.put("/annotations/{uuid}", response_model=AnnotationOut)
def put_annotation(
    uuid: str, body: AnnotationIn, actor: CurrentActor, context: Context, response: Response, key: IdempotencyKey = None
) -> AnnotationOut:
    """Create (201) or edit the user's annotation; the same Idempotency-Key again answers the first result."""
    answer, status = service.put(context.db, actor, uuid, body, key)
    response.status_code = status
    return answer


@router.delete("/annotations/{uuid}", response_model=AnnotationOut)
def delete_annotation(
    uuid: str, actor: CurrentActor, context: Context, key: IdempotencyKey = None, body: AnnotationDelete | None = None
) -> AnnotationOut:
    """Delete the user's annotation; it answers the tombstone, and deleting again changes nothing."""
    return service.delete(context.db, actor, uuid, body or AnnotationDelete(), key)


@router.get("/annotations/conflicts", response_model=list[ConflictOut])
def list_conflicts(actor: CurrentActor, context: Context) -> list[ConflictOut]:
    """Edits of the user's annotations that met another device's edit: the one not kept, flagged."""
    return service.conflicts(context.db, actor)


@router.delete("/annotations/conflicts/{conflict_id}", status_code=204)
def dismiss_conflict(conflict_id: ObjectId, actor: CurrentActor, context: Context) -> None:
    service.dismiss_conflict(context.db, actor, conflict_id)
