"""The floor over the websocket: every tablet sees the queue and the floor change, and state plus events equals
the state fetched afterwards."""

from __future__ import annotations

import copy
from collections.abc import Callable

from ecabinet.database import Database
from tests.realtime.conftest import Live, apply_event, comparable


def test_floor_events_reach_every_tablet_and_replay_to_the_fetched_state(
    db: Database, serve: Callable[..., Live]
) -> None:
    """Asking, granting, a hand-over, the secretary taking the console and the close: each is one floor.updated
    event, and a tablet that applies them to its state has what a fresh fetch gives."""
    live = serve(db)
    secretary, chair = live.client("thuky"), live.client("chutich")
    first, second, reader = live.client("thanhvien1"), live.client("thanhvien2"), live.client("thanhvien3")
    mid = int(reader.get("/api/meetings").json()[0]["id"])
    assert secretary.post(f"/api/meetings/{mid}/transition", json={"to": "live"}).status_code == 200
    state = reader.get(f"/api/meetings/{mid}/state").json()
    assert state["floor"]["speaking"] is None and "server_time" not in state["floor"]
    tablet = live.socket(reader)
    tablet.subscribe(f"meeting:{mid}", since=state["seq"], epoch=state["epoch"])

    one = first.post(f"/api/meetings/{mid}/speakers", json={"note": "Về dự toán"}).json()
    two = second.post(f"/api/meetings/{mid}/speakers", json={}).json()
    assert chair.post(f"/api/speakers/{one['id']}/grant").status_code == 200
    assert secretary.post(f"/api/meetings/{mid}/console", json={"holder": "secretary"}).status_code == 200
    assert secretary.post(f"/api/speakers/{two['id']}/grant").status_code == 200
    assert secretary.post(f"/api/meetings/{mid}/transition", json={"to": "closed"}).status_code == 200
    seen = tablet.events(f"meeting:{mid}", 7)
    floors = [e["data"]["floor"] for e in seen if e["type"] == "floor.updated"]
    assert [f["speaking"]["user_id"] if f["speaking"] else None for f in floors] == [
        None,
        None,
        one["user_id"],
        one["user_id"],
        two["user_id"],
        None,
    ]
    assert [len(f["queue"]) for f in floors] == [1, 2, 1, 1, 0, 0]
    assert floors[3]["console"]["holder"] == "secretary" and "may_grant" not in floors[3]
    replayed = copy.deepcopy(state)
    for event in seen:
        apply_event(replayed, event)
    fetched = reader.get(f"/api/meetings/{mid}/state").json()
    assert comparable(replayed) == comparable(fetched)
