"""One scheduler for timed work: a written poll's reminders and its close at the deadline; a task's reminders.

Jobs are rows (`job`), so they survive restarts. Every server process looks for due jobs each second;
a job is claimed by setting its `done_at` where it is still empty, in the same transaction as its work,
so across any number of workers each job runs exactly once, and a worker that dies mid-job leaves
it to be done again by another.
"""

from __future__ import annotations

import asyncio
import logging

import sqlalchemy as sa
from sqlmodel import col, select

from ecabinet import polls, tasks
from ecabinet.database import Database
from ecabinet.models import Job, utcnow

log = logging.getLogger("ecabinet.scheduler")

POLL_SECS = 1.0
BATCH = 20


class Scheduler:
    """Runs due jobs in the background of one server process."""

    def __init__(self, db: Database, calendar: tasks.Calendar) -> None:
        self.db = db
        self.calendar = calendar
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._task = asyncio.create_task(self._loop())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    async def _loop(self) -> None:
        while True:
            try:
                await asyncio.to_thread(run_due, self.db, self.calendar)
            except Exception:
                log.exception("running scheduled jobs failed")
            await asyncio.sleep(POLL_SECS)


def run_due(db: Database, calendar: tasks.Calendar) -> int:
    """Run the jobs that are due; how many this process ran."""
    with db.read() as session:
        due = session.exec(
            select(Job.id)
            .where(col(Job.done_at).is_(None), Job.run_at <= utcnow())
            .order_by(col(Job.run_at))
            .limit(BATCH)
        ).all()
    ran = 0
    for job_id in due:
        with db.write() as session:
            claimed = session.execute(
                sa.update(Job).where(col(Job.id) == job_id, col(Job.done_at).is_(None)).values(done_at=utcnow())
            )
            if claimed.rowcount != 1:  # type: ignore[attr-defined]
                continue  # another worker has it
            job = session.get(Job, job_id)
            assert job is not None
            if job.kind.startswith("task."):
                tasks.run_job(session, job, calendar)
            else:
                polls.run_job(session, job)
            ran += 1
    return ran
