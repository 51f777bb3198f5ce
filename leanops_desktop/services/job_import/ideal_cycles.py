"""An import's optional ideal cycle time column: set where it differs from the job's.

Runs inside the import's write transaction, after the jobs are written, batched: one
``job_updated`` event per job changed, as ``ideal_rate.set_ideal_cycle`` writes it; on
PostgreSQL the database's own function, pipelined. Running and completed jobs are left
alone, as their other fields are; an empty cell leaves the job's ideal cycle time as it is.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from typing import cast

from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from leanops_desktop.core.actor import Actor
from leanops_desktop.core.enums import EventType
from leanops_desktop.db.models import EventLog, Job
from leanops_desktop.services.events import event_meta
from leanops_desktop.services.floor import planning_pg
from leanops_desktop.services.job_import.validation import JobInput

_JOBS = cast(Table, Job.__table__)
_EVENTS = cast(Table, EventLog.__table__)

_CHUNK = 500


def ideal_cycles_to_set(
    session: Session, jobs: Sequence[JobInput], left_alone: Collection[str]
) -> dict[str, tuple[float | None, float]]:
    """job id -> (its current ideal cycle time, the file's), where the two differ."""
    wanted = {
        job.job_id: job.ideal_cycle_s
        for job in jobs
        if job.ideal_cycle_s is not None and job.job_id not in left_alone
    }
    ids = list(wanted)
    current: dict[str, float | None] = {}
    for start in range(0, len(ids), _CHUNK):
        query = select(Job.id, Job.ideal_cycle_s).where(Job.id.in_(ids[start : start + _CHUNK]))
        current.update((job_id, ideal) for job_id, ideal in session.execute(query))
    return {
        job_id: (current.get(job_id), seconds)
        for job_id, seconds in wanted.items()
        if seconds is not None and current.get(job_id) != seconds
    }


def write_ideal_cycles(
    session: Session, actor: Actor, changes: dict[str, tuple[float | None, float]]
) -> None:
    """Set each job's ideal cycle time, batched, inside the caller's write transaction."""
    if not changes:
        return
    if planning_pg.on_postgresql(session):
        _write_postgresql(session, actor, changes)
        return
    session.execute(
        update(_JOBS).where(_JOBS.c.id == bindparam("job_key")).values(
            ideal_cycle_s=bindparam("new_ideal")
        ),
        [{"job_key": job_id, "new_ideal": new} for job_id, (_old, new) in changes.items()],
    )  # fmt: skip
    session.execute(insert(_EVENTS), [
        {
            "id": uuid.uuid4(), "event_type": EventType.JOB_UPDATED.value, "station_id": None,
            "job_id": job_id, "actor": actor.email,
            "meta": event_meta(actor, old={"ideal_cycle_s": old}, new={"ideal_cycle_s": new}),
        }
        for job_id, (old, new) in changes.items()
    ])  # fmt: skip


_SET = "SELECT public.leanops_set_ideal_cycle(%s::text, %s::double precision, %s::text, %s::text)"


def _write_postgresql(
    session: Session, actor: Actor, changes: dict[str, tuple[float | None, float]]
) -> None:
    """The database's own function, one pipelined batch (it writes the rows and events)."""
    rows = [(job_id, new, actor.email, actor.role.value) for job_id, (_old, new) in changes.items()]
    try:
        session.connection().exec_driver_sql(_SET, rows)
    except DBAPIError as error:
        diag = getattr(error.orig, "diag", None)
        translated = planning_pg.refusal(
            getattr(error.orig, "sqlstate", None),
            getattr(diag, "message_primary", None) or "",
            getattr(diag, "message_detail", None),
        )
        if translated is not None:
            raise translated from None
        raise
