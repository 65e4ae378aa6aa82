"""The presenter over the websocket: page turns reach every tablet, a returning tablet lands on the page."""

from __future__ import annotations

import copy
import itertools
import uuid
from collections.abc import Callable
from typing import Any

from ecabinet.database import Database
from tests import pdf_samples
from tests.api.test_documents import uploaded
from tests.realtime.conftest import Live, Socket, apply_event, comparable

_ids = itertools.count(1)


def act(socket: Socket, type_: str, data: dict[str, Any]) -> dict[str, Any]:
    """Send an action and return its answer (ack or error)."""
    action_id = f"a-{next(_ids)}"
    socket.send({"op": "action", "id": action_id, "type": type_, "data": data})
    return socket.until(lambda m: m.get("id") == action_id)


def test_tablets_follow_the_presenter_and_land_on_the_page_after_a_reconnect(
    db: Database, serve: Callable[..., Live]
) -> None:
    """The chair turns pages; a member's tablet gets each as an event; a tablet back from a drop lands on the page."""
    live = serve(db)
    secretary, chair_http, member_http = live.client("thuky"), live.client("chutich"), live.client("thanhvien1")
    mid = int(member_http.get("/api/meetings").json()[0]["id"])
    item = member_http.get(f"/api/meetings/{mid}/items").json()[0]["id"]
    doc = uploaded(secretary, item, "Tờ trình.pdf", pdf_samples.paper(pages=5))
    state = member_http.get(f"/api/meetings/{mid}/state").json()
    assert state["presenter"]["document_id"] is None
    chair, member = live.socket(chair_http), live.socket(member_http)
    member.subscribe(f"meeting:{mid}", since=state["seq"], epoch=state["epoch"])

    for page in (1, 2, 3):
        ack = act(chair, "presenter.page", {"document_id": doc["id"], "page": page})
        assert ack["op"] == "ack" and ack["data"]["presenter"]["page"] == page
    turned = member.events(f"meeting:{mid}", 3)
    assert [(e["type"], e["data"]["page"], e["data"]["by"]) for e in turned] == [
        ("presenter.page", page, chair_http.get("/api/me").json()["user"]["id"]) for page in (1, 2, 3)
    ]
    replayed = copy.deepcopy(state)
    for event in turned:
        apply_event(replayed, event)
    fetched = member_http.get(f"/api/meetings/{mid}/state").json()
    assert comparable(replayed) == comparable(fetched)
    assert (fetched["presenter"]["document_id"], fetched["presenter"]["page"]) == (doc["id"], 3)

    # The member's tablet drops; two more pages are turned; it comes back from its last seq.
    member.close()
    act(chair, "presenter.page", {"document_id": doc["id"], "page": 4, "zoom": 2})
    act(chair, "presenter.page", {"document_id": doc["id"], "page": 5})
    back = live.socket(member_http)
    subscribed = back.subscribe(f"meeting:{mid}", since=fetched["seq"], epoch=fetched["epoch"])
    assert subscribed["recovered"] is True
    missed = back.events(f"meeting:{mid}", 2)
    assert [e["data"]["page"] for e in missed] == [4, 5] and missed[0]["data"]["zoom"] == 2
    assert member_http.get(f"/api/meetings/{mid}/state").json()["presenter"]["page"] == 5


def test_only_the_chair_or_the_chosen_presenter_presents(db: Database, serve: Callable[..., Live]) -> None:
    """A member is refused until the chair designates them; bad pages and documents are refused; clear ends it."""
    live = serve(db)
    secretary, chair_http, member_http = live.client("thuky"), live.client("chutich"), live.client("thanhvien4")
    mid = int(member_http.get("/api/meetings").json()[0]["id"])
    item = member_http.get(f"/api/meetings/{mid}/items").json()[0]["id"]
    doc = uploaded(secretary, item, "Báo cáo.pdf", pdf_samples.paper(pages=2))
    chair, member = live.socket(chair_http), live.socket(member_http)
    member_id = member_http.get("/api/me").json()["user"]["id"]

    refused = act(member, "presenter.page", {"document_id": doc["id"], "page": 1})
    assert refused["op"] == "error" and refused["status"] == 403
    assert act(member, "presenter.designate", {"meeting_id": mid, "user_id": member_id})["status"] == 403
    designated = act(chair, "presenter.designate", {"meeting_id": mid, "user_id": member_id})
    assert designated["op"] == "ack" and designated["data"]["presenter"]["presenter_id"] == member_id
    assert designated["data"]["presenter"]["presenter_name"] == "Vũ Đức Long"
    assert act(member, "presenter.page", {"document_id": doc["id"], "page": 2})["op"] == "ack"
    for data, error in [
        ({"document_id": doc["id"], "page": 3}, "not_found"),
        ({"document_id": doc["id"], "page": 0}, "invalid"),
        ({"document_id": doc["id"], "page": 1, "zoom": 50}, "invalid"),
        ({"document_id": 999_999, "page": 1}, "not_found"),
        ({"document_id": "7", "page": 1}, "invalid"),
    ]:
        assert act(member, "presenter.page", data)["error"] == error, data
    site = live.client("diemcau1")
    site_id = site.get("/api/me").json()["user"]["id"]
    assert act(chair, "presenter.designate", {"meeting_id": mid, "user_id": site_id})["error"] == "invalid"
    cleared = act(member, "presenter.clear", {"meeting_id": mid})
    assert cleared["op"] == "ack" and cleared["data"]["presenter"]["page"] is None
    state = member_http.get(f"/api/meetings/{mid}/state").json()["presenter"]
    assert (state["presenter_id"], state["document_id"]) == (member_id, None)


def test_where_each_tablet_reads_reaches_the_chair_alone(db: Database, serve: Callable[..., Live]) -> None:
    """A tablet's reader.position goes to the chair's and the secretary's own channels, not to other members."""
    live = serve(db)
    secretary_http, chair_http = live.client("thuky"), live.client("chutich")
    member_http, other_http = live.client("thanhvien1"), live.client("thanhvien2")
    mid = int(member_http.get("/api/meetings").json()[0]["id"])
    item = member_http.get(f"/api/meetings/{mid}/items").json()[0]["id"]
    doc = uploaded(secretary_http, item, "Tờ trình.pdf", pdf_samples.paper(pages=2))
    watchers = {}
    for login, c in (("chutich", chair_http), ("thuky", secretary_http), ("thanhvien2", other_http)):
        s = live.socket(c)
        s.subscribe(f"user:{c.get('/api/me').json()['user']['id']}")
        watchers[login] = s
    member = live.socket(member_http)
    assert act(member, "reader.position", {"document_id": doc["id"], "page": 2, "following": False})["op"] == "ack"
    for login in ("chutich", "thuky"):
        seen = watchers[login].until(lambda m: m["op"] == "volatile" and m["type"] == "reader.position")
        assert seen["data"] == {
            "meeting_id": mid,
            "user_id": member_http.get("/api/me").json()["user"]["id"],
            "name": "Lê Văn Thành",
            "document_id": doc["id"],
            "page": 2,
            "following": False,
        }
    other = watchers["thanhvien2"]
    other.send({"op": "ping"})
    assert other.until(lambda m: m["op"] in ("pong", "volatile"))["op"] == "pong"
    outsider = live.socket(live.client("phogiamdoc1"))
    assert act(outsider, "reader.position", {"document_id": doc["id"], "page": 1, "following": True})["status"] == 404


def test_the_presenters_pointer_and_ink_reach_every_tablet_and_the_finished_stroke_is_an_event(
    db: Database, serve: Callable[..., Live]
) -> None:
    """The chair's pointer and a stroke in pieces arrive at a following tablet as volatile messages; a member may
    not send them and bad points are refused; the finished stroke, saved shared, is an annotation event."""
    live = serve(db)
    secretary, chair_http, member_http = live.client("thuky"), live.client("chutich"), live.client("thanhvien2")
    mid = int(member_http.get("/api/meetings").json()[0]["id"])
    item = member_http.get(f"/api/meetings/{mid}/items").json()[0]["id"]
    doc = uploaded(secretary, item, "Tờ trình.pdf", pdf_samples.paper(pages=2))
    chair, member = live.socket(chair_http), live.socket(member_http)
    member.subscribe(f"meeting:{mid}")
    where = {"document_id": doc["id"], "page": 2}

    assert act(chair, "presenter.pointer", {**where, "point": [120.5, 300]})["op"] == "ack"
    pointer = member.until(lambda m: m["op"] == "volatile" and m["type"] == "presenter.pointer")
    assert pointer["data"]["point"] == [120.5, 300.0] and pointer["data"]["page"] == 2
    for piece, done in (([[100, 100, 0.4], [110, 104, 0.5]], False), ([[120, 110, 0.6]], False), ([], True)):
        assert act(chair, "presenter.ink", {**where, "stroke": "s1", "points": piece, "done": done})["op"] == "ack"
    pieces = [member.until(lambda m: m["op"] == "volatile" and m["type"] == "presenter.ink")["data"] for _ in range(3)]
    assert [len(p["points"]) for p in pieces] == [2, 1, 0] and pieces[-1]["done"] is True

    refused = act(member, "presenter.ink", {**where, "stroke": "s2", "points": [[1, 1]]})
    assert refused["op"] == "error" and refused["error"] == "forbidden"
    outside = act(chair, "presenter.pointer", {**where, "point": [99_999, 1]})
    assert outside["op"] == "error" and outside["status"] == 422
    mixed = act(chair, "presenter.ink", {**where, "point": [1, 1]})
    assert mixed["op"] == "error" and mixed["status"] == 422

    stroke = {"document_id": doc["id"], "page": 2, "kind": "ink", "visibility": "shared"}
    stroke["geometry"] = {"points": [[100, 100, 0.4], [110, 104, 0.5], [120, 110, 0.6]]}
    saved = chair_http.put(f"/api/annotations/{uuid.uuid4()}", json=stroke, headers={"Idempotency-Key": "stroke-s1"})
    assert saved.status_code == 201, saved.text
    event = member.until(lambda m: m["op"] == "event" and m["type"] == "annotation.updated")
    assert event["data"]["annotation"]["geometry"] == stroke["geometry"]
