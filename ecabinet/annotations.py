"""Annotations: a member's ink, highlights and notes on the pages of a paper, private or shared with the meeting.

Tablets annotate offline and send their edits later, each under the annotation's own uuid and an
Idempotency-Key per edit: a retried edit is answered from the first time and applied once. Every applied
edit raises the annotation's version. Per annotation the edit made later (by the tablet's clock) wins, in
whatever order edits arrive; an edit that loses, or that wins without having been made from the server's
version (the same member on two devices), is a conflict: the other side is kept in `annotation_conflict`,
flagged for the member, never dropped.

A private annotation is its author's alone, on every route; a shared one is seen by everyone who may read
the paper. Events go to the meeting's channel for shared annotations and to the author's own channel always.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, or_, select

from ecabinet import audit, events
from ecabinet.annotation_schemas import AnnotationDelete, AnnotationIn, AnnotationOut, ConflictOut
from ecabinet.database import Database
from ecabinet.documents import DownloadTicket, downloading, readable
from ecabinet.errors import Invalid, NotFound, NotReady
from ecabinet.models import Annotation, AnnotationConflict, AnnotationOp, Document, User, utcnow
from ecabinet.permissions import Actor

UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
INK_MAX_POINTS = 10_000
HIGHLIGHT_MAX_RECTS = 200
# How far outside the page a stroke may stray (a finger slipping off the edge), in points.
MARGIN_PT = 20.0
# The fields an edit sets; equal fields mean the edit changes nothing (a retry without its key).
EDITED = ("page", "kind", "visibility", "geometry", "anchor", "body", "color", "deleted", "orphaned")


def check_uuid(uuid: str) -> str:
    if not UUID.match(uuid):
        raise Invalid(
            "uuid: expected a UUID made by the tablet, e.g. 0f8fad5b-d9cb-469f-a165-70867728950e.", field="uuid"
        )
    return uuid.lower()


def _number(value: Any, low: float, high: float, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise Invalid(f"geometry: {where} must be a number.", field="geometry")
    if not low <= value <= high:
        raise Invalid(f"geometry: {where} lies outside the page.", field="geometry")
    return round(float(value), 2)


def _rect(value: Any, width: float, height: float, where: str) -> list[float]:
    if not isinstance(value, list) or len(value) != 4:
        raise Invalid(f"geometry: {where} must be [x0, y0, x1, y1].", field="geometry")
    x0, x1 = (_number(v, -MARGIN_PT, width + MARGIN_PT, where) for v in (value[0], value[2]))
    y0, y1 = (_number(v, -MARGIN_PT, height + MARGIN_PT, where) for v in (value[1], value[3]))
    if not (x0 < x1 and y0 < y1):
        raise Invalid(f"geometry: {where} must have x0 < x1 and y0 < y1.", field="geometry")
    return [x0, y0, x1, y1]


def check_points(points: Any, width: float, height: float, least: int, most: int) -> list[list[float]]:
    """Ink points [x, y] or [x, y, pressure 0–1] on the page (and a little around it), rounded to 0.01 pt."""
    if not isinstance(points, list) or not least <= len(points) <= most:
        raise Invalid(
            f'geometry: ink is {{"points": [[x, y, pressure], …]}}, {least} to {most} points.', field="geometry"
        )
    out = []
    for point in points:
        if not isinstance(point, list) or len(point) not in (2, 3):
            raise Invalid("geometry: each point is [x, y] or [x, y, pressure].", field="geometry")
        x = _number(point[0], -MARGIN_PT, width + MARGIN_PT, "a point")
        y = _number(point[1], -MARGIN_PT, height + MARGIN_PT, "a point")
        out.append([x, y, _number(point[2], 0, 1, "a pressure")] if len(point) == 3 else [x, y])
    return out


def check_geometry(kind: str, geometry: dict[str, Any], width: float, height: float) -> dict[str, Any]:
    """The geometry as stored (numbers rounded to 0.01 pt), or Invalid: ink is 2 to 10,000 points [x, y] or
    [x, y, pressure 0–1]; a highlight or a note is a rect (a highlight may add the rects of its lines)."""
    if kind == "ink":
        if set(geometry) != {"points"}:
            raise Invalid(
                f'geometry: ink is {{"points": [[x, y, pressure], …]}}, 2 to {INK_MAX_POINTS} points.', field="geometry"
            )
        return {"points": check_points(geometry["points"], width, height, 2, INK_MAX_POINTS)}
    allowed = {"rect", "rects"} if kind == "highlight" else {"rect"}
    if "rect" not in geometry or not set(geometry) <= allowed:
        raise Invalid(f'geometry: a {kind} is {{"rect": [x0, y0, x1, y1]}}.', field="geometry")
    shaped: dict[str, Any] = {"rect": _rect(geometry["rect"], width, height, "rect")}
    if "rects" in geometry:
        rects = geometry["rects"]
        if not isinstance(rects, list) or not 1 <= len(rects) <= HIGHLIGHT_MAX_RECTS:
            raise Invalid(f"geometry: rects is a list of 1 to {HIGHLIGHT_MAX_RECTS} rects.", field="geometry")
        shaped["rects"] = [_rect(r, width, height, "rects") for r in rects]
    return shaped


def annotation_out(row: Annotation, author: str, conflict: str | None = None) -> AnnotationOut:
    return AnnotationOut(
        uuid=row.uuid,
        document_id=row.document_id,
        series_id=row.series_id,
        meeting_id=row.meeting_id,
        author_id=row.author_id,
        author_name=author,
        page=row.page,
        kind=row.kind,
        visibility=row.visibility,
        geometry=json.loads(row.geometry),
        anchor=json.loads(row.anchor),
        body=row.body,
        color=row.color,
        version=row.version,
        deleted=row.deleted,
        orphaned=row.orphaned,
        edited_at=row.edited_at,
        created_at=row.created_at,
        updated_at=row.updated_at,
        conflict=conflict,  # type: ignore[arg-type]
    )


def _fields(row: Annotation) -> dict[str, Any]:
    return {name: getattr(row, name) for name in EDITED}


def _announce(session: Session, row: Annotation, out: AnnotationOut, was_shared: bool) -> None:
    """Shared annotations on the meeting's channel (and leaving it when made private or deleted); every change
    on the author's own channel, for their other devices."""
    data = {"annotation": out.model_dump(mode="json", exclude={"conflict"})}
    gone = {"annotation": {"uuid": row.uuid, "document_id": row.document_id, "page": row.page}}
    meeting = events.meeting_channel(row.meeting_id)
    if row.visibility == "shared" and not row.deleted:
        events.emit(session, meeting, events.ANNOTATION_UPDATED, data)
    elif was_shared:
        events.emit(session, meeting, events.ANNOTATION_DELETED, gone)
    author = events.user_channel(row.author_id)
    events.emit(session, author, events.ANNOTATION_DELETED if row.deleted else events.ANNOTATION_UPDATED, data)


def _stored_answer(session: Session, actor: Actor, key: str | None) -> tuple[AnnotationOut, int] | None:
    if key is None:
        return None
    op = session.get(AnnotationOp, (actor.id, key))
    if op is None:
        return None
    return AnnotationOut.model_validate_json(op.answer), op.status


def _edit(
    db: Database, actor: Actor, uuid: str, key: str | None, changes: dict[str, Any] | None, data: AnnotationIn | None,
    base_version: int, edited_at: dt.datetime | None, deleted_on: int | None = None,
) -> tuple[AnnotationOut, int]:  # fmt: skip
    """Apply one edit (a put, or a deletion when `data` is None) once; the answer and its status."""
    uuid = check_uuid(uuid)
    with db.write() as session:
        stored = _stored_answer(session, actor, key)
        if stored is not None:
            return stored
        row = session.exec(select(Annotation).where(Annotation.uuid == uuid).with_for_update()).first()
        if row is not None and row.author_id != actor.id:
            raise NotFound("No such annotation.")  # another member's: its existence is not revealed
        document_id = data.document_id if data is not None else (row.document_id if row else deleted_on)
        if document_id is None:
            raise NotFound("No such annotation.")
        found = readable(session, actor, document_id)
        doc = found.doc
        if data is not None:
            if row is not None and row.series_id != (doc.series_id or doc.id):
                raise Invalid("document_id: an annotation stays on its paper.", field="document_id")
            # An edit made on the version it was carried from (a tablet that had not heard of the new one yet), or
            # an orphaned one's edit leaving it where it was: its place stays where carrying it over left it.
            stays = row is not None and _stays(row, data)
            changes = _content(data, row.kind) if row is not None and stays else _checked(doc, data)
        assert changes is not None
        when = edited_at or utcnow()
        now = utcnow()
        status, conflict, changed = 200, None, True
        was_shared = row is not None and row.visibility == "shared" and not row.deleted
        if row is None:
            if data is None:  # a deletion ahead of what it deletes: a tombstone, which the late edit meets
                changes = {"page": 1, "kind": "note", "geometry": "{}", "deleted": True}
            row = Annotation(
                uuid=uuid,
                document_id=doc.id or 0,
                series_id=doc.series_id or doc.id or 0,
                meeting_id=doc.meeting_id,
                author_id=actor.id,
                edited_at=when,
                created_at=now,
                updated_at=now,
                **changes,
            )
            session.add(row)
            status = 201
        elif all(_fields(row)[k] == v for k, v in changes.items()):
            # The same content (a retry without its key, the same edit from another device): nothing to show,
            # but a later one moves the time that later edits are weighed against.
            changed = False
            if when > row.edited_at:
                row.edited_at = when
                session.add(row)
        elif when > row.edited_at or (when == row.edited_at and base_version == row.version):
            # The later edit wins whatever order edits arrive in (a tablet's clock far behind loses, kept).
            if base_version != row.version:
                # Not made from the stored version, but later than it: it wins, the stored one is kept.
                kept = _fields(row) | {"version": row.version, "edited_at": row.edited_at.isoformat()}
                _keep_conflict(session, actor, row, kept, row.version + 1)
                conflict = "kept_yours"
            for name, value in changes.items():
                setattr(row, name, value)
            row.version += 1
            row.edited_at, row.updated_at = when, now
            session.add(row)
        else:
            lost = changes | {"base_version": base_version, "edited_at": when.isoformat()}
            _keep_conflict(session, actor, row, lost, row.version)
            conflict, changed = "kept_theirs", False
        session.flush()
        author = session.get(User, row.author_id)
        out = annotation_out(row, author.name if author else "", conflict)
        if changed:
            _announce(session, row, out, was_shared)
            audit.append(
                session,
                actor_id=actor.id,
                action="annotation.deleted" if row.deleted else "annotation.saved",
                object_type="annotation",
                object_id=row.uuid,
                meeting_id=row.meeting_id,
                data={"version": row.version, "visibility": row.visibility},
            )
        if key is not None:
            session.add(
                AnnotationOp(user_id=actor.id, op_id=key, uuid=uuid, status=status, answer=out.model_dump_json())
            )
        return out, status


def _keep_conflict(session: Session, actor: Actor, row: Annotation, lost: dict[str, Any], kept: int) -> None:
    session.add(
        AnnotationConflict(uuid=row.uuid, user_id=actor.id, lost=json.dumps(lost, default=str), kept_version=kept)
    )


def _stays(row: Annotation, data: AnnotationIn) -> bool:
    if row.document_id != data.document_id:
        return True
    return row.orphaned and data.page == row.page and data.geometry == json.loads(row.geometry)


def _content(data: AnnotationIn, kind: str) -> dict[str, Any]:
    """What an edit changes besides where the annotation sits: its text, colour and sharing."""
    if kind != "note" and len(data.body) > 2000:
        raise Invalid("body: ink and highlights carry a short comment (2,000 characters at most).", field="body")
    return {"visibility": data.visibility, "body": data.body, "color": data.color, "deleted": False}


def _checked(doc: Document, data: AnnotationIn) -> dict[str, Any]:
    """The edit's fields as stored, checked against the paper's pages."""
    if doc.pages is None:
        raise NotReady("The paper is still being checked; annotate it in a moment.")
    if data.page > doc.pages:
        raise Invalid(f"page: the paper has {doc.pages} pages.", field="page")
    width, height = json.loads(doc.page_sizes)[data.page - 1]
    geometry = check_geometry(data.kind, data.geometry, width, height)
    return _content(data, data.kind) | {
        "page": data.page,
        "kind": data.kind,
        "geometry": json.dumps(geometry, separators=(",", ":")),
        "anchor": data.anchor.model_dump_json(),
        "orphaned": False,
    }


# Concurrent first edits of one annotation (or one key sent twice at once) collide on a unique key: the loser
# runs again and meets what the winner stored. Each attempt that collides means another request committed.
ATTEMPTS = 5


def _once(edit: Callable[[], tuple[AnnotationOut, int]]) -> tuple[AnnotationOut, int]:
    for _attempt in range(ATTEMPTS - 1):
        try:
            return edit()
        except sa.exc.IntegrityError:
            continue
    return edit()


def put(db: Database, actor: Actor, uuid: str, data: AnnotationIn, key: str | None) -> tuple[AnnotationOut, int]:
    """Create or edit the actor's annotation (201 when created); a retry with the same key answers the same."""
    return _once(lambda: _edit(db, actor, uuid, key, None, data, data.base_version, data.edited_at))


def delete(db: Database, actor: Actor, uuid: str, data: AnnotationDelete, key: str | None) -> AnnotationOut:
    """Delete the actor's annotation (a tombstone, so other devices learn of it); deleting again changes nothing."""
    deletion = {"deleted": True}
    return _once(
        lambda: _edit(db, actor, uuid, key, deletion, None, data.base_version, data.edited_at, data.document_id)
    )[0]


def list_for_document(
    db: Database, actor: Actor, document_id: int, since: dt.datetime | None = None
) -> list[AnnotationOut]:
    """The actor's own annotations on a paper and the shared ones of others; with `since`, what changed after
    it, deletions included (a device catching up)."""
    with db.read() as session:
        readable(session, actor, document_id)
        query = select(Annotation).where(
            Annotation.document_id == document_id,
            or_(Annotation.author_id == actor.id, Annotation.visibility == "shared"),
        )
        if since is None:
            query = query.where(col(Annotation.deleted).is_(False))
        else:
            query = query.where(col(Annotation.updated_at) > since)
        rows = list(session.exec(query.order_by(col(Annotation.page), col(Annotation.created_at))).all())
        # Another member's annotation made private is not listed: tablets following the meeting saw it leave by
        # its annotation.deleted event; one catching up with `since` does not learn of it (a full listing does).
        names = _names(session, {r.author_id for r in rows})
        out = []
        for row in rows:
            if row.author_id != actor.id and row.visibility != "shared":
                continue
            out.append(annotation_out(row, names.get(row.author_id, "")))
        return out


def _names(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return {u.id or 0: u.name for u in session.exec(select(User).where(col(User.id).in_(ids)))}


def conflicts(db: Database, actor: Actor) -> list[ConflictOut]:
    """The actor's edits that met another device's edit and lost (or won over a kept one), not yet dismissed."""
    with db.read() as session:
        rows = session.exec(
            select(AnnotationConflict)
            .where(AnnotationConflict.user_id == actor.id, col(AnnotationConflict.resolved).is_(False))
            .order_by(col(AnnotationConflict.id))
        ).all()
        return [
            ConflictOut(id=r.id or 0, uuid=r.uuid, kept_version=r.kept_version, lost=json.loads(r.lost), at=r.at)
            for r in rows
        ]


def dismiss_conflict(db: Database, actor: Actor, conflict_id: int) -> None:
    with db.write() as session:
        row = session.get(AnnotationConflict, conflict_id)
        if row is None or row.user_id != actor.id:
            raise NotFound("No such conflict.")
        row.resolved = True
        session.add(row)


def export_ticket(
    db: Database, actor: Actor, document_id: int, scope: str
) -> tuple[DownloadTicket, str, list[dict[str, Any]]]:
    """A copy of a paper carrying annotations, where its classification allows a download: the actor's own
    (`mine`, private ones included) or everyone's shared ones (`shared`, the meeting's record). The ticket, the
    paper's title and the annotations as the sandbox's `export_annotated` takes them. Audited."""
    with db.write() as session:
        query = select(Annotation).where(Annotation.document_id == document_id, col(Annotation.deleted).is_(False))
        if scope == "mine":
            query = query.where(Annotation.author_id == actor.id)
        else:
            query = query.where(Annotation.visibility == "shared")
        rows = list(session.exec(query.order_by(col(Annotation.page), col(Annotation.created_at))).all())
        ticket = downloading(
            session,
            actor,
            document_id,
            "document.annotated_downloaded",
            suffix=" (ghi chú)" if scope == "mine" else " (ghi chú chung)",
            data={"scope": scope, "annotations": len(rows)},
        )
        doc = session.get(Document, document_id)
        names = _names(session, {r.author_id for r in rows})
        items = [
            {
                "page": r.page,
                "kind": r.kind,
                "geometry": json.loads(r.geometry),
                "anchor": json.loads(r.anchor),
                "body": r.body,
                "color": r.color,
                "author": names.get(r.author_id, ""),
                "edited_at": r.edited_at.isoformat(),
                "orphaned": r.orphaned,
            }
            for r in rows
        ]
        return ticket, doc.title if doc else "", items
