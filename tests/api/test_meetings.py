"""Meetings over HTTP: list, create, edit, transitions, state, and who may do what."""

from __future__ import annotations

from typing import Any

from tests.conftest import LiveServer, error_of, snapshot

NEW = {
    "kind": "cabinet_session",
    "title": "Phiên họp chuyên đề",
    "starts_at": "2026-12-10T14:00:00+07:00",
    "place": "Phòng họp số 2",
}


def sample_id(c: Any) -> int:
    return int(c.get("/api/meetings").json()[0]["id"])


def test_the_sample_meeting_comes_first_for_everyone_in_it(client: Any) -> None:
    """The sample meeting is the first in the list, scheduled, for the secretary and a member alike."""
    for login in ("thuky", "thanhvien1", "diemcau1"):
        first = client(login).get("/api/meetings").json()[0]
        assert first["status"] == "scheduled" and first["kind"] == "cabinet_session"


def test_the_secretariat_creates_and_edits_a_meeting(client: Any) -> None:
    """A new meeting starts as a draft; PATCH changes only the fields given."""
    c = client("thuky")
    created = c.post("/api/meetings", json=NEW)
    assert created.status_code == 201
    meeting = created.json()
    assert meeting["status"] == "draft" and meeting["title"] == NEW["title"] and meeting["can_manage"]
    patched = c.patch(f"/api/meetings/{meeting['id']}", json={"place": "Hội trường"}).json()
    assert patched["place"] == "Hội trường" and patched["title"] == NEW["title"]
    assert c.get(f"/api/meetings/{meeting['id']}").json()["place"] == "Hội trường"


def test_a_member_cannot_create_or_edit_meetings(server: LiveServer, client: Any) -> None:
    """Members get 403 for preparing meetings, and nothing changes."""
    c = client("thanhvien1")
    before = snapshot(server.db)
    assert error_of(c.post("/api/meetings", json=NEW))["status"] == 403
    assert error_of(c.patch(f"/api/meetings/{sample_id(c)}", json={"title": "x"}))["status"] == 403
    assert snapshot(server.db) == before


def test_an_outsider_gets_404_for_a_meeting_not_theirs(server: LiveServer, client: Any) -> None:
    """A user who takes no part in a meeting cannot learn that it exists."""
    meeting_id = sample_id(client("thuky"))
    outsider = client("phogiamdoc1")
    assert outsider.get("/api/meetings").json() == []
    for path in ("", "/state", "/items", "/participants"):
        assert error_of(outsider.get(f"/api/meetings/{meeting_id}{path}"))["status"] == 404
    before = snapshot(server.db)
    assert error_of(outsider.patch(f"/api/meetings/{meeting_id}", json={"title": "x"}))["status"] == 404
    assert error_of(outsider.post(f"/api/meetings/{meeting_id}/transition", json={"to": "live"}))["status"] == 404
    assert snapshot(server.db) == before


def test_members_do_not_see_drafts(client: Any) -> None:
    """A draft is visible to those who prepare it, not yet to the members invited to it."""
    secretary = client("thuky")
    meeting = secretary.post("/api/meetings", json=NEW).json()
    member_id = secretary.get("/api/users", params={"q": "thanhvien5"}).json()[0]["id"]
    assert (
        secretary.post(
            f"/api/meetings/{meeting['id']}/participants", json={"user_id": member_id, "role": "member"}
        ).status_code
        == 201
    )
    member = client("thanhvien5")
    assert error_of(member.get(f"/api/meetings/{meeting['id']}"))["status"] == 404
    assert meeting["id"] not in [m["id"] for m in member.get("/api/meetings").json()]


def test_an_observer_can_read_but_change_nothing(server: LiveServer, client: Any) -> None:
    """An observer sees the meeting and gets 403 for every change."""
    secretary = client("thuky")
    meeting_id = sample_id(secretary)
    observer_id = secretary.get("/api/users", params={"q": "phogiamdoc1"}).json()[0]["id"]
    secretary.post(f"/api/meetings/{meeting_id}/participants", json={"user_id": observer_id, "role": "observer"})
    observer = client("phogiamdoc1")
    state = observer.get(f"/api/meetings/{meeting_id}/state").json()
    item_id = state["items"][0]["id"]
    participant_id = state["participants"][0]["id"]
    before = snapshot(server.db)
    refused = [
        observer.patch(f"/api/meetings/{meeting_id}", json={"title": "x"}),
        observer.post(f"/api/meetings/{meeting_id}/transition", json={"to": "live"}),
        observer.post(f"/api/meetings/{meeting_id}/items", json={"title": "x"}),
        observer.patch(f"/api/items/{item_id}", json={"title": "x"}),
        observer.delete(f"/api/items/{item_id}"),
        observer.post(f"/api/meetings/{meeting_id}/participants", json={"user_id": observer_id, "role": "member"}),
        observer.patch(f"/api/participants/{participant_id}", json={"can_vote": False}),
        observer.post(f"/api/participants/{participant_id}/checkin"),
    ]
    assert [error_of(r)["status"] for r in refused] == [403] * len(refused)
    assert snapshot(server.db) == before


def test_the_meeting_moves_through_its_statuses(client: Any) -> None:
    """draft → scheduled → live → closed → archived, once it has a chair and an item."""
    c = client("thuky")
    meeting = c.post("/api/meetings", json=NEW).json()
    mid = meeting["id"]
    chair = c.get("/api/users", params={"q": "chutich"}).json()[0]["id"]
    c.post(f"/api/meetings/{mid}/participants", json={"user_id": chair, "role": "chair"})
    c.post(f"/api/meetings/{mid}/items", json={"title": "Khai mạc"})
    for to in ("scheduled", "live", "closed", "archived"):
        response = c.post(f"/api/meetings/{mid}/transition", json={"to": to})
        assert response.status_code == 200 and response.json()["status"] == to


def test_an_invalid_transition_says_why_and_changes_nothing(server: LiveServer, client: Any) -> None:
    """A draft without items cannot be scheduled, and a draft cannot go live; the answer says why."""
    c = client("thuky")
    mid = c.post("/api/meetings", json=NEW).json()["id"]
    before = snapshot(server.db)
    missing = error_of(c.post(f"/api/meetings/{mid}/transition", json={"to": "scheduled"}))
    assert missing["status"] == 409 and "agenda item" in missing["message"] and "chair" in missing["message"]
    skip = error_of(c.post(f"/api/meetings/{mid}/transition", json={"to": "live"}))
    assert skip["status"] == 409 and "scheduled" in skip["message"]
    unknown = error_of(c.post(f"/api/meetings/{mid}/transition", json={"to": "finished"}))
    assert unknown["status"] == 422 and unknown["message"].startswith("to:")
    assert snapshot(server.db) == before


def test_the_chair_starts_and_ends_the_meeting_but_members_cannot(client: Any) -> None:
    """The chair may take the meeting live and close it; a member gets 403."""
    chair = client("chutich")
    mid = sample_id(chair)
    assert error_of(client("thanhvien1").post(f"/api/meetings/{mid}/transition", json={"to": "live"}))["status"] == 403
    assert chair.post(f"/api/meetings/{mid}/transition", json={"to": "live"}).json()["status"] == "live"
    assert error_of(chair.post(f"/api/meetings/{mid}/transition", json={"to": "scheduled"}))["status"] == 403
    assert chair.post(f"/api/meetings/{mid}/transition", json={"to": "closed"}).json()["status"] == "closed"


def test_a_closed_meeting_is_final(server: LiveServer, client: Any) -> None:
    """Once closed, the meeting and its agenda no longer change (409)."""
    c = client("thuky")
    mid = sample_id(c)
    c.post(f"/api/meetings/{mid}/transition", json={"to": "live"})
    c.post(f"/api/meetings/{mid}/transition", json={"to": "closed"})
    before = snapshot(server.db)
    assert error_of(c.patch(f"/api/meetings/{mid}", json={"title": "x"}))["status"] == 409
    assert error_of(c.post(f"/api/meetings/{mid}/items", json={"title": "x"}))["status"] == 409
    assert snapshot(server.db) == before


def test_the_state_holds_meeting_agenda_participants_and_quorum(client: Any) -> None:
    """GET /state answers the meeting, the numbered agenda, the participants and the quorum at once."""
    c = client("thanhvien2")
    state = c.get(f"/api/meetings/{sample_id(c)}/state").json()
    assert state["meeting"]["my_roles"] == ["member"] and not state["meeting"]["can_manage"]
    numbers = [i["item_number"] for i in state["items"]]
    assert numbers[0] == "1" and any("." in n for n in numbers)
    assert {p["role"] for p in state["participants"]} >= {"chair", "secretary", "member", "site"}
    assert state["quorum"] == {**state["quorum"], "members": 10, "present": 0, "required": 7, "met": False}
