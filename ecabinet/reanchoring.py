"""Carrying annotations over to a paper's new version.

When a replaced paper's new version becomes current, every live annotation on its older versions is placed
on the new one by the PDF sandbox (`annotated_pdf.reanchor`: by its quoted words and their context, wherever
they moved) or, when its words are gone, moved to the new version flagged `orphaned`: listed for its author,
not drawn, never dropped. The document processor runs this when a version becomes ready and in its sweep, so
an annotation made offline on the old version afterwards follows too, and a server that died midway is
finished by another.

Each move is applied only if the annotation is still where and as it was read (its document and version):
an edit that came in meanwhile wins, and the annotation is carried on the next pass. Carrying does not raise
the version: it is the paper that changed, not the annotation.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import aliased
from sqlmodel import col, select

from ecabinet import audit, events
from ecabinet.database import Database
from ecabinet.models import Annotation, Document, DocumentState, utcnow


@dataclass(frozen=True)
class Carry:
    """The annotations on one older version to carry to the current one, with both files."""

    new_id: int
    new_sha256: str
    old_id: int
    old_sha256: str
    annotations: list[dict[str, Any]]


def waiting(db: Database) -> list[int]:
    """Current versions with live annotations still on an older version of their paper."""
    older = aliased(Document)
    with db.read() as session:
        rows = session.exec(
            select(Document.id)
            .distinct()
            .join(Annotation, col(Annotation.series_id) == col(Document.series_id))
            .join(older, col(older.id) == col(Annotation.document_id))
            .where(
                col(Document.current),
                Document.state == DocumentState.ready,
                col(older.version) < col(Document.version),
                col(Annotation.deleted).is_(False),
            )
        ).all()
        return [int(r) for r in rows if r is not None]


def carries(db: Database, new_id: int) -> list[Carry]:
    """What to carry to version `new_id`, one Carry per older version (nothing if it is not current)."""
    with db.read() as session:
        new = session.get(Document, new_id)
        if new is None or not new.current or new.state != DocumentState.ready:
            return []
        rows = session.exec(
            select(Annotation, Document)
            .join(Document, col(Document.id) == col(Annotation.document_id))
            .where(
                Annotation.series_id == new.series_id,
                col(Document.version) < new.version,
                col(Annotation.deleted).is_(False),
            )
            .order_by(col(Annotation.document_id), col(Annotation.created_at))
        ).all()
        grouped: dict[int, Carry] = {}
        for row, old in rows:
            carry = grouped.setdefault(old.id or 0, Carry(new_id, new.sha256, old.id or 0, old.sha256, []))
            carry.annotations.append(
                {
                    "uuid": row.uuid,
                    "version": row.version,
                    "page": row.page,
                    "kind": row.kind,
                    "geometry": json.loads(row.geometry),
                    "anchor": json.loads(row.anchor),
                }
            )
        return list(grouped.values())


def record(db: Database, carry: Carry, answer: dict[str, Any]) -> tuple[int, int]:
    """Apply what the sandbox found: placed ones move with their new page, geometry and anchor, the others move
    flagged orphaned; each only if unchanged since it was read. Placed and orphaned counts."""
    versions = {a["uuid"]: a["version"] for a in carry.annotations}
    placements = {p["uuid"]: p for p in answer["placed"]}
    wanted = [u for u in [*placements, *answer["orphaned"]] if u in versions]
    with db.write() as session:
        new = session.get(Document, carry.new_id)
        if new is None or not new.current:
            return 0, 0  # a later version took over meanwhile: the next pass carries them there
        rows = session.exec(
            select(Annotation)
            .where(
                col(Annotation.uuid).in_(wanted),
                Annotation.document_id == carry.old_id,
                col(Annotation.deleted).is_(False),
            )
            .with_for_update()
        ).all()
        now = utcnow()
        per_author: dict[int, list[int]] = {}
        shared = False
        for row in rows:
            if row.version != versions[row.uuid]:
                continue  # edited meanwhile: carried on the next pass, as it is now
            place = placements.get(row.uuid)
            row.document_id = carry.new_id
            row.orphaned = place is None
            if place is not None:
                row.page = int(place["page"])
                row.geometry = json.dumps(place["geometry"], separators=(",", ":"))
                row.anchor = json.dumps(place["anchor"], ensure_ascii=False)
            row.updated_at = now
            session.add(row)
            counts = per_author.setdefault(row.author_id, [0, 0])
            counts[0 if place is not None else 1] += 1
            shared = shared or row.visibility == "shared"
        data: dict[str, Any] = {"document_id": carry.new_id, "from_document_ids": [carry.old_id]}
        for author, (placed, orphaned) in per_author.items():
            mine = data | {"placed": placed, "orphaned": orphaned}
            events.emit(session, events.user_channel(author), events.ANNOTATIONS_MOVED, mine)
        if shared:
            events.emit(session, events.meeting_channel(new.meeting_id), events.ANNOTATIONS_MOVED, data)
        placed_total = sum(c[0] for c in per_author.values())
        orphaned_total = sum(c[1] for c in per_author.values())
        if per_author:
            audit.append(
                session,
                actor_id=None,
                action="annotations.carried",
                object_type="document",
                object_id=carry.new_id,
                meeting_id=new.meeting_id,
                data={"from": carry.old_id, "placed": placed_total, "orphaned": orphaned_total},
            )
        return placed_total, orphaned_total
