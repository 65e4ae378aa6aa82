"""Briefing documents in Chromium: a department submits a paper, the secretariat accepts it and uploads another,
a member reads both page by page."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page, expect

from tests.conftest import LiveServer
from tests.pdf_samples import CORPUS, FOUR_PAGES
from tests.ui.test_browser import DESKTOP, VI, browser_page, open_sample_meeting, sign_in

OUTLINED = CORPUS / "006-pdflatex-outline" / "pdflatex-outline.pdf"
# Presented by Sở Tài chính, papers due on 2026-11-20: a paper submitted after that is late.
FIRST_ITEM = "Báo cáo tình hình kinh tế – xã hội tháng 11, nhiệm vụ trọng tâm tháng 12 năm 2026"
PAPER_TITLE = "Báo cáo tình hình kinh tế – xã hội tháng 11 năm 2026"
# Processing runs in the PDF sandbox, whose first job also starts its worker processes.
PROCESSING_MS = 60_000


def _page_shown(page: Page) -> None:
    """The viewer shows page 1 of the document, and its image has loaded."""
    expect(page.get_by_test_id("doc-viewer")).to_be_visible()
    expect(page.get_by_test_id("doc-page-number")).to_have_text("1 / 4")
    image = page.get_by_test_id("doc-page-image")
    expect(image).to_be_visible(timeout=PROCESSING_MS)
    page.wait_for_function(
        "() => { const img = document.querySelector('[data-testid=doc-page-image]');"
        " return img && img.complete && img.naturalWidth > 0; }",
        timeout=PROCESSING_MS,
    )


def test_a_paper_goes_from_department_to_secretariat_to_members(browser: Any, fresh_server: LiveServer) -> None:
    """A late department paper is accepted on the board, the secretary uploads another, and a member reads both."""
    assert FOUR_PAGES.exists() and OUTLINED.exists(), CORPUS

    with browser_page(browser, fresh_server, DESKTOP) as department:
        sign_in(department, "phogiamdoc1")
        department.get_by_test_id("nav-submissions").click()
        row = department.get_by_test_id("submission-item").filter(has_text=FIRST_ITEM)
        expect(row.get_by_test_id("submission-item-state")).to_have_text(VI["boardState.late"])
        row.get_by_test_id("submission-files").set_input_files(FOUR_PAGES)
        row.get_by_test_id("submission-kind-select").select_option("report")
        row.get_by_test_id("submission-title-input").fill(PAPER_TITLE)
        row.get_by_test_id("submission-submit").click()
        mine = row.get_by_test_id("my-submission").filter(has_text=PAPER_TITLE)
        expect(mine.get_by_test_id("submission-status")).to_have_text(VI["submissionStatus.submitted"])
        expect(mine.get_by_test_id("submission-late")).to_have_text(VI["submissions.late"])
        expect(mine.get_by_test_id("submission-kind")).to_have_text(VI["paperKind.report"])
        expect(row.get_by_test_id("upload-progress")).to_have_attribute("aria-valuenow", "100", timeout=PROCESSING_MS)

    with browser_page(browser, fresh_server, DESKTOP) as secretary:
        sign_in(secretary, "thuky")
        open_sample_meeting(secretary)
        secretary.get_by_test_id("edit-meeting").click()
        board = secretary.get_by_test_id("board-row").filter(has_text=FIRST_ITEM)
        expect(board.get_by_test_id("board-state")).to_have_text(VI["boardState.late"])
        paper = board.get_by_test_id("board-submission").filter(has_text=PAPER_TITLE)
        expect(paper.get_by_test_id("submission-late")).to_be_visible()
        secretary.get_by_test_id("submissions-board").evaluate("section => section.scrollIntoView()")
        secretary.screenshot(path="/tmp/ui-board.png")
        paper.get_by_test_id("submission-accept").click()
        expect(board.get_by_test_id("board-state")).to_have_text(VI["boardState.accepted"])
        expect(paper.get_by_test_id("submission-status")).to_have_text(VI["submissionStatus.accepted"])

        pack = secretary.get_by_test_id("pack-item").filter(has_text=FIRST_ITEM)
        expect(pack.get_by_test_id("document").filter(has_text=PAPER_TITLE)).to_have_count(1)
        pack.get_by_test_id("upload-files").set_input_files(OUTLINED)
        progress = pack.get_by_test_id("upload-progress")
        expect(progress).to_have_attribute("aria-valuenow", "100", timeout=PROCESSING_MS)
        expect(pack.get_by_test_id("upload-status")).to_have_text(VI["upload.ready"])
        expect(pack.get_by_test_id("document")).to_have_count(2)

    with browser_page(browser, fresh_server) as member:
        sign_in(member, "thanhvien1")
        open_sample_meeting(member)
        item = member.get_by_test_id("agenda-item").filter(has_text=FIRST_ITEM)
        documents = item.get_by_test_id("document")
        expect(documents).to_have_count(2)
        expect(documents.get_by_test_id("classification")).to_have_text([VI["classification.internal"]] * 2)
        expect(documents.get_by_test_id("document-state")).to_have_text([VI["document.ready"]] * 2)
        titles = documents.get_by_test_id("document-title").all_inner_texts()
        assert PAPER_TITLE in titles, titles

        for index in range(2):
            item.get_by_test_id("open-document").nth(index).click()
            _page_shown(member)
            expect(member.get_by_test_id("doc-prev")).to_be_disabled()
            member.get_by_test_id("doc-next").click()
            expect(member.get_by_test_id("doc-page-number")).to_have_text("2 / 4")
            member.get_by_test_id("doc-prev").click()
            _page_shown(member)
            expect(member.get_by_test_id("doc-download")).to_be_visible()
            if index == 1:
                member.screenshot(path="/tmp/ui-viewer.png")
            member.get_by_test_id("doc-back").click()
            expect(item.get_by_test_id("document")).to_have_count(2)
