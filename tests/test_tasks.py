"""The task calendar: when a task falls overdue and when its unit is reminded, in the city's time."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from ecabinet.models import TaskStatus
from ecabinet.tasks import Calendar, is_overdue

HANOI = Calendar(ZoneInfo("Asia/Ho_Chi_Minh"), reminder_days=3)
DUE = dt.date(2026, 12, 15)


def test_a_task_is_overdue_from_midnight_after_its_due_date_in_hanoi() -> None:
    """23:59:59 on the due date (Hanoi) is still on time; one second later, 17:00 UTC, it is overdue."""
    last = dt.datetime(2026, 12, 15, 16, 59, 59, tzinfo=dt.UTC)
    first = dt.datetime(2026, 12, 15, 17, 0, 0, tzinfo=dt.UTC)
    assert not is_overdue(DUE, TaskStatus.open, HANOI.today(last))
    assert is_overdue(DUE, TaskStatus.open, HANOI.today(first))
    assert HANOI.overdue_at(DUE) == first


def test_a_settled_task_is_never_overdue() -> None:
    """Done and cancelled tasks are not overdue however late; open and in-progress ones are."""
    later = dt.date(2027, 6, 1)
    assert not is_overdue(DUE, TaskStatus.done, later)
    assert not is_overdue(DUE, TaskStatus.cancelled, later)
    assert is_overdue(DUE, TaskStatus.in_progress, later)


def test_the_reminder_falls_at_eight_in_the_morning_days_before() -> None:
    """Three days before the due date, at 08:00 Hanoi time (01:00 UTC)."""
    assert HANOI.due_soon_at(DUE) == dt.datetime(2026, 12, 12, 1, 0, tzinfo=dt.UTC)


def test_the_city_date_is_not_the_utc_date() -> None:
    """At 20:00 UTC it is already the next day in Hanoi."""
    assert HANOI.today(dt.datetime(2026, 12, 14, 20, 0, tzinfo=dt.UTC)) == DUE
