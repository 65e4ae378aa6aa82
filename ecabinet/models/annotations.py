"""Members' ink, highlights and notes on papers, their applied edits and kept conflicts."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from ecabinet.models.columns import utcnow, when


class Annotation(SQLModel, table=True):
    """A member's ink, highlight or note on a page, under the uuid their tablet gave it.

    `version` counts the edits the server applied; `edited_at` is when the tablet says the last applied edit
    was made (offline edits arrive late), which decides between two devices' edits of the same annotation.
    A deletion leaves a tombstone (`deleted`), so that a device that was offline learns of it.
    """

    uuid: str = Field(primary_key=True, max_length=36)
    document_id: int = Field(foreign_key="document.id", index=True)
    # The paper (all its versions): annotations follow it to a new version.
    series_id: int = Field(index=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    author_id: int = Field(foreign_key="user.id", index=True)
    page: int
    kind: str = Field(max_length=16)
    visibility: str = Field(default="private", max_length=16)
    # {"points": [[x, y, pressure], …]} (ink) or {"rect": [x0, y0, x1, y1], "rects"?: […]}, PDF points as shown.
    geometry: str = Field(sa_type=sa.Text)
    # The text it is attached to: {"quote", "prefix", "suffix"} (highlights and notes), for a new version.
    anchor: str = Field(default="{}", sa_type=sa.Text)
    body: str = Field(default="", sa_type=sa.Text)
    color: str = Field(default="", max_length=16)
    version: int = 1
    deleted: bool = False
    # Its words were not found in the paper's new version: kept on it (page and geometry of the old one),
    # listed but not drawn, until its author places it again or deletes it.
    orphaned: bool = False
    edited_at: dt.datetime = when()
    created_at: dt.datetime = when(default_factory=utcnow)
    updated_at: dt.datetime = when(default_factory=utcnow, index=True)


class AnnotationOp(SQLModel, table=True):
    """An applied edit, by its Idempotency-Key: a retry is answered from here and applied no second time."""

    __tablename__ = "annotation_op"
    # Keys are the user's own: one user's key never answers another's request.
    user_id: int = Field(foreign_key="user.id", primary_key=True)
    op_id: str = Field(primary_key=True, max_length=100)
    uuid: str = Field(max_length=36)
    status: int
    answer: str = Field(sa_type=sa.Text)
    at: dt.datetime = when(default_factory=utcnow)


class AnnotationConflict(SQLModel, table=True):
    """Two edits of one annotation made from different versions: the later kept, the other kept here, flagged."""

    __tablename__ = "annotation_conflict"
    id: int | None = Field(default=None, primary_key=True)
    uuid: str = Field(max_length=36, index=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    # The edit that lost, as it was sent or as it stood (JSON), and the version that won.
    lost: str = Field(sa_type=sa.Text)
    kept_version: int
    at: dt.datetime = when(default_factory=utcnow)
    resolved: bool = False
