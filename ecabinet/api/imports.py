"""Bulk import of units and users from CSV."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, UploadFile
from starlette.concurrency import run_in_threadpool

from ecabinet import imports
from ecabinet.api.dependencies import Context, CurrentActor
from ecabinet.schemas import ImportReport

router = APIRouter(tags=["import"])


@router.post("/imports", response_model=ImportReport)
async def import_file(
    file: Annotated[UploadFile, File()], actor: CurrentActor, context: Context, dry_run: bool = False
) -> ImportReport:
    """Import a units or users CSV file (secretariat); a file with bad rows is refused whole, with a report."""
    actor.require_secretariat()
    data = await file.read()
    return await run_in_threadpool(imports.import_csv, context.db, actor, data, dry_run)
