"""Request and response bodies of the reader: the briefing pack, page text, offline copies, search."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import BaseModel, Field, StringConstraints

from ecabinet.schemas import Request


class PackItem(BaseModel):
    id: int
    item_number: str
    title: str
    level: int
    documents: list[int]


class PackDocument(BaseModel):
    id: int
    item_id: int
    title: str
    state: str
    pages: int
    page_sizes: list[list[float]]
    classification: str
    offline: bool
    watermarked: bool
    may_download: bool
    sha256: str
    has_text: bool
    searchable: bool
    text_encoding: str
    outline: list[dict[str, Any]]
    image_url: str
    text_url: str
    thumbnail_width: int


class PackOut(BaseModel):
    """A meeting's briefing pack: what the user may read now, in agenda order, with one outline."""

    meeting_id: int
    title: str
    version: str
    items: list[PackItem]
    documents: list[PackDocument]
    pages_total: int
    offline_pages: int
    widths: list[int]


class PageText(BaseModel):
    document_id: int
    page: int
    text: str
    # base64 of little-endian float32 (x0, y0, x1, y1) per word of `text`, in points as shown
    boxes: str
    width: float
    height: float


class PackStatusIn(Request):
    device_id: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
    device_label: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] = ""
    version: Annotated[str, StringConstraints(max_length=64)] = ""
    pages_cached: Annotated[int, Field(ge=0, le=10_000_000)]
    pages_total: Annotated[int, Field(ge=0, le=10_000_000)]
    complete: bool


class PackStatusOut(BaseModel):
    meeting_id: int
    user_id: int
    name: str
    device_id: str
    device_label: str
    version: str
    pages_cached: int
    pages_total: int
    complete: bool
    current: bool
    updated_at: dt.datetime


class SearchHit(BaseModel):
    document_id: int
    document_title: str
    meeting_id: int
    item_id: int
    item_number: str
    page: int
    snippet: str
    # [start, end) character offsets of the hits in `snippet`
    highlights: list[list[int]]
    # the hit words' boxes on the page, in points as shown
    boxes: list[list[float]]
    score: float


class NoteHit(BaseModel):
    """One of the user's own annotations whose text (or the words it marks) holds the query."""

    uuid: str
    document_id: int
    document_title: str
    meeting_id: int
    page: int
    kind: str
    snippet: str
    highlights: list[list[int]]


class NotSearchable(BaseModel):
    document_id: int
    title: str
    reason: str


class SearchResults(BaseModel):
    query: str
    results: list[SearchHit]
    not_searchable: list[NotSearchable]
    # The user's own notes, ink comments and highlights that match (never another member's).
    notes: list[NoteHit] = []
