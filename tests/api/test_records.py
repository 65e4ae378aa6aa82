"""Minutes and invitations over HTTP, and digital signatures: generated as Decree 30 PDFs whose text is exactly
the meeting's record, signed with the organisation's certificate (a throwaway CA made here), and checked when
uploaded back as papers: valid, modified after signing, untrusted under an unknown CA."""

from __future__ import annotations

import unicodedata
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pymupdf
import pytest
import sqlalchemy as sa

from ecabinet import signing
from ecabinet.database import Database
from tests import pdf_samples
from tests.api.test_conclusions import TEXT, unit_id
from tests.api.test_documents import uploaded
from tests.api.test_floor import live
from tests.api.test_meetings import sample_id
from tests.conftest import Client, LiveServer, error_of, make_settings, serving

ORGANISATION = "Ủy ban nhân dân thành phố Hà Nội"
TASK = "Hoàn thiện dự thảo Quyết định phân bổ dự toán"


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def pdf_text(data: bytes) -> str:
    with pymupdf.open(stream=data, filetype="pdf") as doc:
        return nfc("\n".join(page.get_text() for page in doc))


def flat(text: str) -> str:
    """The text with its line breaks as spaces: a long name or sentence may wrap in the PDF."""
    return " ".join(text.split())


@pytest.fixture
def ca(tmp_path: Path) -> dict[str, Any]:
    """A throwaway CA and the organisation's certificate from it, as a PKCS#12 file and a CA bundle."""
    ca_key, ca_cert = signing.make_ca("CA thử nghiệm " + uuid.uuid4().hex[:6])
    key, cert = signing.make_leaf(ca_key, ca_cert, ORGANISATION, ORGANISATION)
    p12, bundle = tmp_path / "org.p12", tmp_path / "ca.pem"
    signing.write_p12(p12, key, cert, [ca_cert], "mật-khẩu")
    signing.write_ca_bundle(bundle, [ca_cert])
    return {"p12": p12, "bundle": bundle}


@contextmanager
def serve(db: Database, data_dir: Path, **overrides: Any) -> Iterator[LiveServer]:
    with serving(make_settings(data_dir, db.url, **overrides), db) as live:
        yield live


@pytest.fixture
def signing_server(db: Database, tmp_path: Path, ca: dict[str, Any]) -> Iterator[LiveServer]:
    """A server that signs with the test CA's certificate and trusts that CA for papers."""
    overrides = {
        "signing_p12": str(ca["p12"]),
        "signing_p12_password": "mật-khẩu",
        "trust_ca_bundle": str(ca["bundle"]),
    }
    with serve(db, tmp_path / "data", **overrides) as server:
        yield server


@pytest.fixture
def clients(signing_server: LiveServer) -> Iterator[Any]:
    made: list[Client] = []

    def factory(login: str) -> Client:
        c = Client(base_url=signing_server.url, timeout=60, trust_env=False)
        made.append(c)
        return c.sign_in(login)

    yield factory
    for c in made:
        c.close()


def record_a_meeting(secretary: Any) -> int:
    """A live meeting with everyone checked in, a closed vote and a conclusion with a task on its first item."""
    mid = live(secretary)
    for p in secretary.get(f"/api/meetings/{mid}/participants").json():
        if p["can_vote"]:
            secretary.post(f"/api/participants/{p['id']}/checkin", json={})
    item = secretary.get(f"/api/meetings/{mid}/items").json()[0]["id"]
    poll = secretary.post(f"/api/items/{item}/polls", json={"question": "Thông qua Tờ trình"}).json()
    secretary.post(f"/api/polls/{poll['id']}/open")
    assert secretary.post(f"/api/polls/{poll['id']}/close").status_code == 200
    task = {"title": TASK, "unit_id": unit_id(secretary, "SO-TC"), "due_on": "2026-12-15"}
    made = secretary.post(f"/api/items/{item}/conclusions", json={"text": TEXT, "tasks": [task]})
    assert made.status_code == 201, made.text
    return mid


def test_minutes_are_a_draft_while_live_and_final_once_closed_with_the_record_in_their_text(
    signing_server: LiveServer, clients: Any
) -> None:
    """The draft says DỰ THẢO and is hidden from members; the final minutes carry the title, the people, the
    vote's outcome, the conclusion and its task exactly as entered; members then see them."""
    secretary, member = clients("thuky"), clients("thanhvien1")
    mid = record_a_meeting(secretary)
    draft = secretary.post(f"/api/meetings/{mid}/records", json={"kind": "minutes"})
    assert draft.status_code == 201, draft.text
    assert draft.json()["draft"] and draft.json()["version"] == 1
    with signing_server.db.read() as session:
        told = session.execute(sa.text("SELECT channel FROM event_log WHERE type = 'record.updated'")).scalars().all()
    leads = [
        p["user_id"]
        for p in secretary.get(f"/api/meetings/{mid}/participants").json()
        if p["role"] in ("chair", "secretary")
    ]
    assert sorted(told) == sorted(f"user:{u}" for u in leads)  # a draft is for the chair and the secretary only
    assert "DỰ THẢO" in pdf_text(secretary.get(draft.json()["url"]).content)
    assert member.get(f"/api/meetings/{mid}/records").json() == []
    assert error_of(member.get(draft.json()["url"]))["status"] == 404
    assert error_of(member.post(f"/api/meetings/{mid}/records", json={"kind": "minutes"}))["status"] == 403
    assert error_of(secretary.post(f"/api/records/{draft.json()['id']}/sign"))["status"] == 409

    assert secretary.post(f"/api/meetings/{mid}/transition", json={"to": "closed"}).status_code == 200
    final = secretary.post(f"/api/meetings/{mid}/records", json={"kind": "minutes", "number": "15/BB-UBND"}).json()
    assert not final["draft"] and final["version"] == 2 and final["number"] == "15/BB-UBND"
    assert final["created_by"] == secretary.get("/api/me").json()["user"]["name"]
    text = flat(pdf_text(member.get(f"/api/meetings/{mid}/minutes.pdf").content))
    meeting = secretary.get(f"/api/meetings/{mid}").json()
    people = secretary.get(f"/api/meetings/{mid}/participants").json()
    for expected in (
        "BIÊN BẢN",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Số: 15/BB-UBND",
        meeting["title"],
        TEXT,
        TASK,
        "Sở Tài chính",
        "Thông qua Tờ trình",
        *(p["name"] for p in people),
    ):
        assert flat(nfc(expected)) in text, expected
    assert "DỰ THẢO" not in text and "\ufffd" not in text
    assert [r["id"] for r in member.get(f"/api/meetings/{mid}/records").json()] == [final["id"]]


def test_the_invitation_names_the_invited_time_place_and_agenda(signing_server: LiveServer, clients: Any) -> None:
    """The invitation of the scheduled sample meeting: its title, every invited member's name and the agenda."""
    secretary = clients("thuky")
    mid = sample_id(secretary)
    made = secretary.post(f"/api/meetings/{mid}/records", json={"kind": "invitation"})
    assert made.status_code == 201, made.text
    text = flat(pdf_text(secretary.get(f"/api/meetings/{mid}/invitation.pdf").content))
    meeting = secretary.get(f"/api/meetings/{mid}").json()
    assert "GIẤY MỜI" in text and flat(meeting["title"]) in text and "Nơi nhận:" in text
    for p in secretary.get(f"/api/meetings/{mid}/participants").json():
        if p["role"] in ("chair", "member"):
            assert flat(p["name"]) in text
    for item in secretary.get(f"/api/meetings/{mid}/items").json():
        if item["depth"] == 0:
            assert flat(item["title"]) in text


def test_signed_minutes_validate_and_a_copy_changed_after_signing_shows_as_modified(
    signing_server: LiveServer, clients: Any, ca: dict[str, Any], tmp_path: Path, db: Database
) -> None:
    """Signed minutes uploaded back as a paper show a valid signature by the organisation; the same file with a
    page drawn on after signing shows as modified; the unaltered original downloads byte for byte."""
    secretary = clients("thuky")
    mid = record_a_meeting(secretary)
    assert secretary.post(f"/api/meetings/{mid}/transition", json={"to": "closed"}).status_code == 200
    final = secretary.post(f"/api/meetings/{mid}/records", json={"kind": "minutes"}).json()
    signed = secretary.post(f"/api/records/{final['id']}/sign")
    assert signed.status_code == 200, signed.text
    assert signed.json()["signed"] and ORGANISATION in signed.json()["signer"]
    again = secretary.post(f"/api/records/{final['id']}/sign").json()
    assert again["signed_at"] == signed.json()["signed_at"]
    data = secretary.get(final["url"]).content
    assert b"/ByteRange" in data and TEXT in flat(pdf_text(data))

    # Papers go on a meeting still being prepared: a second meeting, made here.
    other = secretary.post("/api/meetings", json={"kind": "thematic", "title": "Họp chuyên đề kiểm tra chữ ký"})
    other_item = secretary.post(f"/api/meetings/{other.json()['id']}/items", json={"title": "Biên bản đã ký"}).json()
    good = uploaded(secretary, other_item["id"], "bien-ban-ky-so.pdf", data)
    assert good["signature_status"] == "valid", good
    (sig,) = good["signatures"]
    assert sig["trusted"] and sig["intact"] and sig["whole_file"] and ORGANISATION in sig["signer"]
    assert secretary.get(f"/api/documents/{good['id']}/original").content == data

    changed = tmp_path / "changed.pdf"
    changed.write_bytes(data)
    with pymupdf.open(changed) as target:  # a box drawn on page 1, saved as an incremental update
        target[0].draw_rect(pymupdf.Rect(100, 100, 300, 200), color=(1, 0, 0))
        target.saveIncr()
    altered = uploaded(secretary, other_item["id"], "bien-ban-sua.pdf", changed.read_bytes())
    assert altered["signature_status"] == "modified", altered

    plain = uploaded(secretary, other_item["id"], "to-trinh.pdf", pdf_samples.paper(pages=2))
    assert plain["signature_status"] == "none" and plain["signatures"] == []
    assert error_of(secretary.get(f"/api/documents/{plain['id']}/original"))["status"] == 404


def test_a_signature_by_an_unknown_ca_is_untrusted_and_signing_without_a_certificate_is_refused(
    db: Database, tmp_path: Path, ca: dict[str, Any]
) -> None:
    """A server trusting another CA shows the same signed file as untrusted; a server with no certificate answers
    409 signing_not_configured to a signing request and changes nothing."""
    _other_key, other_ca = signing.make_ca("CA khác")
    bundle = tmp_path / "other-ca.pem"
    signing.write_ca_bundle(bundle, [other_ca])
    key, cert = signing.make_leaf(*signing.make_ca("CA thử nghiệm"), ORGANISATION, ORGANISATION)
    signer = signing.Signer(key, cert)
    signed = signing.sign_pdf(pdf_samples.paper(pages=1), signer, reason="Ký thử", location="Hà Nội")
    with (
        serve(db, tmp_path / "data", trust_ca_bundle=str(bundle)) as server,
        Client(base_url=server.url, timeout=60, trust_env=False) as secretary,
    ):
        secretary.sign_in("thuky")
        mid = sample_id(secretary)
        item = secretary.get(f"/api/meetings/{mid}/items").json()[0]["id"]
        paper = uploaded(secretary, item, "van-ban-ky-so.pdf", signed)
        assert paper["signature_status"] == "untrusted" and not paper["signatures"][0]["trusted"]
        assert paper["signatures"][0]["intact"]
        made = secretary.post(f"/api/meetings/{mid}/records", json={"kind": "invitation"}).json()
        refused = secretary.post(f"/api/records/{made['id']}/sign")
        assert error_of(refused)["error"] == "signing_not_configured"
        assert secretary.get(f"/api/meetings/{mid}/records").json()[0]["signed"] is False


def test_records_are_for_participants_and_bad_requests_change_nothing(signing_server: LiveServer, clients: Any) -> None:
    """An outsider gets 404; an unknown kind 422; minutes before the meeting is live 409; no records are made."""
    secretary, outsider = clients("thuky"), clients("phogiamdoc1")
    mid = sample_id(secretary)
    assert error_of(outsider.get(f"/api/meetings/{mid}/records"))["status"] == 404
    assert error_of(outsider.post(f"/api/meetings/{mid}/records", json={"kind": "invitation"}))["status"] == 404
    assert error_of(secretary.post(f"/api/meetings/{mid}/records", json={"kind": "decree"}))["status"] == 422
    assert error_of(secretary.post(f"/api/meetings/{mid}/records", json={"kind": "minutes"}))["status"] == 409
    assert error_of(secretary.get(f"/api/meetings/{mid}/minutes.pdf"))["status"] == 404
    assert secretary.get(f"/api/meetings/{mid}/records").json() == []
