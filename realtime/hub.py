"""The hub: the websocket endpoint at /ws, its channels, events in seq order, volatile messages (presence is
`presence.py`).

Events reach the hub as doorbells through the broker ("channel X has event N", carrying the event);
each worker delivers a channel's events to its own clients strictly in seq order. A doorbell that
skips ahead, or one that never comes (a worker died between commit and publish, Redis was down),
is made good from the log in the database: on a gap at once, and by polling the channels' heads
every `poll_secs`. So the broker may lose messages; clients never miss an event.

The hub knows nothing of meetings: the application hands it an authenticator, an authorizer for
subscriptions, a revalidator of sessions and the action handlers.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import secrets
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from realtime.broker import Broker
from realtime.channel import ActionError, Channel, HubConfig, error_op
from realtime.connection import (
    CLOSE_IDLE,
    CLOSE_POLICY,
    CLOSE_QUEUE_OVERFLOW,
    CLOSE_RESTART,
    CLOSE_TOO_BIG,
    CLOSE_UNAUTHORIZED,
    CLOSE_UNSUPPORTED,
    Connection,
    Identity,
    RateLimit,
    text_frame,
)
from realtime.eventlog import Event, EventLog, resumable
from realtime.presence import Presence

log = logging.getLogger("realtime.hub")

Authenticate = Callable[[Scope], Awaitable[Identity | None]]
Authorize = Callable[[Identity, str], Awaitable[bool]]
Revalidate = Callable[[set[str]], Awaitable[set[str]]]
Handler = Callable[[Identity, dict[str, Any]], Awaitable[dict[str, Any] | None]]

CHANNEL_NAME = re.compile(r"^[a-z]+:[0-9]{1,12}$")
CONTROL_TOPIC = "\x00control"
MAX_ACTION_ID_LENGTH = 100
__all__ = ["CLOSE_QUEUE_OVERFLOW", "ActionError", "Hub", "HubConfig", "HubRoute"]


class Hub:
    """Websocket clients, their channels, and the delivery of events and volatile messages to them."""

    def __init__(
        self,
        log_: EventLog,
        broker: Broker,
        authenticate: Authenticate,
        authorize: Authorize,
        revalidate: Revalidate,
        config: HubConfig | None = None,
    ) -> None:
        self.log = log_
        self.broker = broker
        self.authenticate = authenticate
        self.authorize = authorize
        self.revalidate = revalidate
        self.config = config or HubConfig()
        self.handlers: dict[str, Handler] = {}
        self.channels: dict[str, Channel] = {}
        self.connections: set[Connection] = set()
        self.worker_id = secrets.token_hex(6)
        self.presence = Presence(self.config, self.worker_id, self._enqueue, self._fanout)
        self.epoch = ""
        self._loop: asyncio.AbstractEventLoop | None = None
        self._outbox: asyncio.Queue[tuple[str, str]] | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._background: set[asyncio.Task[Any]] = set()
        # Counters for operators (and tests): closes by code, events delivered, catch-ups from the log.
        self.stats: Counter[str] = Counter()

    # -- life cycle --------------------------------------------------------------------------------

    def handle(self, action_type: str, handler: Handler) -> None:
        """Answer actions of `action_type` with `handler(identity, data)`; it returns the ack's data."""
        self.handlers[action_type] = handler

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._outbox = asyncio.Queue()
        self.epoch = await self.log.epoch()
        await self.broker.start(self._on_broker, self._on_broker_reconnect)
        await self.broker.subscribe(CONTROL_TOPIC)
        self._tasks = [
            asyncio.create_task(self._publish_forever(), name="hub-publisher"),
            asyncio.create_task(self._every(self.config.poll_secs, self._poll), name="hub-poll"),
            asyncio.create_task(self._every(self.config.session_check_secs, self._check_sessions), name="hub-auth"),
            asyncio.create_task(self._every(self.config.presence_refresh_secs, self._refresh), name="hub-presence"),
            asyncio.create_task(self._every(self.config.prune_secs, self._prune), name="hub-prune"),
        ]

    async def stop(self) -> None:
        for conn in list(self.connections):
            conn.close(CLOSE_RESTART, "server restarting")
        await asyncio.sleep(0.05)  # let the writers send their close frames
        for task in [*self._tasks, *self._background]:
            task.cancel()
        for task in [*self._tasks, *self._background]:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        await self.broker.stop()
        self._loop = None

    # -- entry points for the application (thread-safe) -------------------------------------------

    def committed(self, events: Iterable[Event]) -> None:
        """Ring the doorbell for events just committed to the log (called from any thread)."""
        messages = [(e.channel, f"e {e.seq} {e.wire()}") for e in events]
        self._enqueue(messages)

    def volatile(self, channel: str, type_: str, data: Any) -> None:
        """Send a volatile message (no seq, never replayed) to every client of `channel` on every worker."""
        wire = json.dumps({"op": "volatile", "channel": channel, "type": type_, "data": data}, ensure_ascii=False)
        self._enqueue([(channel, "v " + wire)])

    def reauthorize(self, channel: str) -> None:
        """Ask every worker to check again that each client of `channel` may still follow it."""
        self._enqueue([(CONTROL_TOPIC, "r " + channel)])

    def _enqueue(self, messages: list[tuple[str, str]]) -> None:
        loop, outbox = self._loop, self._outbox
        if loop is None or outbox is None or loop.is_closed():
            return  # not serving (a CLI command, a test without a server): the log has the events
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            for message in messages:
                outbox.put_nowait(message)
        else:
            loop.call_soon_threadsafe(_put_all, outbox, messages)

    async def _publish_forever(self) -> None:
        # One publisher keeps this worker's doorbells in commit order, so receivers rarely see a gap.
        assert self._outbox is not None
        while True:
            topic, message = await self._outbox.get()
            await self.broker.publish(topic, message)

    # -- the websocket endpoint --------------------------------------------------------------------

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "websocket":
            return
        if (await receive())["type"] != "websocket.connect":
            return
        identity = await self.authenticate(scope)
        await send({"type": "websocket.accept"})
        if identity is None:
            # Accepted and then closed, so a browser can tell "sign in" from "server unreachable".
            await send({"type": "websocket.close", "code": CLOSE_UNAUTHORIZED, "reason": "sign in first"})
            return
        config = self.config
        rate = RateLimit(config.rate_per_sec, config.rate_burst)
        conn = Connection(send, identity, config.send_buffer_max_bytes, rate, self._count_close)
        self.connections.add(conn)
        try:
            while True:
                message = await receive()
                kind = message["type"]
                if kind == "websocket.disconnect":
                    break
                if kind == "websocket.receive" and not conn.closed:
                    await self._on_frame(conn, message)
        finally:
            self._drop(conn)
            await conn.finish()

    async def _on_frame(self, conn: Connection, message: Message) -> None:
        text = message.get("text")
        if text is None:
            conn.close(CLOSE_UNSUPPORTED, "text frames only")
            return
        limit = self.config.max_message_bytes
        if len(text) > limit or (len(text) * 4 > limit and len(text.encode()) > limit):
            conn.close(CLOSE_TOO_BIG, "message too big")
            return
        conn.last_seen = time.monotonic()
        left = conn.rate.take()
        if left < 0:
            if left <= -self.config.rate_burst:
                conn.close(CLOSE_POLICY, "too many messages")
            elif left > -1:
                conn.push(error_op("rate_limited", "Too many messages; slow down.", 429))
            return
        try:
            request = json.loads(text)
        except ValueError:
            conn.push(error_op("bad_request", "The message is not valid JSON."))
            return
        if not isinstance(request, dict) or not isinstance(request.get("op"), str):
            conn.push(error_op("bad_request", 'A message is a JSON object with an "op".'))
            return
        op = request["op"]
        if op == "ping":
            conn.push('{"op":"pong"}')
        elif op == "subscribe":
            await self._subscribe(conn, request)
        elif op == "unsubscribe":
            self._unsubscribe(conn, request)
        elif op == "action":
            await self._action(conn, request)
        else:
            conn.push(error_op("bad_request", f"Unknown op {op!r}.", op=op))

    # -- subscriptions -----------------------------------------------------------------------------

    async def _subscribe(self, conn: Connection, request: dict[str, Any]) -> None:
        name, since, epoch = request.get("channel"), request.get("since"), request.get("epoch")
        if not isinstance(name, str) or not CHANNEL_NAME.match(name):
            conn.push(error_op("bad_request", "channel: expected a name like meeting:42.", channel=str(name)[:100]))
            return
        if since is not None and (not isinstance(since, int) or isinstance(since, bool) or since < 0):
            conn.push(error_op("bad_request", "since: expected a whole number ≥ 0.", channel=name))
            return
        if epoch is not None and not isinstance(epoch, str):
            conn.push(error_op("bad_request", "epoch: expected a string.", channel=name))
            return
        if not await self.authorize(conn.identity, name):
            # The same answer for a channel that does not exist and one the client may not follow.
            conn.push(error_op("not_found", "No such channel, or you may not follow it.", 404, channel=name))
            return
        if conn.closed:
            return
        self._leave(conn, name)
        channel = self.channels.get(name)
        if channel is None:
            channel = self.channels[name] = Channel(name)
        async with channel.lock:
            if not channel.ready:
                await self._open(channel)
            recovered = False
            replay: list[Event] = []
            if since is not None and (epoch is None or epoch == self.epoch):
                if since > channel.delivered:
                    await self._sync(channel)
                if since <= channel.delivered:
                    replay = await self.log.read(name, since, channel.delivered) if since < channel.delivered else []
                    # Far behind, reloading the state is cheaper than a replay that would fill the send buffer.
                    fits = sum(len(e.data) for e in replay) <= self.config.send_buffer_max_bytes // 2
                    recovered = fits and resumable(since, replay, channel.delivered)
            subscribed = {
                "op": "subscribed",
                "channel": name,
                "seq": channel.delivered,
                "epoch": self.epoch,
                "recovered": recovered,
            }
            conn.push(json.dumps(subscribed))
            if recovered:
                for event in replay:
                    conn.push(event.wire())
            if conn.closed:
                return
            channel.subscribers.add(conn)
            conn.channels.add(name)
            self.presence.joined(channel, conn)
            if channel.dirty:
                await self._sync(channel)

    async def _open(self, channel: Channel) -> None:
        # Subscribe to the doorbells first, then read the head: nothing rung in between is missed.
        await self.broker.subscribe(channel.name)
        channel.delivered = await self.log.head(channel.name)
        channel.ready = True
        self.presence.opened(channel)

    def _unsubscribe(self, conn: Connection, request: dict[str, Any]) -> None:
        name = request.get("channel")
        if isinstance(name, str) and name in conn.channels:
            self._leave(conn, name)
            conn.push(json.dumps({"op": "unsubscribed", "channel": name}))
        else:
            conn.push(error_op("bad_request", "Not subscribed to that channel.", channel=str(name)[:100]))

    def _leave(self, conn: Connection, name: str) -> None:
        channel = self.channels.get(name)
        conn.channels.discard(name)
        if channel is None or conn not in channel.subscribers:
            return
        channel.subscribers.discard(conn)
        if not channel.subscribers:
            channel.idle_since = time.monotonic()
        self.presence.left(channel, conn.identity.user_id)

    def _count_close(self, code: int) -> None:
        self.stats[f"closed.{code}"] += 1

    def _drop(self, conn: Connection) -> None:
        for name in list(conn.channels):
            self._leave(conn, name)
        self.connections.discard(conn)

    # -- delivery ----------------------------------------------------------------------------------

    def _on_broker(self, topic: str, message: str) -> None:
        if topic == CONTROL_TOPIC:
            if message.startswith("r "):
                self._spawn(self._recheck(message[2:]))
            return
        channel = self.channels.get(topic)
        if channel is None:
            return
        kind = message[:1]
        if kind == "e":
            seq_text, _, wire = message[2:].partition(" ")
            self._offer(channel, int(seq_text), wire)
        elif kind == "v":
            self._fanout(channel, message[2:])
        elif kind in ("p", "q"):
            self.presence.heard(channel, kind, message[2:])

    def _offer(self, channel: Channel, seq: int, wire: str) -> None:
        if seq <= channel.delivered:
            return  # already delivered (a late doorbell, or one the poll got to first)
        if seq == channel.delivered + 1 and channel.ready and not channel.lock.locked():
            channel.delivered = seq
            self._fanout(channel, wire)
            return
        # A gap: the events between are committed (their seq was taken before this one's), so read them.
        channel.dirty = True
        if channel.ready and not channel.lock.locked():
            self._spawn(self._catch_up(channel))

    def _fanout(self, channel: Channel, wire: str) -> None:
        # Serialized and framed once; each client costs a buffer check and a write.
        frame = text_frame(wire.encode())
        for conn in channel.subscribers:
            conn.push(wire, frame)

    async def _catch_up(self, channel: Channel) -> None:
        self.stats["catch_up"] += 1
        async with channel.lock:
            await self._sync(channel)

    async def _sync(self, channel: Channel) -> None:
        """Deliver, in order, every event in the log that this worker has not delivered (lock held)."""
        while True:
            channel.dirty = False
            events = await self.log.read(channel.name, channel.delivered)
            if events and events[0].seq != channel.delivered + 1:
                # The log was pruned past what this worker delivered: its clients must reload.
                log.warning("channel %s fell behind retention; its clients resubscribe", channel.name)
                for conn in list(channel.subscribers):
                    conn.close(CLOSE_RESTART, "resubscribe")
            for event in events:
                channel.delivered = event.seq
                self._fanout(channel, event.wire())
            if not channel.dirty:
                return

    # -- actions -----------------------------------------------------------------------------------

    async def _action(self, conn: Connection, request: dict[str, Any]) -> None:
        action_id, type_, data = request.get("id"), request.get("type"), request.get("data", {})
        if not isinstance(action_id, str) or not action_id or len(action_id) > MAX_ACTION_ID_LENGTH:
            conn.push(error_op("bad_request", "id: expected a string of at most 100 characters."))
            return
        if not isinstance(type_, str) or not isinstance(data, dict):
            conn.push(error_op("bad_request", "An action has a type and a data object.", id=action_id))
            return
        handler = self.handlers.get(type_)
        if handler is None:
            conn.push(error_op("unknown_action", f"Unknown action {type_[:60]!r}.", id=action_id))
            return
        try:
            result = await handler(conn.identity, data)
        except ActionError as error:
            conn.push(error_op(error.code, error.message, error.status, id=action_id))
            return
        except Exception:
            log.exception("action %s failed", type_)
            conn.push(
                error_op("internal", "Something went wrong on the server; it has been logged.", 500, id=action_id)
            )
            return
        ack: dict[str, Any] = {"op": "ack", "id": action_id}
        if result is not None:
            ack["data"] = result
        conn.push(json.dumps(ack, ensure_ascii=False))

    # -- housekeeping ------------------------------------------------------------------------------

    def _spawn(self, coroutine: Awaitable[Any]) -> None:
        task = asyncio.ensure_future(coroutine)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _every(self, secs: float, job: Callable[[], Awaitable[None]]) -> None:
        while True:
            await asyncio.sleep(secs)
            try:
                await job()
            except Exception:
                log.exception("hub housekeeping failed")

    async def _poll(self) -> None:
        # The safety net for lost doorbells: one query for the heads of every channel with clients here.
        ready = {name: ch for name, ch in self.channels.items() if ch.ready}
        if not ready:
            return
        for name, head in (await self.log.heads(ready)).items():
            channel = ready[name]
            if head > channel.delivered and not channel.lock.locked():
                self._spawn(self._catch_up(channel))
        now = time.monotonic()
        for name, channel in list(self.channels.items()):
            idle = not channel.subscribers and now - channel.idle_since > self.config.channel_linger_secs
            if idle and not channel.lock.locked() and channel.ready:
                del self.channels[name]
                await self.broker.unsubscribe(name)
                if name in self.channels:  # a client came back meanwhile: keep hearing its doorbells
                    await self.broker.subscribe(name)

    async def _check_sessions(self) -> None:
        # Sign-out, expiry, a disabled account: that user's sockets close within seconds, on every worker.
        keys = {conn.identity.session_key for conn in self.connections}
        if not keys:
            return
        live = await self.revalidate(keys)
        now = time.monotonic()
        for conn in list(self.connections):
            # A socket that joined while the check ran was not asked about: it is checked next time.
            if conn.identity.session_key in keys and conn.identity.session_key not in live:
                conn.close(CLOSE_UNAUTHORIZED, "session ended")
            elif now - conn.last_seen > self.config.idle_timeout_secs:
                conn.close(CLOSE_IDLE, "no heartbeat")

    async def _refresh(self) -> None:
        self.presence.refresh(self.channels.values())

    async def _prune(self) -> None:
        await self.log.prune()

    async def _recheck(self, name: str) -> None:
        channel = self.channels.get(name)
        if channel is None:
            return
        for conn in list(channel.subscribers):
            if not await self.authorize(conn.identity, name) and name in conn.channels:
                self._leave(conn, name)
                conn.push(json.dumps({"op": "unsubscribed", "channel": name, "reason": "not_found"}))

    def _on_broker_reconnect(self) -> None:
        # Doorbells may have been lost during the outage: read what was missed, re-announce presence.
        for channel in self.channels.values():
            if channel.ready:
                self._spawn(self._catch_up(channel))
            if channel.local:
                self.presence.report(channel)


class HubRoute:
    """ASGI middleware that hands websocket connections at `path` to the hub, ahead of the framework.

    Installed inside the app's own middleware (Origin check first) but outside the framework's routing,
    whose exception handling wraps `send`: the hub needs the server's own `send` to find the socket's
    transport and write frames to it (realtime/connection.py).
    """

    def __init__(self, app: ASGIApp, hub: Hub, path: str = "/ws") -> None:
        self.app = app
        self.hub = hub
        self.path = path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket" and scope["path"] == self.path:
            await self.hub(scope, receive, send)
        else:
            await self.app(scope, receive, send)


def _put_all(queue: asyncio.Queue[tuple[str, str]], messages: list[tuple[str, str]]) -> None:
    for message in messages:
        queue.put_nowait(message)
