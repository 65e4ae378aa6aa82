"""Conclusions per item, the tasks they give to units, and the units' reports back."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from ecabinet import conclusions, tasks
from ecabinet.api.dependencies import Context, CurrentActor, ObjectId
from ecabinet.models import TaskStatus
from ecabinet.record_schemas import (
    ConclusionIn,
    ConclusionOut,
    ConclusionUpdate,
    TaskIn,
    TaskOut,
    TaskReportIn,
    TaskUpdate,
    UnitTasks,
)
from ecabinet.tasks import Calendar

router = APIRouter(tags=["conclusions"])
OptionalId = Annotated[int | None, Query(ge=1, le=2**31 - 1)]


@router.get("/meetings/{meeting_id}/conclusions", response_model=list[ConclusionOut])
def list_conclusions(meeting_id: ObjectId, actor: CurrentActor, context: Context) -> list[ConclusionOut]:
    return conclusions.list_conclusions(context.db, actor, meeting_id, Calendar.of(context.settings))


@router.post("/items/{item_id}/conclusions", response_model=ConclusionOut, status_code=201)
def create_conclusion(item_id: ObjectId, body: ConclusionIn, actor: CurrentActor, context: Context) -> ConclusionOut:
    """Record what the meeting concluded on an item, with the tasks it gives (while the meeting is live)."""
    return conclusions.create(context.db, actor, item_id, body, Calendar.of(context.settings))


@router.patch("/conclusions/{conclusion_id}", response_model=ConclusionOut)
def update_conclusion(
    conclusion_id: ObjectId, body: ConclusionUpdate, actor: CurrentActor, context: Context
) -> ConclusionOut:
    return conclusions.update(context.db, actor, conclusion_id, body, Calendar.of(context.settings))


@router.delete("/conclusions/{conclusion_id}", status_code=204)
def delete_conclusion(conclusion_id: ObjectId, actor: CurrentActor, context: Context) -> None:
    conclusions.delete(context.db, actor, conclusion_id)


@router.post("/conclusions/{conclusion_id}/tasks", response_model=TaskOut, status_code=201)
def add_task(conclusion_id: ObjectId, body: TaskIn, actor: CurrentActor, context: Context) -> TaskOut:
    return conclusions.add_task(context.db, actor, conclusion_id, body, Calendar.of(context.settings))


@router.get("/tasks", response_model=list[TaskOut])
def list_tasks(
    actor: CurrentActor,
    context: Context,
    unit_id: OptionalId = None,
    meeting_id: OptionalId = None,
    status: TaskStatus | None = None,
    overdue: bool | None = None,
) -> list[TaskOut]:
    """Tasks the user may see (their unit's, their meetings'; every task for the secretariat), soonest due first."""
    return tasks.list_tasks(
        context.db,
        actor,
        Calendar.of(context.settings),
        unit_id=unit_id,
        status=status,
        overdue=overdue,
        meeting_id=meeting_id,
    )


@router.get("/tasks/overview", response_model=list[UnitTasks])
def overview(actor: CurrentActor, context: Context) -> list[UnitTasks]:
    """Per unit: open, in progress, done and overdue tasks, the most overdue first."""
    return tasks.overview(context.db, actor, Calendar.of(context.settings))


@router.get("/tasks/{task_id}", response_model=TaskOut)
def get_task(task_id: ObjectId, actor: CurrentActor, context: Context) -> TaskOut:
    return tasks.get_task(context.db, actor, task_id, Calendar.of(context.settings))


@router.patch("/tasks/{task_id}", response_model=TaskOut)
def update_task(task_id: ObjectId, body: TaskUpdate, actor: CurrentActor, context: Context) -> TaskOut:
    return tasks.update_task(context.db, actor, task_id, body, Calendar.of(context.settings))


@router.post("/tasks/{task_id}/reports", response_model=TaskOut, status_code=201)
def report(task_id: ObjectId, body: TaskReportIn, actor: CurrentActor, context: Context) -> TaskOut:
    """The owner unit reports progress on its task, or that it is done."""
    return tasks.report(context.db, actor, task_id, body, Calendar.of(context.settings))
