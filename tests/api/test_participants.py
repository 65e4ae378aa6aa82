"""Participants over HTTP: adding people and sites, substitutes, check-in and the quorum."""

from __future__ import annotations

from typing import Any

from tests.api.test_meetings import sample_id
from tests.conftest import LiveServer, error_of, snapshot


def _state(c: Any, mid: int) -> dict[str, Any]:
    return dict(c.get(f"/api/meetings/{mid}/state").json())


def _mine(state: dict[str, Any], login_name: str) -> dict[str, Any]:
    return next(p for p in state["participants"] if p["name"] == login_name)


def test_members_check_in_and_the_quorum_follows(client: Any) -> None:
    """Each member checking in on their tablet raises the count; the quorum is met at two thirds."""
    secretary = client("thuky")
    mid = sample_id(secretary)
    for n in range(1, 8):
        member = client(f"thanhvien{n}")
        me = member.get("/api/me").json()["user"]
        row = next(p for p in _state(member, mid)["participants"] if p["user_id"] == me["id"])
        checked = member.post(f"/api/participants/{row['id']}/checkin")
        assert checked.status_code == 200 and checked.json()["attendance"] == "present"
        quorum = _state(secretary, mid)["quorum"]
        assert quorum["present"] == n and quorum["met"] is (n >= 7)


def test_a_member_cannot_check_in_someone_else(server: LiveServer, client: Any) -> None:
    """Checking in another participant is the secretary's job."""
    member = client("thanhvien1")
    mid = sample_id(member)
    other = next(p for p in _state(member, mid)["participants"] if p["role"] == "chair")
    before = snapshot(server.db)
    assert error_of(member.post(f"/api/participants/{other['id']}/checkin"))["status"] == 403
    assert snapshot(server.db) == before


def test_a_substitute_attends_in_the_members_place(client: Any) -> None:
    """A member names a substitute, who then sees the meeting and checks in, shown as the substitute."""
    member = client("thanhvien2")
    mid = sample_id(member)
    me = member.get("/api/me").json()["user"]
    row = next(p for p in _state(member, mid)["participants"] if p["user_id"] == me["id"])
    substitute = member.get("/api/users", params={"q": "phogiamdoc1"}).json()[0]
    named = member.patch(
        f"/api/participants/{row['id']}", json={"substitute_id": substitute["id"], "absence_reason": "Đi công tác"}
    )
    assert named.status_code == 200 and named.json()["substitute_name"] == substitute["name"]
    deputy = client("phogiamdoc1")
    assert deputy.get("/api/meetings").json()[0]["id"] == mid
    checked = deputy.post(f"/api/participants/{row['id']}/checkin").json()
    assert checked["attendance"] == "present" and checked["by_substitute"] is True
    # The substitute attends but, under the default rule, makes no quorum.
    assert _state(client("thuky"), mid)["quorum"]["present"] == 0


def test_a_member_may_not_change_their_own_role(server: LiveServer, client: Any) -> None:
    """A member may name a substitute but not change their role or vote."""
    member = client("thanhvien3")
    mid = sample_id(member)
    me = member.get("/api/me").json()["user"]
    row = next(p for p in _state(member, mid)["participants"] if p["user_id"] == me["id"])
    before = snapshot(server.db)
    assert error_of(member.patch(f"/api/participants/{row['id']}", json={"role": "chair"}))["status"] == 403
    assert error_of(member.patch(f"/api/participants/{row['id']}", json={"substitute_id": me["id"]}))["status"] == 422
    assert snapshot(server.db) == before


def test_the_secretary_checks_people_in_and_marks_absences(client: Any) -> None:
    """The secretary checks anyone in, undoes it, and records an absence with a reason."""
    c = client("thuky")
    mid = sample_id(c)
    chair = next(p for p in _state(c, mid)["participants"] if p["role"] == "chair")
    assert c.post(f"/api/participants/{chair['id']}/checkin").json()["attendance"] == "present"
    assert c.delete(f"/api/participants/{chair['id']}/checkin").json()["attendance"] == "expected"
    absent = c.patch(f"/api/participants/{chair['id']}", json={"attendance": "absent", "absence_reason": "Ốm"}).json()
    assert (absent["attendance"], absent["absence_reason"]) == ("absent", "Ốm")


def test_remote_sites_are_units_valid_on_the_meeting_date(server: LiveServer, client: Any) -> None:
    """A ward after the 2025 reform can join a 2026 meeting; a district it replaced cannot."""
    c = client("thuky")
    mid = sample_id(c)
    units = c.get("/api/units").json()
    former = next(u for u in units if u["kind"] == "district" and u["valid_to"])
    current = next(u for u in units if u["kind"] == "ward" and not u["valid_to"])
    today = c.get("/api/units", params={"on": "2026-12-03"}).json()
    assert former["id"] not in [u["id"] for u in today] and current["id"] in [u["id"] for u in today]
    before = snapshot(server.db)
    refused = error_of(c.post(f"/api/meetings/{mid}/participants", json={"unit_id": former["id"], "role": "site"}))
    assert refused["status"] == 422 and refused["message"].startswith("unit_id:")
    assert snapshot(server.db) == before
    added = c.post(f"/api/meetings/{mid}/participants", json={"unit_id": current["id"], "role": "site"}).json()
    assert added["name"] == current["name"] and added["can_vote"] is False


def test_a_person_takes_part_once(server: LiveServer, client: Any) -> None:
    """Adding someone already in the meeting answers 409."""
    c = client("thuky")
    mid = sample_id(c)
    chair = next(p for p in _state(c, mid)["participants"] if p["role"] == "chair")
    before = snapshot(server.db)
    duplicate = c.post(f"/api/meetings/{mid}/participants", json={"user_id": chair["user_id"], "role": "member"})
    assert error_of(duplicate)["status"] == 409
    assert snapshot(server.db) == before


def test_the_directory_finds_names_with_or_without_diacritics(client: Any) -> None:
    """Searching people for a substitute finds "Đức" by "duc" and "Bích" by "bich", on both databases."""
    member = client("thanhvien1")
    for query, name in (("duc", "Trịnh Minh Đức"), ("đức", "Trịnh Minh Đức"), ("ngoc bich", "Cao Thị Ngọc Bích")):
        assert name in [p["name"] for p in member.get("/api/users", params={"q": query}).json()]
    assert "login" not in member.get("/api/users", params={"q": "duc"}).json()[0]
