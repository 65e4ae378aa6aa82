"""The ASGI application: wires settings, database, sign-in, the API, the static UI and middleware."""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse
from starlette.exceptions import HTTPException
from starlette.staticfiles import StaticFiles

from ecabinet.api import api_router, health
from ecabinet.api.dependencies import AppContext
from ecabinet.auth import Authenticator
from ecabinet.briefing_room import BriefingRoom
from ecabinet.channels import build_hub, doorbell
from ecabinet.database import Database
from ecabinet.errors import AppError, error_body
from ecabinet.messages import pick_language
from ecabinet.middleware import BodyLimit, OriginCheck, SecurityHeaders
from ecabinet.page_images import PageImages
from ecabinet.processor import DocumentProcessor
from ecabinet.sandbox import Sandbox, SandboxLimits
from ecabinet.scheduler import Scheduler
from ecabinet.settings import Settings
from ecabinet.tasks import Calendar
from ecabinet.uploads import FileStore
from realtime.hub import HubRoute

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
IMPORT_PATH = "/api/imports"
UPLOAD_PATH = re.compile(r"^/api/(items/\d+/documents|items/\d+/submissions)$")
HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
}

log = logging.getLogger("ecabinet")


def create_app(settings: Settings, db: Database | None = None) -> FastAPI:
    """Build the app; the schema is migrated when it starts."""
    database = db or Database(settings.database_url)
    auth = Authenticator(database, settings)
    hub = build_hub(settings, database, auth)
    briefing_room = BriefingRoom(settings, database, hub)
    ring = doorbell(hub)
    store = FileStore(settings.data_dir)
    sandbox = Sandbox(
        SandboxLimits(settings.pdf_workers, settings.pdf_worker_memory_bytes, float(settings.pdf_job_timeout_secs))
    )
    images = PageImages(sandbox, store, settings.page_image_max_px)
    processor = DocumentProcessor(settings, database, sandbox, store, hub)
    scheduler = Scheduler(database, Calendar.of(settings))

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        database.migrate()
        await hub.start()
        database.listeners.append(ring)
        await sandbox.start()
        await processor.start()
        await scheduler.start()
        yield
        await scheduler.stop()
        await briefing_room.stop()
        await processor.stop()
        await images.stop()
        await sandbox.stop()
        database.listeners.remove(ring)
        await hub.stop()
        if db is None:
            database.dispose()

    app = FastAPI(
        title="eCabinet",
        version="0.1.0",
        description="Paperless meeting room and online briefing system. Errors share one shape: "
        '{"ok": false, "error", "message", "status"}. State-changing requests carry X-CSRF-Token.',
        openapi_url="/api/openapi.json",
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.context = AppContext(settings, database, auth, store, sandbox, images, processor, hub, briefing_room)
    app.state.hub = hub
    app.include_router(api_router())
    app.include_router(health.router)
    _install_error_handlers(app)

    @app.get("/static/sw.js", include_in_schema=False)
    def service_worker() -> FileResponse:
        # The reader's offline cache lives in /static but must also answer for /api/… pages (DESIGN §10).
        headers = {"Service-Worker-Allowed": "/", "Cache-Control": "no-cache"}
        return FileResponse(STATIC_DIR / "sw.js", media_type="text/javascript", headers=headers)

    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    @app.get("/", include_in_schema=False)
    def index() -> FileResponse:
        return FileResponse(STATIC_DIR / "index.html", headers={"Cache-Control": "no-cache"})

    def body_limit(path: str) -> int:
        if path == IMPORT_PATH:
            return settings.import_max_bytes
        if UPLOAD_PATH.match(path):
            return settings.upload_max_bytes
        return settings.json_body_max_bytes

    # Outermost last: headers on every answer, then the Origin check, then the body limit; the hub's
    # websocket at /ws is answered right after them, before the framework wraps `send`.
    app.add_middleware(HubRoute, hub=hub, path="/ws")
    app.add_middleware(BodyLimit, limit_for=body_limit)
    app.add_middleware(OriginCheck, public_url=settings.public_url, allowed=settings.allowed_origins)
    app.add_middleware(SecurityHeaders)
    return app


def _language(request: Request) -> str:
    # Errors speak the language the client asks for (the UI sends its own); scripts get English.
    return pick_language(request.headers.get("accept-language"), "en")


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(AppError)
    async def app_error(request: Request, exc: AppError) -> JSONResponse:
        return JSONResponse(exc.body(_language(request)), exc.status, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        language = _language(request)
        errors = exc.errors()
        if any(e.get("type") == "json_invalid" for e in errors):
            return JSONResponse(error_body(400, "bad_request", "The request body is not valid JSON.", language), 400)
        fields = [
            {"field": ".".join(str(p) for p in e.get("loc", ()) if p != "body") or "body", "message": _field_message(e)}
            for e in errors
        ]
        first = fields[0]
        message = f"{first['field']}: {first['message']}"
        return JSONResponse(error_body(422, "invalid", message, language, fields=fields), 422)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> JSONResponse:
        message = exc.detail if isinstance(exc.detail, str) else "Request refused."
        if exc.status_code == 404:
            message = "No such address."
        return JSONResponse(
            error_body(exc.status_code, HTTP_CODES.get(exc.status_code, "error"), message, _language(request)),
            exc.status_code,
            headers=getattr(exc, "headers", None),
        )

    @app.exception_handler(Exception)
    async def crash(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", exc_info=exc)
        return JSONResponse(
            error_body(500, "internal", "Something went wrong on the server; it has been logged.", _language(request)),
            500,
        )


def _field_message(error: dict[str, Any]) -> str:
    if error.get("type") == "extra_forbidden":
        return "is not a known field"
    if error.get("type") == "missing":
        return "is required"
    return str(error.get("msg", "is invalid"))
