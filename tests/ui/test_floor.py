"""The floor in Chromium: a member asks to speak, the chair gives the floor, every tablet follows the speaker's time,
and the secretary takes the console over when the chair's tablet fails, then hands it back."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

from playwright.sync_api import ConsoleMessage, Page, expect

from tests.api.test_meetings import sample_id
from tests.conftest import LiveServer
from tests.ui.test_browser import EN, SAMPLE_ITEM, SAMPLE_TITLE, TABLET, VI, browser_page, secretary, sign_in

CHAIR = "Trần Quốc Hưng"
SECRETARY = "Nguyễn Thị Minh Thư"
MEMBERS = {"thanhvien1": "Lê Văn Thành", "thanhvien2": "Phạm Thị Thu Hà", "thanhvien3": "Đỗ Mạnh Cường"}
LATE = "Trịnh Minh Đức"
NOTE = "Về nền tảng dữ liệu dùng chung"
# The sample item has 30 minutes; it was taken up a moment ago.
ITEM_TIMER = re.compile(r"^00:\d\d / 30:00$")


def check_in(server: LiveServer, name: str) -> None:
    with secretary(server) as c:
        seat = next(p for p in c.get(f"/api/meetings/{sample_id(c)}/participants").json() if p["name"] == name)
        assert c.post(f"/api/participants/{seat['id']}/checkin", json={}).status_code == 200


def live_on_the_item(server: LiveServer, late: str = "") -> None:
    """The secretary checks in everyone with a vote (but `late`), opens the session and takes up the sample item."""
    with secretary(server) as c:
        mid = sample_id(c)
        for p in c.get(f"/api/meetings/{mid}/participants").json():
            if p["can_vote"] and p["attendance"] != "present" and p["name"] != late:
                assert c.post(f"/api/participants/{p['id']}/checkin", json={}).status_code == 200
        answer = c.post(f"/api/meetings/{mid}/transition", json={"to": "live"})
        assert answer.status_code == 200, answer.text
        item = next(i for i in c.get(f"/api/meetings/{mid}/items").json() if i["title"] == SAMPLE_ITEM)
        answer = c.post(f"/api/items/{item['id']}/current")
        assert answer.status_code == 200, answer.text
        assert answer.json()["started_at"]


@contextmanager
def tablet(browser: Any, server: LiveServer, login: str) -> Iterator[Page]:
    """A signed-in tablet whose console must stay free of errors (bar the sign-in form's own 401 for /api/me)."""
    with browser_page(browser, server, TABLET) as page:
        errors: list[str] = []

        def heard(message: ConsoleMessage) -> None:
            if message.type == "error" and not message.location.get("url", "").endswith("/api/me"):
                errors.append(f"{message.text} ({message.location.get('url')})")

        page.on("console", heard)
        sign_in(page, login)
        yield page
        assert errors == [], errors


def open_meeting(page: Page) -> None:
    """The sample meeting's page (test_browser's helper finds the item's title once; the floor banner shows it too)."""
    page.get_by_test_id("meeting-link").filter(has_text=SAMPLE_TITLE).click()
    expect(page.get_by_test_id("meeting-heading")).to_have_text(SAMPLE_TITLE)
    expect(page.get_by_test_id("floor-item-title")).to_have_text(f"3. {SAMPLE_ITEM}")


def request_row(page: Page, name: str) -> Any:
    return page.get_by_test_id("floor-request").filter(has_text=name)


def seconds(clock: str) -> int:
    minutes, secs = clock.lstrip("−").split(":")
    return int(minutes) * 60 + int(secs)


def test_a_member_asks_to_speak_and_every_tablet_follows_the_floor(browser: Any, fresh_server: LiveServer) -> None:
    """A member asks, the chair sees it live and gives the floor; the member counts down, the room sees who speaks."""
    live_on_the_item(fresh_server)
    with ExitStack() as stack:
        member = stack.enter_context(tablet(browser, fresh_server, "thanhvien1"))
        open_meeting(member)
        chair = stack.enter_context(tablet(browser, fresh_server, "chutich"))
        open_meeting(chair)
        chair.evaluate("window.__notReloaded = true")
        console = chair.get_by_test_id("floor-console")
        expect(console.get_by_test_id("floor-queue-empty")).to_have_text(VI["floor.queueEmpty"])
        expect(console.get_by_test_id("floor-not-spoken")).to_contain_text(MEMBERS["thanhvien1"])
        expect(member.get_by_test_id("floor-console")).to_be_hidden()  # the console is the chair's

        # Asking, taking it back, asking again with a note.
        ask = member.get_by_test_id("floor-ask")
        expect(ask).to_have_text(VI["floor.ask"])
        ask.click()
        expect(member.get_by_test_id("floor-waiting")).to_have_text(VI["floor.waiting"].format(n=1))
        expect(request_row(chair, MEMBERS["thanhvien1"])).to_have_count(1)
        member.get_by_test_id("floor-withdraw").click()
        expect(ask).to_be_visible()
        expect(console.get_by_test_id("floor-queue-empty")).to_be_visible()
        member.get_by_test_id("floor-note").fill(NOTE)
        ask.click()
        expect(member.get_by_test_id("floor-waiting")).to_have_text(VI["floor.waiting"].format(n=1))

        # The chair's queue shows the request without a reload, marked as a first time at the floor.
        row = request_row(chair, MEMBERS["thanhvien1"])
        expect(row.get_by_test_id("floor-first-time")).to_have_text(VI["floor.firstTime"])
        expect(row.get_by_test_id("floor-request-note")).to_have_text(NOTE)
        expect(row).to_contain_text("Thành phố Hà Nội")
        assert chair.evaluate("window.__notReloaded === true")

        # A third tablet, in the reader: the item's time runs, nobody has the floor yet.
        other = stack.enter_context(tablet(browser, fresh_server, "thanhvien2"))
        open_meeting(other)
        other.get_by_test_id("open-pack").click()
        expect(other.get_by_test_id("reader")).to_be_visible()
        expect(other.get_by_test_id("floor-item-title")).to_have_text(f"3. {SAMPLE_ITEM}")
        expect(other.get_by_test_id("floor-item-timer")).to_have_text(ITEM_TIMER)
        expect(other.get_by_test_id("floor-speaker")).to_be_hidden()

        chair.get_by_test_id("floor-limit").select_option("120")
        row.get_by_test_id("floor-grant").click()
        expect(console.get_by_test_id("floor-now-name")).to_have_text(MEMBERS["thanhvien1"])
        expect(console.get_by_test_id("floor-queue-empty")).to_be_visible()
        # He leaves the list of those who have not spoken; the others stay on it.
        expect(console.get_by_test_id("floor-not-spoken")).to_contain_text(MEMBERS["thanhvien2"])
        expect(console.get_by_test_id("floor-not-spoken")).not_to_contain_text(MEMBERS["thanhvien1"])

        # The member speaks: a countdown from the two minutes given, and it moves.
        expect(member.get_by_test_id("floor-speaking")).to_have_text(VI["floor.speaking"])
        countdown = member.get_by_test_id("floor-countdown")
        expect(countdown).to_have_text(re.compile(r"^0[12]:\d\d$"))
        first = countdown.inner_text()
        assert 110 <= seconds(first) <= 120, first
        expect(countdown).not_to_have_text(first)
        assert seconds(countdown.inner_text()) < seconds(first)
        member.screenshot(path="/tmp/floor-member-speaking.png")

        # Everyone else sees who has the floor, with their time against the limit.
        for page in (other, chair):
            expect(page.get_by_test_id("floor-speaker-name")).to_have_text(MEMBERS["thanhvien1"])
            expect(page.get_by_test_id("floor-speaker-unit")).to_have_text("Thành phố Hà Nội")
            expect(page.get_by_test_id("floor-speaker-timer")).to_have_text(re.compile(r"^00:\d\d / 02:00$"))
        expect(other.get_by_test_id("floor-speaker-timer")).to_have_attribute("data-over", "false")
        other.screenshot(path="/tmp/floor-reader-banner.png")
        chair.screenshot(path="/tmp/floor-chair-console.png")

        # The member yields: the speaker leaves every banner; the item's time stays.
        member.get_by_test_id("floor-finish").click()
        for page in (member, chair, other):
            expect(page.get_by_test_id("floor-speaker")).to_be_hidden()
            expect(page.get_by_test_id("floor-item-timer")).to_have_text(ITEM_TIMER)
        expect(ask).to_be_visible()
        expect(console.get_by_test_id("floor-now")).to_have_text(VI["floor.nobodySpeaking"])

        # In English, the button reads in English.
        member.get_by_test_id("lang-en").click()
        expect(member.get_by_test_id("floor-ask")).to_have_text(EN["floor.ask"])
        expect(member.get_by_test_id("floor-item")).to_contain_text(EN["floor.item"])


def test_the_secretary_takes_over_the_console_and_the_chair_takes_it_back(
    browser: Any, fresh_server: LiveServer
) -> None:
    """The secretary takes the console, puts a member who raised a hand in the queue and gives them the floor."""
    live_on_the_item(fresh_server, late=LATE)
    with ExitStack() as stack:
        chair = stack.enter_context(tablet(browser, fresh_server, "chutich"))
        open_meeting(chair)
        clerk = stack.enter_context(tablet(browser, fresh_server, "thuky"))
        open_meeting(clerk)
        member = stack.enter_context(tablet(browser, fresh_server, "thanhvien3"))
        open_meeting(member)

        # Before taking over, the secretary sees the queue but gives no floor.
        desk = clerk.get_by_test_id("floor-console")
        holder = desk.get_by_test_id("floor-holder")
        expect(holder).to_have_text(VI["floor.heldByChair"].format(name=CHAIR))
        expect(desk.get_by_test_id("floor-add")).to_be_hidden()
        # A member arriving late joins the list of those who have not spoken.
        not_spoken = desk.get_by_test_id("floor-not-spoken")
        expect(not_spoken).to_contain_text(MEMBERS["thanhvien3"])
        expect(not_spoken).not_to_contain_text(LATE)
        check_in(fresh_server, LATE)
        expect(not_spoken).to_contain_text(LATE)
        desk.get_by_test_id("floor-take-over").click()
        expect(holder).to_have_attribute("data-holder", "secretary")
        expect(holder).to_contain_text(SECRETARY)

        # The chair's console says who holds it, and offers to take it back instead of giving the floor.
        chair_desk = chair.get_by_test_id("floor-console")
        expect(chair_desk.get_by_test_id("floor-holder")).to_contain_text(SECRETARY)
        expect(chair_desk.get_by_test_id("floor-holder")).to_have_attribute("data-holder", "secretary")
        expect(chair_desk.get_by_test_id("floor-take-back")).to_have_text(VI["floor.takeBack"])

        # Đỗ Mạnh Cường raised a hand in the room: the secretary puts him in the queue and gives him the floor.
        desk.get_by_test_id("floor-add-who").select_option(label=f"{MEMBERS['thanhvien3']} — {VI['role.member']}")
        desk.get_by_test_id("floor-add").click()
        row = request_row(clerk, MEMBERS["thanhvien3"])
        expect(row.get_by_test_id("floor-first-time")).to_be_visible()
        expect(member.get_by_test_id("floor-waiting")).to_have_text(VI["floor.waiting"].format(n=1))
        expect(request_row(chair, MEMBERS["thanhvien3"]).get_by_test_id("floor-grant")).to_have_count(0)
        row.get_by_test_id("floor-grant").click()
        expect(member.get_by_test_id("floor-speaking")).to_be_visible()
        expect(member.get_by_test_id("floor-countdown")).to_have_text(re.compile(r"^0[23]:\d\d$"))  # the default 3 min
        expect(chair.get_by_test_id("floor-speaker-name")).to_have_text(MEMBERS["thanhvien3"])
        chair.screenshot(path="/tmp/floor-chair-secretary-holds.png")

        # The chair takes the console back: the secretary's buttons go, the chair ends the turn.
        chair_desk.get_by_test_id("floor-take-back").click()
        expect(holder).to_have_attribute("data-holder", "chair")
        expect(desk.get_by_test_id("floor-take-over")).to_be_visible()
        expect(desk.get_by_test_id("floor-end")).to_have_count(0)
        expect(chair_desk.get_by_test_id("floor-holder")).to_have_text(VI["floor.heldByChair"].format(name=CHAIR))
        chair_desk.get_by_test_id("floor-end").click()
        for page in (chair, clerk, member):
            expect(page.get_by_test_id("floor-speaker")).to_be_hidden()
        expect(member.get_by_test_id("floor-ask")).to_be_visible()
