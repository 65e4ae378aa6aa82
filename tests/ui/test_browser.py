"""The UI in real headless Chromium against a real server with the sample meeting."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

from tests.conftest import Client, LiveServer

I18N = Path(__file__).resolve().parents[2] / "static" / "i18n"
VI = json.loads((I18N / "vi.json").read_text(encoding="utf-8"))
EN = json.loads((I18N / "en.json").read_text(encoding="utf-8"))
TABLET = {"width": 1280, "height": 800}
DESKTOP = {"width": 1440, "height": 900}
SAMPLE_TITLE = "Phiên họp thường kỳ UBND Thành phố tháng 12 năm 2026"
SAMPLE_ITEM = "Kế hoạch chuyển đổi số của Thành phố năm 2027"


@contextmanager
def browser_page(browser: Any, server: LiveServer, viewport: dict[str, int] = TABLET) -> Iterator[Page]:
    """A fresh context (no cookies, no stored language) that fails the test on any script error."""
    context = browser.new_context(viewport=viewport, base_url=server.url)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    # Confirmations (delete, close the session) are accepted, as a user who meant it would.
    page.on("dialog", lambda dialog: dialog.accept())
    try:
        yield page
    finally:
        context.close()
    assert errors == []


def sign_in(page: Page, login: str, password: str = "demo") -> None:
    if page.get_by_test_id("signin-login").count() == 0:
        page.goto("/")
    page.get_by_test_id("signin-login").fill(login)
    page.get_by_test_id("signin-password").fill(password)
    page.get_by_test_id("signin-submit").click()
    expect(page.get_by_test_id("meeting-list")).to_be_visible()


def sign_out(page: Page) -> None:
    page.get_by_test_id("signout").click()
    expect(page.get_by_test_id("signin-login")).to_be_visible()


def create_meeting(page: Page, title: str, starts_at: str = "2026-12-15T14:00") -> None:
    page.get_by_test_id("new-meeting").click()
    page.get_by_test_id("meeting-kind").select_option("thematic")
    page.get_by_test_id("meeting-title").fill(title)
    page.get_by_test_id("meeting-starts-at").fill(starts_at)
    page.get_by_test_id("meeting-place").fill("Phòng họp số 3")
    page.get_by_test_id("meeting-save").click()
    expect(page).to_have_url(re.compile(r"#/meetings/\d+/edit$"))
    expect(page.get_by_test_id("meeting-heading")).to_have_text(title)


def add_item(page: Page, title: str) -> None:
    page.get_by_test_id("add-item-title").fill(title)
    page.get_by_test_id("add-item-submit").click()
    expect(page.locator(f"[data-testid='item-title'][value='{title}']")).to_have_count(1)


@contextmanager
def secretary(server: LiveServer) -> Iterator[Client]:
    """The secretary over HTTP, for what the test arranges rather than checks."""
    with Client(base_url=server.url, timeout=30, trust_env=False) as c:
        yield c.sign_in("thuky")


def open_sample_meeting(page: Page) -> None:
    # By title: other tests add meetings, and a live one comes first in the secretariat's list.
    page.get_by_test_id("meeting-link").filter(has_text=SAMPLE_TITLE).click()
    # The item's title shows in the agenda (and, once taken up in a live meeting, in the floor banner too).
    expect(page.get_by_text(SAMPLE_ITEM).first).to_be_visible()


def my_row(page: Page, name: str) -> Any:
    return page.get_by_test_id("participant").filter(has=page.locator(".person-name", has_text=name))


def test_the_secretary_orders_an_agenda_and_a_member_reads_one(browser: Any, demo_server: LiveServer) -> None:
    """The secretary builds a two-item agenda and swaps it with the arrows; a member then reads one in Vietnamese."""
    with browser_page(browser, demo_server, DESKTOP) as page:
        sign_in(page, "thuky")
        create_meeting(page, "Họp chuyên đề về quy hoạch đô thị")
        add_item(page, "Báo cáo hiện trạng")
        add_item(page, "Thảo luận và kết luận")
        titles = page.get_by_test_id("item-title")
        expect(titles.nth(0)).to_have_value("Báo cáo hiện trạng")
        expect(titles.nth(1)).to_have_value("Thảo luận và kết luận")
        expect(page.get_by_test_id("agenda-item").first.get_by_test_id("item-up")).to_be_disabled()

        page.get_by_test_id("agenda-item").nth(1).get_by_test_id("item-up").click()
        expect(titles.nth(0)).to_have_value("Thảo luận và kết luận")
        expect(titles.nth(1)).to_have_value("Báo cáo hiện trạng")
        expect(page.get_by_test_id("agenda-item").locator(".item-number")).to_have_text(["1", "2"])

        page.reload()
        expect(titles.nth(0)).to_have_value("Thảo luận và kết luận")
        page.get_by_test_id("view-meeting").click()
        expect(page.get_by_test_id("agenda-item").locator(".item-title")).to_have_text(
            ["Thảo luận và kết luận", "Báo cáo hiện trạng"]
        )
        sign_out(page)
        page.goto("/#/")
        expect(page.get_by_test_id("signin-login")).to_be_visible()
        expect(page.get_by_test_id("signout")).to_be_hidden()

        # The same tab, now a member's tablet: the new session's CSRF token must replace the old one.
        page.set_viewport_size(TABLET)
        sign_in(page, "thanhvien1")
        expect(page.locator("html")).to_have_attribute("lang", "vi")
        expect(page.get_by_test_id("new-meeting")).to_have_count(0)
        expect(page.get_by_role("link", name=VI["nav.import"])).to_be_hidden()
        page.get_by_test_id("meeting-link").first.click()
        expect(page.get_by_test_id("meeting-heading")).to_have_text(SAMPLE_TITLE)
        expect(page.get_by_role("heading", name=VI["agenda.title"])).to_be_visible()
        expect(page.get_by_role("heading", name=VI["participants.title"])).to_be_visible()
        expect(page.get_by_test_id("agenda-item").first.locator(".item-number")).to_have_text("1")
        expect(page.get_by_test_id("agenda-item").filter(has_text=SAMPLE_ITEM)).to_be_visible()
        expect(page.get_by_test_id("agenda-item").nth(1).locator(".item-number")).to_have_text("1.1")
        expect(page.get_by_test_id("quorum")).to_contain_text(VI["quorum.title"])
        expect(page.get_by_test_id("edit-meeting")).to_have_count(0)
        expect(page.get_by_test_id("transition-live")).to_have_count(0)
        expect(my_row(page, "Lê Văn Thành").get_by_test_id("checkin")).to_be_visible()


def test_the_language_switch_is_remembered(browser: Any, demo_server: LiveServer) -> None:
    """Switching to English translates the screen, survives a reload, and follows the account to another browser."""
    with browser_page(browser, demo_server) as page:
        sign_in(page, "thanhvien4")
        open_sample_meeting(page)
        page.get_by_test_id("lang-en").click()
        expect(page.get_by_role("heading", name=EN["agenda.title"])).to_be_visible()
        expect(page.locator("html")).to_have_attribute("lang", "en")
        expect(page.get_by_test_id("meeting-status")).to_have_text(EN["status.scheduled"])
        page.reload()
        expect(page.get_by_role("heading", name=EN["agenda.title"])).to_be_visible()
    with browser_page(browser, demo_server) as page:
        sign_in(page, "thanhvien4")
        expect(page.locator("html")).to_have_attribute("lang", "en")
        expect(page.get_by_role("heading", name=EN["meetings.title"])).to_be_visible()
        page.get_by_test_id("lang-vi").click()
        expect(page.get_by_role("heading", name=VI["meetings.title"])).to_be_visible()


def test_a_wrong_password_shows_the_reason(browser: Any, demo_server: LiveServer) -> None:
    """A refused sign-in shows the server's message and stays on the form."""
    with browser_page(browser, demo_server) as page:
        page.goto("/")
        expect(page.get_by_test_id("signout")).to_be_hidden()
        page.get_by_test_id("signin-login").fill("thanhvien8")
        page.get_by_test_id("signin-password").fill("not-the-password")
        page.get_by_test_id("signin-submit").click()
        expect(page.get_by_role("alert")).to_contain_text("Sai tên đăng nhập hoặc mật khẩu")
        expect(page.get_by_test_id("signin-login")).to_be_visible()


def test_a_member_checks_in_on_the_tablet(browser: Any, demo_server: LiveServer) -> None:
    """Tapping Check in on one's own row marks the member present and raises the attendance count by one."""
    with browser_page(browser, demo_server) as page:
        sign_in(page, "thanhvien2")
        open_sample_meeting(page)
        count = page.get_by_test_id("quorum-count")
        before = int(count.inner_text().split("/")[0])
        row = my_row(page, "Phạm Thị Thu Hà")
        row.get_by_test_id("checkin").click()
        expect(count).to_have_text(re.compile(rf"^{before + 1}/"))
        expect(row.get_by_test_id("attendance")).to_contain_text(VI["attendance.present"])
        expect(row.get_by_test_id("checkin")).to_have_count(0)
        # Only one's own row has the button.
        expect(page.get_by_test_id("checkin")).to_have_count(0)


def test_a_member_names_a_substitute_who_checks_in(browser: Any, demo_server: LiveServer) -> None:
    """A member names a substitute with a reason; the substitute sees the meeting and checks in for the member."""
    with browser_page(browser, demo_server) as page:
        sign_in(page, "thanhvien5")
        open_sample_meeting(page)
        row = my_row(page, "Hoàng Thị Lan Anh")
        row.get_by_test_id("name-substitute").click()
        row.get_by_test_id("substitute-reason").fill("Đi công tác Đà Nẵng")
        # Typed without diacritics, as often on a tablet.
        row.get_by_test_id("user-search").fill("Bich")
        expect(row.get_by_test_id("user-option")).to_have_count(1)
        row.get_by_test_id("user-option").filter(has_text="Cao Thị Ngọc Bích").click()
        expect(row.get_by_test_id("substitute")).to_have_text(
            "Cao Thị Ngọc Bích (người được ủy quyền của Hoàng Thị Lan Anh)"
        )
        expect(row).to_contain_text("Đi công tác Đà Nẵng")
        sign_out(page)

        sign_in(page, "phogiamdoc1")
        open_sample_meeting(page)
        row = my_row(page, "Hoàng Thị Lan Anh")
        row.get_by_test_id("checkin").click()
        expect(row.get_by_test_id("attendance")).to_contain_text("Cao Thị Ngọc Bích")
        expect(row.get_by_test_id("undo-checkin")).to_be_visible()


def test_the_secretary_marks_a_member_absent(browser: Any, demo_server: LiveServer) -> None:
    """The secretary records an absence with its reason on the meeting page, and can take it back."""
    with browser_page(browser, demo_server) as page:
        sign_in(page, "thuky")
        open_sample_meeting(page)
        row = my_row(page, "Trịnh Minh Đức")
        row.get_by_test_id("mark-absent").click()
        row.get_by_test_id("absence-reason").fill("Ốm")
        row.get_by_test_id("absent-confirm").click()
        expect(row.get_by_test_id("attendance")).to_have_text(f"{VI['attendance.absent']} — Ốm")
        row.get_by_test_id("undo-absent").click()
        expect(row.get_by_test_id("attendance")).to_have_text(VI["attendance.expected"])


def test_a_refused_action_shows_the_reason(browser: Any, demo_server: LiveServer) -> None:
    """Scheduling a meeting without a chair shows the server's reason, in the UI's language."""
    with browser_page(browser, demo_server, DESKTOP) as page:
        sign_in(page, "thuky")
        page.get_by_test_id("new-meeting").click()
        page.get_by_test_id("meeting-title").fill("Cuộc họp thiếu chủ tọa")
        page.get_by_test_id("meeting-save").click()
        page.get_by_test_id("transition-scheduled").click()
        expect(page.get_by_role("alert")).to_contain_text(
            "cần có: thời gian bắt đầu, ít nhất một nội dung trong chương trình, chủ tọa"
        )


def test_the_chair_opens_the_session(browser: Any, demo_server: LiveServer) -> None:
    """The secretary invites a chair and schedules the meeting; the chair opens the session from the meeting page."""
    title = "Giao ban công tác phòng cháy chữa cháy"
    with browser_page(browser, demo_server, DESKTOP) as page:
        sign_in(page, "thuky")
        create_meeting(page, title)
        add_item(page, "Tình hình tháng 11")
        page.get_by_test_id("add-participant-user").select_option(label="Trần Quốc Hưng — Chủ tịch UBND Thành phố")
        page.get_by_test_id("add-participant-role").select_option("chair")
        page.get_by_test_id("add-participant-submit").click()
        expect(page.get_by_test_id("participant").filter(has_text="Trần Quốc Hưng")).to_have_count(1)
        page.get_by_test_id("add-site-unit").select_option(label="Phường Cửa Nam")
        page.get_by_test_id("add-site-submit").click()
        expect(page.get_by_test_id("participant").filter(has_text="Phường Cửa Nam")).to_have_count(1)
        page.get_by_test_id("transition-scheduled").click()
        expect(page.get_by_test_id("meeting-status")).to_have_text(VI["status.scheduled"])
        sign_out(page)

        sign_in(page, "chutich")
        page.get_by_test_id("meeting-link").filter(has_text=title).click()
        expect(page.get_by_test_id("edit-meeting")).to_have_count(0)
        expect(page.get_by_test_id("transition-draft")).to_have_count(0)
        page.get_by_test_id("transition-live").click()
        expect(page.get_by_test_id("meeting-status")).to_have_text(VI["status.live"])
        expect(page.get_by_test_id("transition-closed")).to_be_visible()


def test_the_secretary_nests_and_drags_agenda_items(browser: Any, demo_server: LiveServer) -> None:
    """An item is made a sub-item with the indent button, and another is dragged to the top."""
    with browser_page(browser, demo_server, DESKTOP) as page:
        sign_in(page, "thuky")
        create_meeting(page, "Họp giao ban chuyển đổi số")
        for title in ("Khai mạc", "Báo cáo", "Kết luận"):
            add_item(page, title)

        page.get_by_test_id("agenda-item").nth(1).get_by_test_id("item-indent").click()
        numbers = page.get_by_test_id("agenda-item").locator(".item-number")
        expect(numbers).to_have_text(["1", "1.1", "2"])

        page.get_by_test_id("agenda-item").nth(2).drag_to(
            page.get_by_test_id("agenda-item").nth(0), target_position={"x": 200, "y": 5}
        )
        expect(page.get_by_test_id("item-title").first).to_have_value("Kết luận")
        expect(numbers).to_have_text(["1", "2", "2.1"])


def test_the_secretariat_sees_a_refused_import_line_by_line(browser: Any, demo_server: LiveServer) -> None:
    """A users file with a bad row is refused whole, and the report names the line, the column and the problem."""
    csv = "login,name,title,unit,role,password\nnguoimoi,Người Mới,Chuyên viên,KHONG-CO,staff,matkhau1\n"
    with browser_page(browser, demo_server, DESKTOP) as page:
        sign_in(page, "thuky")
        page.get_by_role("link", name=VI["nav.import"]).click()
        page.get_by_test_id("import-file").set_input_files(
            {"name": "users.csv", "mimeType": "text/csv", "buffer": csv.encode()}
        )
        page.get_by_test_id("import-submit").click()
        report = page.get_by_test_id("import-result")
        expect(report).to_contain_text(VI["import.refused"].replace("{n}", "1"))
        expect(report.locator("tbody tr td").first).to_have_text("2")
        expect(report.locator("tbody tr")).to_contain_text("unit")


def test_a_tablet_that_loses_the_network_keeps_showing_the_agenda(browser: Any, demo_server: LiveServer) -> None:
    """With the network gone, the screens already read still open, under a notice that they may be out of date."""
    with browser_page(browser, demo_server) as page:
        sign_in(page, "thanhvien3")
        open_sample_meeting(page)
        page.get_by_role("link", name=VI["nav.meetings"]).click()
        expect(page.get_by_test_id("meeting-link").first).to_be_visible()

        page.context.set_offline(True)
        page.get_by_test_id("meeting-link").first.click()
        expect(page.get_by_test_id("offline")).to_be_visible()
        expect(page.get_by_test_id("agenda-item").filter(has_text=SAMPLE_ITEM)).to_be_visible()
        page.get_by_test_id("lang-en").click()
        expect(page.get_by_role("heading", name=EN["agenda.title"])).to_be_visible()
        page.get_by_test_id("lang-vi").click()
        expect(page.get_by_role("heading", name=VI["agenda.title"])).to_be_visible()

        page.context.set_offline(False)
        page.get_by_role("link", name=VI["nav.meetings"]).click()
        expect(page.get_by_test_id("offline")).to_be_hidden()


def test_agenda_moves_list_every_item_parents_first(browser: Any, demo_server: LiveServer) -> None:
    """The reordering functions give every item once, each parent before its children, and refuse impossible moves."""
    with browser_page(browser, demo_server) as page:
        page.goto("/")
        moves = page.evaluate(
            """async () => {
              const m = await import("/static/agenda-order.js");
              // 1 (with 2 under it), 3, 4
              const flat = [{ id: 1, parent_id: null }, { id: 2, parent_id: 1 }, { id: 3, parent_id: null },
                { id: 4, parent_id: null }];
              // 1 > 2 > 5, and 3 > 6: three levels are the most
              const deep = [{ id: 1, parent_id: null }, { id: 2, parent_id: 1 }, { id: 5, parent_id: 2 },
                { id: 3, parent_id: null }, { id: 6, parent_id: 3 }];
              return {
                down: m.moveAmongSiblings(flat, 1, 1),
                firstUp: m.moveAmongSiblings(flat, 1, -1),
                indent: m.indent(flat, 3),
                outdent: m.outdent(flat, 2),
                after: m.moveAfter(flat, 4, 1),
                intoItself: m.moveBefore(flat, 1, 2),
                nowhere: m.moveAfter(flat, 3, 1),
                tooDeep: m.moveBefore(deep, 3, 5),
                deepLeaf: m.moveAfter(deep, 6, 5),
              };
            }"""
        )

    def order(*pairs: tuple[int, int | None]) -> list[dict[str, int | None]]:
        return [{"id": i, "parent_id": p} for i, p in pairs]

    assert moves["down"] == order((3, None), (1, None), (2, 1), (4, None))
    assert moves["firstUp"] is None
    assert moves["indent"] == order((1, None), (2, 1), (3, 1), (4, None))
    assert moves["outdent"] == order((1, None), (2, None), (3, None), (4, None))
    assert moves["after"] == order((1, None), (2, 1), (4, None), (3, None))
    assert moves["intoItself"] is None
    assert moves["nowhere"] is None
    assert moves["tooDeep"] is None
    assert moves["deepLeaf"] == order((1, None), (2, 1), (5, 2), (6, 2), (3, None))


def test_the_quorum_basis_follows_the_language(browser: Any, demo_server: LiveServer) -> None:
    """The legal basis of the quorum reads in Vietnamese, and in English after the switch."""
    with browser_page(browser, demo_server) as page:
        sign_in(page, "thanhvien5")
        open_sample_meeting(page)
        expect(page.get_by_test_id("quorum")).to_contain_text("hai phần ba tổng số thành viên")
        page.get_by_test_id("lang-en").click()
        expect(page.get_by_test_id("quorum")).to_contain_text("at least two thirds of all its members")
