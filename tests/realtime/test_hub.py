"""The hub at /ws on a real uvicorn: live events, exact resume, refusals, limits, presence."""

from __future__ import annotations

import contextlib
import copy
import json
import time
from collections.abc import Callable
from typing import Any

import pytest
from sqlmodel import col, select
from websockets.exceptions import ConnectionClosed, InvalidStatus

from ecabinet import agenda_items
from ecabinet.agenda_items import items_out
from ecabinet.database import Database
from ecabinet.models import Meeting, User
from ecabinet.permissions import Actor
from ecabinet.schemas import ItemUpdate
from realtime import eventlog
from tests.realtime.conftest import Live, Socket, apply_event, comparable


def _meeting_id(c: Any) -> int:
    return int(c.get("/api/meetings").json()[0]["id"])


def _rename_items(secretary: Any, state: dict[str, Any], count: int, tag: str) -> None:
    for i in range(count):
        item = state["items"][i % len(state["items"])]
        r = secretary.patch(f"/api/items/{item['id']}", json={"title": f"{tag} {i}"})
        assert r.status_code == 200, r.text


def test_members_see_changes_as_they_happen(db: Database, serve: Callable[..., Live]) -> None:
    """A member's socket receives the secretary's agenda edit as an event, with the next seq."""
    live = serve(db)
    member_http = live.client("thanhvien1")
    member = live.socket(member_http)
    secretary = live.client("thuky")
    mid = _meeting_id(secretary)
    state = member_http.get(f"/api/meetings/{mid}/state").json()
    subscribed = member.subscribe(f"meeting:{mid}", since=state["seq"], epoch=state["epoch"])
    assert subscribed["recovered"] is True and subscribed["seq"] == state["seq"]
    assert subscribed["epoch"] == state["epoch"]
    item = state["items"][0]
    secretary.patch(f"/api/items/{item['id']}", json={"title": "Kế hoạch chuyển đổi số 2027"})
    [event] = member.events(f"meeting:{mid}", 1)
    assert event["seq"] == state["seq"] + 1 and event["type"] == "item.updated"
    assert event["data"]["item"]["title"] == "Kế hoạch chuyển đổi số 2027"
    assert event["ts"].endswith("Z")


def test_resume_replays_exactly_what_was_missed(db: Database, serve: Callable[..., Live]) -> None:
    """Disconnect, commit K events, resume with since: exactly those K, in order; the state then matches."""
    live = serve(db)
    member_http = live.client("thanhvien2")
    first = live.socket(member_http)
    secretary = live.client("thuky")
    mid = _meeting_id(secretary)
    state = member_http.get(f"/api/meetings/{mid}/state").json()
    first.subscribe(f"meeting:{mid}", since=state["seq"], epoch=state["epoch"])
    first.close()

    _rename_items(secretary, state, 4, "Tên mới")
    participant = next(p for p in state["participants"] if p["role"] == "member")
    assert secretary.post(f"/api/participants/{participant['id']}/checkin", json={}).status_code == 200
    assert secretary.patch(f"/api/meetings/{mid}", json={"place": "Phòng họp số 2"}).status_code == 200

    again = live.socket(member_http)
    subscribed = again.subscribe(f"meeting:{mid}", since=state["seq"], epoch=state["epoch"])
    assert subscribed["recovered"] is True and subscribed["seq"] == state["seq"] + 6
    events = again.events(f"meeting:{mid}", 6)
    assert [e["seq"] for e in events] == list(range(state["seq"] + 1, state["seq"] + 7))
    assert [e["type"] for e in events] == ["item.updated"] * 4 + ["participant.updated", "meeting.updated"]

    replayed = copy.deepcopy(state)
    for event in events:
        apply_event(replayed, event)
    fetched = member_http.get(f"/api/meetings/{mid}/state").json()
    assert comparable(replayed) == comparable(fetched)
    # Nothing more comes: no event twice.
    again.send({"op": "ping"})
    assert again.until(lambda m: m["op"] in ("pong", "event"))["op"] == "pong"


def test_beyond_retention_the_client_reloads(sqlite_db: Database, serve: Callable[..., Live]) -> None:
    """A client behind the retained events is told recovered: false; the state plus later events is exact."""
    live = serve(sqlite_db, event_retention_events=3)
    member_http = live.client("thanhvien3")
    secretary = live.client("thuky")
    mid = _meeting_id(secretary)
    old = member_http.get(f"/api/meetings/{mid}/state").json()
    _rename_items(secretary, old, 6, "Lần")
    with sqlite_db.engine.begin() as connection:
        eventlog.prune(connection, 3)  # what the hub's housekeeping does every minute

    late = live.socket(member_http)
    subscribed = late.subscribe(f"meeting:{mid}", since=old["seq"], epoch=old["epoch"])
    assert subscribed["recovered"] is False and subscribed["seq"] == old["seq"] + 6
    assert not [m for m in late.seen if m["op"] == "event"]

    # What the client does: reload the state, subscribe from its seq, apply what follows.
    state = member_http.get(f"/api/meetings/{mid}/state").json()
    assert late.subscribe(f"meeting:{mid}", since=state["seq"], epoch=state["epoch"])["recovered"] is True
    _rename_items(secretary, state, 2, "Sau")
    for event in late.events(f"meeting:{mid}", 2):
        apply_event(state, event)
    assert comparable(state) == comparable(member_http.get(f"/api/meetings/{mid}/state").json())


def test_a_replay_larger_than_the_send_queue_reloads_instead(sqlite_db: Database, serve: Callable[..., Live]) -> None:
    """Resuming more events than half the send buffer holds answers recovered: false, never a 4008 loop."""
    # A send buffer whose half holds four agenda events and not five (as the event log measures them).
    with sqlite_db.read() as session:
        mid = session.exec(select(Meeting.id).order_by(col(Meeting.id))).first()
        assert mid is not None
        items = [i.model_dump(mode="json") for i in items_out(session, mid)]
    event = len(json.dumps({"item": items[0], "items": items}, ensure_ascii=False, separators=(",", ":")))
    live = serve(sqlite_db, ws_send_buffer_max_bytes=9 * event)
    member_http = live.client("thanhvien1")
    secretary = live.client("thuky")
    assert _meeting_id(secretary) == mid
    old = member_http.get(f"/api/meetings/{mid}/state").json()
    _rename_items(secretary, old, 4, "Bốn")
    near = live.socket(member_http)
    assert near.subscribe(f"meeting:{mid}", since=old["seq"], epoch=old["epoch"])["recovered"] is True
    assert len(near.events(f"meeting:{mid}", 4)) == 4
    _rename_items(secretary, old, 1, "Năm")
    far = live.socket(member_http)
    assert far.subscribe(f"meeting:{mid}", since=old["seq"], epoch=old["epoch"])["recovered"] is False


def test_another_epoch_is_not_resumed(sqlite_db: Database, serve: Callable[..., Live]) -> None:
    """A seq from another epoch (a restored database) is never resumed, even when the numbers fit."""
    live = serve(sqlite_db)
    member_http = live.client("thanhvien1")
    member = live.socket(member_http)
    mid = _meeting_id(member_http)
    state = member_http.get(f"/api/meetings/{mid}/state").json()
    assert member.subscribe(f"meeting:{mid}", since=state["seq"], epoch="0123456789abcdef")["recovered"] is False
    assert member.subscribe(f"meeting:{mid}", since=state["seq"] + 5, epoch=state["epoch"])["recovered"] is False


def test_a_lost_doorbell_loses_no_event(sqlite_db: Database, serve: Callable[..., Live]) -> None:
    """An event committed where no doorbell rings (a worker that died after commit) still arrives, by the poll."""
    live = serve(sqlite_db, event_poll_ms=200)
    member_http = live.client("thanhvien4")
    member = live.socket(member_http)
    mid = _meeting_id(member_http)
    state = member_http.get(f"/api/meetings/{mid}/state").json()
    member.subscribe(f"meeting:{mid}", since=state["seq"], epoch=state["epoch"])

    elsewhere = Database(sqlite_db.url)  # its commits ring no bell in this server's hub
    try:
        with elsewhere.read() as session:
            user = session.exec(select(User).where(User.login == "thuky")).one()
        item_id = state["items"][1]["id"]
        agenda_items.update_item(elsewhere, Actor(user), item_id, ItemUpdate(title="Đổi từ tiến trình khác"))
    finally:
        elsewhere.dispose()
    [event] = member.events(f"meeting:{mid}", 1)
    assert event["seq"] == state["seq"] + 1 and event["data"]["item"]["title"] == "Đổi từ tiến trình khác"
    assert live.hub.stats["catch_up"] >= 1


def test_a_foreign_origin_is_refused(sqlite_db: Database, serve: Callable[..., Live]) -> None:
    """A handshake from another site's page is refused before any message (cross-site websocket hijacking)."""
    live = serve(sqlite_db)
    c = live.client("thanhvien1")
    with pytest.raises(InvalidStatus) as refused:
        live.socket(c, origin="https://evil.example")
    assert refused.value.response.status_code == 403
    same = live.socket(c, origin=live.url)
    same.send({"op": "ping"})
    assert same.recv()["op"] == "pong"


def test_an_unauthenticated_socket_is_closed(sqlite_db: Database, serve: Callable[..., Live]) -> None:
    """Without a session (or with a forged cookie) the socket is closed with 4401."""
    live = serve(sqlite_db)
    assert live.socket().closed_with() == 4401
    forged = Socket(live.url, "forged.cookie")
    live.opened.append(forged)
    assert forged.closed_with() == 4401


def test_subscriptions_are_authorized(sqlite_db: Database, serve: Callable[..., Live]) -> None:
    """Another user's channel and a meeting one is not in answer exactly like a meeting that does not exist."""
    live = serve(sqlite_db)
    outsider = live.socket("phogiamdoc1")  # not a participant of the sample meeting
    member_http = live.client("thanhvien1")
    member = live.socket(member_http)
    mid = _meeting_id(member_http)
    me = member_http.get("/api/me").json()["user"]["id"]

    def answer(s: Socket, channel: str) -> dict[str, Any]:
        reply = s.subscribe(channel)
        return {k: v for k, v in reply.items() if k != "channel"}

    missing = answer(outsider, "meeting:999999")
    assert missing["op"] == "error" and missing["error"] == "not_found" and missing["status"] == 404
    assert answer(outsider, f"meeting:{mid}") == missing
    assert answer(outsider, f"bridge:{mid}") == missing
    assert answer(outsider, f"user:{me}") == missing
    assert member.subscribe(f"user:{me}")["op"] == "subscribed"
    assert member.subscribe(f"meeting:{mid}")["op"] == "subscribed"
    bad = member.subscribe("meeting:abc")
    assert bad["op"] == "error" and bad["error"] == "bad_request"


def test_actions_are_acked_or_refused_by_role(sqlite_db: Database, serve: Callable[..., Live]) -> None:
    """The chair's action is acked and becomes an event for all; a member's is refused; unknown ones too."""
    live = serve(sqlite_db)
    chair_http = live.client("chutich")
    chair = live.socket(chair_http)
    member_http = live.client("thanhvien5")
    member = live.socket(member_http)
    mid = _meeting_id(chair_http)
    assert chair_http.post(f"/api/meetings/{mid}/transition", json={"to": "live"}).status_code == 200
    state = member_http.get(f"/api/meetings/{mid}/state").json()
    member.subscribe(f"meeting:{mid}", since=state["seq"], epoch=state["epoch"])
    item_id = state["items"][2]["id"]

    member.send({"op": "action", "id": "m-1", "type": "agenda.current", "data": {"item_id": item_id}})
    refused = member.until(lambda m: m.get("id") == "m-1")
    assert refused["op"] == "error" and refused["error"] == "forbidden" and refused["status"] == 403

    chair.send({"op": "action", "id": "c-1", "type": "agenda.current", "data": {"item_id": item_id}})
    ack = chair.until(lambda m: m.get("id") == "c-1")
    assert ack["op"] == "ack" and ack["data"]["status"] == "current"
    [event] = member.events(f"meeting:{mid}", 1)
    assert event["type"] == "item.updated" and event["data"]["item"]["id"] == item_id

    chair.send({"op": "action", "id": "c-2", "type": "no.such", "data": {}})
    assert chair.until(lambda m: m.get("id") == "c-2")["error"] == "unknown_action"
    chair.send({"op": "action", "id": "c-3", "type": "agenda.current", "data": {"item_id": "x"}})
    assert chair.until(lambda m: m.get("id") == "c-3")["error"] == "invalid"


def test_malformed_messages_get_an_error_and_change_nothing(sqlite_db: Database, serve: Callable[..., Live]) -> None:
    """Bad JSON, a non-object, an unknown op: an error op each, and the socket keeps working."""
    live = serve(sqlite_db)
    s = live.socket("thanhvien1")
    for bad in ("{not json", "[1,2]", '{"op": 5}', '{"op":"dance"}', '{"op":"unsubscribe","channel":"meeting:1"}'):
        s.send(bad)
        assert s.recv()["error"] == "bad_request"
    s.send({"op": "ping"})
    assert s.recv() == {"op": "pong"}


def test_an_oversized_frame_closes_with_1009(sqlite_db: Database, serve: Callable[..., Live]) -> None:
    """A message above ECABINET_WS_MAX_MESSAGE_BYTES closes the socket with 1009 (message too big)."""
    live = serve(sqlite_db, ws_max_message_bytes=4096)
    s = live.socket("thanhvien1")
    s.send(json.dumps({"op": "ping", "pad": "x" * 5000}))
    assert s.closed_with() == 1009


def test_a_flooding_client_is_closed_and_others_carry_on(sqlite_db: Database, serve: Callable[..., Live]) -> None:
    """A client sending far over its rate is warned, then closed with 1008; another client is served throughout."""
    live = serve(sqlite_db, ws_rate_per_sec=5, ws_rate_burst=10)
    flood = live.socket("thanhvien1")
    calm_http = live.client("thanhvien2")
    calm = live.socket(calm_http)
    mid = _meeting_id(calm_http)
    state = calm_http.get(f"/api/meetings/{mid}/state").json()
    calm.subscribe(f"meeting:{mid}", since=state["seq"])
    with contextlib.suppress(ConnectionClosed):  # the server may close it before all 40 are sent
        for _ in range(40):
            flood.send('{"op":"ping"}')
    codes = []
    with pytest.raises(ConnectionClosed) as closed:
        while True:
            codes.append(flood.recv(timeout=5).get("error"))
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1008
    assert "rate_limited" in codes
    calm.send({"op": "ping"})
    assert calm.until(lambda m: m["op"] == "pong")
    live.client("thuky").patch(f"/api/items/{state['items'][0]['id']}", json={"title": "Vẫn nhận được"})
    assert calm.events(f"meeting:{mid}", 1)[0]["data"]["item"]["title"] == "Vẫn nhận được"


def test_a_client_that_stops_reading_is_closed_with_4008(sqlite_db: Database, serve: Callable[..., Live]) -> None:
    """A stalled client's send buffer overflows and it alone is cut off (4008); a reader gets every message."""
    live = serve(sqlite_db, ws_send_buffer_max_bytes=200_000)
    stalled_http = live.client("thanhvien6")
    stalled = live.socket(stalled_http, max_queue=1)
    reader = live.socket("thanhvien7")
    mid = _meeting_id(stalled_http)
    stalled.subscribe(f"meeting:{mid}")
    reader.subscribe(f"meeting:{mid}")
    blob = "đ" * 60_000
    # ~70 MB in all, far more than the socket buffers hold; paced so that a client that reads keeps up.
    for i in range(600):
        live.hub.volatile(f"meeting:{mid}", "test.fill", {"i": i, "blob": blob})
        assert reader.until(lambda m: m.get("type") == "test.fill", timeout=30)["data"]["i"] == i
        reader.seen.clear()
    deadline = time.monotonic() + 20
    while live.hub.stats["closed.4008"] < 1 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert live.hub.stats["closed.4008"] == 1
    # Its connection is cut soon after (it cannot take even the close frame), freeing its buffers.
    while len(live.hub.connections) > 1 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(live.hub.connections) == 1
    assert all(c.raw for c in live.hub.connections)  # frames went straight to the transport (the seam holds)


def test_signing_out_closes_the_sockets_of_that_session(sqlite_db: Database, serve: Callable[..., Live]) -> None:
    """After sign-out the session's sockets are closed (4401) within seconds; other users stay."""
    live = serve(sqlite_db)
    leaving_http = live.client("thanhvien8")
    leaving = live.socket(leaving_http)
    staying = live.socket("thanhvien9")
    assert leaving_http.delete("/api/session").status_code == 204
    assert leaving.closed_with(timeout=15) == 4401
    staying.send({"op": "ping"})
    assert staying.recv()["op"] == "pong"


def test_removal_from_the_meeting_ends_the_subscription(sqlite_db: Database, serve: Callable[..., Live]) -> None:
    """A participant removed from the meeting is unsubscribed from its channel at once."""
    live = serve(sqlite_db)
    member_http = live.client("thanhvien9")
    member = live.socket(member_http)
    secretary = live.client("thuky")
    mid = _meeting_id(secretary)
    member.subscribe(f"meeting:{mid}")
    me = member_http.get("/api/me").json()["user"]["id"]
    participant = next(
        p for p in secretary.get(f"/api/meetings/{mid}/state").json()["participants"] if p["user_id"] == me
    )
    assert secretary.delete(f"/api/participants/{participant['id']}").status_code == 204
    gone = member.until(lambda m: m["op"] == "unsubscribed")
    assert gone == {"op": "unsubscribed", "channel": f"meeting:{mid}", "reason": "not_found"}


def test_presence_shows_who_is_online(sqlite_db: Database, serve: Callable[..., Live]) -> None:
    """The chair sees members come online and go offline, as volatile presence messages."""
    live = serve(sqlite_db)
    chair_http = live.client("chutich")
    chair = live.socket(chair_http)
    mid = _meeting_id(chair_http)
    chair.subscribe(f"meeting:{mid}")
    member_http = live.client("thanhvien1")
    member = live.socket(member_http)
    member_id = member_http.get("/api/me").json()["user"]["id"]
    chair_id = chair_http.get("/api/me").json()["user"]["id"]
    member.subscribe(f"meeting:{mid}")

    def online(m: dict[str, Any]) -> list[int] | None:
        return m["data"]["online"] if m["op"] == "volatile" and m["type"] == "presence" else None

    both = chair.until(lambda m: online(m) == sorted([chair_id, member_id]))
    assert "seq" not in both  # volatile: no seq, never replayed
    member.close()
    chair.until(lambda m: online(m) == [chair_id])


def test_a_user_hears_when_their_list_of_meetings_changes(sqlite_db: Database, serve: Callable[..., Live]) -> None:
    """Adding someone to a meeting, and publishing it, tells them on their own channel (their list reloads)."""
    live = serve(sqlite_db)
    secretary = live.client("thuky")
    newcomer_http = live.client("phogiamdoc1")
    me = newcomer_http.get("/api/me").json()["user"]["id"]
    mine = live.socket(newcomer_http)
    assert mine.subscribe(f"user:{me}")["op"] == "subscribed"
    created = secretary.post("/api/meetings", json={"kind": "thematic", "title": "Họp chuyên đề giao thông"}).json()
    added = secretary.post(f"/api/meetings/{created['id']}/participants", json={"user_id": me, "role": "member"})
    assert added.status_code == 201, added.text
    [event] = mine.events(f"user:{me}", 1)
    assert event["type"] == "meetings.changed" and event["data"] == {"meeting_id": created["id"]}


def test_presence_is_coalesced_when_a_room_arrives_together(sqlite_db: Database, serve: Callable[..., Live]) -> None:
    """Twelve tablets coming online together reach the chair in a few presence messages, not one each."""
    live = serve(sqlite_db)
    chair_http = live.client("chutich")
    mid = _meeting_id(chair_http)
    chair = live.socket(chair_http)
    chair.subscribe(f"meeting:{mid}")
    logins = [f"thanhvien{i}" for i in range(1, 10)] + ["diemcau1", "diemcau2", "diemcau3"]
    arrivals = [live.client(login) for login in logins]
    ids = {c.get("/api/me").json()["user"]["id"] for c in arrivals}
    chair.until(lambda m: m.get("type") == "presence")  # the chair's own arrival
    chair.seen.clear()
    for c in arrivals:
        s = live.socket(c)
        s.send({"op": "subscribe", "channel": f"meeting:{mid}"})
    everyone = chair.until(lambda m: m.get("type") == "presence" and ids <= set(m["data"]["online"]))
    assert everyone["data"]["online"] == sorted(everyone["data"]["online"])
    heard = [m for m in chair.seen if m.get("type") == "presence"]
    assert len(heard) <= len(arrivals) // 2
