"""Conclusions (kết luận): what the meeting concluded on each item, recorded by the secretary while it is live,
each with the tasks it gives to units."""

from __future__ import annotations

from sqlmodel import Session, col, select

from ecabinet import audit, events, tasks
from ecabinet.database import Database
from ecabinet.errors import Conflict, Forbidden, NotFound
from ecabinet.models import AgendaItem, Conclusion, Job, MeetingStatus, Task, TaskReport, utcnow
from ecabinet.permissions import Actor, MeetingAccess, meeting_access
from ecabinet.record_schemas import ConclusionIn, ConclusionOut, ConclusionUpdate, TaskIn, TaskOut
from ecabinet.tasks import Calendar


def conclusions_out(session: Session, rows: list[Conclusion], calendar: Calendar) -> list[ConclusionOut]:
    ids = [c.id for c in rows]
    task_rows = list(
        session.exec(select(Task).where(col(Task.conclusion_id).in_(ids)).order_by(col(Task.id))).all() if ids else []
    )
    by_conclusion: dict[int, list[TaskOut]] = {}
    for task in tasks.tasks_out(session, task_rows, calendar):
        by_conclusion.setdefault(task.conclusion_id, []).append(task)
    return [
        ConclusionOut(
            id=c.id or 0,
            meeting_id=c.meeting_id,
            item_id=c.item_id,
            text=c.text,
            created_at=c.created_at,
            updated_at=c.updated_at,
            tasks=by_conclusion.get(c.id or 0, []),
        )
        for c in rows
    ]


def meeting_conclusions(session: Session, meeting_id: int, calendar: Calendar) -> list[ConclusionOut]:
    rows = session.exec(
        select(Conclusion).where(Conclusion.meeting_id == meeting_id).order_by(col(Conclusion.id))
    ).all()
    return conclusions_out(session, list(rows), calendar)


def list_conclusions(db: Database, actor: Actor, meeting_id: int, calendar: Calendar) -> list[ConclusionOut]:
    with db.read() as session:
        meeting_access(session, actor, meeting_id)
        return meeting_conclusions(session, meeting_id, calendar)


def _require_recorder(access: MeetingAccess, live_only: bool = True) -> None:
    if not access.can_chair:
        raise Forbidden("Only the chair or the meeting's secretary records conclusions.")
    if live_only and access.meeting.status != MeetingStatus.live:
        raise Conflict(
            f"The meeting is {access.meeting.status}; conclusions are recorded while it is live "
            "(the minutes are final once it is closed)."
        )


def _announce(session: Session, conclusion: Conclusion, calendar: Calendar) -> ConclusionOut:
    session.flush()
    out = conclusions_out(session, [conclusion], calendar)[0]
    channel = events.meeting_channel(conclusion.meeting_id)
    events.emit(session, channel, events.CONCLUSION_UPDATED, {"conclusion": out.model_dump(mode="json")})
    return out


def _audit(session: Session, actor: Actor, conclusion: Conclusion, action: str) -> None:
    audit.append(
        session,
        actor_id=actor.id,
        action=action,
        object_type="conclusion",
        object_id=conclusion.id,
        meeting_id=conclusion.meeting_id,
        data={"item_id": conclusion.item_id},
    )


def create(db: Database, actor: Actor, item_id: int, data: ConclusionIn, calendar: Calendar) -> ConclusionOut:
    """Record a conclusion on an item, with the tasks it gives (the chair or the meeting's secretary, live)."""
    with db.write() as session:
        item = session.get(AgendaItem, item_id)
        if item is None:
            raise NotFound("No such agenda item.")
        _require_recorder(meeting_access(session, actor, item.meeting_id))
        conclusion = Conclusion(meeting_id=item.meeting_id, item_id=item_id, text=data.text, created_by_id=actor.id)
        session.add(conclusion)
        session.flush()
        _audit(session, actor, conclusion, "conclusion.created")
        tasks.add_tasks(session, actor, conclusion, data.tasks, calendar)
        return _announce(session, conclusion, calendar)


def _conclusion(session: Session, actor: Actor, conclusion_id: int, live_only: bool = True) -> Conclusion:
    conclusion = session.get(Conclusion, conclusion_id)
    if conclusion is None:
        raise NotFound("No such conclusion.")
    _require_recorder(meeting_access(session, actor, conclusion.meeting_id), live_only)
    return conclusion


def update(db: Database, actor: Actor, conclusion_id: int, data: ConclusionUpdate, calendar: Calendar) -> ConclusionOut:
    with db.write() as session:
        conclusion = _conclusion(session, actor, conclusion_id)
        conclusion.text, conclusion.updated_at = data.text, utcnow()
        session.add(conclusion)
        _audit(session, actor, conclusion, "conclusion.updated")
        return _announce(session, conclusion, calendar)


def add_task(db: Database, actor: Actor, conclusion_id: int, data: TaskIn, calendar: Calendar) -> TaskOut:
    """Give one more task on a conclusion; also after the meeting, as follow-up work is found."""
    with db.write() as session:
        conclusion = _conclusion(session, actor, conclusion_id, live_only=False)
        (task,) = tasks.add_tasks(session, actor, conclusion, [data], calendar)
        _announce(session, conclusion, calendar)
        return tasks.announce(session, task, calendar)


def delete(db: Database, actor: Actor, conclusion_id: int) -> None:
    """Remove a conclusion recorded by mistake, with its tasks (while the meeting is live)."""
    with db.write() as session:
        conclusion = _conclusion(session, actor, conclusion_id)
        task_ids = [t for t in session.exec(select(Task.id).where(Task.conclusion_id == conclusion_id)).all() if t]
        for report in session.exec(select(TaskReport).where(col(TaskReport.task_id).in_(task_ids))).all():
            session.delete(report)
        for job in session.exec(select(Job).where(col(Job.subject).in_([str(t) for t in task_ids]))).all():
            if job.kind in (tasks.DUE_SOON_JOB, tasks.OVERDUE_JOB):
                session.delete(job)
        for task in session.exec(select(Task).where(Task.conclusion_id == conclusion_id)).all():
            session.delete(task)
        session.flush()
        session.delete(conclusion)
        _audit(session, actor, conclusion, "conclusion.deleted")
        data = {"conclusion": {"id": conclusion_id, "item_id": conclusion.item_id}}
        events.emit(session, events.meeting_channel(conclusion.meeting_id), events.CONCLUSION_DELETED, data)
