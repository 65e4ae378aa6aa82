"""The briefing pack for the reader: the pack, a page's text, tablets' offline copies, and search."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from ecabinet import pack, search
from ecabinet.api.dependencies import Context, CurrentActor, ObjectId
from ecabinet.classification import cache_control
from ecabinet.reader_schemas import PackOut, PackStatusIn, PackStatusOut, PageText, SearchResults

router = APIRouter(tags=["reader"])


@router.get("/meetings/{meeting_id}/pack", response_model=PackOut)
def get_pack(meeting_id: ObjectId, actor: CurrentActor, context: Context) -> PackOut:
    """The documents the user may read now, in agenda order, with the outline and page URLs."""
    return pack.pack(context.db, actor, meeting_id)


@router.get("/documents/{document_id}/pages/{page}/text", response_model=PageText)
def get_page_text(
    document_id: ObjectId, page: Annotated[int, Path(ge=1, le=1_000_000)], actor: CurrentActor, context: Context
) -> JSONResponse:
    """A page's text and its words' boxes (large print, highlights); served and audited like its image."""
    text, classification = pack.page_text(context.db, actor, document_id, page)
    return JSONResponse(text.model_dump(mode="json"), headers={"Cache-Control": cache_control(classification)})


@router.post("/meetings/{meeting_id}/pack/status", response_model=PackStatusOut)
async def report_status(
    meeting_id: ObjectId, body: PackStatusIn, actor: CurrentActor, context: Context
) -> PackStatusOut:
    """A tablet reports how much of the pack it holds for offline reading."""
    return await run_in_threadpool(pack.report_status, context.db, actor, meeting_id, body, context.hub)


@router.get("/meetings/{meeting_id}/pack/status", response_model=list[PackStatusOut])
def get_statuses(meeting_id: ObjectId, actor: CurrentActor, context: Context) -> list[PackStatusOut]:
    """Every tablet's offline copy of the pack (the meeting's managers)."""
    return pack.statuses(context.db, actor, meeting_id)


@router.get("/search", response_model=SearchResults)
def find(
    actor: CurrentActor,
    context: Context,
    q: Annotated[str, Query(max_length=500)] = "",
    meeting_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    limit: Annotated[int, Query(ge=1, le=search.MAX_RESULTS)] = 20,
) -> SearchResults:
    """Pages of the documents the user may read that hold every word of `q`, with or without diacritics."""
    return search.search(context.db, actor, q, meeting_id, limit)
