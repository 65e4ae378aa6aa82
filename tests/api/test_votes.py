"""Votes over HTTP: every ballot counted exactly once, refusals store nothing, secret ballots unlinkable."""

from __future__ import annotations

import concurrent.futures
import json
import logging
import uuid
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlmodel import select

from ecabinet import audit
from ecabinet.database import Database
from ecabinet.models import Participant, ParticipantRole, User
from ecabinet.passwords import hash_password
from tests.api.test_meetings import sample_id
from tests.conftest import DEMO_PASSWORD, LiveServer, error_of

MEMBERS = [f"thanhvien{i}" for i in range(1, 10)]


def add_voters(
    db: Database, meeting_id: int, count: int, role: ParticipantRole = ParticipantRole.member, prefix: str = "uyvien"
) -> list[str]:
    """`count` more participants (members with a vote, unless another role) in the meeting."""
    password = hash_password(DEMO_PASSWORD)
    logins = [f"{prefix}{i:03d}" for i in range(count)]
    with db.write() as session:
        for login in logins:
            user = User(login=login, name=f"Ủy viên {login[-3:]}", password_hash=password)
            session.add(user)
            session.flush()
            voting = role == ParticipantRole.member
            session.add(Participant(meeting_id=meeting_id, user_id=user.id, role=role, can_vote=voting))
    return logins


def live_poll(secretary: Any, ballot: str = "named", **extra: Any) -> dict[str, Any]:
    """A poll on the first item of the sample meeting, opened while the meeting is live."""
    mid = sample_id(secretary)
    if secretary.get(f"/api/meetings/{mid}").json()["status"] != "live":
        assert secretary.post(f"/api/meetings/{mid}/transition", json={"to": "live"}).status_code == 200
    item = secretary.get(f"/api/meetings/{mid}/items").json()[0]["id"]
    created = secretary.post(
        f"/api/items/{item}/polls", json={"question": "Thông qua Tờ trình", "ballot": ballot, **extra}
    )
    assert created.status_code == 201, created.text
    opened = secretary.post(f"/api/polls/{created.json()['id']}/open")
    assert opened.status_code == 200, opened.text
    return dict(opened.json())


def vote(c: Any, poll_id: int, choice: str, key: str | None = None) -> Any:
    """Cast a ballot as a tablet does: a connection lost on the way is retried with the same key."""
    headers = {"Idempotency-Key": key or str(uuid.uuid4())}
    for attempt in range(3):
        try:
            return c.post(f"/api/polls/{poll_id}/ballots", json={"choice": choice}, headers=headers)
        except httpx.TransportError:
            # e.g. a keep-alive connection the server closed while this client sat idle
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def rows(db: Database, sql: str, **params: Any) -> list[Any]:
    with db.read() as session:
        return list(session.execute(sa.text(sql), params).all())


def test_fifty_members_voting_at_once_with_retries_count_exactly_fifty(server: LiveServer, client: Any) -> None:
    """50 members cast at once, each request sent 3× with one Idempotency-Key: 50 ballots, one receipt each."""
    secretary = client("thuky")
    mid = sample_id(secretary)
    logins = add_voters(server.db, mid, 50)
    voters = [client(login) for login in logins]
    poll = live_poll(secretary)
    keys = {login: str(uuid.uuid4()) for login in logins}

    def send(index: int) -> tuple[str, int, str]:
        login = logins[index % 50]
        answer = vote(voters[index % 50], poll["id"], "agree" if index % 50 < 40 else "disagree", keys[login])
        return login, answer.status_code, answer.json().get("receipt", answer.text)

    with concurrent.futures.ThreadPoolExecutor(max_workers=24) as pool:
        answers = list(pool.map(send, range(150)))
    assert {status for _, status, _ in answers} <= {200, 201}
    # One 201 per member, unless a retried request's first try was counted and only its answer lost.
    assert sum(status == 201 for _, status, _ in answers) <= 50
    receipts: dict[str, set[str]] = {}
    for login, _status, receipt in answers:
        receipts.setdefault(login, set()).add(receipt)
    assert all(len(r) == 1 for r in receipts.values()) and len(receipts) == 50
    assert rows(server.db, "SELECT count(*) FROM vote_cast WHERE poll_id = :p", p=poll["id"])[0][0] == 50
    assert rows(server.db, "SELECT count(*) FROM ballot WHERE poll_id = :p", p=poll["id"])[0][0] == 50

    second = vote(voters[0], poll["id"], "disagree")
    assert second.status_code == 409 and error_of(second)["error"] == "already_voted"
    closed = secretary.post(f"/api/polls/{poll['id']}/close").json()
    assert closed["result"]["tally"] == {"agree": 40, "disagree": 10, "abstain": 0}
    published = secretary.get(f"/api/polls/{poll['id']}/receipts").json()["receipts"]
    assert sorted(r for (r,) in receipts.values()) == published


def test_ballots_racing_closes_all_agree_on_one_tally(server: LiveServer, client: Any) -> None:
    """50 ballots and 50 close calls at once: every close reports the same tally; late ballots get poll_closed."""
    secretary, chair = client("thuky"), client("chutich")
    mid = sample_id(secretary)
    logins = add_voters(server.db, mid, 50)
    voters = [client(login) for login in logins]
    poll = live_poll(secretary)

    def ballot(index: int) -> Any:
        return ("ballot", vote(voters[index], poll["id"], "agree"))

    def close(index: int) -> Any:
        return ("close", (chair if index % 2 else secretary).post(f"/api/polls/{poll['id']}/close"))

    jobs = [(ballot, i) for i in range(50)] + [(close, i) for i in range(50)]
    jobs = [jobs[i] for i in sorted(range(100), key=lambda i: (i * 37) % 100)]
    with concurrent.futures.ThreadPoolExecutor(max_workers=24) as pool:
        results = list(pool.map(lambda job: job[0](job[1]), jobs))
    counted = [r for kind, r in results if kind == "ballot" and r.status_code in (200, 201)]
    late = [r for kind, r in results if kind == "ballot" and r.status_code not in (200, 201)]
    assert all(r.status_code == 409 and error_of(r)["error"] == "poll_closed" for r in late)
    tallies = {json.dumps(r.json()["result"]["tally"]) for kind, r in results if kind == "close"}
    assert tallies == {json.dumps({"agree": len(counted), "disagree": 0, "abstain": 0})}
    assert rows(server.db, "SELECT count(*) FROM vote_cast WHERE poll_id = :p", p=poll["id"])[0][0] == len(counted)


def test_only_members_with_a_vote_vote_and_refusals_store_nothing(server: LiveServer, client: Any) -> None:
    """Outsiders, the secretary, remote sites, other departments: refused; nothing is stored or counted."""
    secretary = client("thuky")
    (observer,) = add_voters(server.db, sample_id(secretary), 1, ParticipantRole.observer, "quansat")
    (invitee,) = add_voters(server.db, sample_id(secretary), 1, ParticipantRole.invitee, "khachmoi")
    poll = live_poll(secretary)
    for login, status in [
        (observer, 403),
        (invitee, 403),
        ("phogiamdoc1", 404),
        ("diemcau1", 403),
        ("thuky", 403),
        ("admin", 403),
        ("chutich", 201),
    ]:
        refused = vote(client(login), poll["id"], "agree")
        assert refused.status_code == status, (login, refused.text)
    # A named substitute attends, but under the People's Committee's rules does not vote.
    mid = sample_id(secretary)
    seat = next(
        p for p in secretary.get(f"/api/meetings/{mid}/participants").json() if p["name"] == "Hoàng Thị Lan Anh"
    )
    deputy = client("phogiamdoc1")
    named = secretary.patch(
        f"/api/participants/{seat['id']}", json={"substitute_id": deputy.get("/api/me").json()["user"]["id"]}
    )
    assert named.status_code == 200, named.text
    standing_in = vote(deputy, poll["id"], "agree")
    assert standing_in.status_code == 403 and "substitute" in error_of(standing_in)["message"]
    member = client("thanhvien1")
    assert error_of(vote(member, poll["id"], "maybe"))["field"] == "choice"
    missing = member.post(f"/api/polls/{poll['id']}/ballots", json={"choice": "agree"})
    assert missing.status_code == 422
    assert error_of(vote(member, poll["id"], "agree", key="short"))["field"] == "Idempotency-Key"
    # Only the chair's ballot is stored.
    assert rows(server.db, "SELECT count(*) FROM vote_cast")[0][0] == 1
    assert rows(server.db, "SELECT count(*) FROM ballot")[0][0] == 1
    # Only the chair and the managers run votes.
    assert member.post(f"/api/polls/{poll['id']}/close").status_code == 403
    item = poll["item_id"]
    assert member.post(f"/api/items/{item}/polls", json={"question": "x"}).status_code == 403


def test_a_secret_ballot_cannot_be_linked_to_its_voter(
    server: LiveServer, client: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """After close: no column, order, transaction id, event, log line, audit row or receipt record ties a member
    to a choice."""
    caplog.set_level(logging.DEBUG)
    secretary = client("thuky")
    poll = live_poll(secretary, ballot="secret")
    choices = {login: ("agree" if i % 3 else "disagree") for i, login in enumerate(MEMBERS)}
    receipts = {}
    for login, choice in choices.items():
        answer = vote(client(login), poll["id"], choice)
        assert answer.status_code == 201 and answer.json()["choice"] is None
        receipts[login] = answer.json()["receipt"]
    # While open the choices wait apart from the voters; the cast rows never hold one.
    casts = rows(server.db, "SELECT choice, receipt, comment, cast_at FROM vote_cast WHERE poll_id = :p", p=poll["id"])
    assert casts and all(row == ("", "", "", None) for row in casts)
    closed = secretary.post(f"/api/polls/{poll['id']}/close").json()
    expected = {"agree": list(choices.values()).count("agree"), "disagree": list(choices.values()).count("disagree")}
    assert closed["result"]["tally"] == {**expected, "abstain": 0}
    assert rows(server.db, "SELECT count(*) FROM pending_ballot")[0][0] == 0
    ballots = rows(server.db, "SELECT id, receipt, choice FROM ballot WHERE poll_id = :p", p=poll["id"])
    # The receipts recount to the announced result, and each voter finds theirs.
    assert sorted(r for _, r, _ in ballots) == secretary.get(f"/api/polls/{poll['id']}/receipts").json()["receipts"]
    assert set(receipts.values()) == {r for _, r, _ in ballots}
    assert {c: sum(b[2] == c for b in ballots) for c in expected} == expected
    # Columns: a ballot has a random id, a receipt and a choice; nothing of a voter or a time.
    with server.db.read() as session:
        columns = {c["name"] for c in sa.inspect(session.get_bind()).get_columns("ballot")}
    assert columns == {"id", "poll_id", "receipt", "choice", "comment"}
    # Order: the stored order of the ballots is not the casting order (10 voters: 1 in 10! by chance).
    cast_order = [receipts[login] for login in MEMBERS]
    assert [r for _, r, _ in ballots] != cast_order
    assert sorted(b[0] for b in ballots) != [b[0] for b in ballots] or [r for _, r, _ in ballots] != cast_order
    if server.db.url.startswith("postgresql"):
        # Transaction ids: every counted ballot was written by the one closing transaction.
        xmins = rows(server.db, "SELECT DISTINCT xmin::text FROM ballot WHERE poll_id = :p", p=poll["id"])
        cast_xmins = {
            x for (x,) in rows(server.db, "SELECT xmin::text FROM vote_cast WHERE poll_id = :p", p=poll["id"])
        }
        assert len(xmins) == 1 and xmins[0][0] not in cast_xmins
    # Events and audit: who voted, never what.
    logged = rows(server.db, "SELECT data FROM event_log WHERE type IN ('poll.cast', 'poll.updated')")
    for (data,) in logged:
        body = json.loads(data) if isinstance(data, str) else data
        assert "choice" not in json.dumps(body.get("poll", {}).get("voters", [])) or all(
            v.get("choice") is None for v in body.get("poll", {}).get("voters", [])
        )
        assert "receipt" not in json.dumps(body)
    for (data,) in rows(server.db, "SELECT data FROM audit_event WHERE action = 'poll.cast'"):
        text = data if isinstance(data, str) else json.dumps(data)
        assert "choice" not in text and "agree" not in text and "receipt" not in text.lower()
    # Log lines (the server runs in this process): none names a choice or a receipt.
    for record in caplog.records:
        line = record.getMessage()
        assert not any(r in line for r in receipts.values()) and "disagree" not in line, line
    # What a voter sees of their own vote: that they voted, the receipt, not the choice.
    mine = client("thanhvien1").get(f"/api/polls/{poll['id']}").json()["my_vote"]
    assert mine == {"voted": True, "receipt": "", "choice": None, "by_secretary": False}
    assert all(v["choice"] is None for v in secretary.get(f"/api/polls/{poll['id']}").json()["voters"])


def test_named_votes_show_who_voted_what_and_the_secretary_records_by_hand(server: LiveServer, client: Any) -> None:
    """The chair sees choices as they come; a ballot recorded by hand is marked; the audit chain holds it all."""
    secretary, chair = client("thuky"), client("chutich")
    poll = live_poll(secretary)
    assert vote(client("thanhvien1"), poll["id"], "agree").status_code == 201
    member2 = next(v for v in poll["voters"] if v["name"] == "Phạm Thị Thu Hà")["user_id"]
    key = str(uuid.uuid4())
    by_hand = secretary.post(
        f"/api/polls/{poll['id']}/ballots/manual",
        json={"user_id": member2, "choice": "disagree"},
        headers={"Idempotency-Key": key},
    )
    assert by_hand.status_code == 201 and by_hand.json()["by_secretary"] is True
    again = secretary.post(
        f"/api/polls/{poll['id']}/ballots/manual",
        json={"user_id": member2, "choice": "disagree"},
        headers={"Idempotency-Key": key},
    )
    assert again.status_code == 200 and again.json()["receipt"] == by_hand.json()["receipt"]
    theirs = client("thanhvien2").get(f"/api/polls/{poll['id']}").json()["my_vote"]
    assert theirs["by_secretary"] is True and theirs["choice"] == "disagree"
    assert secretary.get(f"/api/polls/{poll['id']}").json()["my_vote"] is None
    seen = {v["name"]: (v["choice"], v["by_secretary"]) for v in chair.get(f"/api/polls/{poll['id']}").json()["voters"]}
    assert seen["Lê Văn Thành"] == ("agree", False) and seen["Phạm Thị Thu Hà"] == ("disagree", True)
    # Members see who voted, not yet what.
    assert all(v["choice"] is None for v in client("thanhvien3").get(f"/api/polls/{poll['id']}").json()["voters"])
    closed = chair.post(f"/api/polls/{poll['id']}/close").json()
    assert closed["result"]["adopted"] is False and closed["result"]["needed"] == 6
    assert closed["tally"] == {"agree": 1, "disagree": 1, "abstain": 0} and closed["cast"] == 2
    assert closed["outcome"]["adopted"] is False and closed["outcome"]["rule"] == "majority_of_all_members"
    assert "quá nửa tổng số thành viên" in closed["result"]["basis"]
    assert chair.post(f"/api/polls/{poll['id']}/close").json()["result"] == closed["result"]
    actions = [a for (a,) in rows(server.db, "SELECT action FROM audit_event ORDER BY seq")]
    assert {"poll.created", "poll.opened", "poll.cast", "poll.closed"} <= set(actions)
    with server.db.read() as session:
        assert audit.verify(session).ok
    with server.db.write() as session:
        session.execute(sa.text("UPDATE audit_event SET data = '{}' WHERE action = 'poll.cast'"))
    with server.db.read() as session:
        assert not audit.verify(session).ok


def test_pre_positions_and_the_consent_agenda(server: LiveServer, client: Any) -> None:
    """Members mark items; the chair sees the tally; items nobody objects to are voted on together."""
    secretary, chair = client("thuky"), client("chutich")
    mid = sample_id(secretary)
    items = [i["id"] for i in secretary.get(f"/api/meetings/{mid}/items").json()]
    m1, m2 = client("thanhvien1"), client("thanhvien2")
    assert m1.put(f"/api/items/{items[0]}/preposition", json={"position": "agree"}).json()["agree"] == 1
    assert m2.put(f"/api/items/{items[0]}/preposition", json={"position": "speak"}).json()["speak"] == 1
    assert m1.put(f"/api/items/{items[1]}/preposition", json={"position": "object"}).json()["object"] == 1
    assert m2.put(f"/api/items/{items[2]}/preposition", json={"position": "agree"}).status_code == 200
    assert m2.delete(f"/api/items/{items[2]}/preposition").status_code == 204
    board = chair.get(f"/api/meetings/{mid}/prepositions").json()
    assert board["consent_item_ids"] == [items[0]]
    assert {(m["name"], m["position"]) for m in board["members"]} == {
        ("Lê Văn Thành", "agree"),
        ("Phạm Thị Thu Hà", "speak"),
        ("Lê Văn Thành", "object"),
    }
    mine = m1.get(f"/api/meetings/{mid}/prepositions").json()
    assert mine["members"] == [] and next(i for i in mine["items"] if i["item_id"] == items[0])["mine"] == "agree"
    assert client("diemcau1").put(f"/api/items/{items[0]}/preposition", json={"position": "agree"}).status_code == 403
    refused = chair.post(f"/api/meetings/{mid}/consent", json={"item_ids": [items[1]]})
    assert error_of(refused)["field"] == "item_ids"
    consent = chair.post(f"/api/meetings/{mid}/consent", json={})
    assert consent.status_code == 201 and consent.json()["item_ids"] == [items[0]]


@pytest.mark.parametrize("mode", ["written"])
def test_a_written_poll_needs_a_deadline_and_takes_comments(server: LiveServer, client: Any, mode: str) -> None:
    """A written opinion poll opens in a scheduled meeting, with a deadline, and keeps named comments."""
    secretary = client("thuky")
    mid = sample_id(secretary)
    item = secretary.get(f"/api/meetings/{mid}/items").json()[0]["id"]
    no_deadline = secretary.post(f"/api/items/{item}/polls", json={"question": "Ý kiến về dự thảo", "mode": mode})
    assert error_of(no_deadline)["field"] == "deadline"
    created = secretary.post(
        f"/api/items/{item}/polls",
        json={"question": "Ý kiến về dự thảo", "mode": mode, "deadline": "2099-12-01T17:00:00+07:00"},
    ).json()
    assert secretary.post(f"/api/polls/{created['id']}/open").status_code == 200
    answer = client("thanhvien4").post(
        f"/api/polls/{created['id']}/ballots",
        json={"choice": "agree", "comment": "Đề nghị bổ sung phụ lục kinh phí."},
        headers={"Idempotency-Key": str(uuid.uuid4())},
    )
    assert answer.status_code == 201
    seen = secretary.get(f"/api/polls/{created['id']}").json()
    assert seen["comments"] == [{"name": "Vũ Đức Long", "text": "Đề nghị bổ sung phụ lục kinh phí."}]
    jobs = rows(server.db, "SELECT kind, subject FROM job ORDER BY run_at")
    assert [k for k, _ in jobs] == ["poll.remind", "poll.remind", "poll.close"]
    closed = secretary.post(f"/api/polls/{created['id']}/close").json()
    assert closed["result"]["quorum_met"] is None and closed["result"]["cast"] == 1
    assert all(done is not None for (done,) in rows(server.db, "SELECT done_at FROM job"))


def test_members_of_another_meeting_are_refused(server: LiveServer, client: Any) -> None:
    """A member of the sample meeting is not a voter of another meeting's poll (404: the meeting is not theirs)."""
    secretary = client("thuky")
    other = secretary.post("/api/meetings", json={"kind": "thematic", "title": "Họp chuyên đề"}).json()
    item = secretary.post(f"/api/meetings/{other['id']}/items", json={"title": "Nội dung"}).json()
    poll = secretary.post(f"/api/items/{item['id']}/polls", json={"question": "x", "mode": "written",
                          "deadline": "2099-01-01T00:00:00+07:00"}).json()  # fmt: skip
    assert secretary.post(f"/api/polls/{poll['id']}/open").status_code == 200
    assert vote(client("thanhvien1"), poll["id"], "agree").status_code == 404
    with server.db.read() as session:
        assert session.exec(select(Participant).where(Participant.meeting_id == other["id"])).all() == []
