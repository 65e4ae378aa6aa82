"""The online briefing in Chromium: a remote site's browser (fake camera and microphone) joins the bridge and sees and
hears city hall, an aiortc peer signed in as the chair; the secretary starts the briefing and takes the roll call in
another browser, live as the site joins and leaves. And city hall in Chromium too, connecting after a site: each
site's picture plays there under the site's name, and city hall's plays at the site under the chair's."""

from __future__ import annotations

import asyncio
import re
import threading
from collections.abc import Iterator
from contextlib import ExitStack
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect

from tests import pdf_samples
from tests.api.test_documents import uploaded
from tests.api.test_meetings import sample_id
from tests.conftest import Client, LiveServer, chromium, make_settings, serving
from tests.realtime.conftest import cookie_of
from tests.rtc_peers import SignalingPeer
from tests.ui.test_browser import SAMPLE_ITEM, SAMPLE_TITLE, VI, secretary
from tests.ui.test_floor import live_on_the_item, tablet

# Media through a real bridge on a two-core machine: generous, never a measure of speed.
MEDIA_MS = 60_000
HALL_BASE = 3000
REASON = "Đồng chí Chủ tịch phường đi công tác tại tỉnh"
WARD = {"diemcau1": "Phường Hoàn Kiếm", "diemcau2": "Phường Ba Đình"}

FRAMES = """(video) => ({ frames: video.getVideoPlaybackQuality().totalVideoFrames, time: video.currentTime,
  width: video.videoWidth })"""


@pytest.fixture(scope="module")
def media_browser(playwright_driver: Any) -> Iterator[Any]:
    """Chromium whose camera and microphone are fake devices, granted without asking."""
    yield from chromium(playwright_driver, "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream")


class Hall:
    """City hall as an aiortc peer signed in as the chair, run on an event loop of its own thread."""

    def __init__(self, server: LiveServer) -> None:
        self.client = Client(base_url=server.url, timeout=30, trust_env=False).sign_in("chutich")
        self.user_id = int(self.client.get("/api/me").json()["user"]["id"])
        self.meeting_id = sample_id(self.client)
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.peer = self.run(self._make(server.url))

    async def _make(self, url: str) -> SignalingPeer:
        return SignalingPeer(url, cookie_of(self.client), self.meeting_id, HALL_BASE)

    def run(self, coroutine: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout=60)

    def join(self) -> None:
        self.run(self.peer.connect(self.user_id))
        answer = self.run(self.peer.join())
        assert answer["op"] == "ack", answer

    def frames(self) -> int:
        """Video frames decoded from the sites (a browser's camera carries no counter to read)."""
        return sum(len(counters) for counters in list(self.peer.received.counters.values()))

    def close(self) -> None:
        self.run(self.peer.close())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
        self.loop.close()
        self.client.close()


def advancing(page: Page, video: Locator) -> None:
    """The <video> shows frames and its clock runs."""
    video.wait_for(state="visible", timeout=MEDIA_MS)
    before = video.evaluate(FRAMES)
    page.wait_for_function(
        """([v, frames, time]) => v.isConnected && v.getVideoPlaybackQuality().totalVideoFrames > frames + 10
          && v.currentTime > time + 0.5""",
        arg=[video.element_handle(), before["frames"], before["time"]],
        timeout=MEDIA_MS,
    )
    after = video.evaluate(FRAMES)
    assert after["width"] > 0, after


def tile_of(page: Page, peer_id: int) -> Locator:
    """The picture showing what `peer_id` sends."""
    return page.locator(f"[data-testid=briefing-tile][data-peer-id='{peer_id}']:not([hidden])")


def site_row(page: Page, login: str) -> Any:
    return page.get_by_test_id("roll-site").filter(has_text=WARD[login])


def test_a_site_sees_city_hall_and_the_secretary_takes_the_roll_call(
    media_browser: Any, fresh_server: LiveServer
) -> None:
    """The secretary starts the briefing; a site joins by itself, sees and hears city hall, city hall receives the
    site's camera; the site turns present in the roll call live, and an absent site is excused with its reason."""
    live_on_the_item(fresh_server)
    with secretary(fresh_server) as c:
        item = c.get(f"/api/meetings/{sample_id(c)}/items").json()[0]["id"]
        paper = uploaded(c, item, "To-trinh.pdf", pdf_samples.paper(pages=3))
    with ExitStack() as stack:
        # The secretary at city hall: the briefing is not running yet; she starts it from its page.
        clerk = stack.enter_context(tablet(media_browser, fresh_server, "thuky"))
        clerk.get_by_test_id("meeting-link").filter(has_text=SAMPLE_TITLE).click()
        clerk.get_by_test_id("open-briefing").click()
        expect(clerk.get_by_test_id("briefing-hall")).to_be_visible()
        expect(clerk.get_by_test_id("briefing-connection")).to_have_text(VI["briefing.link.waiting"])
        expect(site_row(clerk, "diemcau1").get_by_test_id("roll-status")).to_have_text(VI["briefing.roll.expected"])
        clerk.get_by_test_id("briefing-start").click()
        expect(clerk.get_by_test_id("briefing-end")).to_be_visible()
        expect(clerk.get_by_test_id("briefing-start")).to_be_hidden()

        # City hall's camera and microphone: the chair's aiortc peer, in the room before the wards.
        hall = Hall(fresh_server)
        stack.callback(hall.close)
        hall.join()

        # The ward's official opens the meeting from the list and lands in the briefing, which it joins by itself.
        site = stack.enter_context(tablet(media_browser, fresh_server, "diemcau1"))
        site.get_by_test_id("meeting-link").filter(has_text=SAMPLE_TITLE).click()
        expect(site.get_by_test_id("briefing-site")).to_be_visible()
        expect(site.get_by_test_id("briefing-current-item")).to_contain_text(SAMPLE_ITEM)
        expect(site.get_by_test_id("briefing-connection")).to_have_text(VI["briefing.link.connected"], timeout=MEDIA_MS)

        # City hall's picture plays at the site, and the site's own camera shows small.
        advancing(site, site.locator("[data-testid=briefing-tile]:not([hidden]) video").first)
        expect(site.get_by_test_id("briefing-notice")).to_be_hidden()
        assert site.get_by_test_id("briefing-self-video").evaluate(FRAMES)["frames"] > 0
        # City hall's sound arrives as a track of its own.
        expect(site.get_by_test_id("briefing-remote-audio")).to_have_count(1, timeout=MEDIA_MS)

        # City hall receives the site's camera through the bridge, decoded.
        decoded = 0
        for _ in range(MEDIA_MS // 500):
            decoded = hall.frames()
            if decoded > 0:
                break
            site.wait_for_timeout(500)
        assert decoded > 0, "city hall decoded no frame of the site's camera"

        # The chair presents page 2 of the paper: the site shows that page's image beside the video (through the
        # meeting's channel, not the video).
        presented = hall.run(hall.peer.act("presenter.page", {"document_id": paper["id"], "page": 2}))
        assert presented["op"] == "ack", presented
        shown = site.get_by_test_id("briefing-page")
        expect(shown).to_have_attribute("data-page", "2")
        expect(shown).to_have_attribute("data-document-id", str(paper["id"]))
        expect(site.get_by_test_id("briefing-page-image")).to_be_visible()
        site.wait_for_function("() => document.querySelector('[data-testid=briefing-page-image]').naturalWidth > 0")

        # The roll call at city hall turns live: the site joined (marked by the bridge), its dot is on.
        row = site_row(clerk, "diemcau1")
        expect(row.get_by_test_id("roll-status")).to_have_text(VI["briefing.roll.present"], timeout=MEDIA_MS)
        expect(row).to_have_attribute("data-connected", "true", timeout=MEDIA_MS)
        expect(row.get_by_test_id("roll-by")).to_contain_text(re.compile(r"Tự ghi khi vào cầu"))

        # The secretary excuses Phường Ba Đình with its reason; the server has it.
        other = site_row(clerk, "diemcau2")
        other.get_by_test_id("roll-excused").click()
        clerk.get_by_test_id("roll-reason").fill(REASON)
        clerk.get_by_test_id("roll-reason-save").click()
        expect(other.get_by_test_id("roll-status")).to_have_text(VI["briefing.roll.excused"])
        expect(other.get_by_test_id("roll-reason-text")).to_have_text(VI["briefing.roll.because"].format(reason=REASON))
        expect(clerk.get_by_test_id("roll-counts")).to_contain_text("Đã vào 1/3")
        with secretary(fresh_server) as c:
            briefing = c.get(f"/api/meetings/{sample_id(c)}/briefing").json()
        marks = {s["unit_name"]: s for s in briefing["sites"]}
        assert briefing["started"] is True
        assert (marks[WARD["diemcau2"]]["status"], marks[WARD["diemcau2"]]["reason"]) == ("excused", REASON)
        assert marks[WARD["diemcau2"]]["recorded_by"] == "Nguyễn Thị Minh Thư"
        assert (marks[WARD["diemcau1"]]["status"], marks[WARD["diemcau1"]]["recorded_by"]) == ("present", None)
        assert marks[WARD["diemcau1"]]["connected"] is True

        site.screenshot(path="/tmp/briefing-site.png")
        clerk.screenshot(path="/tmp/briefing-hall-roll-call.png")

        # The site leaves the briefing for the meeting page: the bridge hears it and the secretary's dot goes off.
        site.get_by_test_id("briefing-back").click()
        expect(site.get_by_test_id("meeting-heading")).to_have_text(SAMPLE_TITLE)
        expect(row).to_have_attribute("data-connected", "false", timeout=MEDIA_MS)
        expect(row.get_by_test_id("roll-status")).to_have_text(VI["briefing.roll.present"])


def land_in_briefing(page: Page) -> None:
    """A ward's laptop opens the sample meeting, lands in the briefing and connects by itself."""
    page.get_by_test_id("meeting-link").filter(has_text=SAMPLE_TITLE).click()
    expect(page.get_by_test_id("briefing-site")).to_be_visible()
    expect(page.get_by_test_id("briefing-connection")).to_have_text(VI["briefing.link.connected"], timeout=MEDIA_MS)


def test_city_hall_joining_after_the_sites_sees_each_named(media_browser: Any, fresh_server: LiveServer) -> None:
    """A site already in the briefing when the chair connects city hall's camera: city hall plays the site's picture
    named after the site, the site plays city hall's named after the chair, and a site joining later shows beside the
    first under its own name."""
    live_on_the_item(fresh_server)
    with secretary(fresh_server) as c:
        meeting_id = sample_id(c)
        started = c.post(f"/api/meetings/{meeting_id}/briefing", json={})
        assert started.status_code == 200, started.text
        briefing = started.json()
    wards = {s["unit_name"]: s for s in briefing["sites"]}
    first, second = wards[WARD["diemcau1"]], wards[WARD["diemcau2"]]
    chair = next(p for p in briefing["hall"] if p["role"] == "chair")
    with ExitStack() as stack:
        # Phường Hoàn Kiếm is in the briefing first, sending its camera to a room with no one to see it yet.
        site = stack.enter_context(tablet(media_browser, fresh_server, "diemcau1"))
        land_in_briefing(site)
        expect(site.get_by_test_id("briefing-notice")).to_have_text(VI["briefing.wait.hall"])

        # The chair opens city hall's view and connects the room's camera.
        hall = stack.enter_context(tablet(media_browser, fresh_server, "chutich"))
        hall.get_by_test_id("meeting-link").filter(has_text=SAMPLE_TITLE).click()
        hall.get_by_test_id("open-briefing").click()
        expect(hall.get_by_test_id("briefing-hall")).to_be_visible()
        expect(hall.get_by_test_id("briefing-connect")).to_have_text(VI["briefing.connect"])
        hall.get_by_test_id("briefing-connect").click()
        expect(hall.get_by_test_id("briefing-connection")).to_have_text(VI["briefing.link.connected"], timeout=MEDIA_MS)

        # The site's picture plays at city hall, under the ward's name and its official's.
        tile = tile_of(hall, first["user_id"])
        advancing(hall, tile.locator("video"))
        label = tile.get_by_test_id("briefing-tile-label")
        expect(label).to_contain_text(first["unit_name"])
        expect(label).to_contain_text(first["name"])

        # The bridge offered the site city hall's tracks on the lines already agreed: its picture plays there, named.
        hall_tile = tile_of(site, chair["user_id"])
        advancing(site, hall_tile.locator("video"))
        expect(hall_tile.get_by_test_id("briefing-tile-label")).to_contain_text(chair["name"])
        expect(site.get_by_test_id("briefing-notice")).to_be_hidden()

        # Phường Ba Đình joins later: the bridge offers city hall new lines for it, and city hall shows both, each under
        # its own name.
        late = stack.enter_context(tablet(media_browser, fresh_server, "diemcau2"))
        land_in_briefing(late)
        other = tile_of(hall, second["user_id"])
        advancing(hall, other.locator("video"))
        expect(other.get_by_test_id("briefing-tile-label")).to_contain_text(second["unit_name"])
        expect(hall.locator("[data-testid=briefing-tile]:not([hidden])")).to_have_count(2)
        expect(tile.get_by_test_id("briefing-tile-label")).to_contain_text(first["unit_name"])
        expect(hall.get_by_test_id("briefing-notice")).to_be_hidden()
        hall.screenshot(path="/tmp/briefing-hall-sites.png")


@pytest.fixture
def one_site_shown(sqlite_db: Any, tmp_path: Any) -> Iterator[LiveServer]:
    """A server whose briefings show city hall one site at a time."""
    with serving(make_settings(tmp_path / "data", sqlite_db.url, bridge_hall_videos=1), sqlite_db) as live:
        yield live


# Kept by the test page (an init script): the page's peer connections, and the video packets they have sent.
KEEP_CONNECTIONS = """(() => {
  const Native = window.RTCPeerConnection;
  window.__connections = [];
  window.RTCPeerConnection = function (...args) {
    const made = new Native(...args);
    window.__connections.push(made);
    return made;
  };
  window.RTCPeerConnection.prototype = Native.prototype;
})();"""
VIDEO_PACKETS_SENT = """async () => {
  let sent = 0;
  for (const connection of window.__connections || []) {
    (await connection.getStats()).forEach((s) => {
      if (s.type === "outbound-rtp" && s.kind === "video") sent += s.packetsSent || 0;
    });
  }
  return sent;
}"""


def video_packets_sent(page: Page) -> int:
    return int(page.evaluate(VIDEO_PACKETS_SENT))


def test_a_site_city_hall_is_not_shown_sends_nothing_until_its_turn(
    media_browser: Any, one_site_shown: LiveServer
) -> None:
    """City hall shows one site. A second site's browser is answered lines the bridge does not receive on: it
    sends no video (and still plays city hall) and says city hall is not showing it. When the first leaves, the
    bridge's offer turns the second's lines back on: its browser sends, and it says city hall sees it."""
    server = one_site_shown
    live_on_the_item(server)
    with secretary(server) as c:
        started = c.post(f"/api/meetings/{sample_id(c)}/briefing", json={})
        assert started.status_code == 200, started.text
    with ExitStack() as stack:
        hall = Hall(server)
        stack.callback(hall.close)
        hall.join()
        clerk = stack.enter_context(tablet(media_browser, server, "thuky"))
        clerk.get_by_test_id("meeting-link").filter(has_text=SAMPLE_TITLE).click()
        clerk.get_by_test_id("open-briefing").click()
        expect(clerk.get_by_test_id("briefing-hall")).to_be_visible()
        shown = stack.enter_context(tablet(media_browser, server, "diemcau1"))
        land_in_briefing(shown)
        wall = shown.get_by_test_id("briefing-on-wall")
        expect(wall).to_have_attribute("data-sending", "true", timeout=MEDIA_MS)
        expect(wall).to_have_text(VI["briefing.site.shown"])

        waiting = stack.enter_context(tablet(media_browser, server, "diemcau2"))
        waiting.add_init_script(KEEP_CONNECTIONS)
        waiting.reload()
        land_in_briefing(waiting)
        advancing(waiting, waiting.locator("[data-testid=briefing-tile]:not([hidden]) video").first)
        waiting_wall = waiting.get_by_test_id("briefing-on-wall")
        expect(waiting_wall).to_have_attribute("data-sending", "false", timeout=MEDIA_MS)
        expect(waiting_wall).to_have_text(VI["briefing.site.notShown"])
        # The secretary's roll call says the second site is connected and waiting its turn; the first is not waiting.
        expect(site_row(clerk, "diemcau2").get_by_test_id("roll-waiting")).to_have_text(VI["briefing.roll.waiting"])
        expect(site_row(clerk, "diemcau2")).to_have_attribute("data-connected", "true")
        expect(site_row(clerk, "diemcau1").get_by_test_id("roll-waiting")).to_have_count(0)
        clerk.screenshot(path="/tmp/briefing-hall-waiting.png")
        before = video_packets_sent(waiting)
        waiting.wait_for_timeout(2000)
        assert video_packets_sent(waiting) == before == 0
        waiting.screenshot(path="/tmp/briefing-site-not-shown.png")

        # The first site leaves: the bridge offers the second its lines again; its camera goes out.
        shown.get_by_test_id("briefing-back").click()
        expect(waiting_wall).to_have_attribute("data-sending", "true", timeout=MEDIA_MS)
        expect(waiting_wall).to_have_text(VI["briefing.site.shown"])
        expect(site_row(clerk, "diemcau2").get_by_test_id("roll-waiting")).to_have_count(0, timeout=MEDIA_MS)
        waiting.wait_for_function(f"async () => (await ({VIDEO_PACKETS_SENT})()) > 50", timeout=MEDIA_MS)
        decoded = hall.frames()
        for _ in range(MEDIA_MS // 500):
            if hall.frames() > decoded + 10:
                break
            waiting.wait_for_timeout(500)
        assert hall.frames() > decoded + 10, "city hall decoded nothing of the second site"
