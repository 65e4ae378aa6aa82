"""The kill -9 drill of annotations: a worker dies under a member's stream of edits, the tablet's outbox retries on
the other worker, and every edit ends applied exactly once."""

from __future__ import annotations

import datetime as dt
import json
import random
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import sqlalchemy as sa

from ecabinet.database import Database
from tests import pdf_samples
from tests.api.test_documents import first_item, uploaded
from tests.conftest import Client
from tests.realtime.conftest import OPENED, Worker, worker_client

BASE = dt.datetime(2026, 12, 3, 8, 0, tzinfo=dt.UTC)
EDITS = 60
# After this many acknowledged edits, the next one is applied on worker A but its answer is lost on the way; the
# outbox sends it again, and worker A is killed while that request is on the wire.
ACKNOWLEDGED_BEFORE_KILL = 20
PAGES = 3
PAGE_WIDTH, PAGE_HEIGHT = 595, 842  # pdf_samples.paper's pages
COLORS = ("#d32f2f", "#1976d2", "#388e3c", "")


@dataclass
class Edit:
    """One edit of the outbox: a put of `body`, or a deletion when `body` is None; `version` is what it makes."""

    uid: str
    key: str
    body: dict[str, Any] | None
    version: int
    edited_at: dt.datetime


def geometry(kind: str, rng: random.Random) -> dict[str, Any]:
    if kind == "ink":  # a stroke of 100 points, to two decimals as the server stores them
        x, y = rng.uniform(60, 500), rng.uniform(60, 760)
        return {"points": [[round(x + i * 0.8, 2), round(y + 30 * rng.random(), 2)] for i in range(100)]}
    x0, y0 = rng.randint(40, 400), rng.randint(40, 700)
    return {"rect": [x0, y0, x0 + rng.randint(20, 150), y0 + rng.randint(12, 80)]}


def plan(document_id: int, seed: int = 11) -> list[Edit]:
    """The member's edits in the order the tablet made them: new annotations, edits from the version the tablet
    holds, deletions; each with a key and a time of its own."""
    rng = random.Random(seed)
    live: dict[str, dict[str, Any]] = {}
    versions: dict[str, int] = {}
    edits = []
    for i in range(EDITS):
        at = BASE + dt.timedelta(seconds=i + 1)
        roll = rng.random()
        if len(live) < 3 or roll < 0.6:
            uid, kind = str(uuid.UUID(int=rng.getrandbits(128), version=4)), rng.choice(("ink", "highlight", "note"))
            body: dict[str, Any] | None = {
                "document_id": document_id,
                "page": rng.randint(1, PAGES),
                "kind": kind,
                "visibility": rng.choice(("private", "shared")),
                "geometry": geometry(kind, rng),
            }
        elif roll < 0.9:
            uid = rng.choice(sorted(live))
            before = live[uid]
            body = before | {"body": f"Sửa lần {i}: đề nghị làm rõ", "color": rng.choice(COLORS)}
            if rng.random() < 0.5:
                body["geometry"] = geometry(before["kind"], rng)
        else:
            uid, body = rng.choice(sorted(live)), None
        versions[uid] = versions.get(uid, 0) + 1
        if body is None:
            del live[uid]
        else:
            live[uid] = {k: v for k, v in body.items() if k not in ("base_version", "edited_at")}
            body = body | {"base_version": versions[uid] - 1, "edited_at": at.isoformat()}
        edits.append(Edit(uid, f"drill-{i}-{uid[:8]}", body, versions[uid], at))
    return edits


def encoded(edit: Edit) -> bytes:
    if edit.body is not None:
        return json.dumps(edit.body).encode()
    return json.dumps({"base_version": edit.version - 1, "edited_at": edit.edited_at.isoformat()}).encode()


def send(c: httpx.Client, edit: Edit, content: Iterator[bytes] | bytes) -> httpx.Response:
    """The edit on `c`, its JSON body given as `content` (whole, or in pieces)."""
    headers = {
        "Idempotency-Key": edit.key,
        "Content-Type": "application/json",
        "Content-Length": str(len(encoded(edit))),
    }
    method = "DELETE" if edit.body is None else "PUT"
    return c.request(method, f"/api/annotations/{edit.uid}", content=content, headers=headers)


@dataclass
class Outbox:
    """The tablet's outbox: sends edits in order to its worker; an edit lost with the connection is sent again,
    with the same key, to the other worker until answered."""

    edits: list[Edit]
    first: Client
    second: Client
    answers: dict[str, httpx.Response] = field(default_factory=dict)
    lost: httpx.Response | None = None
    retried: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    on_wire: threading.Event = field(default_factory=threading.Event)
    killed: threading.Event = field(default_factory=threading.Event)
    failure: BaseException | None = None

    def interrupted_body(self, data: bytes) -> Iterator[bytes]:
        """The body in two halves: between them the worker is killed, with the request on the wire."""
        yield data[: len(data) // 2]
        self.on_wire.set()
        self.killed.wait()
        yield data[len(data) // 2 :]

    def run(self) -> None:
        try:
            c = self.first
            for number, edit in enumerate(self.edits):
                data = encoded(edit)
                content: Iterator[bytes] | bytes = data
                if number == ACKNOWLEDGED_BEFORE_KILL:
                    self.lost = send(c, edit, data)  # applied, but the answer never reaches the outbox
                    content = self.interrupted_body(data)
                while edit.key not in self.answers:
                    try:
                        self.answers[edit.key] = send(c, edit, content)
                    except httpx.TransportError as lost:
                        self.errors.append(type(lost).__name__)
                        self.retried.append(edit.key)
                        c, content = self.second, data
        except BaseException as failure:  # reported by the test's thread
            self.failure = failure
            self.on_wire.set()


def rows(db: Database, sql: str) -> list[Any]:
    with db.read() as session:
        return list(session.execute(sa.text(sql)).all())


def test_a_worker_killed_under_a_stream_of_edits_loses_none_and_applies_none_twice(
    workers: Callable[..., list[Worker]], pg_db: Database
) -> None:
    """An edit applied on worker A whose answer was lost is sent again, and kill -9 hits A with it on the wire: the
    outbox sends it with its key to worker B, which answers what A answered; every acknowledged edit is kept, the
    final state is the intended one, each edit is applied once."""
    a, b = workers(2)
    secretary = worker_client(b.url, "thuky")
    doc = uploaded(secretary, first_item(secretary), "To-trinh.pdf", pdf_samples.paper(pages=PAGES))
    on_a = worker_client(a.url, "thanhvien1")
    # The same tablet, the same session, on the other worker.
    on_b = Client(base_url=b.url, timeout=30, trust_env=False, cookies=on_a.cookies, headers=on_a.headers)
    OPENED.append(on_b)
    edits = plan(doc["id"])
    outbox = Outbox(edits, on_a, on_b)
    stream = threading.Thread(target=outbox.run)
    stream.start()
    outbox.on_wire.wait()
    a.kill()
    outbox.killed.set()
    stream.join()
    assert outbox.failure is None, outbox.failure

    interrupted = edits[ACKNOWLEDGED_BEFORE_KILL].key
    assert outbox.retried == [interrupted], (outbox.retried, outbox.errors)
    assert outbox.lost is not None
    again = outbox.answers[interrupted]
    assert (again.status_code, again.json()) == (outbox.lost.status_code, outbox.lost.json())
    assert len(outbox.answers) == len(edits)
    for edit in edits:  # every edit acknowledged, with the version it made and no conflict
        answer = outbox.answers[edit.key]
        assert answer.status_code == (201 if edit.version == 1 else 200), (edit, answer.text)
        got = answer.json()
        assert (got["uuid"], got["version"], got["deleted"], got["conflict"]) == (
            edit.uid,
            edit.version,
            edit.body is None,
            None,
        )

    # uuid → (version, deleted, the last content put): a deletion keeps the content as a tombstone.
    intended: dict[str, tuple[int, bool, dict[str, Any]]] = {}
    for edit in edits:
        last = edit.body if edit.body is not None else intended[edit.uid][2]
        intended[edit.uid] = (edit.version, edit.body is None, last)
    listed = on_b.get(f"/api/documents/{doc['id']}/annotations").json()
    shown = {
        a["uuid"]: (a["version"], a["page"], a["kind"], a["visibility"], a["geometry"], a["body"], a["color"])
        for a in listed
    }
    assert shown == {
        uid: (
            version,
            body["page"],
            body["kind"],
            body["visibility"],
            body["geometry"],
            body.get("body", ""),
            body.get("color", ""),
        )
        for uid, (version, deleted, body) in intended.items()
        if not deleted
    }
    stored = {r[0]: (r[1], r[2], r[3]) for r in rows(pg_db, "SELECT uuid, version, deleted, body FROM annotation")}
    assert stored == {
        uid: (version, deleted, body.get("body", "")) for uid, (version, deleted, body) in intended.items()
    }
    ops = rows(pg_db, "SELECT op_id FROM annotation_op")
    assert sorted(r[0] for r in ops) == sorted(e.key for e in edits)
    assert on_b.get("/api/annotations/conflicts").json() == []
