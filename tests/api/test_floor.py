"""The floor over HTTP: the speakers' queue in order, hand-over, timers, and who may give the floor."""

from __future__ import annotations

import concurrent.futures
import datetime as dt
from typing import Any

from tests.api.test_meetings import sample_id
from tests.conftest import LiveServer, error_of, snapshot


def live(secretary: Any) -> int:
    mid = sample_id(secretary)
    assert secretary.post(f"/api/meetings/{mid}/transition", json={"to": "live"}).status_code == 200
    return mid


def when(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value)


def test_members_queue_in_the_order_they_ask_and_asking_twice_changes_nothing(client: Any) -> None:
    """Three members ask in turn: the queue keeps that order; a second request answers the first (200)."""
    secretary = client("thuky")
    mid = live(secretary)
    ids = []
    for login in ("thanhvien3", "thanhvien1", "thanhvien2"):
        answer = client(login).post(f"/api/meetings/{mid}/speakers", json={"note": "Ý kiến về tờ trình"})
        assert answer.status_code == 201, answer.text
        assert answer.json()["status"] == "queued" and answer.json()["spoken_before"] == 0
        ids.append(answer.json()["id"])
    again = client("thanhvien1").post(f"/api/meetings/{mid}/speakers", json={})
    assert again.status_code == 200 and again.json()["id"] == ids[1]
    floor = client("thanhvien5").get(f"/api/meetings/{mid}/floor").json()
    assert [s["id"] for s in floor["queue"]] == ids
    assert floor["speaking"] is None and floor["may_request"] and not floor["may_grant"]
    assert floor["console"]["holder"] == "chair"


def test_the_chair_hands_the_floor_over_and_each_turn_is_timed(client: Any) -> None:
    """Granting the next speaker ends the current turn; each turn keeps its limit and its spoken seconds."""
    secretary, chair = client("thuky"), client("chutich")
    mid = live(secretary)
    first = client("thanhvien1").post(f"/api/meetings/{mid}/speakers", json={}).json()
    second = client("thanhvien2").post(f"/api/meetings/{mid}/speakers", json={}).json()
    floor = chair.post(f"/api/speakers/{first['id']}/grant", json={"limit_secs": 120})
    assert floor.status_code == 200, floor.text
    speaking = floor.json()["speaking"]
    assert speaking["id"] == first["id"] and speaking["limit_secs"] == 120 and floor.json()["may_grant"]
    assert [s["id"] for s in floor.json()["queue"]] == [second["id"]]
    assert abs(when(speaking["granted_at"]) - when(floor.json()["server_time"])) < dt.timedelta(seconds=5)
    floor = chair.post(f"/api/speakers/{second['id']}/grant").json()
    assert floor["speaking"]["id"] == second["id"]
    assert floor["speaking"]["limit_secs"] == 180  # ECABINET_SPEAKER_LIMIT_SECS
    assert floor["queue"] == []
    # The first speaker's turn is over: they may ask again, and are marked as having spoken once.
    again = client("thanhvien1").post(f"/api/meetings/{mid}/speakers", json={})
    assert again.status_code == 201 and again.json()["spoken_before"] == 1
    ended = client("thanhvien2").post(f"/api/speakers/{second['id']}/done")
    assert ended.status_code == 200 and ended.json()["speaking"] is None
    assert error_of(chair.post(f"/api/speakers/{second['id']}/grant"))["status"] == 409


def test_only_the_console_holder_gives_the_floor_and_the_secretary_takes_over(server: LiveServer, client: Any) -> None:
    """Members and the secretary cannot give the floor while the chair holds the console; after the secretary
    takes it over, the chair cannot until it is handed back."""
    secretary, chair, member, other = client("thuky"), client("chutich"), client("thanhvien1"), client("thanhvien2")
    mid = live(secretary)
    asked = member.post(f"/api/meetings/{mid}/speakers", json={}).json()
    before = snapshot(server.db)
    for who in (member, secretary, other):
        assert error_of(who.post(f"/api/speakers/{asked['id']}/grant"))["status"] == 403
    assert error_of(member.post(f"/api/meetings/{mid}/console", json={"holder": "secretary"}))["status"] == 403
    assert snapshot(server.db) == before
    taken = secretary.post(f"/api/meetings/{mid}/console", json={"holder": "secretary"})
    assert taken.status_code == 200 and taken.json()["console"]["holder"] == "secretary"
    assert error_of(chair.post(f"/api/speakers/{asked['id']}/grant"))["status"] == 403
    assert secretary.post(f"/api/speakers/{asked['id']}/grant").status_code == 200
    back = chair.post(f"/api/meetings/{mid}/console", json={"holder": "chair"})
    assert back.status_code == 200 and back.json()["console"]["holder"] == "chair"
    assert chair.post(f"/api/speakers/{asked['id']}/done").status_code == 200


def test_the_secretary_adds_a_raised_hand_and_a_speaker_withdraws(client: Any) -> None:
    """The console holder puts someone in the queue; a member withdraws their own request, not another's."""
    secretary, chair = client("thuky"), client("chutich")
    mid = live(secretary)
    members = {p["user_id"]: p for p in secretary.get(f"/api/meetings/{mid}/participants").json()}
    target = next(uid for uid, p in members.items() if p["role"] == "member")
    assert error_of(secretary.post(f"/api/meetings/{mid}/speakers", json={"user_id": target}))["status"] == 403
    added = chair.post(f"/api/meetings/{mid}/speakers", json={"user_id": target})
    assert added.status_code == 201 and added.json()["user_id"] == target
    mine = client("thanhvien4").post(f"/api/meetings/{mid}/speakers", json={}).json()
    assert error_of(client("thanhvien5").post(f"/api/speakers/{mine['id']}/withdraw"))["status"] == 403
    withdrawn = client("thanhvien4").post(f"/api/speakers/{mine['id']}/withdraw")
    assert withdrawn.status_code == 200 and [s["user_id"] for s in withdrawn.json()["queue"]] == [target]
    assert error_of(chair.post(f"/api/speakers/{mine['id']}/grant"))["status"] == 409


def test_grants_racing_for_two_speakers_leave_one_holding_the_floor(client: Any) -> None:
    """Two hand-overs sent at once: exactly one speaker holds the floor afterwards."""
    secretary, chair = client("thuky"), client("chutich")
    mid = live(secretary)
    asked = [client(f"thanhvien{i}").post(f"/api/meetings/{mid}/speakers", json={}).json() for i in (1, 2, 3, 4)]
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(lambda s: chair.post(f"/api/speakers/{s['id']}/grant").status_code, asked))
    assert answers.count(200) >= 1 and set(answers) <= {200, 409}
    floor = chair.get(f"/api/meetings/{mid}/floor").json()
    assert floor["speaking"] is not None
    assert len(floor["queue"]) == 4 - answers.count(200)


def test_the_floor_is_asked_only_in_a_live_meeting_and_not_by_observers_or_outsiders(client: Any) -> None:
    """Before the meeting starts asking is refused (409); a non-participant gets 404; bad input 422."""
    secretary = client("thuky")
    mid = sample_id(secretary)
    assert error_of(client("thanhvien1").post(f"/api/meetings/{mid}/speakers", json={}))["status"] == 409
    live(secretary)
    assert error_of(client("phogiamdoc1").post(f"/api/meetings/{mid}/speakers", json={}))["status"] in (403, 404)
    assert (
        error_of(client("thanhvien1").post(f"/api/meetings/{mid}/speakers", json={"note": "x" * 301}))["status"] == 422
    )
    assert (
        error_of(client("thanhvien1").post(f"/api/meetings/{mid}/speakers", json={"item_id": 999999}))["status"] == 422
    )


def test_the_current_item_timer_and_the_end_of_the_meeting(client: Any) -> None:
    """Taking up an item starts its timer; closing the meeting ends the turn and lapses the queue."""
    secretary, chair = client("thuky"), client("chutich")
    mid = live(secretary)
    item = secretary.get(f"/api/meetings/{mid}/items").json()[0]
    assert secretary.post(f"/api/items/{item['id']}/current").status_code == 200
    floor = chair.get(f"/api/meetings/{mid}/floor").json()
    assert floor["item"]["id"] == item["id"] and floor["item"]["started_at"] is not None
    asked = client("thanhvien1").post(f"/api/meetings/{mid}/speakers", json={}).json()
    assert asked["item_id"] == item["id"]
    chair.post(f"/api/speakers/{asked['id']}/grant")
    client("thanhvien2").post(f"/api/meetings/{mid}/speakers", json={})
    assert secretary.post(f"/api/meetings/{mid}/transition", json={"to": "closed"}).status_code == 200
    floor = secretary.get(f"/api/meetings/{mid}/floor").json()
    assert floor["speaking"] is None and floor["queue"] == []


def test_a_substitute_in_the_seat_asks_and_is_put_in_the_queue(client: Any) -> None:
    """The substitute attending for a member shows among those who have not spoken, and the chair can queue them."""
    secretary, chair, member = client("thuky"), client("chutich"), client("thanhvien2")
    mid = sample_id(member)
    me = member.get("/api/me").json()["user"]
    row = next(p for p in member.get(f"/api/meetings/{mid}/participants").json() if p["user_id"] == me["id"])
    deputy_id = member.get("/api/users", params={"q": "phogiamdoc1"}).json()[0]["id"]
    assert member.patch(f"/api/participants/{row['id']}", json={"substitute_id": deputy_id}).status_code == 200
    deputy = client("phogiamdoc1")
    assert deputy.post(f"/api/participants/{row['id']}/checkin").json()["by_substitute"] is True
    live(secretary)
    floor = chair.get(f"/api/meetings/{mid}/floor").json()
    waiting = [p["user_id"] for p in floor["not_spoken"]]
    assert deputy_id in waiting and me["id"] not in waiting
    queued = chair.post(f"/api/meetings/{mid}/speakers", json={"user_id": deputy_id})
    assert queued.status_code == 201 and queued.json()["user_id"] == deputy_id
    assert deputy.post(f"/api/meetings/{mid}/speakers", json={}).json()["id"] == queued.json()["id"]


def test_the_first_requests_of_a_meeting_arriving_together_are_all_queued(client: Any) -> None:
    """Six members ask at the same moment as the meeting goes live: each is queued once, none fails."""
    secretary = client("thuky")
    members = [client(f"thanhvien{i}") for i in range(1, 7)]
    mid = live(secretary)
    with concurrent.futures.ThreadPoolExecutor(6) as pool:
        answers = list(pool.map(lambda c: c.post(f"/api/meetings/{mid}/speakers", json={}).status_code, members))
    assert answers == [201] * 6
    assert len(secretary.get(f"/api/meetings/{mid}/floor").json()["queue"]) == 6
