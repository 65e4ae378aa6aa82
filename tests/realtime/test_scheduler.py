"""The scheduler with two workers on one database: a written poll closes at its deadline exactly once."""

from __future__ import annotations

import datetime as dt
import time
import uuid
from collections.abc import Callable

import sqlalchemy as sa

from ecabinet.database import Database
from ecabinet.models import Job, utcnow
from tests.realtime.conftest import Live


def test_a_written_poll_closes_at_its_deadline_exactly_once_with_two_workers(
    db: Database, serve: Callable[..., Live]
) -> None:
    """Two servers share the database; the poll closes by itself at its deadline, once, and a reminder reaches
    the member who has not answered, once."""
    first, second = serve(db), serve(db)
    secretary = first.client("thuky")
    mid = int(secretary.get("/api/meetings").json()[0]["id"])
    item = secretary.get(f"/api/meetings/{mid}/items").json()[0]["id"]
    deadline = (utcnow() + dt.timedelta(seconds=3)).isoformat()
    poll = secretary.post(
        f"/api/items/{item}/polls", json={"question": "Ý kiến về dự thảo", "mode": "written", "deadline": deadline}
    ).json()
    assert secretary.post(f"/api/polls/{poll['id']}/open").status_code == 200
    answered = second.client("thanhvien1").post(
        f"/api/polls/{poll['id']}/ballots", json={"choice": "agree"}, headers={"Idempotency-Key": str(uuid.uuid4())}
    )
    assert answered.status_code == 201
    member = second.client("thanhvien2")
    socket = first.socket(member)
    socket.subscribe(f"user:{member.get('/api/me').json()['user']['id']}")
    # A reminder due now (the poll's own are a day and an hour before its deadline).
    with db.write() as session:
        session.add(Job(kind="poll.remind", subject=f"{poll['id']}:0", run_at=utcnow()))
    reminder = socket.until(lambda m: m["op"] == "event" and m["type"] == "poll.reminder", timeout=15)
    assert reminder["data"]["poll_id"] == poll["id"]

    deadline_at = time.monotonic() + 20
    while secretary.get(f"/api/polls/{poll['id']}").json()["status"] != "closed":
        assert time.monotonic() < deadline_at, "the poll did not close at its deadline"
        time.sleep(0.2)
    time.sleep(2.5)  # both workers' schedulers look again after the close; neither may close it twice
    closed = secretary.get(f"/api/polls/{poll['id']}").json()
    assert closed["result"]["tally"]["agree"] == 1 and closed["result"]["quorum_met"] is None
    with db.read() as session:
        closes = session.execute(sa.text("SELECT count(*) FROM audit_event WHERE action = 'poll.closed'")).scalar_one()
        reminders = session.execute(sa.text("SELECT count(*) FROM event_log WHERE type = 'poll.reminder'")).scalar_one()
        pending = session.execute(sa.text("SELECT count(*) FROM job WHERE done_at IS NULL")).scalar_one()
    # One reminder job, for the eight voters who had not answered; one close.
    assert closes == 1 and pending == 0
    assert reminders == len([v for v in closed["voters"] if not v["voted"]])
