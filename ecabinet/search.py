"""Search over the pages of the documents a user may read, in Vietnamese with or without diacritics.

The index (`page_index.py`) is SQLite's FTS5 by default and PostgreSQL's full-text search in
production; both hold the text folded by `folding.fold` (case, diacritics, đ → d) and are queried
with the query folded the same way, so "ke hoach chuyen doi so" finds "kế hoạch chuyển đổi số" on
either. Snippets and highlights are made here from the page's own text and word boxes, word
by word, so a hit maps back to the words drawn on the page.
"""

from __future__ import annotations

import base64
import json
import re
import struct
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session, col, select

from ecabinet.agenda_items import items_out
from ecabinet.database import Database
from ecabinet.errors import Invalid
from ecabinet.folding import fold
from ecabinet.models import Annotation, Document, DocumentPage
from ecabinet.pack import readable_documents
from ecabinet.page_index import index_for
from ecabinet.permissions import Actor
from ecabinet.reader_schemas import NoteHit, NotSearchable, SearchHit, SearchResults

MIN_QUERY_LETTERS = 2
MAX_TERMS = 12
MAX_TERM_LENGTH = 60
MAX_RESULTS = 100
MAX_NOTES = 50
# Words either side of the first hit in a snippet.
SNIPPET_BEFORE = 8
SNIPPET_AFTER = 16
_TERM = re.compile(r"\w+")
_WORD_BREAK = re.compile(r"[ \n]")


def terms_of(query: str) -> list[str]:
    """The folded words of a query, at most MAX_TERMS of them."""
    return [term[:MAX_TERM_LENGTH] for term in _TERM.findall(fold(query))][:MAX_TERMS]


@dataclass(frozen=True)
class Snippet:
    text: str
    highlights: list[list[int]]
    words: list[int]


def snippet(text: str, terms: list[str], folded: str = "") -> Snippet | None:
    """Words around the first hit, with every hit's character range in the snippet and word index on the page.

    A word hits when one of its folded parts is a term (the last term also as a prefix), as the index matched.
    `folded` is the page's stored folded text: folding keeps every space and line break, so its words line
    up with the text's one for one (it is folded here when it does not).
    """
    words = _WORD_BREAK.split(text)
    if not folded or folded.count(" ") + folded.count("\n") + 1 != len(words):
        folded = "\n".join(fold(word) for word in words)
    # Whole folded parts for the exact terms, the start of one for the last: the index's own rule.
    exact = "|".join(re.escape(term) for term in terms[:-1])
    pattern = (rf"\b(?:{exact})\b|" if exact else "") + rf"\b{re.escape(terms[-1])}"
    # The word of each match: the spaces and line breaks before it (all in C, however long the page).
    hits = sorted(
        {folded.count(" ", 0, m.start()) + folded.count("\n", 0, m.start()) for m in re.finditer(pattern, folded)}
    )
    if not hits:
        return None
    start = max(0, hits[0] - SNIPPET_BEFORE)
    end = min(len(words), hits[0] + SNIPPET_AFTER)
    pieces: list[str] = ["…"] if start > 0 else []
    highlights = []
    offset = len(pieces[0]) + 1 if pieces else 0
    shown = set(hits)
    for index in range(start, end):
        word = words[index]
        if index in shown:
            highlights.append([offset, offset + len(word)])
        pieces.append(word)
        offset += len(word) + 1
    if end < len(words):
        pieces.append("…")
    return Snippet(" ".join(pieces), highlights, hits)


def word_boxes(packed: str, indexes: list[int]) -> list[list[float]]:
    """The boxes of some words of a page, from its packed boxes (see pdf_work.page_text)."""
    raw = base64.b64decode(packed) if packed else b""
    count = len(raw) // 16
    boxes = []
    for index in indexes:
        if index < count:
            boxes.append([round(v, 1) for v in struct.unpack_from("<4f", raw, index * 16)])
    return boxes


def search(db: Database, actor: Actor, query: str, meeting_id: int | None, limit: int = 20) -> SearchResults:
    """Pages the actor may read now that hold every word of the query; ranked, with snippets and boxes."""
    terms = terms_of(query)
    if sum(len(t) for t in terms) < MIN_QUERY_LETTERS:
        raise Invalid(f"q: type at least {MIN_QUERY_LETTERS} letters.", field="q")
    limit = max(1, min(limit, MAX_RESULTS))
    with db.read() as session:
        documents = {doc.id or 0: doc for doc, _access in readable_documents(session, actor, meeting_id)}
        unsearchable = [
            NotSearchable(document_id=i, title=doc.title, reason="no_text" if enc == "none" else "legacy_encoding")
            for i, doc in documents.items()
            if (enc := doc.text_encoding or ("unicode" if doc.has_text else "none")) != "unicode"
        ]
        if not documents:
            return SearchResults(query=query, results=[], not_searchable=unsearchable)
        notes = _notes(session, actor, documents, terms)
        found = index_for(session).find(session, terms, list(documents), limit)
        pages = _pages(session, [(d, n) for d, n, _ in found])
        items = _item_numbers(session, {documents[d].meeting_id for d, _, _ in found})
        results = []
        for document_id, number, score in found:
            page = pages.get((document_id, number))
            cut = snippet(page.text, terms, page.folded) if page else None
            if page is None or cut is None:
                continue  # the index matched inside a word our tokens split differently: nothing to show
            doc = documents[document_id]
            results.append(
                SearchHit(
                    document_id=document_id,
                    document_title=doc.title,
                    meeting_id=doc.meeting_id,
                    item_id=doc.item_id,
                    item_number=items.get(doc.item_id, ""),
                    page=number,
                    snippet=cut.text,
                    highlights=cut.highlights,
                    boxes=word_boxes(page.boxes, cut.words),
                    score=round(score, 4),
                )
            )
        return SearchResults(query=query, results=results, not_searchable=unsearchable, notes=notes)


def _pages(session: Session, keys: list[tuple[int, int]]) -> dict[tuple[int, int], DocumentPage]:
    """The hit pages, looked up by primary key (one branch per document: SQLite scans a row-value IN)."""
    wanted: dict[int, list[int]] = {}
    for document_id, number in keys:
        wanted.setdefault(document_id, []).append(number)
    if not wanted:
        return {}
    rows = session.exec(
        select(DocumentPage).where(
            sa.or_(
                *(
                    (col(DocumentPage.document_id) == document_id) & col(DocumentPage.number).in_(numbers)
                    for document_id, numbers in wanted.items()
                )
            )
        )
    ).all()
    return {(row.document_id, row.number): row for row in rows}


def _item_numbers(session: Session, meeting_ids: set[int]) -> dict[int, str]:
    return {item.id: item.item_number for meeting_id in meeting_ids for item in items_out(session, meeting_id)}


def _matches(text: str, terms: list[str]) -> bool:
    """Every term a whole folded word of the text, the last also as the start of one (the index's own rule)."""
    words = set(_TERM.findall(fold(text)))
    *exact, last = terms
    return all(term in words for term in exact) and any(word.startswith(last) for word in words)


def _notes(session: Session, actor: Actor, documents: dict[int, Document], terms: list[str]) -> list[NoteHit]:
    """The actor's own annotations on these papers whose text, or the words they mark, hold the query."""
    rows = session.exec(
        select(Annotation)
        .where(
            Annotation.author_id == actor.id,
            col(Annotation.document_id).in_(list(documents)),
            col(Annotation.deleted).is_(False),
        )
        .order_by(col(Annotation.document_id), col(Annotation.page), col(Annotation.created_at))
    ).all()
    hits = []
    for row in rows:
        quote = json.loads(row.anchor).get("quote", "")
        text = "\n".join(part for part in (row.body, quote) if part)
        if not text or not _matches(text, terms):
            continue
        cut = snippet(text, terms)
        if cut is None:
            continue
        doc = documents[row.document_id]
        hits.append(
            NoteHit(
                uuid=row.uuid,
                document_id=row.document_id,
                document_title=doc.title,
                meeting_id=doc.meeting_id,
                page=row.page,
                kind=row.kind,
                snippet=cut.text,
                highlights=cut.highlights,
            )
        )
        if len(hits) == MAX_NOTES:
            break
    return hits
