"""Annotations in the tablet reader, in Chromium: ink, highlights snapped to words and notes, made online and
offline, kept in the tablet's outbox across a reload and sent once; other devices and members see them live."""

from __future__ import annotations

import base64
import re
import struct
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pymupdf
import sqlalchemy as sa
from playwright.sync_api import BrowserContext, ConsoleMessage, Page, expect

from tests import pdf_samples
from tests.api.test_annotation_versions import BUDGET, CLOSING, DROPPED, text_pdf
from tests.conftest import Client, LiveServer
from tests.ui.test_browser import TABLET, VI, sign_in
from tests.ui.test_reader import add_papers, at, open_reader, page_drawn

PAPER = "Tờ trình chuyển đổi số"
VERSIONED = "Báo cáo vốn đầu tư công"
SECRET = "Báo cáo hạn chế"
MEMBER = "Lê Văn Thành"  # thanhvien1
CHAIR = "Trần Quốc Hưng"  # chutich
PAGE_WIDTH, PAGE_HEIGHT = 595, 842  # pdf_samples.paper
RED = "#c62828"
# Outbox flushes after reconnecting and live events wait on the network, never on a clock; the waits are generous.
WAIT_MS = 30_000
# The failures a browser reports while the test holds it offline: expected, not errors of the page.
OFFLINE_NOISE = ("ERR_INTERNET_DISCONNECTED", "WebSocket connection to")


@contextmanager
def device(browser: Any, server: LiveServer) -> Iterator[BrowserContext]:
    """A browser context (one tablet) whose pages must log no errors, bar the sign-in form's 401 for /api/me, the
    network failures of the time the test holds it offline and a refused export."""
    context = browser.new_context(viewport=TABLET, base_url=server.url)
    errors: list[str] = []

    def heard(message: ConsoleMessage) -> None:
        if message.type != "error" or message.location.get("url", "").endswith("/api/me"):
            return
        if any(noise in message.text for noise in OFFLINE_NOISE):
            return
        if "/annotated.pdf" in message.location.get("url", "") and "403" in message.text:
            return  # the refused export of a restricted paper, whose message the test checks on screen
        errors.append(f"{message.text} ({message.location.get('url')})")

    def watch(page: Page) -> None:
        page.on("console", heard)
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("dialog", lambda dialog: dialog.accept())

    context.on("page", watch)
    try:
        yield context
    finally:
        context.close()
    assert errors == [], errors


@contextmanager
def api_client(server: LiveServer, login: str) -> Iterator[Client]:
    """A member over HTTP, to check what the server holds."""
    with Client(base_url=server.url, timeout=30, trust_env=False) as c:
        yield c.sign_in(login)


def word_boxes(server: LiveServer, document_id: int, page: int) -> dict[str, tuple[float, float, float, float]]:
    """Each word of a page (the first of a spelling) and its box in points, from the page-text route."""
    with api_client(server, "thanhvien1") as c:
        body = c.get(f"/api/documents/{document_id}/pages/{page}/text").json()
    raw = base64.b64decode(body["boxes"])
    boxes = [struct.unpack_from("<4f", raw, at) for at in range(0, len(raw), 16)]
    words = body["text"].replace("\n", " ").split(" ")
    assert len(words) == len(boxes), body
    found: dict[str, tuple[float, float, float, float]] = {}
    for word, box in zip(words, boxes, strict=True):
        found.setdefault(word, box)
    return found


def on_sheet(page: Page, x: float, y: float) -> tuple[float, float]:
    """The window position of a point on the page shown (PDF points, origin top left)."""
    sheet = page.get_by_test_id("reader-sheet").bounding_box()
    assert sheet
    return sheet["x"] + x * sheet["width"] / PAGE_WIDTH, sheet["y"] + y * sheet["height"] / PAGE_HEIGHT


def into_view(page: Page, x: float, y: float) -> None:
    """Scroll the page (and the window) so that this point of the page is in the middle of the screen."""
    page.evaluate(
        """([x, y, width, height]) => {
          const sheet = document.querySelector('[data-testid=reader-sheet]');
          const mark = document.createElement('span');
          mark.className = 'test-mark';
          Object.assign(mark.style, { position: 'absolute', left: `${100 * x / width}%`, top: `${100 * y / height}%`,
            width: '1px', height: '1px' });
          sheet.append(mark);
          mark.scrollIntoView({ block: 'center', inline: 'center' });
          mark.remove();
        }""",
        [x, y, PAGE_WIDTH, PAGE_HEIGHT],
    )


def drag(page: Page, path: list[tuple[float, float]], steps: int = 8) -> None:
    """A finger (the mouse) down at the first point, through the others, lifted at the last (PDF points)."""
    into_view(page, *path[0])
    page.mouse.move(*on_sheet(page, *path[0]))
    page.mouse.down()
    for point in path[1:]:
        page.mouse.move(*on_sheet(page, *point), steps=steps)
    page.mouse.up()


def pen_stroke(page: Page, path: list[tuple[float, float, float]]) -> None:
    """A stylus stroke with pressure: PointerEvents of pointerType "pen" on the annotation layer."""
    page.evaluate(
        """([path, [width, height]]) => {
          const layer = document.querySelector('[data-testid=annotation-layer]');
          const box = layer.getBoundingClientRect();
          const at = ([x, y, pressure], type) => layer.dispatchEvent(new PointerEvent(type, {
            pointerId: 7, pointerType: 'pen', isPrimary: true, bubbles: true, cancelable: true, button: 0,
            buttons: type === 'pointerup' ? 0 : 1, pressure: type === 'pointerup' ? 0 : pressure,
            clientX: box.left + x * box.width / width, clientY: box.top + y * box.height / height }));
          at(path[0], 'pointerdown');
          for (const point of path.slice(1)) at(point, 'pointermove');
          at(path[path.length - 1], 'pointerup');
        }""",
        [[list(p) for p in path], [PAGE_WIDTH, PAGE_HEIGHT]],
    )


def tap(page: Page, x: float, y: float) -> None:
    into_view(page, x, y)
    page.mouse.click(*on_sheet(page, x, y))


def centre(box: tuple[float, float, float, float]) -> tuple[float, float]:
    return (box[0] + box[2]) / 2, (box[1] + box[3]) / 2


def listed(server: LiveServer, login: str, document_id: int) -> list[dict[str, Any]]:
    with api_client(server, login) as c:
        answer = c.get(f"/api/documents/{document_id}/annotations")
        assert answer.status_code == 200, answer.text
        rows: list[dict[str, Any]] = answer.json()
        return rows


def stored_rows(server: LiveServer, document_id: int) -> list[tuple[str, bool, int]]:
    """Every annotation row of the paper in the database (uuid, deleted, version), tombstones included."""
    with server.db.read() as session:
        query = sa.text("SELECT uuid, deleted, version FROM annotation WHERE document_id = :d ORDER BY uuid")
        return [(str(r[0]), bool(r[1]), int(r[2])) for r in session.execute(query, {"d": document_id}).all()]


def server_has(page: Page, document_id: int, count: int) -> None:
    """Wait until the server lists `count` annotations of the paper to this page's user."""
    page.wait_for_function(
        """async ([id, count]) => {
          const answer = await fetch(`/api/documents/${id}/annotations`, { credentials: 'same-origin' });
          return answer.ok && (await answer.json()).length === count;
        }""",
        arg=[document_id, count],
        timeout=WAIT_MS,
        polling=250,
    )


def outbox_size(page: Page) -> int:
    """How many edits wait in the tablet's outbox (IndexedDB)."""
    size: int = page.evaluate(
        """() => new Promise((resolve, reject) => {
          const open = indexedDB.open('ecabinet-annotations');
          open.onerror = () => reject(open.error);
          open.onsuccess = () => {
            const count = open.result.transaction('ops').objectStore('ops').count();
            count.onsuccess = () => { resolve(count.result); open.result.close(); };
          };
        })"""
    )
    return size


def reader_at(page: Page, meeting_id: int, document_id: int, number: int = 1) -> None:
    page.goto(f"/#/meetings/{meeting_id}/pack/{document_id}/{number}")
    expect(page.get_by_test_id("reader")).to_be_visible(timeout=WAIT_MS)
    page_drawn(page)


def choose(page: Page, tool: str) -> None:
    """Take a tool in hand (a second tap on the tool in hand puts it down)."""
    button = page.get_by_test_id(f"tool-{tool}")
    if button.get_attribute("aria-pressed") != "true":
        button.click()
    expect(button).to_have_attribute("aria-pressed", "true")


def words_known(page: Page, count: int = 24) -> None:
    """The reader has the page's words (a highlight snaps to them)."""
    expect(page.get_by_test_id("annotation-layer")).to_have_attribute("data-words", str(count), timeout=WAIT_MS)


def test_annotations_made_offline_reach_the_server_once_and_every_device(
    browser: Any, fresh_server: LiveServer
) -> None:
    """Ink, a pen stroke with pressure, a highlight and notes, half of them offline and kept across a reload, reach
    the server once each; the member's second tablet shows them all, another member only the shared ones, live."""
    doc = add_papers(fresh_server, (0, PAPER, pdf_samples.paper(pages=3), "internal"))[PAPER]
    doc_id = doc["id"]
    meeting_id = doc["meeting_id"]
    words = word_boxes(fresh_server, doc_id, 1)
    annotations = '[data-testid^="annotation-"][data-uuid]'

    with device(browser, fresh_server) as tablet, device(browser, fresh_server) as other:
        member = tablet.new_page()
        sign_in(member, "thanhvien1")
        open_reader(member)
        at(member, PAPER, "1 / 3")
        page_drawn(member)
        layer = member.get_by_test_id("annotation-layer")

        # Ink with a finger (the mouse), across the lower page: no page is turned under the pen.
        choose(member, "pen")
        member.get_by_test_id("annotate-color-menu").click()
        member.get_by_test_id("annotate-palette").locator(f'[data-color="{RED}"]').click()
        expect(member.get_by_test_id("annotate-palette")).to_be_hidden()
        drag(member, [(100, 400), (180, 430), (260, 410), (340, 460)])
        expect(layer.get_by_test_id("annotation-ink")).to_have_count(1)
        at(member, PAPER, "1 / 3")
        # A stylus, whose pressure the stroke keeps.
        pen_stroke(member, [(100, 500, 0.2), (150, 520, 0.5), (200, 515, 0.9), (260, 540, 0.6)])
        expect(layer.get_by_test_id("annotation-ink")).to_have_count(2)

        # A highlight dragged from "chuyển" (title line) to "ban" (next line) takes the words between, by line.
        choose(member, "highlight")
        words_known(member)
        drag(member, [centre(words["chuyển"]), centre(words["năm"]), centre(words["ban"])])
        expect(layer.get_by_test_id("annotation-highlight")).to_have_count(1)

        # A shared note by "phê".
        choose(member, "note")
        member.get_by_test_id("annotate-share").click()
        expect(member.get_by_test_id("annotate-share")).to_have_attribute("aria-pressed", "true")
        phe = words["phê"]
        tap(member, phe[0] + 2, phe[1] + 2)
        member.get_by_test_id("note-text").fill("Đề nghị bổ sung kinh phí năm 2027.")
        member.get_by_test_id("note-save").click()
        expect(layer.get_by_test_id("annotation-note")).to_have_count(1)
        member.get_by_test_id("annotate-share").click()
        server_has(member, doc_id, 4)

        online = {a["kind"]: a for a in listed(fresh_server, "thanhvien1", doc_id)}
        assert set(online) == {"ink", "highlight", "note"}, online
        highlight = online["highlight"]
        line_one = [words[w] for w in ("chuyển", "đổi", "số", "năm", "2027")]
        line_two = [words[w] for w in ("Trang", "1:", "Ủy", "ban")]
        expected = [
            [min(b[0] for b in line) for line in (line_one, line_two)],
            [min(b[1] for b in line) for line in (line_one, line_two)],
            [max(b[2] for b in line) for line in (line_one, line_two)],
            [max(b[3] for b in line) for line in (line_one, line_two)],
        ]
        rects = highlight["geometry"]["rects"]
        assert len(rects) == 2, highlight
        for n, rect in enumerate(rects):
            assert [round(v, 1) for v in rect] == [round(expected[k][n], 1) for k in range(4)], (rect, expected)
        assert highlight["anchor"]["quote"] == "chuyển đổi số năm 2027 Trang 1: Ủy ban", highlight
        assert highlight["anchor"]["prefix"].endswith("hoạch "), highlight
        assert highlight["anchor"]["suffix"].startswith(" nhân dân"), highlight
        assert highlight["visibility"] == "private"
        note = online["note"]
        assert note["body"] == "Đề nghị bổ sung kinh phí năm 2027." and note["visibility"] == "shared", note
        assert note["anchor"]["quote"] == "phê", note
        rect = note["geometry"]["rect"]
        assert abs(rect[2] - rect[0] - 24) < 0.02 and abs(rect[3] - rect[1] - 24) < 0.02, note
        inks = [a for a in listed(fresh_server, "thanhvien1", doc_id) if a["kind"] == "ink"]
        pressured = [a for a in inks if len(a["geometry"]["points"][0]) == 3]
        assert len(pressured) == 1 and {a["color"] for a in inks} == {RED}, inks
        assert {p[2] for p in pressured[0]["geometry"]["points"]} >= {0.2, 0.9}, pressured

        choose(member, "pen")
        into_view(member, 250, 330)
        member.screenshot(path="/tmp/ui-annotations-tablet.png")

        # Offline: a stroke and a private note wait in the outbox, and are still there when the tab is gone.
        tablet.set_offline(True)
        member.wait_for_function("() => !navigator.onLine")
        choose(member, "pen")
        drag(member, [(120, 620), (220, 660), (320, 640)])
        choose(member, "note")
        tap(member, 420, 700)
        member.get_by_test_id("note-text").fill("Ghi chú viết khi mất mạng")
        member.get_by_test_id("note-save").click()
        expect(layer.locator(annotations)).to_have_count(6)
        expect(member.get_by_test_id("annotate-waiting")).to_have_text(VI["annotate.waiting"].replace("{n}", "2"))
        member.wait_for_function(
            "() => new Promise((ok) => { const o = indexedDB.open('ecabinet-annotations'); o.onsuccess = () => {"
            " const c = o.result.transaction('ops').objectStore('ops').count();"
            " c.onsuccess = () => { ok(c.result === 2); o.result.close(); }; }; })",
            timeout=WAIT_MS,
        )
        assert len(listed(fresh_server, "thanhvien1", doc_id)) == 4
        member.close()

        # Back online, a new tab of the same tablet sends what the closed one left, each edit once.
        tablet.set_offline(False)
        member = tablet.new_page()
        reader_at(member, meeting_id, doc_id)
        server_has(member, doc_id, 6)
        expect(member.get_by_test_id("annotation-layer").locator(annotations)).to_have_count(6)
        expect(member.get_by_test_id("annotate-waiting")).to_be_hidden()
        assert outbox_size(member) == 0
        rows = listed(fresh_server, "thanhvien1", doc_id)
        assert len({a["uuid"] for a in rows}) == 6 and all(a["version"] == 1 for a in rows), rows
        assert [r for r in stored_rows(fresh_server, doc_id) if not r[1]] == sorted((a["uuid"], False, 1) for a in rows)
        offline_note = next(a for a in rows if a["body"] == "Ghi chú viết khi mất mạng")
        offline_stroke = next(a for a in rows if a["kind"] == "ink" and a["geometry"]["points"][0][:2] == [120, 620])
        assert offline_note["visibility"] == "private" and offline_note["edited_at"], offline_note

        # The member's second tablet shows all six; another member only the shared note, with its author.
        second = other.new_page()
        sign_in(second, "thanhvien1")
        reader_at(second, meeting_id, doc_id)
        expect(second.get_by_test_id("annotation-layer").locator(annotations)).to_have_count(6)
        with device(browser, fresh_server) as colleague_device:
            colleague = colleague_device.new_page()
            sign_in(colleague, "thanhvien2")
            reader_at(colleague, meeting_id, doc_id)
            theirs = colleague.get_by_test_id("annotation-layer")
            expect(theirs.locator(annotations)).to_have_count(1)
            expect(theirs.get_by_test_id("annotation-note")).to_have_attribute("data-author", MEMBER)
            expect(theirs.get_by_test_id("annotation-note").locator("title")).to_have_text(
                VI["annotate.by"].replace("{name}", MEMBER)
            )

            # Shared from the list panel on the first tablet: the colleague's page shows it without a reload.
            member.get_by_test_id("panel-annotations").click()
            row = member.get_by_test_id("annotation-row").filter(has_text="chuyển đổi số")
            row.get_by_test_id("annotation-share").click()
            expect(theirs.get_by_test_id("annotation-highlight")).to_have_count(1, timeout=WAIT_MS)
            colleague.get_by_test_id("panel-annotations").click()
            shared_rows = colleague.get_by_test_id("annotation-row")
            expect(shared_rows).to_have_count(2)
            expect(shared_rows.filter(has_text="chuyển đổi số").get_by_test_id("annotation-author")).to_have_text(
                VI["annotate.by"].replace("{name}", MEMBER)
            )
            # Its tap opens the note with the author's name, read-only.
            theirs.get_by_test_id("annotation-note").click()
            popover = colleague.get_by_test_id("annotation-popover")
            expect(popover.get_by_test_id("note-body")).to_have_text("Đề nghị bổ sung kinh phí năm 2027.")
            expect(popover.get_by_test_id("annotation-author")).to_contain_text(MEMBER)
            expect(popover.get_by_test_id("note-text")).to_have_count(0)
            member.screenshot(path="/tmp/ui-annotations-member.png")
            colleague.screenshot(path="/tmp/ui-annotations-colleague.png")

            # Undo takes the sharing back, then a fresh stroke off the server; redo brings the stroke back.
            member.get_by_test_id("annotate-undo").click()
            expect(theirs.get_by_test_id("annotation-highlight")).to_have_count(0, timeout=WAIT_MS)
            choose(member, "pen")
            drag(member, [(400, 300), (480, 340)])
            server_has(member, doc_id, 7)
            expect(second.get_by_test_id("annotation-layer").locator(annotations)).to_have_count(7, timeout=WAIT_MS)
            member.get_by_test_id("annotate-undo").click()
            server_has(member, doc_id, 6)
            expect(second.get_by_test_id("annotation-layer").locator(annotations)).to_have_count(6, timeout=WAIT_MS)
            member.get_by_test_id("annotate-redo").click()
            server_has(member, doc_id, 7)

            # The eraser deletes the member's own stroke it touches.
            choose(member, "eraser")
            drag(member, [(140, 630), (160, 650)], steps=4)
            server_has(member, doc_id, 6)
            left = {a["uuid"] for a in listed(fresh_server, "thanhvien1", doc_id)}
            assert offline_stroke["uuid"] not in left, left
        assert len(listed(fresh_server, "thanhvien2", doc_id)) == 1


def test_the_presenters_stroke_and_pointer_reach_the_room(browser: Any, fresh_server: LiveServer) -> None:
    """The presenting chair's stroke shows on a member's tablet as it is drawn, then as a shared annotation with
    the chair's name; the chair's pointer shows as a red dot while it is down."""
    doc = add_papers(fresh_server, (0, PAPER, pdf_samples.paper(pages=3), "internal"))[PAPER]
    doc_id = doc["id"]
    with device(browser, fresh_server) as chair_device, device(browser, fresh_server) as member_device:
        chair = chair_device.new_page()
        sign_in(chair, "chutich")
        reader_at(chair, doc["meeting_id"], doc_id)
        member = member_device.new_page()
        sign_in(member, "thanhvien1")
        reader_at(member, doc["meeting_id"], doc_id)
        expect(member.get_by_test_id("tool-pointer")).to_be_hidden()

        chair.get_by_test_id("present-toggle").click()
        expect(chair.get_by_test_id("present-toggle")).to_have_attribute("aria-pressed", "true")
        expect(member.get_by_test_id("presenter-live")).to_be_visible(timeout=WAIT_MS)
        # Whether the preview was ever drawn: it goes as soon as the saved stroke arrives.
        member.evaluate(
            """() => {
              window.previewSeen = 0;
              new MutationObserver(() => {
                window.previewSeen = Math.max(window.previewSeen,
                  document.querySelectorAll('[data-testid=presenter-ink]').length);
              }).observe(document.querySelector('[data-testid=annotation-layer]'), { childList: true, subtree: true });
            }"""
        )
        choose(chair, "pen")
        path = [(100 + 10 * n, 300 + (15 if n % 2 else 0)) for n in range(30)]
        into_view(chair, *path[0])
        chair.mouse.move(*on_sheet(chair, *path[0]))
        chair.mouse.down()
        for point in path[1:]:
            chair.mouse.move(*on_sheet(chair, *point), steps=3)
        # The stroke is on the member's page while the chair's pen is still down.
        member.wait_for_function("() => window.previewSeen > 0", timeout=WAIT_MS)
        chair.mouse.up()
        stroke = member.get_by_test_id("annotation-layer").get_by_test_id("annotation-ink")
        expect(stroke).to_have_count(1, timeout=WAIT_MS)
        expect(stroke).to_have_attribute("data-author", CHAIR)
        expect(member.get_by_test_id("presenter-ink")).to_have_count(0, timeout=WAIT_MS)
        saved = listed(fresh_server, "thanhvien1", doc_id)
        assert len(saved) == 1 and saved[0]["visibility"] == "shared" and saved[0]["kind"] == "ink", saved

        choose(chair, "pointer")
        into_view(chair, 300, 200)
        chair.mouse.move(*on_sheet(chair, 300, 200))
        chair.mouse.down()
        chair.mouse.move(*on_sheet(chair, 320, 220), steps=3)
        dot = member.get_by_test_id("presenter-pointer")
        expect(dot).to_have_attribute("visibility", "visible", timeout=WAIT_MS)
        chair.mouse.up()
        expect(dot).to_have_attribute("visibility", "hidden", timeout=WAIT_MS)


def test_lost_annotations_are_listed_notes_are_found_and_the_paper_exports(
    browser: Any, fresh_server: LiveServer
) -> None:
    """A note is found by the member's search; the paper exports with the member's annotations (and the shared ones
    for the secretary), a restricted one says why it cannot; replaced by a version without the highlighted words,
    the highlight is listed as not placed (never drawn) and can be deleted."""
    docs = add_papers(
        fresh_server,
        (0, VERSIONED, text_pdf([[BUDGET, DROPPED, CLOSING]]), "internal"),
        (0, SECRET, pdf_samples.paper(pages=1), "restricted"),
    )
    doc = docs[VERSIONED]
    words = word_boxes(fresh_server, doc["id"], 1)
    with device(browser, fresh_server) as tablet, device(browser, fresh_server) as desk:
        member = tablet.new_page()
        sign_in(member, "thanhvien1")
        reader_at(member, doc["meeting_id"], doc["id"])
        layer = member.get_by_test_id("annotation-layer")
        choose(member, "highlight")
        words_known(member, len(" ".join([BUDGET, DROPPED, CLOSING]).split()))
        drag(member, [centre(words["Nội"]), centre(words["sửa"])])
        choose(member, "note")
        member.get_by_test_id("annotate-share").click()
        tap(member, words["đồng"][2] + 30, words["đồng"][1])
        member.get_by_test_id("note-text").fill("Kiểm tra nguồn vốn đầu tư")
        member.get_by_test_id("note-save").click()
        server_has(member, doc["id"], 2)
        choose(member, "read")

        # The member's own note among the search hits, one tap from its page.
        member.get_by_test_id("reader-next").click()
        at(member, SECRET, "1 / 1")
        member.get_by_test_id("reader-search").fill("nguon von")
        member.get_by_test_id("reader-search").press("Enter")
        found = member.get_by_test_id("search-notes").get_by_test_id("search-note")
        expect(found).to_have_count(1)
        expect(found).to_contain_text("nguồn vốn")
        found.click()
        at(member, VERSIONED, "1 / 1")

        # A restricted paper cannot be exported: the server says why.
        member.get_by_test_id("panel-annotations").click()
        expect(member.get_by_test_id("export-shared")).to_have_count(0)
        member.get_by_test_id("reader-next").click()
        at(member, SECRET, "1 / 1")
        member.get_by_test_id("export-mine").click()
        with api_client(fresh_server, "thanhvien1") as c:
            refusal = c.get(
                f"/api/documents/{docs[SECRET]['id']}/annotated.pdf", headers={"Accept-Language": "vi"}
            ).json()
        expect(member.locator("#toast")).to_have_text(refusal["message"])
        member.get_by_test_id("reader-prev").click()
        at(member, VERSIONED, "1 / 1")
        with member.expect_download() as download:
            member.get_by_test_id("export-mine").click()
        exported = pymupdf.open(download.value.path())
        assert {a.type[1] for a in exported[0].annots()} >= {"Highlight", "Text"}, list(exported[0].annots())

        # The secretary exports the meeting's shared annotations.
        secretary = desk.new_page()
        sign_in(secretary, "thuky")
        reader_at(secretary, doc["meeting_id"], doc["id"])
        secretary.get_by_test_id("panel-annotations").click()
        with secretary.expect_download() as download:
            secretary.get_by_test_id("export-shared").click()
        shared = pymupdf.open(download.value.path())
        assert [a.type[1] for a in shared[0].annots()] == ["Text"], list(shared[0].annots())

        # A new version without the highlighted sentence: the highlight is listed apart and not drawn.
        revised = add_papers(
            fresh_server, (0, VERSIONED, text_pdf([[CLOSING, BUDGET]]), "internal"), replaces=doc["id"]
        )[VERSIONED]
        # The open reader moves to the new version by itself, its panel still open.
        expect(member.get_by_test_id("reader-image")).to_have_attribute(
            "src", re.compile(f"/api/documents/{revised['id']}/pages/1"), timeout=WAIT_MS
        )
        at(member, VERSIONED, "1 / 1")
        lost = member.get_by_test_id("orphaned-list").get_by_test_id("annotation-row")
        expect(lost).to_have_count(1, timeout=WAIT_MS)
        expect(lost).to_contain_text(DROPPED)
        expect(layer.get_by_test_id("annotation-note")).to_have_count(1)
        expect(layer.get_by_test_id("annotation-highlight")).to_have_count(0)
        lost.get_by_test_id("annotation-delete").click()
        expect(lost).to_have_count(0)
        server_has(member, revised["id"], 1)

        # An edit made on another device with an older clock lost to this one's: flagged, listed, dismissed.
        with api_client(fresh_server, "thanhvien1") as c:
            kept = c.get(f"/api/documents/{revised['id']}/annotations").json()[0]
            fields = {k: kept[k] for k in ("document_id", "page", "kind", "geometry", "anchor", "color", "visibility")}
            older = {
                **fields,
                "body": "Bản sửa trên máy khác",
                "base_version": 0,
                "edited_at": "2026-01-05T08:00:00+07:00",
            }
            answer = c.put(
                f"/api/annotations/{kept['uuid']}", json=older, headers={"Idempotency-Key": str(uuid.uuid4())}
            )
            assert answer.json()["conflict"] == "kept_theirs", answer.text
        member.reload()
        badge = member.get_by_test_id("annotate-conflicts")
        expect(badge).to_have_text(f"⚠ {VI['annotate.conflicts'].replace('{n}', '1')}", timeout=WAIT_MS)
        badge.click()
        conflict = member.get_by_test_id("conflict-list").get_by_test_id("conflict")
        expect(conflict).to_contain_text("Bản sửa trên máy khác")
        conflict.get_by_test_id("conflict-dismiss").click()
        expect(badge).to_be_hidden()
        expect(member.get_by_test_id("conflict-list")).to_have_count(0)
        with api_client(fresh_server, "thanhvien1") as c:
            assert c.get("/api/annotations/conflicts").json() == []
