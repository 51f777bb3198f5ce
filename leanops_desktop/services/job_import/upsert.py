"""Writing an import plan: new jobs created, waiting jobs brought up to date, in ONE transaction.

What is safe to change, and so what an import changes:

* a job id the plant does not know becomes a new **waiting** job;
* a **waiting** job gets the file's part, quantity, due date and priority (only the fields
  that differ; a job the file leaves as it is gets no event);
* a **running** or **completed** job is left alone and reported: the floor is working on it
  (operators see its quantity and report against it) or it is history; a planner's export
  does not know that, so such a change is made by hand in the window, on purpose.

All rows of the plan, with their ``job_created`` / ``job_updated`` events, are written in
one transaction, batched (one ``executemany`` per kind of write, not one round trip per row);
a refusal of any of them writes nothing. Importing the same file twice changes nothing the
second time and writes no events.

On PostgreSQL the writes are calls of ``leanops_create_job`` / ``leanops_update_job``
(migration 0009), sent as one pipelined ``executemany``: the database checks the role (only
supervisors and admins may call them) and every rule again and writes the events itself.
Those functions would also edit a running job, and the import cannot lock the jobs it reads
first (the groups hold no UPDATE, which ``FOR UPDATE`` needs); so after its writes, while
the rows it changed are locked by it, the import checks that every job it edited is still
waiting, and rolls everything back when dispatch started one meanwhile.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from leanops_desktop.core.actor import Actor
from leanops_desktop.core.enums import EventType, JobStatus, Priority
from leanops_desktop.core.errors import RuleViolation
from leanops_desktop.core.permissions import Action, require
from leanops_desktop.db.engine import read_transaction, write_transaction
from leanops_desktop.db.models import EventLog, Job
from leanops_desktop.services.events import event_meta
from leanops_desktop.services.floor import planning_pg
from leanops_desktop.services.job_import.ideal_cycles import (
    ideal_cycles_to_set,
    write_ideal_cycles,
)
from leanops_desktop.services.job_import.validation import ImportPlan, JobInput, RowError

_CHUNK = 500
_JOBS = cast(Table, Job.__table__)
_EVENTS = cast(Table, EventLog.__table__)
_FIELDS = ("part_name", "qty_total", "due_date", "priority")


@dataclass(frozen=True, slots=True)
class LeftAlone:
    """A row whose job is running or completed: reported, not changed."""

    row: int
    job_id: str
    status: JobStatus

    def line(self) -> str:
        return f"row {self.row}: job {self.job_id} is {self.status.value}: left alone"


@dataclass(frozen=True, slots=True)
class JobChange:
    """A waiting job's fields that the file changes (old and new values)."""

    job_id: str
    old: dict[str, Any]
    new: dict[str, Any]
    #: every field as it is after the change
    after: dict[str, Any]


@dataclass(frozen=True, slots=True)
class ImportReport:
    """What an import did (or, for a dry run, would do)."""

    created: tuple[str, ...]
    updated: tuple[str, ...]
    unchanged: tuple[str, ...]
    left_alone: tuple[LeftAlone, ...]
    refused: tuple[RowError, ...]
    refused_rows: int
    dry_run: bool
    #: jobs whose ideal cycle time the file set (or, for a dry run, would set)
    ideal_cycles_set: tuple[str, ...] = ()

    def summary(self) -> str:
        """One line: how many jobs were created, updated, unchanged, left alone, refused."""
        counts = (
            f"{len(self.created)} new, {len(self.updated)} updated,"
            f" {len(self.unchanged)} unchanged, {len(self.left_alone)} left alone"
            f" (running or completed), {self.refused_rows} rows refused"
        )
        if self.ideal_cycles_set:
            counts += f"; {len(self.ideal_cycles_set)} ideal cycle times set"
        if self.dry_run:
            return f"dry run, nothing written; the import would give: {counts}"
        return f"imported: {counts}"


def import_jobs(
    session: Session, actor: Actor, plan: ImportPlan, *, dry_run: bool = False
) -> ImportReport:
    """Create and update the plan's jobs in one transaction (nothing when ``dry_run``)."""
    require(actor, Action.MANAGE_JOBS)
    transaction = read_transaction if dry_run else write_transaction
    with transaction(session):
        existing = _existing_jobs(session, [job.job_id for job in plan.jobs])
        created, changes, unchanged, left_alone = _sort_rows(plan.jobs, existing)
        if not dry_run and (created or changes):
            if planning_pg.on_postgresql(session):
                _write_postgresql(session, actor, created, changes)
            else:
                _write_sqlite(session, actor, created, changes)
        ideals = ideal_cycles_to_set(session, plan.jobs, {job.job_id for job in left_alone})
        if not dry_run:
            write_ideal_cycles(session, actor, ideals)
    return ImportReport(
        created=tuple(job.job_id for job in created),
        updated=tuple(change.job_id for change in changes),
        unchanged=tuple(unchanged),
        left_alone=tuple(left_alone),
        refused=plan.refused,
        refused_rows=plan.refused_rows,
        dry_run=dry_run,
        ideal_cycles_set=tuple(ideals),
    )


def _existing_jobs(session: Session, job_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """The current fields and status of those of ``job_ids`` that exist."""
    found: dict[str, dict[str, Any]] = {}
    columns = (Job.id, Job.part_name, Job.qty_total, Job.due_date, Job.priority, Job.status)
    for start in range(0, len(job_ids), _CHUNK):
        chunk = list(job_ids[start : start + _CHUNK])
        for record in session.execute(select(*columns).where(Job.id.in_(chunk))):
            found[record.id] = dict(record._mapping)
    return found


def _sort_rows(
    jobs: Sequence[JobInput], existing: dict[str, dict[str, Any]]
) -> tuple[list[JobInput], list[JobChange], list[str], list[LeftAlone]]:
    created: list[JobInput] = []
    changes: list[JobChange] = []
    unchanged: list[str] = []
    left_alone: list[LeftAlone] = []
    for job in jobs:
        current = existing.get(job.job_id)
        if current is None:
            created.append(job)
            continue
        wanted = _fields_of(job)
        new = {key: value for key, value in wanted.items() if current[key] != value}
        if not new:
            unchanged.append(job.job_id)
        elif current["status"] != JobStatus.WAITING.value:
            left_alone.append(LeftAlone(job.row, job.job_id, JobStatus(current["status"])))
        else:
            old = {key: current[key] for key in new}
            after = {key: current[key] for key in _FIELDS} | new
            changes.append(JobChange(job.job_id, old, new, after))
    return created, changes, unchanged, left_alone


def _fields_of(job: JobInput) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "part_name": job.part_name,
        "qty_total": job.qty_total,
        "due_date": job.due_date,
    }
    if job.priority is not None:
        fields["priority"] = job.priority.value
    return fields


def _created_fields(job: JobInput) -> dict[str, Any]:
    """A new job's fields (normal priority when the file has no priority column)."""
    return {"priority": Priority.NORMAL.value} | _fields_of(job)


def _write_sqlite(
    session: Session, actor: Actor, created: list[JobInput], changes: list[JobChange]
) -> None:
    events: list[dict[str, Any]] = []
    if created:
        rows = [{"id": job.job_id, **_created_fields(job), "status": "waiting"} for job in created]
        session.execute(insert(_JOBS), rows)
        for row in rows:
            new = {key: row[key] for key in _FIELDS}
            events.append(_event(actor, EventType.JOB_CREATED, row["id"], None, new))
    if changes:
        statement = (
            update(_JOBS)
            .where(_JOBS.c.id == bindparam("job_key"))
            .values({name: bindparam(f"new_{name}") for name in _FIELDS})
        )
        session.execute(statement, [_update_params(change) for change in changes])
        for change in changes:
            events.append(
                _event(actor, EventType.JOB_UPDATED, change.job_id, change.old, change.new)
            )
    session.execute(insert(_EVENTS), events)


def _update_params(change: JobChange) -> dict[str, Any]:
    """Every field's value after the change (unchanged fields keep theirs)."""
    return {"job_key": change.job_id} | {f"new_{name}": change.after[name] for name in _FIELDS}


def _event(
    actor: Actor,
    event_type: EventType,
    job_id: str,
    old: dict[str, Any] | None,
    new: dict[str, Any],
) -> dict[str, Any]:
    return {
        "id": uuid.uuid4(),
        "event_type": event_type.value,
        "station_id": None,
        "job_id": job_id,
        "meta": event_meta(actor, old=old, new=new),
        "actor": actor.email,
    }


_CREATE = (
    "SELECT public.leanops_create_job(%s::text, %s::text, %s::integer, %s::date, %s::text,"
    " %s::text, %s::text)"
)
_UPDATE = (
    "SELECT public.leanops_update_job(%s::text, %s::text, %s::integer, %s::date, %s::text,"
    " %s::text, %s::text)"
)
_STARTED = "SELECT id, status FROM public.jobs WHERE id = ANY(%s::text[]) AND status <> 'waiting'"


def _write_postgresql(
    session: Session, actor: Actor, created: list[JobInput], changes: list[JobChange]
) -> None:
    """The planning functions, batched: the database checks and writes rows and events."""
    connection = session.connection()
    who = (actor.email, actor.role.value)
    try:
        if created:
            rows = [(job.job_id, *_created_tuple(job), *who) for job in created]
            connection.exec_driver_sql(_CREATE, rows)
        if changes:
            params = [
                (change.job_id, *(change.new.get(name) for name in _FIELDS), *who)
                for change in changes
            ]
            connection.exec_driver_sql(_UPDATE, params)
            ids = [change.job_id for change in changes]
            started = connection.exec_driver_sql(_STARTED, (ids,)).all()
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
    if changes and started:
        job_id, status = started[0]
        raise RuleViolation(
            f"job {job_id} became {status} on the floor while the file was imported; nothing"
            " was imported: import the file again"
        )


def _created_tuple(job: JobInput) -> tuple[Any, ...]:
    fields = _created_fields(job)
    return tuple(fields[name] for name in _FIELDS)
