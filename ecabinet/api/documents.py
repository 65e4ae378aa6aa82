"""Documents: upload, read, page images, download, rename, reclassify, remove."""

from __future__ import annotations

import secrets
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.responses import FileResponse, RedirectResponse
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool

from ecabinet import documents, page_images
from ecabinet.api.dependencies import Context, CurrentActor, ObjectId
from ecabinet.classification import cache_control
from ecabinet.errors import Invalid, NotFound, PayloadTooLarge, UnsupportedMediaType
from ecabinet.models import Classification
from ecabinet.permissions import Actor
from ecabinet.sandbox import SandboxError
from ecabinet.schemas import DocumentDetail, DocumentOut, DocumentUpdate
from ecabinet.uploads import UploadForm, receive

router = APIRouter(tags=["documents"])

Width = Annotated[int, Query(ge=1, le=10_000)]


async def read_upload(request: Request, context: Context) -> UploadForm:
    """The upload's files, once the declared size passed; 415 (nothing kept) if any file is not a PDF."""
    limit = context.settings.upload_max_bytes
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge(f"The upload is larger than {limit} bytes.", limit=limit)
    context.sandbox.warm()
    form = await receive(request.stream(), request.headers.get("content-type", ""), context.store, limit)
    strangers = [upload.filename or "?" for upload in form.files if not upload.is_pdf]
    if strangers:
        form.discard()
        raise UnsupportedMediaType(f"Not a PDF file: {', '.join(strangers)}. Only PDF documents are accepted.")
    return form


def form_classification(form: UploadForm, default: Classification | None) -> Classification:
    value = form.fields.get("classification") or default or Classification.internal
    try:
        return Classification(value)
    except ValueError:
        form.discard()
        raise Invalid("classification: use public, internal, restricted or secret.", field="classification") from None


@router.post("/items/{item_id}/documents", response_model=list[DocumentOut], status_code=202)
async def upload_documents(
    item_id: ObjectId,
    request: Request,
    actor: CurrentActor,
    context: Context,
    classification: Classification | None = None,
    replaces: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
) -> list[DocumentOut]:
    """Upload PDFs (multipart, each in a part named `file`) to an item; they are processed in the background.

    `classification` and `replaces` (a document id, to add a new version of it) may be query parameters
    or form fields. Permission and the declared size are checked before the body is read.
    """
    target = await run_in_threadpool(documents.upload_target, context.db, actor, item_id, replaces)
    form = await read_upload(request, context)
    level = form_classification(form, classification)
    if "replaces" in form.fields and replaces is None:
        try:
            target = await run_in_threadpool(
                documents.upload_target, context.db, actor, item_id, int(form.fields["replaces"])
            )
        except Exception:
            form.discard()
            raise
    try:
        for upload in form.files:
            context.store.keep(upload)
        added = await run_in_threadpool(documents.create_documents, context.db, actor, target, form.files, level)
    except Exception:
        form.discard()
        raise
    for doc in added:
        context.processor.submit(doc.id)
    return added


@router.get("/items/{item_id}/documents", response_model=list[DocumentOut])
def list_documents(
    item_id: ObjectId,
    actor: CurrentActor,
    context: Context,
    versions: Annotated[str, Query(pattern="^(current|all)$")] = "current",
) -> list[DocumentOut]:
    """An item's papers (current versions; `versions=all` gives managers every version)."""
    return documents.item_documents(context.db, actor, item_id, versions == "all")


@router.get("/documents/{document_id}", response_model=DocumentDetail)
def get_document(document_id: ObjectId, actor: CurrentActor, context: Context) -> DocumentDetail:
    """A document: state (with the reason of a rejection), pages, classification, versions, outline."""
    return documents.get_document(context.db, actor, document_id)


@router.patch("/documents/{document_id}", response_model=DocumentOut)
def update_document(document_id: ObjectId, body: DocumentUpdate, actor: CurrentActor, context: Context) -> DocumentOut:
    """Rename a paper or change its classification."""
    return documents.update_document(context.db, actor, document_id, body)


@router.delete("/documents/{document_id}", status_code=204)
def remove_document(document_id: ObjectId, actor: CurrentActor, context: Context) -> None:
    """Take a paper (all its versions) off its item."""
    documents.remove_document(context.db, actor, document_id)


@router.get("/documents/{document_id}/pages/{page}.{fmt}", response_class=Response)
async def page_image(
    document_id: ObjectId,
    page: Annotated[int, Path(ge=1, le=1_000_000)],
    fmt: str,
    request: Request,
    actor: CurrentActor,
    context: Context,
    width: Width = page_images.DEFAULT_WIDTH,
) -> Response:
    """A page as an image (jpg, png or webp) about `width` pixels wide; pages count from 1.

    Public and internal pages are cached for good (their URL changes with the file); restricted and secret
    pages carry the viewer's name and the time, are never stored, and every view is audited.
    """
    if fmt not in page_images.MEDIA_TYPES:
        raise NotFound("Pages are served as .jpg, .png or .webp.")
    ticket = await run_in_threadpool(documents.page_ticket, context.db, actor, document_id, page)
    images = context.page_images
    size = page_images.bucket(width, context.settings.page_image_max_px)
    headers = {"Cache-Control": cache_control(ticket.classification)}
    try:
        if ticket.watermark:
            content = await images.watermarked(ticket.sha256, page, size, fmt, ticket.watermark)
            return Response(content, media_type=page_images.MEDIA_TYPES[fmt], headers=headers)
        if fmt == "webp" and not images.path(ticket.sha256, page, size, "webp").exists():
            # WebP is too slow to make while someone waits: serve JPEG now, make the WebP for next time.
            images.later(ticket.sha256, page, size, "webp")
            return RedirectResponse(str(request.url).replace(f"/pages/{page}.webp", f"/pages/{page}.jpg"), 307)
        path = await images.cached(ticket.sha256, page, size, fmt)
    except SandboxError as exc:
        raise Invalid(f"The page could not be drawn: {exc.message}", reason=exc.reason) from exc
    images.ahead(ticket.sha256, page, ticket.pages, size, fmt)
    etag = f'"{ticket.sha256[:20]}-{page}-{size}-{fmt}"'
    headers["ETag"] = etag
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    return FileResponse(path, media_type=page_images.MEDIA_TYPES[fmt], headers=headers)


@router.get("/documents/{document_id}/original", response_class=FileResponse)
async def original(document_id: ObjectId, actor: CurrentActor, context: Context) -> FileResponse:
    """The signed paper exactly as uploaded, so that its digital signature can be checked (where the
    classification allows a download)."""
    ticket = await run_in_threadpool(documents.original_ticket, context.db, actor, document_id)
    return FileResponse(
        context.store.path_for(ticket.sha256),
        media_type="application/pdf",
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(ticket.filename)}",
            "Cache-Control": "no-store",
        },
    )


@router.get("/documents/{document_id}/file", response_class=Response)
async def download(document_id: ObjectId, actor: CurrentActor, context: Context) -> Response:
    """The PDF for download (public and internal only): without scripts, actions or attachments, stamped
    on every page with the downloader's name, unit and the time."""
    ticket = await run_in_threadpool(documents.download_ticket, context.db, actor, document_id)
    return await made_for_download(context, actor, ticket, "stamp")


async def made_for_download(
    context: Context, actor: Actor, ticket: documents.DownloadTicket, job: str, **args: Any
) -> FileResponse:
    """The copy a sandbox job makes of a paper for one download (stamped with the ticket's line), sent and
    then removed."""
    # Unique per request: two downloads of one paper, on any server process, never share a file.
    out = context.store.downloads / f"{ticket.sha256}-{actor.id}-{secrets.token_hex(8)}.pdf"
    try:
        await context.sandbox.run(
            job, path=str(context.store.path_for(ticket.sha256)), out=str(out), line=ticket.line, **args
        )
    except SandboxError as exc:
        out.unlink(missing_ok=True)
        raise Invalid(f"The copy for download could not be made: {exc.message}", reason=exc.reason) from exc
    return FileResponse(
        out,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(ticket.filename)}",
            "Cache-Control": "no-store",
        },
        background=BackgroundTask(out.unlink, missing_ok=True),
    )
