"""Conclusions and tasks over HTTP: recorded while live, tasks to units with due dates, reports back, the overdue
view per unit, reminders on the scheduler, and refusals that change nothing."""

from __future__ import annotations

import datetime as dt
import json
import time
from typing import Any

import sqlalchemy as sa

from ecabinet.models import Job, utcnow
from ecabinet.tasks import Calendar
from tests.api.test_floor import live
from tests.api.test_meetings import sample_id
from tests.conftest import LiveServer, error_of, snapshot

TEXT = "Giao Sở Tài chính chủ trì, phối hợp với Sở Nội vụ rà soát định mức chi thường xuyên năm 2027"


def unit_id(c: Any, code: str) -> int:
    return int(next(u["id"] for u in c.get("/api/units").json() if u["code"] == code))


def today(server: LiveServer) -> dt.date:
    return Calendar.of(server.settings).today()


def conclude(secretary: Any, server: LiveServer, days: int = 10) -> dict[str, Any]:
    mid = live(secretary)
    item = secretary.get(f"/api/meetings/{mid}/items").json()[0]["id"]
    due = (today(server) + dt.timedelta(days=days)).isoformat()
    task = {"title": "Báo cáo định mức chi", "unit_id": unit_id(secretary, "SO-TC"), "due_on": due}
    answer = secretary.post(f"/api/items/{item}/conclusions", json={"text": TEXT, "tasks": [task]})
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


def test_the_secretary_records_a_conclusion_with_a_task_everyone_in_the_meeting_reads_it(
    server: LiveServer, client: Any
) -> None:
    """The conclusion and its task are read back by a member exactly as written, with the owner unit and due date."""
    secretary = client("thuky")
    made = conclude(secretary, server)
    task = made["tasks"][0]
    assert made["text"] == TEXT and task["unit_name"] == "Sở Tài chính" and task["status"] == "open"
    assert task["days_left"] == 10 and not task["overdue"]
    listed = client("thanhvien1").get(f"/api/meetings/{made['meeting_id']}/conclusions").json()
    assert listed == [made]


def test_the_owner_unit_reports_back_and_the_overview_counts_it(server: LiveServer, client: Any) -> None:
    """Sở Tài chính sees its task, reports progress then done; the overview per unit counts it done; another
    department neither sees the task nor may report on it."""
    made = conclude(client("thuky"), server)
    task_id = made["tasks"][0]["id"]
    finance = client("phogiamdoc1")
    mine = finance.get("/api/tasks").json()
    assert [t["id"] for t in mine] == [task_id] and mine[0]["meeting_title"]
    progress = finance.post(f"/api/tasks/{task_id}/reports", json={"text": "Đã lấy ý kiến các sở"})
    assert progress.status_code == 201 and progress.json()["status"] == "in_progress"
    done = finance.post(f"/api/tasks/{task_id}/reports", json={"text": "Đã trình UBND", "status": "done"})
    assert done.json()["status"] == "done" and done.json()["completed_at"]
    assert [r["text"] for r in done.json()["reports"]] == ["Đã lấy ý kiến các sở", "Đã trình UBND"]
    overview = {u["unit_name"]: u for u in client("thuky").get("/api/tasks/overview").json()}
    assert overview["Sở Tài chính"]["done"] == 1 and overview["Sở Tài chính"]["overdue"] == 0
    made_user = client("admin").post(
        "/api/users",
        json={
            "login": "chuyenvienxd",
            "name": "Chuyên viên Sở Xây dựng",
            "password": "demo-xd",
            "unit_id": unit_id(finance, "SO-XD"),
        },
    )
    assert made_user.status_code == 201, made_user.text
    other = client("chuyenvienxd", "demo-xd")
    assert other.get("/api/tasks").json() == [] and other.get("/api/tasks/overview").json() == []
    assert error_of(other.post(f"/api/tasks/{task_id}/reports", json={"text": "x"}))["status"] == 404
    # A member of the meeting sees the task but does not report for Sở Tài chính; its director does.
    assert error_of(client("thanhvien1").post(f"/api/tasks/{task_id}/reports", json={"text": "x"}))["status"] == 403
    director = client("thanhvien5").post(f"/api/tasks/{task_id}/reports", json={"text": "Đã ký văn bản"})
    assert director.status_code == 201


def test_a_task_past_its_due_date_is_overdue_and_its_unit_is_reminded_once(server: LiveServer, client: Any) -> None:
    """A task due yesterday (city time) shows as overdue, is counted in the overview, and the scheduler sends the
    unit's people one overdue reminder each; done, it is no longer overdue."""
    secretary = client("thuky")
    made = conclude(secretary, server, days=-1)
    task = made["tasks"][0]
    assert task["overdue"] and task["days_left"] == -1
    overdue = secretary.get("/api/tasks", params={"overdue": "true"}).json()
    assert [t["id"] for t in overdue] == [task["id"]]
    assert secretary.get("/api/tasks/overview").json()[0]["overdue"] == 1
    deadline = time.monotonic() + 15
    while True:
        with server.db.read() as session:
            sent = session.execute(sa.text("SELECT channel, data FROM event_log WHERE type = 'task.reminder'")).all()
        if sent or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    finance_people = {u["id"] for u in secretary.get("/api/users").json() if u.get("unit_id") == task["unit_id"]}
    assert sorted(r[0] for r in sent) == sorted(f"user:{u}" for u in finance_people)
    assert {json.loads(r[1])["kind"] for r in sent} == {"overdue"}
    finance = client("phogiamdoc1")
    finance.post(f"/api/tasks/{task['id']}/reports", json={"text": "Xong", "status": "done"})
    assert secretary.get("/api/tasks", params={"overdue": "true"}).json() == []


def test_moving_a_due_date_reschedules_its_reminders(server: LiveServer, client: Any) -> None:
    """The reminder jobs follow the due date: three days before at 08:00 city time, and midnight after it."""
    secretary = client("thuky")
    made = conclude(secretary, server, days=30)
    task = made["tasks"][0]
    later = today(server) + dt.timedelta(days=40)
    moved = secretary.patch(f"/api/tasks/{task['id']}", json={"due_on": later.isoformat()})
    assert moved.status_code == 200 and moved.json()["days_left"] == 40
    calendar = Calendar.of(server.settings)
    with server.db.read() as session:
        jobs = {j.kind: j for j in session.exec(sa.select(Job).where(Job.subject == str(task["id"]))).scalars()}
    assert jobs["task.due_soon"].run_at == calendar.due_soon_at(later) and jobs["task.due_soon"].done_at is None
    assert jobs["task.overdue"].run_at == calendar.overdue_at(later)
    assert jobs["task.overdue"].run_at > utcnow() + dt.timedelta(days=39)


def test_conclusions_are_recorded_only_by_the_chair_or_secretary_while_live_and_bad_input_changes_nothing(
    server: LiveServer, client: Any
) -> None:
    """Before the meeting (409), a member (403), an outsider (404), an unknown unit or a missing date (422): each
    answers with the error shape and stores nothing."""
    secretary, member, outsider = client("thuky"), client("thanhvien1"), client("phogiamdoc1")
    mid = sample_id(secretary)
    item = secretary.get(f"/api/meetings/{mid}/items").json()[0]["id"]
    good = {"text": TEXT}
    before = snapshot(server.db)
    assert error_of(secretary.post(f"/api/items/{item}/conclusions", json=good))["status"] == 409
    live(secretary)
    before = snapshot(server.db)
    assert error_of(member.post(f"/api/items/{item}/conclusions", json=good))["status"] == 403
    assert error_of(outsider.post(f"/api/items/{item}/conclusions", json=good))["status"] == 404
    bad_unit = {"text": TEXT, "tasks": [{"title": "Việc", "unit_id": 999999, "due_on": "2027-01-05"}]}
    assert error_of(secretary.post(f"/api/items/{item}/conclusions", json=bad_unit))["status"] == 422
    no_date = {"text": TEXT, "tasks": [{"title": "Việc", "unit_id": 1}]}
    assert error_of(secretary.post(f"/api/items/{item}/conclusions", json=no_date))["status"] == 422
    assert error_of(secretary.post(f"/api/items/{item}/conclusions", json={"text": ""}))["status"] == 422
    assert snapshot(server.db) == before
    with server.db.read() as session:
        assert session.execute(sa.text("SELECT count(*) FROM conclusion")).scalar_one() == 0
        assert session.execute(sa.text("SELECT count(*) FROM task")).scalar_one() == 0


def test_a_conclusion_is_edited_and_removed_with_its_tasks(server: LiveServer, client: Any) -> None:
    """Editing keeps the tasks; removing takes the tasks and their reminder jobs with it."""
    secretary = client("thuky")
    made = conclude(secretary, server)
    edited = secretary.patch(f"/api/conclusions/{made['id']}", json={"text": TEXT + " trước ngày 15/12/2026"})
    assert edited.status_code == 200 and edited.json()["tasks"] == made["tasks"]
    assert secretary.delete(f"/api/conclusions/{made['id']}").status_code == 204
    assert secretary.get(f"/api/meetings/{made['meeting_id']}/conclusions").json() == []
    with server.db.read() as session:
        assert session.execute(sa.text("SELECT count(*) FROM task")).scalar_one() == 0
        assert session.execute(sa.text("SELECT count(*) FROM job WHERE kind LIKE 'task.%'")).scalar_one() == 0
