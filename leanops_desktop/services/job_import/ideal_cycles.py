"""An import's optional ideal cycle time column: set where it differs from the job's.

Runs inside the import's write transaction, after the jobs are written, through
``ideal_rate.write_ideal_cycle`` (one ``job_updated`` event per job changed; on PostgreSQL
the database's own function). Running and completed jobs are left alone, as their other
fields are; an empty cell leaves the job's ideal cycle time as it is.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from leanops_desktop.core.actor import Actor
from leanops_desktop.db.models import Job
from leanops_desktop.services.job_import.validation import JobInput
from leanops_desktop.services.quality import ideal_rate

_CHUNK = 500


def ideal_cycles_to_set(
    session: Session, jobs: Sequence[JobInput], left_alone: Collection[str]
) -> dict[str, float]:
    """job id -> the file's ideal cycle time, for the jobs whose current one differs."""
    wanted = {
        job.job_id: job.ideal_cycle_s
        for job in jobs
        if job.ideal_cycle_s is not None and job.job_id not in left_alone
    }
    ids = list(wanted)
    current: dict[str, float | None] = {}
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        query = select(Job.id, Job.ideal_cycle_s).where(Job.id.in_(chunk))
        current.update((job_id, ideal) for job_id, ideal in session.execute(query))
    return {
        job_id: seconds
        for job_id, seconds in wanted.items()
        if seconds is not None and (job_id not in current or current[job_id] != seconds)
    }


def write_ideal_cycles(session: Session, actor: Actor, changes: dict[str, float]) -> None:
    """Set each job's ideal cycle time (inside the caller's write transaction)."""
    for job_id, seconds in changes.items():
        ideal_rate.write_ideal_cycle(session, actor, job_id, seconds)
