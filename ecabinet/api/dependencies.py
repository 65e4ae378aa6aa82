"""What every route receives: the app's context and the signed-in actor (with the CSRF check)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Path, Request

from ecabinet.auth import COOKIE_NAME, CSRF_HEADER, Authenticator
from ecabinet.briefing_room import BriefingRoom
from ecabinet.database import Database
from ecabinet.errors import Forbidden, Unauthorized
from ecabinet.middleware import UNSAFE_METHODS
from ecabinet.page_images import PageImages
from ecabinet.permissions import Actor
from ecabinet.processor import DocumentProcessor
from ecabinet.sandbox import Sandbox
from ecabinet.settings import Settings
from ecabinet.uploads import FileStore
from realtime.hub import Hub


@dataclass(frozen=True)
class AppContext:
    """The long-lived parts a request needs."""

    settings: Settings
    db: Database
    auth: Authenticator
    store: FileStore
    sandbox: Sandbox
    page_images: PageImages
    processor: DocumentProcessor
    hub: Hub
    briefing_room: BriefingRoom


def get_context(request: Request) -> AppContext:
    context: AppContext = request.app.state.context
    return context


def get_actor(request: Request, context: Annotated[AppContext, Depends(get_context)]) -> Actor:
    """The signed-in actor; state-changing requests must also carry the session's CSRF token."""
    actor = context.auth.resolve(request.cookies.get(COOKIE_NAME))
    if actor is None:
        raise Unauthorized("Sign in first.")
    if request.method in UNSAFE_METHODS and not context.auth.csrf_ok(
        actor.csrf_token, request.headers.get(CSRF_HEADER)
    ):
        raise Forbidden(f"Missing or wrong {CSRF_HEADER} header; reload the page and try again.")
    return actor


Context = Annotated[AppContext, Depends(get_context)]
CurrentActor = Annotated[Actor, Depends(get_actor)]
ObjectId = Annotated[int, Path(ge=1, le=2**31 - 1)]
