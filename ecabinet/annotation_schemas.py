"""Request and response bodies of annotations (ink, highlights, notes)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator

from ecabinet.schemas import Id, Request, aware

BODY_MAX_CHARS = 10_000


class Anchor(Request):
    """The text an annotation is attached to, with some context on each side, to find it in a new version."""

    quote: str = Field(default="", max_length=2000)
    prefix: str = Field(default="", max_length=200)
    suffix: str = Field(default="", max_length=200)


class AnnotationIn(Request):
    document_id: Id
    page: int = Field(ge=1, le=100_000)
    kind: Literal["ink", "highlight", "note"]
    visibility: Literal["private", "shared"] = "private"
    # Checked against the kind and the page's size by the service (annotations.check_geometry).
    geometry: dict[str, Any]
    body: str = Field(default="", max_length=BODY_MAX_CHARS)
    color: str = Field(default="", pattern=r"^(#[0-9a-fA-F]{6})?$")
    anchor: Anchor = Anchor()
    # The version this edit was made from (0: a new annotation), and when the tablet made it.
    base_version: int = Field(default=0, ge=0)
    edited_at: dt.datetime | None = None

    _edited_aware = field_validator("edited_at")(aware)


class AnnotationDelete(Request):
    # Given, a deletion that reaches the server before the annotation it deletes leaves a tombstone there.
    document_id: Id | None = None
    base_version: int = Field(default=0, ge=0)
    edited_at: dt.datetime | None = None

    _edited_aware = field_validator("edited_at")(aware)


class AnnotationOut(BaseModel):
    uuid: str
    document_id: int
    series_id: int
    meeting_id: int
    author_id: int
    author_name: str
    page: int
    kind: str
    visibility: str
    geometry: dict[str, Any]
    anchor: dict[str, str]
    body: str
    color: str
    version: int
    deleted: bool
    # Not found in the paper's new version: listed, not drawn; page and geometry are the old version's.
    orphaned: bool = False
    edited_at: dt.datetime
    created_at: dt.datetime
    updated_at: dt.datetime
    # Set in the answer to an edit that met another device's edit: which one was kept (the later).
    conflict: Literal["kept_yours", "kept_theirs"] | None = None


class ConflictOut(BaseModel):
    id: int
    uuid: str
    kept_version: int
    lost: dict[str, Any]
    at: dt.datetime
