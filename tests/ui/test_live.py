"""Live updates in Chromium: two people in one meeting, one edits, the other sees it without reloading."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page, expect

from tests.conftest import LiveServer
from tests.ui.test_browser import DESKTOP, SAMPLE_ITEM, VI, browser_page, my_row, open_sample_meeting, sign_in


def _open_editor(page: Page) -> None:
    open_sample_meeting(page)
    page.get_by_test_id("edit-meeting").click()
    expect(page.locator(f"[data-testid='item-title'][value='{SAMPLE_ITEM}']")).to_have_count(1)


def _mark(page: Page) -> None:
    # A page that reloads loses this mark: the test checks that updates arrive without a reload.
    page.evaluate("window.__notReloaded = true")


def _not_reloaded(page: Page) -> bool:
    return bool(page.evaluate("window.__notReloaded === true"))


def test_a_renamed_item_shows_on_the_members_page_without_reload(browser: Any, fresh_server: LiveServer) -> None:
    """The secretary renames an agenda item in the editor; the member's meeting page shows the new title."""
    with browser_page(browser, fresh_server, DESKTOP) as secretary, browser_page(browser, fresh_server) as member:
        sign_in(member, "thanhvien1")
        open_sample_meeting(member)
        _mark(member)
        sign_in(secretary, "thuky")
        _open_editor(secretary)

        title = secretary.locator(f"[data-testid='item-title'][value='{SAMPLE_ITEM}']")
        title.fill("Kế hoạch chuyển đổi số năm 2027 (bản sửa)")
        title.press("Enter")
        expect(member.get_by_text("Kế hoạch chuyển đổi số năm 2027 (bản sửa)")).to_be_visible()
        expect(member.get_by_text(SAMPLE_ITEM, exact=True)).to_have_count(0)
        assert _not_reloaded(member)


def test_a_member_who_drops_offline_catches_up(browser: Any, fresh_server: LiveServer) -> None:
    """The member's network drops while the secretary adds an item; after reconnecting, the member sees it."""
    with browser_page(browser, fresh_server, DESKTOP) as secretary, browser_page(browser, fresh_server) as member:
        sign_in(member, "thanhvien2")
        open_sample_meeting(member)
        _mark(member)
        sign_in(secretary, "thuky")
        _open_editor(secretary)

        member.context.set_offline(True)
        expect(member.get_by_test_id("live-status")).to_have_text(VI["live.reconnecting"])
        secretary.get_by_test_id("add-item-title").fill("Báo cáo tình hình kinh tế - xã hội quý IV")
        secretary.get_by_test_id("add-item-submit").click()
        expect(
            secretary.locator("[data-testid='item-title'][value='Báo cáo tình hình kinh tế - xã hội quý IV']")
        ).to_have_count(1)
        expect(member.get_by_text("Báo cáo tình hình kinh tế - xã hội quý IV")).to_have_count(0)

        member.context.set_offline(False)
        expect(member.get_by_text("Báo cáo tình hình kinh tế - xã hội quý IV")).to_be_visible(timeout=20_000)
        expect(member.get_by_test_id("live-status")).to_be_hidden()
        assert _not_reloaded(member)


def test_check_in_and_presence_show_on_the_chairs_console(browser: Any, fresh_server: LiveServer) -> None:
    """The chair sees a member come online and check in, live, and go offline when they leave."""
    with browser_page(browser, fresh_server) as chair, browser_page(browser, fresh_server) as member:
        sign_in(chair, "chutich")
        open_sample_meeting(chair)
        expect(chair.get_by_test_id("presence")).to_be_visible()
        row = my_row(chair, "Đỗ Mạnh Cường")
        expect(row.get_by_test_id("online")).to_have_count(0)

        sign_in(member, "thanhvien3")
        open_sample_meeting(member)
        expect(row.get_by_test_id("online")).to_have_count(1)
        expect(chair.get_by_test_id("presence-name").filter(has_text="Đỗ Mạnh Cường")).to_have_count(1)

        my_row(member, "Đỗ Mạnh Cường").get_by_test_id("checkin").click()
        expect(row.get_by_test_id("attendance")).to_contain_text(VI["attendance.present"])

        member.get_by_test_id("signout").click()
        expect(row.get_by_test_id("online")).to_have_count(0)


def test_the_chair_takes_up_an_item_on_every_tablet(browser: Any, fresh_server: LiveServer) -> None:
    """In a live meeting the chair moves to an item; the member's agenda marks it current at once."""
    with browser_page(browser, fresh_server) as chair, browser_page(browser, fresh_server) as member:
        sign_in(chair, "chutich")
        open_sample_meeting(chair)
        chair.get_by_test_id("transition-live").click()
        sign_in(member, "thanhvien4")
        open_sample_meeting(member)
        expect(member.get_by_test_id("take-up")).to_have_count(0)  # members do not lead the meeting
        _mark(member)

        item = chair.get_by_test_id("agenda-item").filter(has_text=SAMPLE_ITEM)
        item.get_by_test_id("take-up").click()
        on_member = member.get_by_test_id("agenda-item").filter(has_text=SAMPLE_ITEM)
        expect(on_member).to_contain_text(VI["itemStatus.current"])
        expect(item.get_by_test_id("take-up")).to_have_count(0)
        assert _not_reloaded(member)
