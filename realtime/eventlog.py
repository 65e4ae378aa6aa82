"""The event log: per channel, a gapless sequence of events, kept in the database beside the changes.

An event is appended in the same transaction as the change it reports (an outbox), so a crash after
commit loses nothing. The counter row of each channel is bumped with `UPDATE … RETURNING`: its row
lock makes commit order equal seq order, and a rollback leaves no gap (DESIGN §10). Several channels
are always locked in sorted order, so two transactions never wait on each other in a cycle.

The epoch names the log as a whole: it changes only when the log is lost (a new database, a restore),
and a client holding a seq from another epoch must reload the state instead of resuming.
"""

from __future__ import annotations

import asyncio
import json
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

metadata = sa.MetaData()

event_channel = sa.Table(
    "event_channel",
    metadata,
    sa.Column("channel", sa.String(100), primary_key=True),
    sa.Column("seq", sa.BigInteger(), nullable=False),
)

event_log = sa.Table(
    "event_log",
    metadata,
    sa.Column("channel", sa.String(100), primary_key=True),
    sa.Column("seq", sa.BigInteger(), primary_key=True, autoincrement=False),
    sa.Column("type", sa.String(64), nullable=False),
    sa.Column("data", sa.Text(), nullable=False),
    sa.Column("ts", sa.String(32), nullable=False),
)

event_epoch = sa.Table(
    "event_epoch",
    metadata,
    sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
    sa.Column("epoch", sa.String(40), nullable=False),
)

MAX_CHANNEL_LENGTH = 100
REPLAY_BATCH_EVENTS = 1000

_BUMP = sa.text(
    "INSERT INTO event_channel (channel, seq) VALUES (:channel, :count) "
    "ON CONFLICT (channel) DO UPDATE SET seq = event_channel.seq + :count RETURNING seq"
)


@dataclass(frozen=True)
class Pending:
    """An event waiting in a transaction's outbox: it gets its seq when the transaction commits."""

    channel: str
    type: str
    data: Any

    def __post_init__(self) -> None:
        if not self.channel or len(self.channel) > MAX_CHANNEL_LENGTH:
            raise ValueError(f"bad channel name {self.channel!r}")


@dataclass(frozen=True)
class Event:
    """An event as stored: its data is JSON text, so it is serialized once for every reader."""

    channel: str
    seq: int
    type: str
    data: str
    ts: str

    def wire(self) -> str:
        """The event as the hub sends it to clients (DESIGN §5)."""
        return (
            f'{{"op":"event","channel":{json.dumps(self.channel)},"seq":{self.seq},'
            f'"type":{json.dumps(self.type)},"data":{self.data},"ts":"{self.ts}"}}'
        )


def new_epoch() -> str:
    return secrets.token_hex(8)


def now_ts() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def append(connection: sa.Connection, pending: Sequence[Pending]) -> list[Event]:
    """Give each pending event its seq and store it, inside the caller's transaction."""
    ts = now_ts()
    written: list[Event] = []
    by_channel: dict[str, list[Pending]] = {}
    for item in pending:
        by_channel.setdefault(item.channel, []).append(item)
    for channel in sorted(by_channel):
        items = by_channel[channel]
        last = connection.execute(_BUMP, {"channel": channel, "count": len(items)}).scalar_one()
        first = last - len(items) + 1
        rows = [
            Event(channel, first + i, item.type, json.dumps(item.data, ensure_ascii=False, separators=(",", ":")), ts)
            for i, item in enumerate(items)
        ]
        connection.execute(
            event_log.insert(),
            [{"channel": e.channel, "seq": e.seq, "type": e.type, "data": e.data, "ts": e.ts} for e in rows],
        )
        written.extend(rows)
    return written


def head(connection: sa.Connection, channel: str) -> int:
    """The seq of the channel's newest event; 0 when it has none."""
    value = connection.execute(sa.select(event_channel.c.seq).where(event_channel.c.channel == channel)).scalar()
    return int(value or 0)


def heads(connection: sa.Connection, channels: Iterable[str]) -> dict[str, int]:
    """The newest seq of each channel, in one query per few hundred channels."""
    wanted = list(channels)
    found: dict[str, int] = dict.fromkeys(wanted, 0)
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        query = sa.select(event_channel.c.channel, event_channel.c.seq).where(event_channel.c.channel.in_(chunk))
        for channel, seq in connection.execute(query):
            found[channel] = int(seq)
    return found


def read(connection: sa.Connection, channel: str, after: int, upto: int | None = None) -> list[Event]:
    """The channel's events with after < seq ≤ upto, in order (those still within retention)."""
    query = sa.select(event_log).where(event_log.c.channel == channel, event_log.c.seq > after)
    if upto is not None:
        query = query.where(event_log.c.seq <= upto)
    rows = connection.execute(query.order_by(event_log.c.seq)).all()
    return [Event(r.channel, int(r.seq), r.type, r.data, r.ts) for r in rows]


def prune(connection: sa.Connection, keep: int) -> int:
    """Forget all but the newest `keep` events of every channel; returns how many were removed."""
    newest = sa.select(event_channel.c.seq).where(event_channel.c.channel == event_log.c.channel).scalar_subquery()
    result = connection.execute(sa.delete(event_log).where(event_log.c.seq <= newest - keep))
    return int(result.rowcount or 0)


def epoch(connection: sa.Connection) -> str:
    """The log's epoch (the schema's migration writes the first one)."""
    return str(connection.execute(sa.select(event_epoch.c.epoch).where(event_epoch.c.id == 1)).scalar_one())


def rotate_epoch(connection: sa.Connection) -> str:
    """Start a new epoch: every client reloads its state. A restored database must do this."""
    value = new_epoch()
    connection.execute(event_epoch.delete())
    connection.execute(event_epoch.insert().values(id=1, epoch=value))
    return value


def resumable(since: int, events: Sequence[Event], upto: int) -> bool:
    """Whether `events` (read for after=since, upto) are exactly the ones a client at `since` missed."""
    if since > upto or since < 0:
        return False
    missing = upto - since
    if len(events) != missing:
        return False
    return not events or (events[0].seq == since + 1 and events[-1].seq == upto)


class EventLog:
    """The log as the hub reads it: the blocking database calls run in threads, off the event loop."""

    def __init__(self, engine: sa.Engine, retention_events: int) -> None:
        self.engine = engine
        self.retention_events = retention_events

    def _read(self, fn: Any, *args: Any) -> Any:
        with self.engine.connect() as connection:
            return fn(connection, *args)

    async def epoch(self) -> str:
        result: str = await asyncio.to_thread(self._read, epoch)
        return result

    async def head(self, channel: str) -> int:
        result: int = await asyncio.to_thread(self._read, head, channel)
        return result

    async def heads(self, channels: Iterable[str]) -> dict[str, int]:
        result: dict[str, int] = await asyncio.to_thread(self._read, heads, list(channels))
        return result

    async def read(self, channel: str, after: int, upto: int | None = None) -> list[Event]:
        result: list[Event] = await asyncio.to_thread(self._read, read, channel, after, upto)
        return result

    async def prune(self) -> int:
        def run() -> int:
            with self.engine.begin() as connection:
                return prune(connection, self.retention_events)

        return await asyncio.to_thread(run)
