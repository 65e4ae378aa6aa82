"""The UI in real headless Chromium against a real server with the sample meeting."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import LiveServer

VI = json.loads((Path(__file__).resolve().parents[2] / "static" / "i18n" / "vi.json").read_text(encoding="utf-8"))
EN = json.loads((Path(__file__).resolve().parents[2] / "static" / "i18n" / "en.json").read_text(encoding="utf-8"))


@pytest.fixture
def page(browser: Any, demo_server: LiveServer) -> Iterator[Page]:
    """A fresh browser context (no cookies, no stored language) at tablet size, failing on script errors."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, base_url=demo_server.url)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert errors == []


def sign_in(page: Page, login: str) -> None:
    page.goto("/")
    page.get_by_test_id("signin-login").fill(login)
    page.get_by_test_id("signin-password").fill("demo")
    page.get_by_test_id("signin-submit").click()
    expect(page.get_by_test_id("meeting-list")).to_be_visible()


def item_titles(page: Page) -> list[str]:
    return [t.strip() for t in page.get_by_test_id("item-title").evaluate_all("els => els.map(e => e.value)")]


def test_the_secretary_builds_and_reorders_an_agenda(page: Page) -> None:
    """The secretary signs in, creates a meeting, adds two items, swaps them with the arrows, and signs out."""
    sign_in(page, "thuky")
    page.get_by_test_id("new-meeting").click()
    page.get_by_test_id("meeting-kind").select_option("thematic")
    page.get_by_test_id("meeting-title").fill("Họp chuyên đề về quy hoạch đô thị")
    page.get_by_test_id("meeting-starts-at").fill("2026-12-15T14:00")
    page.get_by_test_id("meeting-place").fill("Phòng họp số 3")
    page.get_by_test_id("meeting-save").click()
    expect(page).to_have_url(re.compile(r"#/meetings/\d+/edit$"))

    for title in ("Báo cáo hiện trạng", "Thảo luận và kết luận"):
        page.get_by_test_id("add-item-title").fill(title)
        page.get_by_test_id("add-item-submit").click()
        expect(page.get_by_test_id("agenda-item").filter(has=page.locator(f"input[value='{title}']"))).to_have_count(1)
    assert item_titles(page) == ["Báo cáo hiện trạng", "Thảo luận và kết luận"]

    page.get_by_test_id("agenda-item").nth(1).get_by_test_id("item-up").click()
    expect(page.get_by_test_id("item-title").first).to_have_value("Thảo luận và kết luận")
    assert item_titles(page) == ["Thảo luận và kết luận", "Báo cáo hiện trạng"]

    page.reload()
    expect(page.get_by_test_id("item-title").first).to_have_value("Thảo luận và kết luận")
    page.get_by_test_id("view-meeting").click()
    numbers = page.get_by_test_id("agenda-item").locator(".item-number")
    expect(numbers).to_have_text(["1", "2"])

    page.get_by_test_id("signout").click()
    expect(page.get_by_test_id("signin-login")).to_be_visible()
    page.goto("/#/")
    expect(page.get_by_test_id("signin-login")).to_be_visible()


def test_a_member_reads_the_agenda_in_vietnamese_then_english(page: Page) -> None:
    """A member on a 1280×800 tablet sees the sample meeting's agenda in Vietnamese, and English on the switch."""
    sign_in(page, "thanhvien1")
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    page.get_by_test_id("meeting-link").first.click()
    expect(page.get_by_role("heading", name=VI["agenda.title"])).to_be_visible()
    expect(page.get_by_text("Kế hoạch chuyển đổi số của Thành phố năm 2027")).to_be_visible()
    expect(page.get_by_test_id("agenda-item").first.locator(".item-number")).to_have_text("1")
    expect(page.get_by_test_id("quorum")).to_contain_text(VI["quorum.notMet"])
    assert page.get_by_test_id("edit-meeting").count() == 0

    page.get_by_test_id("lang-en").click()
    expect(page.get_by_role("heading", name=EN["agenda.title"])).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "en")


def test_a_member_checks_in_on_the_tablet(page: Page) -> None:
    """Tapping Check in marks the member present and raises the attendance count."""
    sign_in(page, "thanhvien2")
    page.get_by_test_id("meeting-link").first.click()
    page.get_by_test_id("checkin").click()
    expect(page.get_by_test_id("quorum")).to_contain_text("1/10")
    expect(page.get_by_test_id("checkin")).to_have_count(0)


def test_a_refused_action_shows_the_reason(page: Page) -> None:
    """Scheduling a meeting without a chair shows the server's reason, in the UI's language."""
    sign_in(page, "thuky")
    page.get_by_test_id("new-meeting").click()
    page.get_by_test_id("meeting-title").fill("Cuộc họp thiếu chủ tọa")
    page.get_by_test_id("meeting-save").click()
    page.get_by_test_id("transition-scheduled").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "cần có: thời gian bắt đầu, ít nhất một nội dung trong chương trình, chủ tọa"
    )


def test_the_secretary_nests_and_drags_agenda_items(page: Page) -> None:
    """An item is made a sub-item with the indent button, and another is dragged to the top."""
    sign_in(page, "thuky")
    page.get_by_test_id("new-meeting").click()
    page.get_by_test_id("meeting-title").fill("Họp giao ban chuyển đổi số")
    page.get_by_test_id("meeting-save").click()
    for title in ("Khai mạc", "Báo cáo", "Kết luận"):
        page.get_by_test_id("add-item-title").fill(title)
        page.get_by_test_id("add-item-submit").click()
        expect(page.locator(f"input[value='{title}']")).to_have_count(1)

    page.get_by_test_id("agenda-item").nth(1).get_by_test_id("item-indent").click()
    numbers = page.get_by_test_id("agenda-item").locator(".item-number")
    expect(numbers).to_have_text(["1", "1.1", "2"])

    page.get_by_test_id("agenda-item").nth(2).drag_to(page.get_by_test_id("agenda-item").nth(0))
    expect(page.get_by_test_id("item-title").first).to_have_value("Kết luận")
    expect(numbers).to_have_text(["1", "2", "2.1"])
