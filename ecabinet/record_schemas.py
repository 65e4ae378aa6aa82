"""Request and response bodies of the floor and the record: speakers, the console, conclusions, tasks, and
the documents a meeting issues (minutes, invitation)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints

from ecabinet.models import SpeakerStatus, TaskStatus
from ecabinet.schemas import Id, Request, Response

LongText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20000)]
TaskTitle = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)]
Note = Annotated[str, StringConstraints(strip_whitespace=True, max_length=300)]
Number = Annotated[str, StringConstraints(strip_whitespace=True, max_length=64)]

# ---- the floor ---------------------------------------------------------------------------------------


class SpeakerIn(Request):
    item_id: Id | None = None
    note: Note = ""
    # The console holder adds someone who raised a hand in the room.
    user_id: Id | None = None


class GrantIn(Request):
    limit_secs: int | None = Field(default=None, ge=10, le=3 * 3600)


class ConsoleIn(Request):
    holder: Literal["chair", "secretary"]


class SpeakerOut(Response):
    id: int
    meeting_id: int
    item_id: int | None
    user_id: int
    name: str
    unit_name: str | None = None
    status: SpeakerStatus
    note: str
    requested_at: dt.datetime
    granted_at: dt.datetime | None
    ended_at: dt.datetime | None
    limit_secs: int
    spoken_secs: int | None = None
    # How often this person had the floor earlier in the meeting: 0 marks someone who has not spoken yet.
    spoken_before: int = 0


class ConsoleOut(BaseModel):
    holder: Literal["chair", "secretary"] = "chair"
    user_id: int | None = None
    since: dt.datetime | None = None


class FloorItem(BaseModel):
    id: int
    title: str
    duration_minutes: int | None
    started_at: dt.datetime | None


class NotSpoken(BaseModel):
    user_id: int
    name: str


class FloorOut(BaseModel):
    """Who has the floor, who waits for it, who runs the console, and the current item's timer."""

    meeting_id: int
    console: ConsoleOut = ConsoleOut()
    speaking: SpeakerOut | None = None
    queue: list[SpeakerOut] = []
    # Everyone who has had the floor in this meeting (user ids).
    spoken: list[int] = []
    # Only in the HTTP answer: present members who have not had the floor, and the current item for its timer.
    not_spoken: list[NotSpoken] = []
    item: FloorItem | None = None
    server_time: dt.datetime
    # For the reader of the answer only (never in the event).
    may_request: bool = False
    may_grant: bool = False
    mine: SpeakerOut | None = None


# ---- conclusions and tasks ---------------------------------------------------------------------------


class TaskIn(Request):
    title: TaskTitle
    unit_id: Id
    due_on: dt.date
    detail: Annotated[str, StringConstraints(strip_whitespace=True, max_length=20000)] = ""


class TaskUpdate(Request):
    title: TaskTitle | None = None
    unit_id: Id | None = None
    due_on: dt.date | None = None
    detail: Annotated[str, StringConstraints(strip_whitespace=True, max_length=20000)] | None = None
    status: TaskStatus | None = None


class TaskReportIn(Request):
    text: LongText
    status: Literal["in_progress", "done"] = "in_progress"


class ConclusionIn(Request):
    text: LongText
    tasks: list[TaskIn] = Field(default=[], max_length=50)


class ConclusionUpdate(Request):
    text: LongText


class TaskReportOut(BaseModel):
    id: int
    user_id: int
    name: str
    text: str
    status: TaskStatus
    at: dt.datetime


class TaskOut(BaseModel):
    id: int
    conclusion_id: int
    meeting_id: int
    meeting_title: str
    item_id: int
    item_title: str
    unit_id: int
    unit_name: str
    title: str
    detail: str
    due_on: dt.date
    status: TaskStatus
    overdue: bool
    days_left: int
    created_at: dt.datetime
    completed_at: dt.datetime | None
    reports: list[TaskReportOut] = []


class ConclusionOut(BaseModel):
    id: int
    meeting_id: int
    item_id: int
    text: str
    created_at: dt.datetime
    updated_at: dt.datetime
    tasks: list[TaskOut] = []


class UnitTasks(BaseModel):
    """One unit's tasks at a glance: how many are open, in progress, done and overdue."""

    unit_id: int
    unit_name: str
    open: int = 0
    in_progress: int = 0
    done: int = 0
    overdue: int = 0


# ---- issued documents --------------------------------------------------------------------------------


class RecordIn(Request):
    kind: Literal["minutes", "invitation"]
    number: Number = ""


class RecordOut(Response):
    id: int
    meeting_id: int
    kind: str
    version: int
    number: str
    draft: bool
    pages: int
    created_at: dt.datetime
    created_by: str | None = None
    signed: bool = False
    signed_at: dt.datetime | None = None
    signer: str | None = None
    url: str
