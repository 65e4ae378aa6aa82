"""The application's side of the hub: who a socket belongs to, which channels they may follow, the actions.

`realtime/` knows nothing of meetings; this module hands it the callbacks that do, and connects the
database's commits to the hub's doorbell.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from sqlmodel import col, select
from starlette.types import Scope

from ecabinet import agenda_items, events, presenter
from ecabinet.auth import COOKIE_NAME, Authenticator
from ecabinet.database import CommitListener, Database
from ecabinet.errors import AppError, Invalid, NotFound
from ecabinet.events import REAUTHORIZE_AFTER
from ecabinet.messages import pick_language
from ecabinet.models import UserSession, utcnow
from ecabinet.permissions import Actor, meeting_access
from ecabinet.settings import Settings
from realtime.broker import broker_from_url
from realtime.connection import Identity
from realtime.eventlog import Event, EventLog
from realtime.hub import ActionError, Hub, HubConfig


def build_hub(settings: Settings, db: Database, auth: Authenticator) -> Hub:
    """The hub for this app, with its broker, its log, and every action handler registered."""
    config = HubConfig(
        send_buffer_max_bytes=settings.ws_send_buffer_max_bytes,
        max_message_bytes=settings.ws_max_message_bytes,
        rate_per_sec=settings.ws_rate_per_sec,
        rate_burst=settings.ws_rate_burst,
        idle_timeout_secs=settings.ws_idle_timeout_secs,
        poll_secs=settings.event_poll_ms / 1000,
    )
    access = ChannelAccess(db, auth)
    hub = Hub(
        EventLog(db.engine, settings.event_retention_events),
        broker_from_url(settings.broker_url, settings.broker_prefix),
        access.authenticate,
        access.authorize,
        access.revalidate,
        config,
    )
    hub.handle("agenda.current", _action(db, _set_current_item))
    hub.handle("presenter.page", _action(db, presenter.turn_page))
    hub.handle("presenter.designate", _action(db, presenter.designate))
    hub.handle("presenter.clear", _action(db, presenter.clear))
    hub.handle("reader.position", _position_action(db, hub))
    hub.handle(events.PRESENTER_POINTER, _preview_action(db, hub, events.PRESENTER_POINTER))
    hub.handle(events.PRESENTER_INK, _preview_action(db, hub, events.PRESENTER_INK))
    return hub


def doorbell(hub: Hub) -> CommitListener:
    """What the database calls after each commit with events: ring the hub, re-check access where it changed."""

    def committed(events: list[Event]) -> None:
        hub.committed(events)
        for channel in {e.channel for e in events if e.type in REAUTHORIZE_AFTER}:
            hub.reauthorize(channel)

    return committed


class ChannelAccess:
    """Sign-in and channel permissions for sockets, checked against the database off the event loop."""

    def __init__(self, db: Database, auth: Authenticator) -> None:
        self.db = db
        self.auth = auth

    async def authenticate(self, scope: Scope) -> Identity | None:
        cookie = _cookie(scope, COOKIE_NAME)
        if cookie is None:
            return None
        actor = await asyncio.to_thread(self.auth.resolve, cookie)
        if actor is None or actor.session_id is None:
            return None
        language = actor.user.language or pick_language(_header(scope, b"accept-language"), "vi")
        return Identity(actor.id, actor.session_id, actor.user.name, ClientContext(actor, language))

    async def authorize(self, identity: Identity, channel: str) -> bool:
        kind, _, number = channel.partition(":")
        if kind == "user":
            return int(number) == identity.user_id
        if kind in ("meeting", "bridge"):
            return await asyncio.to_thread(self._may_follow_meeting, _actor(identity), int(number))
        return False

    def _may_follow_meeting(self, actor: Actor, meeting_id: int) -> bool:
        with self.db.read() as session:
            try:
                meeting_access(session, actor, meeting_id)
            except NotFound:
                return False
            return True

    async def revalidate(self, session_keys: set[str]) -> set[str]:
        def live() -> set[str]:
            with self.db.read() as session:
                query = select(UserSession.id).where(
                    col(UserSession.id).in_(session_keys), col(UserSession.expires_at) > utcnow()
                )
                return set(session.exec(query).all())

        return await asyncio.to_thread(live)


class ClientContext:
    """What the application keeps about a socket: the actor and the language to answer in."""

    def __init__(self, actor: Actor, language: str) -> None:
        self.actor = actor
        self.language = language


def _actor(identity: Identity) -> Actor:
    context: ClientContext = identity.context
    return context.actor


def _action(db: Database, fn: Callable[[Database, Actor, dict[str, Any]], Any]) -> Any:
    """Run a service for an action off the event loop; its AppError becomes the action's error."""

    async def handler(identity: Identity, data: dict[str, Any]) -> dict[str, Any] | None:
        context: ClientContext = identity.context
        try:
            result: dict[str, Any] | None = await asyncio.to_thread(fn, db, context.actor, data)
        except AppError as error:
            body = error.body(context.language)
            raise ActionError(error.code, body["message"], error.status) from None
        return result

    return handler


def _position_action(db: Database, hub: Hub) -> Any:
    """Where a tablet is reading, passed on as a volatile message to those who watch the room."""
    checked = _action(db, presenter.position)

    async def handler(identity: Identity, data: dict[str, Any]) -> None:
        channels, message = await checked(identity, data)
        for channel in channels:
            hub.volatile(channel, events.READER_POSITION, message)

    return handler


def _preview_action(db: Database, hub: Hub, type_: str) -> Any:
    """The presenter's pointer or the stroke being drawn, to every tablet of the meeting as a volatile message."""
    checked = _action(db, presenter.preview)

    async def handler(identity: Identity, data: dict[str, Any]) -> None:
        if (type_ == events.PRESENTER_POINTER) != ("point" in data):
            raise ActionError("invalid", "presenter.pointer carries a point; presenter.ink a stroke.", 422)
        channel, message = await checked(identity, data)
        hub.volatile(channel, type_, message)

    return handler


def _set_current_item(db: Database, actor: Actor, data: dict[str, Any]) -> dict[str, Any]:
    item_id = data.get("item_id")
    if not isinstance(item_id, int) or isinstance(item_id, bool) or not 1 <= item_id <= 2**31 - 1:
        raise Invalid("item_id: expected the id of an agenda item.", field="item_id")
    return agenda_items.set_current_item(db, actor, item_id).model_dump(mode="json")


def _cookie(scope: Scope, name: str) -> str | None:
    raw = _header(scope, b"cookie")
    for part in raw.split(";"):
        key, _, value = part.strip().partition("=")
        if key == name and value:
            return value
    return None


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope.get("headers", []):
        if key == name:
            return str(value.decode("latin-1"))
    return ""
