"""The ASGI entry point for running under uvicorn or another server: `uvicorn --factory ecabinet.asgi:create`.

Each worker process reads the settings and builds its own app; the schema is migrated at start-up
(on PostgreSQL under an advisory lock, so workers starting together migrate one at a time).
"""

from __future__ import annotations

from fastapi import FastAPI

from ecabinet.app import create_app
from ecabinet.settings import Settings


def create() -> FastAPI:
    return create_app(Settings.from_env())
