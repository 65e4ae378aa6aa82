"""Documents over HTTP: upload, processing in the sandbox, page images, downloads, classification, hostile files."""

from __future__ import annotations

import io
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pymupdf
import pytest
import sqlalchemy as sa
from PIL import Image, ImageChops

from ecabinet.database import Database
from tests import pdf_samples
from tests.api.test_meetings import sample_id
from tests.conftest import DEMO_PASSWORD, Client, LiveServer, error_of, make_settings, serving

PROCESSING_TIMEOUT_SECS = 120.0


def first_item(c: Any) -> int:
    return int(c.get(f"/api/meetings/{sample_id(c)}/items").json()[0]["id"])


def upload(c: Any, item_id: int, *files: tuple[str, bytes], **params: Any) -> Any:
    parts = [("file", (name, data, "application/pdf")) for name, data in files]
    return c.post(f"/api/items/{item_id}/documents", files=parts, params=params)


def finished(c: Any, *ids: int) -> list[dict[str, Any]]:
    """Wait until every document left `processing`; their final states."""
    deadline = time.monotonic() + PROCESSING_TIMEOUT_SECS
    while True:
        docs = [c.get(f"/api/documents/{i}").json() for i in ids]
        if all(d["state"] != "processing" for d in docs):
            return docs
        assert time.monotonic() < deadline, docs
        time.sleep(0.05)


def uploaded(c: Any, item_id: int, name: str, data: bytes, **params: Any) -> dict[str, Any]:
    response = upload(c, item_id, (name, data), **params)
    assert response.status_code == 202, response.text
    return finished(c, response.json()[0]["id"])[0]


def document_rows(db: Database) -> int:
    with db.read() as session:
        return int(session.execute(sa.text("SELECT count(*) FROM document")).scalar_one())


def stored_files(server: LiveServer) -> list[Path]:
    root = server.settings.data_dir / "files"
    return sorted(root.rglob("*.pdf")) if root.exists() else []


@pytest.fixture
def pdf_server(sqlite_db: Database, tmp_path: Path) -> Iterator[LiveServer]:
    """A server whose PDF jobs time out after 2 s, so a hanging file is cut off quickly."""
    with serving(make_settings(tmp_path / "data", sqlite_db.url, pdf_job_timeout_secs=2), sqlite_db) as live:
        yield live


@contextmanager
def signed_in(url: str, login: str) -> Iterator[Client]:
    with Client(base_url=url, timeout=60, trust_env=False) as c:
        yield c.sign_in(login, DEMO_PASSWORD)


def test_every_corpus_file_is_processed_or_rejected_with_its_reason(client: Any) -> None:
    """Each real-world PDF ends ready with its page count and text, or rejected with a stated reason."""
    c = client("thuky")
    item = first_item(c)
    files = pdf_samples.corpus_files()
    ids = []
    for start in range(0, len(files), 10):
        batch = files[start : start + 10]
        response = upload(c, item, *[(f.name, f.read_bytes()) for f in batch])
        assert response.status_code == 202, response.text
        ids += [d["id"] for d in response.json()]
    docs = {f.name: d for f, d in zip(files, finished(c, *ids), strict=True)}
    assert docs[pdf_samples.ENCRYPTED.name]["state"] == "rejected"
    assert docs[pdf_samples.ENCRYPTED.name]["reason"] == "encrypted"
    assert docs[pdf_samples.ZERO_PAGES.name]["reason"] == "no_pages"
    for path in files:
        doc = docs[path.name]
        if path in (pdf_samples.ENCRYPTED, pdf_samples.ZERO_PAGES):
            assert doc["reason_text"] and doc["pages_done"] == 0
            continue
        with pymupdf.open(path) as original:
            assert doc["state"] == "ready", doc
            assert doc["pages"] == doc["pages_done"] == original.page_count
            assert len(doc["page_sizes"]) == original.page_count
    outlined = docs["pdflatex-outline.pdf"]
    assert len(outlined["outline"]) == 9 and all(1 <= entry["page"] <= 4 for entry in outlined["outline"])
    assert docs["pdflatex-4-pages.pdf"]["has_text"] and not docs["imagemagick-images.pdf"]["has_text"]
    assert docs["with-attachment.pdf"]["active_content"] == ["embedded_files"]


def test_an_upload_is_readable_page_by_page_and_cached(client: Any) -> None:
    """Page images come at bucketed widths as JPEG, with an ETag, long cache headers and 304 on revalidation."""
    c = client("thuky")
    doc = uploaded(c, first_item(c), "Tờ trình.pdf", pdf_samples.paper(pages=3))
    assert doc["state"] == "ready" and doc["pages"] == 3 and doc["title"] == "Tờ trình"
    member = client("thanhvien1")
    image = member.get(f"/api/documents/{doc['id']}/pages/2.jpg", params={"width": 700})
    assert image.status_code == 200 and image.headers["content-type"] == "image/jpeg"
    assert Image.open(io.BytesIO(image.content)).size[0] == 800
    assert "immutable" in image.headers["cache-control"]
    again = member.get(
        f"/api/documents/{doc['id']}/pages/2.jpg",
        params={"width": 700},
        headers={"If-None-Match": image.headers["etag"]},
    )
    assert again.status_code == 304
    thumbnail = member.get(f"/api/documents/{doc['id']}/pages/3.png", params={"width": 150})
    assert thumbnail.headers["content-type"] == "image/png"
    assert Image.open(io.BytesIO(thumbnail.content)).size[0] == 200
    webp = member.get(f"/api/documents/{doc['id']}/pages/1.webp", follow_redirects=False)
    assert webp.status_code == 307 and webp.headers["location"].split("?")[0].endswith("/pages/1.jpg")
    assert error_of(member.get(f"/api/documents/{doc['id']}/pages/4.jpg"))["error"] == "not_found"
    assert error_of(member.get(f"/api/documents/{doc['id']}/pages/1.gif"))["error"] == "not_found"
    text_page = member.get(f"/api/documents/{doc['id']}")
    assert text_page.json()["may_download"] is True


def test_the_download_is_stamped_and_stripped_of_active_content(client: Any) -> None:
    """The downloaded copy names its downloader and carries no scripts, actions, launches or attachments."""
    c = client("thuky")
    item = first_item(c)
    for kind in ("javascript", "open_action", "launch", "embedded_files"):
        doc = uploaded(c, item, f"{kind}.pdf", pdf_samples.active(kind))
        assert doc["state"] == "ready" and kind in doc["active_content"]
        copy = client("thanhvien1").get(f"/api/documents/{doc['id']}/file")
        assert copy.status_code == 200 and copy.headers["content-type"] == "application/pdf"
        assert copy.headers["cache-control"] == "no-store"
        with pymupdf.open(stream=copy.content, filetype="pdf") as pdf:
            assert "Lê Văn Thành" in pdf[0].get_text()
            assert pdf.embfile_count() == 0
            catalog = pdf.pdf_catalog()
            for key in ("OpenAction", "AA", "Names/JavaScript", "Names/EmbeddedFiles"):
                assert pdf.xref_get_key(catalog, key)[0] == "null", (kind, key)
            sources = " ".join(pdf.xref_object(x, compressed=True) for x in range(1, pdf.xref_length()))
            for marker in ("/S/JavaScript", "/JS", "/S/Launch", "/Type/EmbeddedFile", "/FileAttachment"):
                assert marker not in sources, (kind, marker)


def test_restricted_and_secret_pages_are_watermarked_unstored_and_audited(client: Any, server: LiveServer) -> None:
    """Restricted pages carry no-store and every view is audited; secret ones are refused to sites and downloads."""
    c = client("thuky")
    item = first_item(c)
    restricted = uploaded(c, item, "mật.pdf", pdf_samples.paper(pages=1), classification="restricted")
    secret = uploaded(c, item, "tối mật.pdf", pdf_samples.paper(pages=1), classification="secret")
    member = client("thanhvien1")
    view = member.get(f"/api/documents/{restricted['id']}/pages/1.jpg")
    assert view.status_code == 200 and view.headers["cache-control"] == "no-store" and "etag" not in view.headers
    assert error_of(member.get(f"/api/documents/{restricted['id']}/file"))["status"] == 403
    # The meeting is scheduled, not in session: secret pages wait for it.
    assert error_of(member.get(f"/api/documents/{secret['id']}/pages/1.jpg"))["status"] == 403
    mid = sample_id(c)
    assert c.post(f"/api/meetings/{mid}/transition", json={"to": "live"}).status_code == 200
    assert member.get(f"/api/documents/{secret['id']}/pages/1.jpg").status_code == 200
    assert error_of(member.get(f"/api/documents/{secret['id']}/file"))["status"] == 403
    site = client("diemcau1")
    assert error_of(site.get(f"/api/documents/{secret['id']}/pages/1.jpg"))["status"] == 403
    assert site.get(f"/api/documents/{restricted['id']}/pages/1.jpg").status_code == 200
    with server.db.read() as session:
        views = session.execute(
            sa.text("SELECT object_id, data FROM audit_event WHERE action = 'document.viewed' ORDER BY seq")
        ).all()
    assert [row[0] for row in views] == [str(restricted["id"]), str(secret["id"]), str(restricted["id"])]


def test_the_watermark_is_drawn_on_the_page(client: Any) -> None:
    """A restricted page looks different from the same public page: the viewer's mark is drawn on it."""
    c = client("thuky")
    item = first_item(c)
    data = pdf_samples.paper(pages=1)
    plain = uploaded(c, item, "a.pdf", data, classification="internal")
    marked = uploaded(c, item, "b.pdf", data, classification="restricted")
    member = client("thanhvien1")
    first = Image.open(io.BytesIO(member.get(f"/api/documents/{plain['id']}/pages/1.jpg").content)).convert("RGB")
    second = Image.open(io.BytesIO(member.get(f"/api/documents/{marked['id']}/pages/1.jpg").content)).convert("RGB")
    assert first.size == second.size
    changed = ImageChops.difference(first, second).convert("L").histogram()
    assert sum(changed[8:]) > 5000


def test_a_new_version_becomes_current_only_when_ready(client: Any) -> None:
    """A replacement is processing beside the old version, then takes its place; a rejected one never does."""
    c = client("thuky")
    item = first_item(c)
    old = uploaded(c, item, "Dự thảo.pdf", pdf_samples.paper(pages=2))
    rejected = upload(c, item, ("v2.pdf", pdf_samples.ENCRYPTED.read_bytes()), replaces=old["id"]).json()[0]
    assert rejected["current"] is False and rejected["version"] == 2
    assert finished(c, rejected["id"])[0]["state"] == "rejected"
    current = [d["id"] for d in c.get(f"/api/items/{item}/documents").json()]
    assert current == [old["id"]]
    new = uploaded(c, item, "v3.pdf", pdf_samples.paper(pages=4), replaces=old["id"])
    assert new["current"] and new["version"] == 3 and new["title"] == "Dự thảo"
    assert [d["id"] for d in c.get(f"/api/items/{item}/documents").json()] == [new["id"]]
    every = c.get(f"/api/items/{item}/documents", params={"versions": "all"}).json()
    assert [(d["version"], d["current"]) for d in every] == [(1, False), (2, False), (3, True)]
    state = c.get(f"/api/meetings/{sample_id(c)}/state").json()
    assert [d["id"] for d in state["documents"]] == [new["id"]]


def test_bad_uploads_are_refused_and_change_nothing(client: Any, server: LiveServer) -> None:
    """Not a PDF, no file, a wrong field, no CSRF token, a member, an outsider: clear errors, nothing kept."""
    c = client("thuky")
    item = first_item(c)
    garbage = upload(c, item, ("ok.pdf", pdf_samples.paper(1)), ("virus.pdf", b"MZ\x90\x00 this is not a PDF"))
    assert error_of(garbage)["status"] == 415 and "virus.pdf" in garbage.json()["message"]
    no_file = c.post(f"/api/items/{item}/documents", data={"classification": "internal"}, files={"x": ("", b"")})
    assert error_of(no_file)["status"] == 400
    wrong_field = c.post(f"/api/items/{item}/documents", files={"document": ("a.pdf", pdf_samples.paper(1))})
    assert "'file'" in error_of(wrong_field)["message"]
    not_multipart = c.post(f"/api/items/{item}/documents", content=pdf_samples.paper(1))
    assert error_of(not_multipart)["status"] == 415
    bad_level = upload(c, item, ("a.pdf", pdf_samples.paper(1)), classification="top")
    assert error_of(bad_level)["status"] == 422
    without_token = client("thuky")
    without_token.headers.pop("X-CSRF-Token")
    assert error_of(upload(without_token, item, ("a.pdf", pdf_samples.paper(1))))["status"] == 403
    assert error_of(upload(client("thanhvien1"), item, ("a.pdf", pdf_samples.paper(1))))["status"] == 403
    assert error_of(upload(client("phogiamdoc1"), item, ("a.pdf", pdf_samples.paper(1))))["status"] == 404
    assert error_of(upload(client(), item, ("a.pdf", pdf_samples.paper(1))))["status"] == 401
    assert document_rows(server.db) == 0 and stored_files(server) == []
    assert list((server.settings.data_dir / "tmp").glob("*.upload")) == []


def test_an_oversized_upload_is_refused_before_and_while_reading(sqlite_db: Database, tmp_path: Path) -> None:
    """Over the limit: 413 from the declared length at once, and from the count when the length is not declared."""
    settings = make_settings(tmp_path / "data", sqlite_db.url, upload_max_bytes=200_000)
    with serving(settings, sqlite_db) as live, signed_in(live.url, "thuky") as c:
        _oversized(c, settings.data_dir, sqlite_db)


def _oversized(c: Client, data_dir: Path, db: Database) -> None:
    item = first_item(c)
    big = pdf_samples.paper(1) + b"%" + b"x" * 300_000
    assert error_of(upload(c, item, ("big.pdf", big)))["status"] == 413

    def chunks() -> Iterator[bytes]:
        boundary = b"----bound"
        yield b"--" + boundary + b'\r\nContent-Disposition: form-data; name="file"; filename="big.pdf"\r\n\r\n'
        for _ in range(40):
            yield b"%PDF-" + b"x" * 10_000
        yield b"\r\n--" + boundary + b"--\r\n"

    streamed = c.post(
        f"/api/items/{item}/documents",
        content=chunks(),
        headers={"Content-Type": "multipart/form-data; boundary=----bound"},
    )
    assert error_of(streamed)["status"] == 413
    assert document_rows(db) == 0
    assert list((data_dir / "tmp").glob("*.upload")) == []


def test_hostile_files_are_rejected_or_neutralized_while_the_server_answers(pdf_server: LiveServer) -> None:
    """Huge pages, 50,000 pages, a hang, a bomb, a truncated file: each fails alone, and the next upload processes.

    The server (running in this process) parses none of them: its memory barely moves.
    """
    before = resident_kib()
    with signed_in(pdf_server.url, "thuky") as c, signed_in(pdf_server.url, "thanhvien1") as member:
        _hostile_files(c, member)
    assert resident_kib() - before < 100 * 1024


def resident_kib() -> int:
    status = Path("/proc/self/status").read_text()
    return int(next(line for line in status.splitlines() if line.startswith("VmRSS:")).split()[1])


def _hostile_files(c: Client, member: Client) -> None:
    item = first_item(c)
    cases = {
        "huge.pdf": pdf_samples.huge_media_box(),
        "pages.pdf": pdf_samples.many_pages(),
        "hang.pdf": pdf_samples.slow_page(),
        "bomb.pdf": pdf_samples.flate_bomb(megabytes=256),
        "truncated.pdf": pdf_samples.truncated(),
    }
    response = upload(c, item, *cases.items())
    assert response.status_code == 202, response.text
    ids = [d["id"] for d in response.json()]
    # While the pool chews on them, the server answers everyone else.
    assert member.get("/api/me").status_code == 200
    assert member.get(f"/api/meetings/{sample_id(member)}/state").status_code == 200
    docs = dict(zip(cases, finished(c, *ids), strict=True))
    assert (docs["huge.pdf"]["state"], docs["huge.pdf"]["reason"]) == ("rejected", "page_too_large")
    assert (docs["pages.pdf"]["state"], docs["pages.pdf"]["reason"]) == ("rejected", "too_many_pages")
    assert (docs["hang.pdf"]["state"], docs["hang.pdf"]["reason"]) == ("rejected", "timeout")
    assert docs["bomb.pdf"]["state"] in ("ready", "rejected")
    assert docs["truncated.pdf"]["state"] == "ready" and docs["truncated.pdf"]["pages"] >= 1
    after = uploaded(c, item, "after.pdf", pdf_samples.paper(pages=2))
    assert after["state"] == "ready" and after["pages_done"] == 2
    assert member.get(f"/api/documents/{after['id']}/pages/1.jpg").status_code == 200


def test_a_giant_page_within_the_limit_renders_capped(client: Any) -> None:
    """A 14,400 pt square page (PDF's largest) renders with its longest side capped, not at full size."""
    c = client("thuky")
    doc = uploaded(c, first_item(c), "map.pdf", pdf_samples.huge_media_box(14_400))
    assert doc["state"] == "ready"
    image = c.get(f"/api/documents/{doc['id']}/pages/1.jpg", params={"width": 9000})
    assert max(Image.open(io.BytesIO(image.content)).size) == 2400


def test_members_see_published_documents_and_outsiders_nothing(client: Any) -> None:
    """Participants read an item's current documents; someone outside the meeting gets 404 everywhere."""
    c = client("thuky")
    item = first_item(c)
    doc = uploaded(c, item, "a.pdf", pdf_samples.paper(pages=1))
    member = client("thanhvien2")
    assert [d["id"] for d in member.get(f"/api/items/{item}/documents").json()] == [doc["id"]]
    outsider = client("phogiamdoc1")
    for path in (
        f"/api/documents/{doc['id']}",
        f"/api/documents/{doc['id']}/pages/1.jpg",
        f"/api/items/{item}/documents",
    ):
        assert error_of(outsider.get(path))["status"] == 404
    assert error_of(member.patch(f"/api/documents/{doc['id']}", json={"title": "x"}))["status"] == 403
    renamed = c.patch(f"/api/documents/{doc['id']}", json={"title": "Báo cáo", "classification": "public"}).json()
    assert (renamed["title"], renamed["classification"]) == ("Báo cáo", "public")
    assert c.delete(f"/api/documents/{doc['id']}").status_code == 204
    assert member.get(f"/api/items/{item}/documents").json() == []
