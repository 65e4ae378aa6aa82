"""The audit log: append-only rows, each chained to the one before by a SHA-256 hash.

`append` runs inside the transaction of the change it records, so a change and its audit row
commit together or not at all. `verify` walks the chain and names the first row that breaks it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from ecabinet.models import AuditEvent, AuditHead, utcnow

GENESIS_HASH = "0" * 64


def row_hash(
    prev_hash: str,
    seq: int,
    at: dt.datetime,
    actor_id: int | None,
    action: str,
    object_type: str,
    object_id: str,
    meeting_id: int | None,
    data: str,
) -> str:
    """The hash of one row: everything it records plus the previous row's hash."""
    canonical = json.dumps(
        [
            prev_hash,
            seq,
            at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
            actor_id,
            action,
            object_type,
            object_id,
            meeting_id,
            data,
        ],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def append(
    session: Session,
    *,
    actor_id: int | None,
    action: str,
    object_type: str,
    object_id: Any = "",
    meeting_id: int | None = None,
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Record one state change in the caller's transaction."""
    # The UPDATE takes the head row's lock, so concurrent appends get consecutive seqs in commit order.
    head = session.execute(
        sa.update(AuditHead)
        .where(col(AuditHead.id) == 1)
        .values(seq=col(AuditHead.seq) + 1)
        .returning(col(AuditHead.seq), col(AuditHead.hash))
    ).one()
    seq, prev_hash = int(head[0]), str(head[1])
    at = utcnow()
    payload = json.dumps(data or {}, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    digest = row_hash(prev_hash, seq, at, actor_id, action, object_type, str(object_id), meeting_id, payload)
    row = AuditEvent(
        seq=seq,
        at=at,
        actor_id=actor_id,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        meeting_id=meeting_id,
        data=payload,
        prev_hash=prev_hash,
        hash=digest,
    )
    session.add(row)
    session.execute(sa.update(AuditHead).where(col(AuditHead.id) == 1).values(hash=digest))
    return row


@dataclass(frozen=True)
class Verdict:
    """The outcome of `verify`: ok, how many rows were checked, and the first problem found."""

    ok: bool
    rows: int
    problem: str = ""


def verify(session: Session) -> Verdict:
    """Check the whole chain: every row's hash, its link to the previous row, gapless seq, and the head."""
    expected_seq = 1
    prev_hash = GENESIS_HASH
    count = 0
    for row in session.exec(select(AuditEvent).order_by(AuditEvent.seq)).yield_per(1000):  # type: ignore[arg-type]
        count += 1
        if row.seq != expected_seq:
            kind = "deleted" if row.seq > expected_seq else "inserted"
            return Verdict(False, count, f"row seq {row.seq}: expected seq {expected_seq} (a row was {kind})")
        if row.prev_hash != prev_hash:
            return Verdict(False, count, f"row seq {row.seq}: does not link to the row before it")
        digest = row_hash(
            row.prev_hash,
            row.seq,
            row.at,
            row.actor_id,
            row.action,
            row.object_type,
            row.object_id,
            row.meeting_id,
            row.data,
        )
        if digest != row.hash:
            return Verdict(False, count, f"row seq {row.seq}: its content was changed after it was written")
        prev_hash = row.hash
        expected_seq += 1
    head = session.get(AuditHead, 1)
    if head is None:
        return Verdict(False, count, "the chain's head row is missing")
    if head.seq != expected_seq - 1 or head.hash != prev_hash:
        return Verdict(
            False,
            count,
            f"the chain ends at seq {expected_seq - 1} but its head says {head.seq} (rows were deleted from the end)",
        )
    return Verdict(True, count)
