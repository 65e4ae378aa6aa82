"""The briefing-pack reader in Chromium: presenting and following, reading offline, and searching the papers."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from ecabinet.database import Database
from tests import pdf_samples
from tests.api.test_documents import uploaded
from tests.api.test_meetings import sample_id
from tests.conftest import Client, LiveServer, make_settings, serving
from tests.ui.test_browser import VI, browser_page, open_sample_meeting, sign_in

OUTLINED = pdf_samples.CORPUS / "006-pdflatex-outline" / "pdflatex-outline.pdf"
# Titles are the uploaded files' names.
FOUR = "Báo cáo bốn trang"
OUTLINE = "Đề án có mục lục"
PAPER = "Tờ trình chuyển đổi số"
SECRET = "Báo cáo hạn chế"
REVISED = "Báo cáo bốn trang, bản sửa"
SCAN = "Bản scan"
MEMBER_NAME = "Lê Văn Thành"  # thanhvien1
# The first page image of a document waits for the PDF sandbox, whose first job also starts its workers.
PROCESSING_MS = 60_000


@pytest.fixture
def reader_server(sqlite_db: Database, tmp_path: Path) -> Iterator[LiveServer]:
    """A server of this test's own: the secretary adds papers to the sample meeting's pack."""
    with serving(make_settings(tmp_path / "data", sqlite_db.url), sqlite_db) as live:
        yield live


def add_papers(
    server: LiveServer, *papers: tuple[int, str, bytes, str], replaces: int | None = None
) -> dict[str, dict[str, Any]]:
    """The secretary uploads (item index, title, PDF bytes, classification) over HTTP; each ends ready."""
    with Client(base_url=server.url, timeout=60, trust_env=False) as secretary:
        secretary.sign_in("thuky")
        items = secretary.get(f"/api/meetings/{sample_id(secretary)}/items").json()
        docs = {}
        for index, title, data, classification in papers:
            params: dict[str, Any] = {"classification": classification}
            if replaces is not None:
                params["replaces"] = replaces
            doc = uploaded(secretary, items[index]["id"], f"{title}.pdf", data, **params)
            assert doc["state"] == "ready", doc
            docs[title] = doc
        return docs


def kept_pages(page: Page) -> list[str]:
    """The paths of the page images and texts the tablet keeps for reading offline."""
    paths: list[str] = page.evaluate(
        "async () => (await (await caches.open('ecabinet-pages')).keys()).map((r) => new URL(r.url).pathname)"
    )
    return paths


def width_of(src: str | None) -> int:
    """The width a page image was asked for."""
    found = re.search(r"width=(\d+)", src or "")
    assert found, src
    return int(found.group(1))


def open_reader(page: Page) -> None:
    open_sample_meeting(page)
    page.get_by_test_id("open-pack").click()
    expect(page.get_by_test_id("reader")).to_be_visible()


def page_drawn(page: Page) -> None:
    """The reader's page image has arrived and is shown."""
    expect(page.get_by_test_id("reader-image")).to_be_visible(timeout=PROCESSING_MS)
    page.wait_for_function(
        "() => { const img = document.querySelector('[data-testid=reader-image]');"
        " return img && img.complete && img.naturalWidth > 0; }",
        timeout=PROCESSING_MS,
    )


def at(page: Page, title: str, position: str) -> None:
    """The reader shows this document at this page ("2 / 4")."""
    expect(page.get_by_test_id("reader-doc-title")).to_have_text(title)
    expect(page.get_by_test_id("reader-position")).to_have_text(position)


def test_a_members_tablet_follows_the_chair_and_snaps_back(browser: Any, reader_server: LiveServer) -> None:
    """The member's reader turns with the presenting chair; browsing alone shows a badge that brings it back."""
    add_papers(
        reader_server,
        (0, FOUR, pdf_samples.FOUR_PAGES.read_bytes(), "internal"),
        (1, OUTLINE, OUTLINED.read_bytes(), "internal"),
    )
    with browser_page(browser, reader_server) as chair, browser_page(browser, reader_server) as member:
        sign_in(chair, "chutich")
        open_reader(chair)
        sign_in(member, "thanhvien1")
        open_reader(member)
        at(member, FOUR, "1 / 4")
        expect(member.get_by_test_id("present-toggle")).to_have_count(0)

        chair.get_by_test_id("present-toggle").click()
        expect(chair.get_by_test_id("present-toggle")).to_have_attribute("aria-pressed", "true")
        chair.get_by_test_id("reader-next").click()
        at(member, FOUR, "2 / 4")
        # The next document, in agenda order, through the outline.
        chair.get_by_test_id("outline-document").filter(has_text=OUTLINE).click()
        at(chair, OUTLINE, "1 / 4")
        at(member, OUTLINE, "1 / 4")
        expect(member.get_by_test_id("follow-toggle")).to_have_attribute("aria-pressed", "true")
        expect(member.get_by_test_id("presenter-badge")).to_have_count(0)

        # Browsing alone: back across the documents' seam to the first one's last page.
        member.get_by_test_id("follow-toggle").click()
        expect(member.get_by_test_id("follow-toggle")).to_have_attribute("aria-pressed", "false")
        member.keyboard.press("ArrowLeft")
        at(member, FOUR, "4 / 4")
        chair.keyboard.press("ArrowRight")
        at(chair, OUTLINE, "2 / 4")
        badge = member.get_by_test_id("presenter-badge")
        expect(badge).to_contain_text(OUTLINE)
        expect(badge).to_contain_text("trang 2")
        at(member, FOUR, "4 / 4")
        # The chair's strip shows where the member reads, and that they browse on their own.
        person = chair.get_by_test_id("strip-person").filter(has_text=MEMBER_NAME)
        expect(person.get_by_test_id("strip-page")).to_have_text("TL 1 · tr. 4")

        badge.click()
        at(member, OUTLINE, "2 / 4")
        expect(member.get_by_test_id("follow-toggle")).to_have_attribute("aria-pressed", "true")
        expect(member.get_by_test_id("presenter-badge")).to_have_count(0)
        chair.get_by_test_id("reader-next").click()
        at(member, OUTLINE, "3 / 4")
        expect(person.get_by_test_id("strip-page")).to_have_text("TL 2 · tr. 3")
        page_drawn(member)
        page_drawn(chair)
        chair.screenshot(path="/tmp/ui-reader-chair.png")
        member.screenshot(path="/tmp/ui-reader-member.png")

        # The chair hands the presentation to the member, whose reader now offers to present.
        chair.get_by_test_id("designate-presenter").select_option(label=f"{MEMBER_NAME} — {VI['role.member']}")
        expect(member.get_by_test_id("present-toggle")).to_be_visible()
        member.get_by_test_id("present-toggle").click()
        member.get_by_test_id("reader-next").click()
        at(member, OUTLINE, "4 / 4")
        # Handed over, the chair's reader stops presenting and follows the member.
        expect(chair.get_by_test_id("present-toggle")).to_have_attribute("aria-pressed", "false")
        at(chair, OUTLINE, "4 / 4")
        expect(chair.get_by_test_id("presenter-live")).to_contain_text(MEMBER_NAME)
        expect(person.get_by_test_id("strip-page")).to_have_text("TL 2 · tr. 4")

        # The presentation ends: turning a page is then no longer leaving anyone.
        member.get_by_test_id("present-toggle").click()
        expect(member.get_by_test_id("present-toggle")).to_have_attribute("aria-pressed", "false")
        expect(chair.get_by_test_id("presenter-live")).to_have_count(0)
        chair.keyboard.press("ArrowLeft")
        at(chair, OUTLINE, "3 / 4")
        expect(chair.get_by_test_id("follow-toggle")).to_have_attribute("aria-pressed", "true")
        expect(chair.get_by_test_id("presenter-badge")).to_have_count(0)


def test_a_member_reads_the_pack_offline(browser: Any, reader_server: LiveServer) -> None:
    """The downloaded pack opens and turns pages with the network gone; restricted pages were never stored."""
    docs = add_papers(
        reader_server,
        (0, FOUR, pdf_samples.FOUR_PAGES.read_bytes(), "internal"),
        (1, SECRET, pdf_samples.paper(pages=2), "restricted"),
        (1, OUTLINE, OUTLINED.read_bytes(), "public"),
    )
    with browser_page(browser, reader_server) as secretary, browser_page(browser, reader_server) as member:
        sign_in(secretary, "thuky")
        open_sample_meeting(secretary)
        expect(secretary.get_by_test_id("pack-status-none")).to_be_visible()

        sign_in(member, "thanhvien1")
        open_reader(member)
        page_drawn(member)
        member.get_by_test_id("offline-download").click()
        expect(member.get_by_test_id("offline-ready")).to_have_text(VI["offline.ready"], timeout=PROCESSING_MS)
        expect(member.get_by_test_id("offline-excluded")).to_be_visible()
        # The secretary's list hears of the tablet as it reports.
        row = secretary.get_by_test_id("pack-status-row").filter(has_text=MEMBER_NAME)
        expect(row.get_by_test_id("pack-status-state")).to_have_text(VI["packStatus.complete"].replace("{total}", "8"))

        kept = kept_pages(member)
        assert f"/api/documents/{docs[FOUR]['id']}/pages/4.jpg" in kept, kept
        assert f"/api/documents/{docs[OUTLINE]['id']}/pages/4/text" in kept, kept
        assert not [path for path in kept if f"/documents/{docs[SECRET]['id']}/" in path], kept

        # A new version of a paper: the open reader shows it in place of the old, and the copy follows.
        revised = add_papers(
            reader_server, (0, REVISED, pdf_samples.paper(pages=2), "internal"), replaces=docs[FOUR]["id"]
        )[REVISED]
        outline = member.get_by_test_id("outline-document")
        expect(outline).to_have_count(3)
        expect(outline.first).to_contain_text(VI["document.pages"].replace("{n}", "2"))
        expect(member.get_by_test_id("offline-ready")).to_be_visible(timeout=PROCESSING_MS)
        kept = kept_pages(member)
        assert f"/api/documents/{revised['id']}/pages/2/text" in kept, kept
        assert not [path for path in kept if f"/documents/{docs[FOUR]['id']}/" in path], kept
        expect(row.get_by_test_id("pack-status-state")).to_have_text(VI["packStatus.complete"].replace("{total}", "6"))
        member.wait_for_function("() => navigator.serviceWorker.controller !== null")

        member.context.set_offline(True)
        member.reload()
        expect(member.get_by_test_id("reader")).to_be_visible()
        expect(member.get_by_test_id("offline")).to_be_visible()
        # A new version keeps its paper's title.
        assert revised["title"] == FOUR, revised
        at(member, FOUR, "1 / 2")
        page_drawn(member)
        member.keyboard.press("ArrowRight")
        at(member, FOUR, "2 / 2")
        page_drawn(member)
        member.get_by_test_id("outline-document").filter(has_text=OUTLINE).click()
        at(member, OUTLINE, "1 / 4")
        page_drawn(member)
        member.get_by_test_id("large-print").click()
        expect(member.get_by_test_id("reader-text")).to_be_visible()
        expect(member.get_by_test_id("reader-text").locator("p").first).not_to_have_text(VI["reader.textMissing"])
        member.get_by_test_id("large-print").click()
        # A restricted paper is listed, but its pages were never kept: the reader says why it cannot show them.
        member.get_by_test_id("outline-document").filter(has_text=SECRET).click()
        expect(member.get_by_test_id("reader-notice")).to_have_text(VI["reader.notOffline"])


def test_a_search_without_diacritics_lands_on_the_highlighted_hit(browser: Any, reader_server: LiveServer) -> None:
    """Typed without diacritics, the search finds the Vietnamese paper and opens its page with the words marked."""
    add_papers(
        reader_server,
        (0, FOUR, pdf_samples.FOUR_PAGES.read_bytes(), "internal"),
        (1, PAPER, pdf_samples.paper(pages=3), "internal"),
        (1, SCAN, pdf_samples.one_page(b"0 0 1 rg 72 72 200 200 re f"), "internal"),
    )
    with browser_page(browser, reader_server) as member:
        sign_in(member, "thanhvien1")
        open_reader(member)
        at(member, FOUR, "1 / 4")
        page_drawn(member)
        # Thumbnails, the page number, and zoom with a sharper drawing.
        member.get_by_test_id("panel-pages").click()
        member.get_by_test_id("reader-thumbnail").nth(2).click()
        at(member, FOUR, "3 / 4")
        member.get_by_test_id("reader-page-input").fill("2")
        member.get_by_test_id("reader-page-input").press("Enter")
        at(member, FOUR, "2 / 4")
        image = member.get_by_test_id("reader-image")
        base = width_of(image.get_attribute("src"))
        member.get_by_test_id("zoom-in").click()
        member.get_by_test_id("zoom-in").click()
        expect(member.get_by_test_id("zoom-level")).to_have_text("150%")
        expect(image).to_have_attribute("src", re.compile(r"width=(1600|2400)$"))
        assert base in (800, 1200), base
        member.get_by_test_id("zoom-out").click()
        member.get_by_test_id("zoom-out").click()
        expect(member.get_by_test_id("zoom-level")).to_have_text("100%")

        member.get_by_test_id("reader-search").fill("ke hoach chuyen doi so")
        member.get_by_test_id("reader-search").press("Enter")
        results = member.get_by_test_id("search-result")
        expect(results).to_have_count(3)
        first = results.first
        expect(first).to_contain_text(PAPER)
        expect(first.locator("mark").first).to_have_text(re.compile(r"^kế", re.IGNORECASE))
        flagged = member.get_by_test_id("not-searchable-document")
        expect(flagged).to_have_count(1)
        expect(flagged).to_contain_text(SCAN)
        expect(flagged).to_contain_text(VI["search.reason.no_text"])

        hit_page = int(first.get_by_test_id("search-page").inner_text().split()[-1])
        first.click()
        at(member, PAPER, f"{hit_page} / 3")
        page_drawn(member)
        hits = member.get_by_test_id("reader-hit")
        expect(hits.first).to_be_visible()
        member.screenshot(path="/tmp/ui-reader-search.png")
        # The first mark is on "kế" in the title line ("Tờ trình về kế hoạch…", from 72 pt in, 90 pt down of 842).
        sheet = member.get_by_test_id("reader-sheet").bounding_box()
        box = hits.first.bounding_box()
        assert sheet and box
        assert 0.15 < (box["x"] - sheet["x"]) / sheet["width"] < 0.4, (box, sheet)
        assert 0.06 < (box["y"] - sheet["y"]) / sheet["height"] < 0.12, (box, sheet)
        # Turning the page leaves the hit behind.
        member.get_by_test_id("reader-next").click()
        expect(hits).to_have_count(0)
