"""The minutes and the invitation: generate, sign, download."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter
from fastapi.responses import FileResponse
from starlette.concurrency import run_in_threadpool

from ecabinet import records
from ecabinet.api.dependencies import AppContext, Context, CurrentActor, ObjectId
from ecabinet.errors import Invalid
from ecabinet.record_schemas import RecordIn, RecordOut
from ecabinet.sandbox import SandboxError

router = APIRouter(tags=["records"])


def _issuing(context: AppContext) -> records.Issuing:
    return records.Issuing(context.settings, context.db, context.sandbox, context.store)


def _pdf(found: records.RecordFile) -> FileResponse:
    headers = {
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(found.filename)}",
        "Cache-Control": "no-store",
    }
    return FileResponse(found.path, media_type="application/pdf", headers=headers)


@router.get("/meetings/{meeting_id}/records", response_model=list[RecordOut])
def list_records(meeting_id: ObjectId, actor: CurrentActor, context: Context) -> list[RecordOut]:
    """The meeting's minutes and invitations, newest first (drafts for the chair and secretary only)."""
    return records.list_records(context.db, actor, meeting_id)


@router.post("/meetings/{meeting_id}/records", response_model=RecordOut, status_code=201)
async def generate(meeting_id: ObjectId, body: RecordIn, actor: CurrentActor, context: Context) -> RecordOut:
    """Generate the minutes (a draft while the meeting is live, final once closed) or the invitation."""
    try:
        return await records.generate(_issuing(context), actor, meeting_id, body)
    except SandboxError as exc:
        raise Invalid(f"The document could not be made: {exc.message}", reason=exc.reason) from exc


@router.post("/records/{record_id}/sign", response_model=RecordOut)
async def sign(record_id: ObjectId, actor: CurrentActor, context: Context) -> RecordOut:
    """Sign a final record with the organisation's certificate (PAdES)."""
    return await records.sign(_issuing(context), actor, record_id)


@router.get("/records/{record_id}.pdf", response_class=FileResponse)
async def record_pdf(record_id: ObjectId, actor: CurrentActor, context: Context) -> FileResponse:
    return _pdf(await run_in_threadpool(records.record_file, context.db, context.store, actor, record_id))


@router.get("/meetings/{meeting_id}/minutes.pdf", response_class=FileResponse)
async def minutes_pdf(meeting_id: ObjectId, actor: CurrentActor, context: Context) -> FileResponse:
    """The newest minutes (signed if signed)."""
    found = await run_in_threadpool(records.latest_file, context.db, context.store, actor, meeting_id, "minutes")
    return _pdf(found)


@router.get("/meetings/{meeting_id}/invitation.pdf", response_class=FileResponse)
async def invitation_pdf(meeting_id: ObjectId, actor: CurrentActor, context: Context) -> FileResponse:
    found = await run_in_threadpool(records.latest_file, context.db, context.store, actor, meeting_id, "invitation")
    return _pdf(found)
