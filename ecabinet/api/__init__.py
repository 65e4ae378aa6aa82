"""The HTTP API under /api: thin routes that parse, call one service function, and serialize."""

from __future__ import annotations

from fastapi import APIRouter

# Imported by its full name: here `annotations` is already the __future__ feature, which
# `from ecabinet.api import annotations` would return instead of the module.
import ecabinet.api.annotations as annotation_routes
from ecabinet.api import (
    briefings,
    conclusions,
    documents,
    floor,
    health,
    imports,
    items,
    meetings,
    pack,
    participants,
    people,
    polls,
    records,
    session,
    submissions,
)
from ecabinet.schemas import ErrorOut

ERROR_RESPONSES: dict[int | str, dict[str, object]] = {
    status: {"description": text, "model": ErrorOut}
    for status, text in [
        (400, "Malformed request (e.g. invalid JSON)"),
        (401, "Not signed in"),
        (403, "Forbidden, or missing/wrong X-CSRF-Token"),
        (404, "Not found, or not yours to see"),
        (409, "Conflicts with the object's state"),
        (413, "Body too large"),
        (415, "Not a PDF, or not multipart/form-data"),
        (422, "A field is missing, unknown or invalid"),
    ]
}


def api_router() -> APIRouter:
    router = APIRouter(prefix="/api", responses=ERROR_RESPONSES)
    modules = (session, people, meetings, items, participants, imports, documents, submissions, pack, polls, floor)
    for module in (*modules, conclusions, records, annotation_routes, briefings):
        router.include_router(module.router)
    return router


__all__ = ["api_router", "health"]
