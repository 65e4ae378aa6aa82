"""The event log: gapless seq per channel in the change's transaction, replay, retention, the epoch."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from ecabinet.database import Database, outbox
from realtime import eventlog
from realtime.eventlog import Event, Pending, resumable


def _event(seq: int) -> Event:
    return Event("meeting:1", seq, "item.updated", "{}", "2026-01-01T00:00:00.000Z")


def test_resumable_only_when_every_missed_event_is_there() -> None:
    """A client at `since` can resume only from the complete run since+1 … upto."""
    assert resumable(3, [_event(4), _event(5)], 5)
    assert resumable(5, [], 5)
    assert not resumable(3, [_event(5)], 5)  # event 4 was pruned
    assert not resumable(6, [], 5)  # from the future (another epoch, a restored database)
    assert not resumable(-1, [], 5)


def test_wire_format_matches_the_contract() -> None:
    """An event on the wire carries op, channel, seq, type, data and ts (DESIGN §5)."""
    wire = Event("meeting:7", 18, "presenter.page", '{"page":3}', "2026-11-22T10:00:00.000Z").wire()
    import json

    assert json.loads(wire) == {
        "op": "event",
        "channel": "meeting:7",
        "seq": 18,
        "type": "presenter.page",
        "data": {"page": 3},
        "ts": "2026-11-22T10:00:00.000Z",
    }


def test_pending_refuses_a_bad_channel() -> None:
    """A channel name is required and bounded."""
    with pytest.raises(ValueError):
        Pending("", "x", {})
    with pytest.raises(ValueError):
        Pending("m" * 101, "x", {})


def test_events_commit_with_the_change_and_vanish_with_its_rollback(db: Database) -> None:
    """The outbox is written in the change's transaction: a rollback leaves no event and no gap."""
    heard: list[list[Event]] = []
    db.listeners.append(heard.append)
    with db.write() as session:
        outbox(session).append(Pending("meeting:900", "item.updated", {"n": 1}))
    with pytest.raises(RuntimeError), db.write() as session:
        outbox(session).append(Pending("meeting:900", "item.updated", {"n": 2}))
        raise RuntimeError("the change fails")
    with db.write() as session:
        outbox(session).append(Pending("meeting:900", "item.updated", {"n": 3}))
    with db.engine.connect() as connection:
        events = eventlog.read(connection, "meeting:900", 0)
        assert [e.seq for e in events] == [1, 2]
        assert [e.data for e in events] == ['{"n":1}', '{"n":3}']
        assert eventlog.head(connection, "meeting:900") == 2
    assert [[e.seq for e in batch] for batch in heard] == [[1], [2]]


def test_several_channels_in_one_transaction(db: Database) -> None:
    """One transaction may emit on several channels; each gets its own gapless run."""
    with db.write() as session:
        for channel in ("user:5", "meeting:3", "user:5", "meeting:3", "meeting:3"):
            outbox(session).append(Pending(channel, "item.updated", {"c": channel}))
    with db.engine.connect() as connection:
        assert eventlog.heads(connection, ["meeting:3", "user:5", "user:6"]) == {
            "meeting:3": 3,
            "user:5": 2,
            "user:6": 0,
        }
        assert [e.seq for e in eventlog.read(connection, "meeting:3", 1, 2)] == [2]


def test_concurrent_writers_never_duplicate_or_skip_a_seq(db: Database) -> None:
    """Eight threads committing to the same channels get every seq exactly once, on SQLite and PostgreSQL."""
    per_thread = 25
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            for i in range(per_thread):
                with db.write() as session:
                    outbox(session).append(Pending("meeting:1", "item.updated", {"w": n, "i": i}))
                    if i % 3 == 0:
                        outbox(session).append(Pending("user:1", "meetings.changed", {"w": n, "i": i}))
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    with db.engine.connect() as connection:
        seqs = [e.seq for e in eventlog.read(connection, "meeting:1", 0)]
        assert seqs == list(range(1, 8 * per_thread + 1))
        user = [e.seq for e in eventlog.read(connection, "user:1", 0)]
        assert user == list(range(1, 8 * 9 + 1))
        # Each writer's own events keep their order within the channel.
        import json

        for n in range(8):
            mine = [json.loads(e.data)["i"] for e in eventlog.read(connection, "meeting:1", 0) if f'"w":{n},' in e.data]
            assert mine == sorted(mine)


def test_prune_keeps_the_newest_events_per_channel(db: Database) -> None:
    """Retention forgets old events but never the counter: seq goes on from where it was."""
    for i in range(10):
        with db.write() as session:
            outbox(session).append(Pending("meeting:8", "item.updated", {"i": i}))
            outbox(session).append(Pending("meeting:9", "item.updated", {"i": i}))
    with db.engine.begin() as connection:
        assert eventlog.prune(connection, 4) == 12
    with db.engine.connect() as connection:
        assert [e.seq for e in eventlog.read(connection, "meeting:8", 0)] == [7, 8, 9, 10]
        assert not resumable(5, eventlog.read(connection, "meeting:8", 5, 10), 10)
        assert resumable(6, eventlog.read(connection, "meeting:8", 6, 10), 10)
        assert eventlog.head(connection, "meeting:9") == 10


def test_epoch_is_made_by_the_migration_and_rotates(db: Database) -> None:
    """Every database has an epoch; rotating it (a restore) gives a new one."""
    with db.engine.begin() as connection:
        first = eventlog.epoch(connection)
        assert len(first) == 16
        assert eventlog.rotate_epoch(connection) != first
        assert connection.execute(sa.select(sa.func.count()).select_from(eventlog.event_epoch)).scalar_one() == 1
