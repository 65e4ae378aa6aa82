"""Liveness and readiness for load balancers."""

from __future__ import annotations

import sqlalchemy as sa
from fastapi import APIRouter
from fastapi.responses import JSONResponse

from ecabinet.api.dependencies import Context
from ecabinet.errors import error_body

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz(context: Context) -> JSONResponse:
    """200 when the app can reach its database, 503 otherwise."""
    try:
        with context.db.read() as session:
            session.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError:
        return JSONResponse(error_body(503, "unavailable", "The database cannot be reached.", database="down"), 503)
    return JSONResponse({"ok": True, "database": "up"})
