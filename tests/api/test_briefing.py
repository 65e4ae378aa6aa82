"""The online briefing over the real server: starting it, signaling over the websocket with aiortc peers (in this
process and in another), the roll call, and every refusal changing nothing."""

from __future__ import annotations

import asyncio
import functools
import json
import subprocess
import sys
import time
from typing import Any

import sqlalchemy as sa

from ecabinet.models import ParticipantRole
from tests import rtc_peers
from tests.api.test_meetings import sample_id
from tests.api.test_votes import add_voters
from tests.conftest import LiveServer, error_of, snapshot
from tests.realtime.conftest import cookie_of
from tests.rtc_peers import SignalingPeer

WAIT_SECS = 90.0
until = functools.partial(rtc_peers.until, secs=WAIT_SECS)
in_order_from = functools.partial(rtc_peers.in_order_from, span=1000)
HALL_BASE = 1000


def live_briefing(secretary: Any) -> int:
    mid = sample_id(secretary)
    assert secretary.post(f"/api/meetings/{mid}/transition", json={"to": "live"}).status_code == 200
    started = secretary.post(f"/api/meetings/{mid}/briefing", json={})
    assert started.status_code == 200 and started.json()["started"], started.text
    return mid


def me(c: Any) -> int:
    return int(c.get("/api/me").json()["user"]["id"])


def test_city_hall_and_five_sites_see_and_hear_each_other_through_the_bridge(server: LiveServer, client: Any) -> None:
    """The chair (city hall) and five sites, one of them in a process of its own, join over the websocket: each
    site decodes city hall's frames and hears it, city hall decodes all five sites, every counter as drawn;
    the sites that joined are marked present in the roll call; when they leave, no one is connected."""
    secretary = client("thuky")
    mid = live_briefing(secretary)
    extra = add_voters(server.db, mid, 2, ParticipantRole.site, prefix="phuong")
    hall_client = client("chutich")
    site_clients = [client(login) for login in ("diemcau1", "diemcau2", "diemcau3", *extra)]
    alone = site_clients.pop()
    other = subprocess.Popen(
        [sys.executable, "-m", "tests.rtc_peers", server.url, cookie_of(alone), str(mid), str(me(alone)), "6000", "25"],
        stdout=subprocess.PIPE,
        text=True,
    )

    async def scenario() -> None:
        hall = SignalingPeer(server.url, cookie_of(hall_client), mid, HALL_BASE)
        await hall.connect(me(hall_client))
        assert (await hall.join())["op"] == "ack"
        sites = [SignalingPeer(server.url, cookie_of(c), mid, 2000 + 1000 * i) for i, c in enumerate(site_clients)]
        for site, c in zip(sites, site_clients, strict=True):
            await site.connect(me(c))
            answer = await site.join()
            assert answer["op"] == "ack" and answer["data"]["type"] == "answer", answer

        def enough() -> bool:
            hall_tracks = [c for c in hall.received.counters.values() if len(c) >= 10]
            return len(hall_tracks) == 5 and all(
                len(next(iter(s.received.counters.values()), [])) >= 20 and s.received.audio > 0 for s in sites
            )

        await until(enough, "city hall and the sites receiving each other")
        for site in sites:
            (counters,) = site.received.counters.values()
            assert in_order_from(counters, HALL_BASE), counters[:10]
        bases = sorted(min(c) // 1000 * 1000 for c in hall.received.counters.values())
        assert bases == [2000, 3000, 4000, 5000, 6000]
        for counters in hall.received.counters.values():
            assert in_order_from(counters, min(counters) // 1000 * 1000)
        assert hall.offers >= 1  # the sites reached city hall by the bridge's own offers on its user channel

        state = secretary.get(f"/api/meetings/{mid}/briefing").json()
        assert [s["status"] for s in state["sites"]] == ["present"] * 5
        assert all(s["recorded_by"] is None for s in state["sites"])
        assert [h["connected"] for h in state["hall"] if h["role"] == "chair"] == [True]

        for peer in (*sites, hall):
            assert (await peer.act("rtc.leave", {"meeting_id": mid}))["op"] == "ack"
            await peer.close()

    try:
        asyncio.run(scenario())
        output, _ = other.communicate(timeout=WAIT_SECS)
    finally:
        other.kill()
    result = json.loads(output)
    assert result["joined"] == "ack"
    (counters,) = result["counters"].values()
    assert len(counters) >= 20 and in_order_from(counters, HALL_BASE) and result["audio"] > 0
    deadline = time.monotonic() + WAIT_SECS
    while any(s["connected"] for s in secretary.get(f"/api/meetings/{mid}/briefing").json()["sites"]):
        assert time.monotonic() < deadline, "a site still connected after leaving"
        time.sleep(0.2)


def test_who_may_start_join_and_take_the_roll_and_bad_signaling_changes_nothing(
    server: LiveServer, client: Any
) -> None:
    """A member may not start the briefing or join its video (403); nothing joins before it starts (409);
    malformed descriptions and candidates are 422 and leave no peer; the roll call needs the secretary, a site of
    this meeting and a reason for an excused absence; the event reaches the briefing's channel."""
    secretary, member = client("thuky"), client("thanhvien1")
    mid = sample_id(secretary)
    assert error_of(secretary.post(f"/api/meetings/{mid}/briefing", json={}))["status"] == 409  # not live yet
    assert secretary.post(f"/api/meetings/{mid}/transition", json={"to": "live"}).status_code == 200
    site = client("diemcau1")

    async def refused_before_start() -> None:
        peer = SignalingPeer(server.url, cookie_of(site), mid, 1)
        await peer.connect(me(site))
        answer = await peer.join()
        assert answer["op"] == "error" and answer["status"] == 409, answer
        await peer.close()

    asyncio.run(refused_before_start())
    assert error_of(member.post(f"/api/meetings/{mid}/briefing", json={}))["status"] == 403
    assert secretary.post(f"/api/meetings/{mid}/briefing", json={}).json()["started"]
    before = snapshot(server.db)

    async def refusals() -> None:
        for who, data, status in [
            (member, None, 403),
            (site, {"sdp": "v=0 but nothing more", "type": "offer"}, 422),
            (site, {"sdp": "x" * 61_000, "type": "offer"}, 422),  # over the 60,000 an SDP may have
            (site, {"sdp": "v=0\r\n", "type": "answer"}, 422),
        ]:
            peer = SignalingPeer(server.url, cookie_of(who), mid, 1)
            await peer.connect(me(who))
            if data is None:
                answer = await peer.join()
            else:
                answer = await peer.act("rtc.offer", {"meeting_id": mid, **data})
            assert answer["op"] == "error", answer
            if status is not None:
                assert answer["status"] == status, answer
            candidate = {"meeting_id": mid, "candidate": {"candidate": "candidate:garbage"}}
            assert (await peer.act("rtc.candidate", candidate))["status"] == 422
            assert (await peer.act("rtc.answer", {"meeting_id": mid, "sdp": "v=0\r\nx", "type": "answer"}))["op"] == (
                "error"
            )
            await peer.close()

    asyncio.run(refusals())
    assert snapshot(server.db) == before
    assert not any(s["connected"] for s in secretary.get(f"/api/meetings/{mid}/briefing").json()["sites"])

    sites = secretary.get(f"/api/meetings/{mid}/briefing").json()["sites"]
    second = next(s["user_id"] for s in sites if s["name"] and s["user_id"] != me(site))
    roll = f"/api/meetings/{mid}/briefing/sites/{second}"
    assert error_of(secretary.put(roll, json={"status": "excused"}))["status"] == 422
    assert error_of(member.put(roll, json={"status": "absent"}))["status"] == 403
    assert (
        error_of(secretary.put(f"/api/meetings/{mid}/briefing/sites/{me(member)}", json={"status": "absent"}))["status"]
        == 404
    )
    marked = secretary.put(roll, json={"status": "excused", "reason": "Mất điện tại trụ sở phường"}).json()
    row = next(s for s in marked["sites"] if s["user_id"] == second)
    secretary_name = secretary.get("/api/me").json()["user"]["name"]
    assert (row["status"], row["reason"], row["recorded_by"]) == (
        "excused",
        "Mất điện tại trụ sở phường",
        secretary_name,
    )
    with server.db.read() as session:
        query = sa.text("SELECT channel FROM event_log WHERE type = 'briefing.updated'")
        channels = {r[0] for r in session.execute(query)}
    assert channels == {f"bridge:{mid}"}
    assert member.get(f"/api/meetings/{mid}/briefing").json()["my_role"] == "none"
    assert site.get(f"/api/meetings/{mid}/briefing").json()["my_role"] == "site"
    ended = secretary.delete(f"/api/meetings/{mid}/briefing")
    assert ended.status_code == 200 and not ended.json()["started"]
    assert error_of(secretary.delete(f"/api/meetings/{mid}/briefing"))["status"] == 409
