"""The audit log's hash chain, on SQLite and PostgreSQL."""

from __future__ import annotations

import sqlalchemy as sa

from ecabinet import audit
from ecabinet.database import Database


def _append_three(db: Database) -> None:
    for n in range(3):
        with db.write() as session:
            audit.append(session, actor_id=1, action="test.done", object_type="thing", object_id=n, data={"n": n})


def _verify(db: Database) -> audit.Verdict:
    with db.read() as session:
        return audit.verify(session)


def test_an_untouched_chain_verifies(db: Database) -> None:
    """Rows appended in separate transactions form a valid chain."""
    _append_three(db)
    verdict = _verify(db)
    assert verdict.ok and verdict.rows >= 3


def test_an_edited_row_is_caught(db: Database) -> None:
    """Changing a row's content after the fact breaks its hash."""
    _append_three(db)
    with db.engine.begin() as c:
        last = c.execute(sa.text("SELECT max(seq) FROM audit_event")).scalar_one()
        c.execute(sa.text("UPDATE audit_event SET data = '{\"n\": 99}' WHERE seq = :s"), {"s": last - 1})
    verdict = _verify(db)
    assert not verdict.ok and "changed" in verdict.problem


def test_a_deleted_row_is_caught(db: Database) -> None:
    """Removing a row from the middle leaves a gap in seq."""
    _append_three(db)
    with db.engine.begin() as c:
        last = c.execute(sa.text("SELECT max(seq) FROM audit_event")).scalar_one()
        c.execute(sa.text("DELETE FROM audit_event WHERE seq = :s"), {"s": last - 1})
    verdict = _verify(db)
    assert not verdict.ok and "deleted" in verdict.problem


def test_a_deleted_tail_is_caught(db: Database) -> None:
    """Removing the newest row disagrees with the chain's head."""
    _append_three(db)
    with db.engine.begin() as c:
        last = c.execute(sa.text("SELECT max(seq) FROM audit_event")).scalar_one()
        c.execute(sa.text("DELETE FROM audit_event WHERE seq = :s"), {"s": last})
    verdict = _verify(db)
    assert not verdict.ok and "end" in verdict.problem


def test_an_inserted_row_is_caught(db: Database) -> None:
    """A forged row slipped into the chain does not link to its neighbours."""
    _append_three(db)
    with db.engine.begin() as c:
        last = c.execute(sa.text("SELECT max(seq) FROM audit_event")).scalar_one()
        c.execute(sa.text("UPDATE audit_event SET seq = seq + 1 WHERE seq = :s"), {"s": last})
        c.execute(
            sa.text(
                "INSERT INTO audit_event (seq, at, actor_id, action, object_type, object_id, data, prev_hash, hash) "
                "SELECT :s, at, actor_id, 'forged', object_type, object_id, data, prev_hash, hash FROM audit_event "
                "WHERE seq = :p"
            ),
            {"s": last, "p": last - 1},
        )
        c.execute(sa.text("UPDATE audit_head SET seq = seq + 1"))
    verdict = _verify(db)
    assert not verdict.ok


def test_a_rolled_back_change_leaves_no_audit_row(db: Database) -> None:
    """The audit row commits with its change or not at all."""
    with db.read() as session:
        before = _verify(db).rows
    try:
        with db.write() as session:
            audit.append(session, actor_id=1, action="test.failed", object_type="thing")
            raise RuntimeError("the change failed")
    except RuntimeError:
        pass
    after = _verify(db)
    assert after.ok and after.rows == before
