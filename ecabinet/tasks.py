"""Tasks that conclusions give to units, with due dates, reports back, reminders and the overdue view.

"Rõ người, rõ việc, rõ tiến độ": every task has one owner unit, one piece of work and one due date. A task is
overdue once the city's date (ECABINET_TIMEZONE) is past its due date and it is neither done nor cancelled.
The unit is reminded some days before (ECABINET_TASK_REMINDER_DAYS) and again when it falls overdue, by
jobs on the scheduler.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlmodel import Session, col, or_, select

from ecabinet import audit, events
from ecabinet.database import Database
from ecabinet.errors import Forbidden, Invalid, NotFound
from ecabinet.models import (
    AgendaItem,
    Conclusion,
    Job,
    Meeting,
    Participant,
    Task,
    TaskReport,
    TaskStatus,
    Unit,
    User,
    utcnow,
)
from ecabinet.permissions import Actor, meeting_access
from ecabinet.record_schemas import TaskIn, TaskOut, TaskReportIn, TaskReportOut, TaskUpdate, UnitTasks
from ecabinet.settings import Settings

SETTLED = (TaskStatus.done, TaskStatus.cancelled)
DUE_SOON_JOB = "task.due_soon"
OVERDUE_JOB = "task.overdue"
# Reminders go out at the start of the working day, in the city's time.
REMINDER_HOUR = 8


@dataclass(frozen=True)
class Calendar:
    """The city's clock: what day it is there, and when reminders fall."""

    zone: ZoneInfo
    reminder_days: int

    @classmethod
    def of(cls, settings: Settings) -> Calendar:
        return cls(settings.zone, settings.task_reminder_days)

    def today(self, now: dt.datetime | None = None) -> dt.date:
        return (now or utcnow()).astimezone(self.zone).date()

    def due_soon_at(self, due_on: dt.date) -> dt.datetime:
        day = due_on - dt.timedelta(days=self.reminder_days)
        return dt.datetime.combine(day, dt.time(REMINDER_HOUR), tzinfo=self.zone).astimezone(dt.UTC)

    def overdue_at(self, due_on: dt.date) -> dt.datetime:
        """The first moment the task is overdue: midnight after its due date, in the city."""
        return dt.datetime.combine(due_on + dt.timedelta(days=1), dt.time(0), tzinfo=self.zone).astimezone(dt.UTC)


def is_overdue(due_on: dt.date, status: TaskStatus, today: dt.date) -> bool:
    return status not in SETTLED and today > due_on


def _check_unit(session: Session, unit_id: int) -> None:
    if session.get(Unit, unit_id) is None:
        raise Invalid("unit_id: no such unit.", field="unit_id")


def tasks_out(session: Session, rows: list[Task], calendar: Calendar) -> list[TaskOut]:
    if not rows:
        return []
    ids = [t.id for t in rows]
    conclusions = {
        c.id: c for c in session.exec(select(Conclusion).where(col(Conclusion.id).in_({t.conclusion_id for t in rows})))
    }
    items = {
        i.id: i.title
        for i in session.exec(
            select(AgendaItem).where(col(AgendaItem.id).in_({c.item_id for c in conclusions.values()}))
        )
    }
    meetings = {
        m.id: m.title for m in session.exec(select(Meeting).where(col(Meeting.id).in_({t.meeting_id for t in rows})))
    }
    units = {u.id: u.name for u in session.exec(select(Unit).where(col(Unit.id).in_({t.unit_id for t in rows})))}
    reports = session.exec(
        select(TaskReport).where(col(TaskReport.task_id).in_(ids)).order_by(col(TaskReport.at))
    ).all()
    names = {u.id: u.name for u in session.exec(select(User).where(col(User.id).in_({r.user_id for r in reports})))}
    today = calendar.today()
    out = []
    for task in rows:
        conclusion = conclusions[task.conclusion_id]
        out.append(
            TaskOut(
                id=task.id or 0,
                conclusion_id=task.conclusion_id,
                meeting_id=task.meeting_id,
                meeting_title=meetings.get(task.meeting_id, ""),
                item_id=conclusion.item_id,
                item_title=items.get(conclusion.item_id, ""),
                unit_id=task.unit_id,
                unit_name=units.get(task.unit_id, ""),
                title=task.title,
                detail=task.detail,
                due_on=task.due_on,
                status=task.status,
                overdue=is_overdue(task.due_on, task.status, today),
                days_left=(task.due_on - today).days,
                created_at=task.created_at,
                completed_at=task.completed_at,
                reports=[
                    TaskReportOut(
                        id=r.id or 0,
                        user_id=r.user_id,
                        name=names.get(r.user_id, ""),
                        text=r.text,
                        status=r.status,
                        at=r.at,
                    )
                    for r in reports
                    if r.task_id == task.id
                ],
            )
        )
    return out


def _schedule(session: Session, task: Task, calendar: Calendar) -> None:
    """(Re)schedule the task's reminders for its due date; a moment already past is not reminded of."""
    assert task.id is not None
    now = utcnow()
    for kind, at in (
        (DUE_SOON_JOB, calendar.due_soon_at(task.due_on)),
        (OVERDUE_JOB, calendar.overdue_at(task.due_on)),
    ):
        job = session.exec(select(Job).where(Job.kind == kind, Job.subject == str(task.id))).first()
        if job is None:
            job = Job(kind=kind, subject=str(task.id), run_at=at)
        job.run_at = at
        # A due date moved later gets its reminders again; one moved into the past does not remind late.
        job.done_at = None if at > now or kind == OVERDUE_JOB else now
        session.add(job)


def announce(session: Session, task: Task, calendar: Calendar) -> TaskOut:
    """Tell the meeting, and the owner unit's people wherever they are (their task list is not a meeting page)."""
    session.flush()
    out = tasks_out(session, [task], calendar)[0]
    data = {"task": out.model_dump(mode="json")}
    events.emit(session, events.meeting_channel(task.meeting_id), events.TASK_UPDATED, data)
    for user_id in _unit_people(session, task.unit_id):
        events.emit(session, events.user_channel(user_id), events.TASK_UPDATED, data)
    return out


def _unit_people(session: Session, unit_id: int) -> list[int]:
    people = session.exec(select(User.id).where(User.unit_id == unit_id, col(User.active).is_(True))).all()
    return sorted(u for u in people if u is not None)


def add_tasks(
    session: Session, actor: Actor, conclusion: Conclusion, data: list[TaskIn], calendar: Calendar
) -> list[Task]:
    """Create a conclusion's tasks inside the caller's transaction (the caller checked who may)."""
    rows = []
    for entry in data:
        _check_unit(session, entry.unit_id)
        task = Task(
            conclusion_id=conclusion.id or 0,
            meeting_id=conclusion.meeting_id,
            unit_id=entry.unit_id,
            title=entry.title,
            detail=entry.detail,
            due_on=entry.due_on,
            created_by_id=actor.id,
        )
        session.add(task)
        session.flush()
        _schedule(session, task, calendar)
        audit.append(
            session,
            actor_id=actor.id,
            action="task.created",
            object_type="task",
            object_id=task.id,
            meeting_id=task.meeting_id,
            data={"unit_id": task.unit_id, "due_on": task.due_on.isoformat()},
        )
        rows.append(task)
    return rows


def _visible(session: Session, actor: Actor) -> sa.ColumnElement[bool]:
    """A WHERE clause for the tasks an actor may see: their unit's, and those of meetings they take part in."""
    if actor.is_secretariat:
        return sa.true()
    meetings = select(Participant.meeting_id).where(
        or_(Participant.user_id == actor.id, Participant.substitute_id == actor.id)
    )
    clause: sa.ColumnElement[bool] = col(Task.meeting_id).in_(meetings)
    if actor.user.unit_id is not None:
        clause = or_(clause, Task.unit_id == actor.user.unit_id)
    return clause


def list_tasks(
    db: Database,
    actor: Actor,
    calendar: Calendar,
    *,
    unit_id: int | None = None,
    status: TaskStatus | None = None,
    overdue: bool | None = None,
    meeting_id: int | None = None,
) -> list[TaskOut]:
    with db.read() as session:
        query = select(Task).where(_visible(session, actor))
        if unit_id is not None:
            query = query.where(Task.unit_id == unit_id)
        if status is not None:
            query = query.where(Task.status == status)
        if meeting_id is not None:
            query = query.where(Task.meeting_id == meeting_id)
        if overdue is not None:
            late = (col(Task.due_on) < calendar.today()) & col(Task.status).not_in(SETTLED)
            query = query.where(late if overdue else ~late)
        rows = list(session.exec(query.order_by(col(Task.due_on), col(Task.id))).all())
        return tasks_out(session, rows, calendar)


def overview(db: Database, actor: Actor, calendar: Calendar) -> list[UnitTasks]:
    """Per unit: open, in progress, done and overdue tasks (the secretariat sees every unit)."""
    with db.read() as session:
        query = select(col(Task.unit_id), col(Task.status), col(Task.due_on))
        if not actor.is_secretariat:
            if actor.user.unit_id is None:
                return []
            query = query.where(Task.unit_id == actor.user.unit_id)
        rows = session.exec(query).all()
        units = {u.id: u.name for u in session.exec(select(Unit).where(col(Unit.id).in_({r[0] for r in rows})))}
        today = calendar.today()
        counts: dict[int, UnitTasks] = {}
        for unit_id, status, due_on in rows:
            entry = counts.setdefault(unit_id, UnitTasks(unit_id=unit_id, unit_name=units.get(unit_id, "")))
            if status in (TaskStatus.open, TaskStatus.in_progress, TaskStatus.done):
                setattr(entry, status, getattr(entry, status) + 1)
            entry.overdue += is_overdue(due_on, TaskStatus(status), today)
        return sorted(counts.values(), key=lambda u: (-u.overdue, u.unit_name))


def _task(session: Session, task_id: int) -> Task:
    task = session.get(Task, task_id)
    if task is None:
        raise NotFound("No such task.")
    return task


def get_task(db: Database, actor: Actor, task_id: int, calendar: Calendar) -> TaskOut:
    with db.read() as session:
        task = session.exec(select(Task).where(Task.id == task_id, _visible(session, actor))).first()
        if task is None:
            raise NotFound("No such task.")
        return tasks_out(session, [task], calendar)[0]


def update_task(db: Database, actor: Actor, task_id: int, data: TaskUpdate, calendar: Calendar) -> TaskOut:
    """The meeting's chair or managers change a task: its wording, owner, due date, or cancel it."""
    changes = data.model_dump(exclude_unset=True)
    with db.write() as session:
        task = _task(session, task_id)
        access = meeting_access(session, actor, task.meeting_id)
        if not access.can_chair:
            raise Forbidden("Only the chair or the meeting's secretary changes a task.")
        for name in ("title", "unit_id", "due_on", "status"):
            if name in changes and changes[name] is None:
                raise Invalid(f"{name}: may not be null.", field=name)
        if "unit_id" in changes:
            _check_unit(session, changes["unit_id"])
        for key, value in changes.items():
            setattr(task, key, value)
        if "status" in changes:
            task.completed_at = utcnow() if task.status == TaskStatus.done else None
        session.add(task)
        if "due_on" in changes:
            _schedule(session, task, calendar)
        audit.append(
            session,
            actor_id=actor.id,
            action="task.updated",
            object_type="task",
            object_id=task_id,
            meeting_id=task.meeting_id,
            data=data.model_dump(mode="json", exclude_unset=True),
        )
        return announce(session, task, calendar)


def report(db: Database, actor: Actor, task_id: int, data: TaskReportIn, calendar: Calendar) -> TaskOut:
    """Someone of the owner unit (or the secretariat) reports progress, or that the task is done."""
    with db.write() as session:
        task = session.exec(select(Task).where(Task.id == task_id, _visible(session, actor)).with_for_update()).first()
        if task is None:
            raise NotFound("No such task.")
        if not (actor.is_secretariat or actor.user.unit_id == task.unit_id):
            raise Forbidden("Only the unit the task is given to reports on it.")
        if task.status == TaskStatus.cancelled:
            raise Invalid("The task was cancelled; there is nothing to report on.", field="status")
        status = TaskStatus(data.status)
        session.add(TaskReport(task_id=task_id, user_id=actor.id, text=data.text, status=status))
        task.status = status
        task.completed_at = utcnow() if status == TaskStatus.done else None
        session.add(task)
        audit.append(
            session,
            actor_id=actor.id,
            action="task.reported",
            object_type="task",
            object_id=task_id,
            meeting_id=task.meeting_id,
            data={"status": status.value},
        )
        return announce(session, task, calendar)


def run_job(session: Session, job: Job, calendar: Calendar) -> None:
    """Remind the task's unit that it falls due soon, or that it is overdue (unless it is settled by now)."""
    task = session.get(Task, int(job.subject))
    if task is None or task.status in SETTLED:
        return
    if job.kind == OVERDUE_JOB and not is_overdue(task.due_on, task.status, calendar.today()):
        return  # the due date moved later since this was scheduled
    out = tasks_out(session, [task], calendar)[0].model_dump(mode="json")
    kind = "overdue" if job.kind == OVERDUE_JOB else "due_soon"
    for user_id in _unit_people(session, task.unit_id):
        events.emit(session, events.user_channel(user_id), events.TASK_REMINDER, {"task": out, "kind": kind})
