"""The meeting's record in Chromium: a conclusion with a task, recorded in the room, reaches a member's tablet and the
owner unit's task list; the unit reports it done; the secretary makes, signs and downloads the minutes."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pymupdf
from playwright.sync_api import Page, expect

from ecabinet import signing
from ecabinet.signing import ensure_demo_certificate
from tests import pdf_samples
from tests.api.test_documents import uploaded
from tests.api.test_meetings import sample_id
from tests.conftest import LiveServer
from tests.ui.test_browser import EN, SAMPLE_TITLE, VI, browser_page, open_sample_meeting, sign_in
from tests.ui.test_votes import check_everyone_in, go_live, secretary

CONCLUSION = "Giao Sở Tài chính chủ trì, phối hợp các sở, ngành rà soát dự toán ngân sách năm 2027."
TASK = "Báo cáo UBND Thành phố kết quả rà soát dự toán ngân sách năm 2027"
UNIT = "Sở Tài chính"
REPORT = "Đã hoàn thành"
# The chair, the secretary and a member, as the minutes must name them, diacritics and all.
PEOPLE = ("Trần Quốc Hưng", "Nguyễn Thị Minh Thư", "Lê Văn Thành", "Hoàng Thị Lan Anh")
HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
PDF_MS = 30_000


def first_item(page: Page) -> Any:
    return page.get_by_test_id("agenda-item").first


def words(text: str) -> str:
    """Text as compared: NFC, every run of whitespace (a line break in the PDF) one space."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def record_conclusion(clerk: Page, due_on: dt.date) -> None:
    """The secretary records a conclusion on the first item, with a task for Sở Tài chính, in one form."""
    first_item(clerk).get_by_test_id("conclusion-new").click()
    form = clerk.get_by_test_id("conclusion-sheet").get_by_test_id("conclusion-form-new")
    form.get_by_test_id("conclusion-input").fill(CONCLUSION)
    form.get_by_test_id("task-add-row").click()
    task = form.get_by_test_id("task-fields")
    task.get_by_test_id("task-unit").select_option(label=UNIT)
    task.get_by_test_id("task-title-input").fill(TASK)
    task.get_by_test_id("task-due-input").fill(due_on.isoformat())
    form.get_by_test_id("conclusion-save").click()
    expect(form).to_have_count(0)


def test_a_conclusions_task_is_reported_done_and_the_signed_minutes_carry_it(
    browser: Any, fresh_server: LiveServer, tmp_path: Path
) -> None:
    """Conclusion → member's tablet live → the unit's task list → reported done → overview → signed minutes PDF."""
    go_live(fresh_server)
    check_everyone_in(fresh_server)
    due_on = dt.datetime.now(HANOI).date() + dt.timedelta(days=10)
    due_text = VI["tasks.due"].replace("{day}", due_on.strftime("%d/%m/%Y"))
    with ExitStack() as stack:
        clerk = stack.enter_context(browser_page(browser, fresh_server))
        member = stack.enter_context(browser_page(browser, fresh_server))
        sign_in(member, "thanhvien1")
        open_sample_meeting(member)
        expect(first_item(member).get_by_test_id("conclusion-new")).to_have_count(0)  # members read, not write
        sign_in(clerk, "thuky")
        open_sample_meeting(clerk)
        expect(clerk.get_by_test_id("record-make-minutes")).to_have_text(VI["record.makeDraftMinutes"])

        record_conclusion(clerk, due_on)
        for page in (clerk, member):
            conclusion = first_item(page).get_by_test_id("conclusion")
            expect(conclusion.get_by_test_id("conclusion-text")).to_have_text(CONCLUSION)
            task = conclusion.get_by_test_id("task")
            expect(task.get_by_test_id("task-title")).to_have_text(TASK)
            expect(task.get_by_test_id("task-unit")).to_have_text(UNIT)
            expect(task.get_by_test_id("task-due")).to_have_text(due_text)
            expect(task.get_by_test_id("task-due-note")).to_have_text(VI["tasks.daysLeft"].replace("{n}", "10"))

        # Sở Tài chính's deputy director, who takes no part in the meeting, finds the task on the unit's list.
        unit = stack.enter_context(browser_page(browser, fresh_server))
        sign_in(unit, "phogiamdoc1")
        unit.get_by_test_id("nav-tasks").click()
        expect(unit.get_by_test_id("tasks-heading")).to_have_text(VI["tasks.title"])
        task = unit.get_by_test_id("task").filter(has_text=TASK)
        expect(task.get_by_test_id("task-meeting")).to_have_text(SAMPLE_TITLE)
        expect(task.get_by_test_id("task-due")).to_have_text(due_text)
        expect(task.get_by_test_id("task-status")).to_have_text(VI["tasks.status.open"])
        task.get_by_test_id("report-open").click()
        task.get_by_test_id("report-text").fill(REPORT)
        task.get_by_test_id("report-done").check()
        task.get_by_test_id("report-send").click()
        expect(task.get_by_test_id("task-status")).to_have_text(VI["tasks.status.done"])
        expect(task.get_by_test_id("task-report-text")).to_have_text(REPORT)
        expect(task.get_by_test_id("report-open")).to_have_count(0)
        # The meeting page hears the report: the task under the conclusion is done there too.
        expect(first_item(clerk).get_by_test_id("task-status")).to_have_text(VI["tasks.status.done"])

        # The secretariat's overview: Sở Tài chính with one task, done.
        clerk.get_by_test_id("nav-tasks").click()
        row = clerk.get_by_test_id("overview-unit").filter(has_text=UNIT)
        expect(row.get_by_test_id("overview-done")).to_have_text("1")
        expect(row.get_by_test_id("overview-open")).to_have_text("0")
        expect(row.get_by_test_id("overview-overdue")).to_have_text("0")

        # Once the meeting is closed the minutes are final: made, signed and downloaded from the meeting page.
        with secretary(fresh_server) as c:
            mid = sample_id(c)
            closed = c.post(f"/api/meetings/{mid}/transition", json={"to": "closed"})
            assert closed.status_code == 200, closed.text
        clerk.go_back()
        expect(clerk.get_by_test_id("meeting-status")).to_have_text(VI["status.closed"])
        make = clerk.get_by_test_id("record-make-minutes")
        expect(make).to_have_text(VI["record.makeMinutes"])
        make.click()
        record = clerk.get_by_test_id("record").filter(has_text=VI["record.kind.minutes"])
        # The PDF is composed in the sandbox's own process: seconds on a busy machine.
        expect(record.get_by_test_id("record-state")).to_have_text(VI["record.final"], timeout=PDF_MS)
        expect(record.get_by_test_id("record-signed")).to_have_text(VI["record.unsigned"])
        record.get_by_test_id("record-sign").click()
        expect(record.get_by_test_id("record-sign")).to_have_count(0, timeout=PDF_MS)
        with secretary(fresh_server) as c:
            signer = c.get(f"/api/meetings/{mid}/records").json()[0]["signer"]
        assert signer
        expect(record.get_by_test_id("record-signed")).to_contain_text(signer)
        # Members see the final record, live.
        expect(member.get_by_test_id("record").filter(has_text=VI["record.kind.minutes"])).to_have_count(1)
        with clerk.expect_download() as download:
            record.get_by_test_id("record-download").click()
        path = tmp_path / "bien-ban.pdf"
        download.value.save_as(path)

        data = path.read_bytes()
        with pymupdf.open(path) as pdf:
            text = words("\n".join(page.get_text() for page in pdf))
            signed = any(w.field_type == pymupdf.PDF_WIDGET_TYPE_SIGNATURE for p in pdf for w in p.widgets())
        assert "BIÊN BẢN" in text
        for wanted in (SAMPLE_TITLE, CONCLUSION, TASK, UNIT, *PEOPLE):
            assert words(wanted) in text, wanted
        assert signed or b"/ByteRange" in data

        # The tasks page in English.
        clerk.get_by_test_id("lang-en").click()
        clerk.get_by_test_id("nav-tasks").click()
        expect(clerk.get_by_test_id("tasks-heading")).to_have_text(EN["tasks.title"])
        expect(clerk.get_by_test_id("nav-tasks")).to_have_text(EN["tasks.nav"])
        expect(clerk.get_by_test_id("task").filter(has_text=TASK).get_by_test_id("task-status")).to_have_text(
            EN["tasks.status.done"]
        )
        expect(clerk.locator("html")).to_have_attribute("lang", re.compile("^en$"))


def test_a_signed_paper_shows_its_signature_and_gives_its_original(browser: Any, fresh_server: LiveServer) -> None:
    """A paper signed with a trusted certificate reads "valid" with its signer; its original is the file as signed."""
    p12, passphrase, _ca = ensure_demo_certificate(fresh_server.settings.data_dir / "signing")
    signer = signing.load_signer(p12, passphrase)
    # pyHanko runs its own event loop: in a thread of its own, away from Playwright's.
    with ThreadPoolExecutor(1) as pool:
        paper = pdf_samples.paper(pages=1)
        data = pool.submit(signing.sign_pdf, paper, signer, reason="Ký tờ trình", location="Hà Nội").result()
    with secretary(fresh_server) as c:
        item = c.get(f"/api/meetings/{sample_id(c)}/items").json()[0]["id"]
        doc = uploaded(c, item, "Tờ trình đã ký số.pdf", data)
        doc = c.get(f"/api/documents/{doc['id']}").json()
    assert doc["signature_status"] == "valid", doc["signatures"]
    name = doc["signatures"][0]["signer"]
    with browser_page(browser, fresh_server) as member:
        sign_in(member, "thanhvien1")
        open_sample_meeting(member)
        row = member.locator(f"[data-testid=document][data-document-id='{doc['id']}']")
        expect(row.get_by_test_id("signature-status")).to_contain_text(VI["record.signature.valid"])
        row.get_by_test_id("signature-info").locator("summary").click()
        expect(row.get_by_test_id("signature-details")).to_contain_text(name)
        row.get_by_test_id("open-document").click()
        expect(member.get_by_test_id("doc-title")).to_be_visible()
        expect(member.get_by_test_id("signature-status")).to_contain_text(VI["record.signature.valid"])
        with member.expect_download() as download:
            member.get_by_test_id("document-original").click()
        assert Path(download.value.path()).read_bytes() == data
