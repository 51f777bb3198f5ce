"""Refreshing the floor models by key: re-read only what changed and upsert or remove it.

``changes`` maps a table name to the keys (as text) of the rows that changed, as the change
feed reports them. Progress is shown on station, job and assignment rows, so a change to a
performance log or an assignment also re-reads the job and station rows it touches, and a
changed job or station re-reads the rows that show its fields.

A refresh has three steps, so that the database is never read in the GUI thread while the
floor is busy (:class:`~leanops_desktop.qt.live.floor_refresher.FloorRefresher`):

1. :func:`plan_refresh` (GUI thread, models only, no database): the keys to re-read, with
   what the models show *now* (an assignment that is about to vanish still names its
   station and job here, and only here);
2. :func:`read_refresh` (any thread, database only, never a model): reads those rows plus
   what they lead to in the database (a report's station, job and assignment; a job's
   stations and assignments);
3. :func:`apply_rows` (GUI thread): upserts what was read, removes what was asked for and
   is gone, then tells the listeners.

:func:`apply_changes` runs the three at once, for a refresh right after one's own action.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from uuid import UUID

from leanops_desktop.core.rows import (
    AssignmentRow,
    EventRow,
    JobRow,
    PerformanceRow,
    StationRow,
)
from leanops_desktop.qt.models.assignment_table_model import AssignmentTableModel
from leanops_desktop.qt.models.event_table_model import EventTableModel
from leanops_desktop.qt.models.job_table_model import JobTableModel
from leanops_desktop.qt.models.station_table_model import StationTableModel
from leanops_desktop.services.reads import history, queries

if TYPE_CHECKING:
    from leanops_desktop.db.engine import Database

STATIONS = "stations"
JOBS = "jobs"
ASSIGNMENTS = "station_assignments"
LOGS = "performance_logs"
EVENTS = "events_log"
USERS = "users"


@dataclass
class RefreshPlan:
    """The keys to re-read, per table, and the changes they come from."""

    changes: dict[str, set[str]]
    stations: set[str] = field(default_factory=set)
    jobs: set[str] = field(default_factory=set)
    assignments: set[UUID] = field(default_factory=set)
    events: set[UUID] = field(default_factory=set)
    logs: set[UUID] = field(default_factory=set)


@dataclass
class FloorRows:
    """What :func:`read_refresh` read: the rows, and every key that was looked for."""

    changes: dict[str, set[str]]
    stations: list[StationRow]
    jobs: list[JobRow]
    assignments: list[AssignmentRow]
    events: list[EventRow]
    logs: list[PerformanceRow]
    wanted_stations: set[str]
    wanted_jobs: set[str]
    wanted_assignments: set[UUID]


#: Told of every refresh after the models: the rows read (logs and events included).
ChangeListener = Callable[[FloorRows], None]


@dataclass(eq=False)
class FloorModels:
    """The four floor models, plus listeners told of every refresh after the models."""

    stations: StationTableModel
    jobs: JobTableModel
    assignments: AssignmentTableModel
    events: EventTableModel
    listeners: list[ChangeListener] = field(default_factory=list)


def _uuids(keys: Iterable[str]) -> set[UUID]:
    found: set[UUID] = set()
    for key in keys:
        try:
            found.add(UUID(str(key)))
        except ValueError:
            continue
    return found


def merge_changes(into: dict[str, set[str]], more: Mapping[str, Iterable[str]]) -> None:
    """Add the keys of ``more`` to ``into`` (table by table)."""
    for table, keys in more.items():
        into.setdefault(table, set()).update(str(key) for key in keys)


def plan_refresh(models: FloorModels, changes: Mapping[str, Iterable[str]]) -> RefreshPlan:
    """The keys to re-read for ``changes``, with what the models show now (GUI thread)."""
    copied: dict[str, set[str]] = {}
    merge_changes(copied, changes)
    plan = RefreshPlan(
        changes=copied,
        stations=set(copied.get(STATIONS, ())),
        jobs=set(copied.get(JOBS, ())),
        assignments=_uuids(copied.get(ASSIGNMENTS, ())),
        events=_uuids(copied.get(EVENTS, ())),
        logs=_uuids(copied.get(LOGS, ())),
    )
    # Assignments shown now (they may be gone after the change) name their station and job.
    for key in plan.assignments:
        shown = models.assignments.row_for_key(key)
        if shown is not None:
            plan.stations.add(shown.station_id)
            plan.jobs.add(shown.job_id)
    # A job's fields and progress appear on the stations it runs on now.
    for job_id in list(plan.jobs):
        job = models.jobs.row_for_key(job_id)
        if job is not None:
            plan.stations.update(job.station_ids)
    if plan.jobs:
        for station in models.stations.all_rows():
            if station.current_job_id in plan.jobs:
                plan.stations.add(station.id)
    plan.assignments.update(models.assignments.keys_for_jobs(plan.jobs))
    plan.assignments.update(models.assignments.keys_for_stations(plan.stations))
    return plan


def read_refresh(db: Database, plan: RefreshPlan) -> FloorRows:
    """Read the planned rows and those they lead to (any thread: touches no model)."""
    stations, jobs = set(plan.stations), set(plan.jobs)
    wanted_assignments = set(plan.assignments)
    with db.session() as session, queries.read_transaction(session):  # one transaction for all
        logs = history.performance_by_keys(session, plan.logs)
        log_jobs: set[str] = set()
        for log in logs:
            if log.station_id:
                stations.add(log.station_id)
            if log.job_id:
                log_jobs.add(log.job_id)
            if log.assignment_id:
                wanted_assignments.add(log.assignment_id)
        jobs |= log_jobs
        # Every assignment of a touched job shows the job's progress; the ones of the
        # reports' stations show theirs.
        assignments = queries.assignments_touching(
            session, wanted_assignments, jobs, {log.station_id for log in logs if log.station_id}
        )
        for assignment in assignments:
            wanted_assignments.add(assignment.id)
            stations.add(assignment.station_id)
            jobs.add(assignment.job_id)
        job_rows = queries.jobs_by_keys(session, jobs)
        for job in job_rows:
            stations.update(job.station_ids)
        station_rows = queries.stations_by_keys(session, stations)
        events = history.events_by_keys(session, plan.events)
    return FloorRows(
        changes=plan.changes,
        stations=station_rows,
        jobs=job_rows,
        assignments=assignments,
        events=events,
        logs=logs,
        wanted_stations=stations,
        wanted_jobs=jobs,
        wanted_assignments=wanted_assignments,
    )


def _upsert_or_remove(model: Any, wanted: set[Any], rows: list[Any]) -> None:
    """Upsert the rows read back; keys asked for but not found were deleted."""
    model.upsert_rows(rows)
    found = {row.key for row in rows}
    model.remove_keys(key for key in wanted if key not in found)


def apply_steps(models: FloorModels, rows: FloorRows) -> list[Callable[[], None]]:
    """:func:`apply_rows` as one step per model, then one for the listeners, to be run in
    order (a caller may let the event loop repaint between two steps)."""
    return [
        lambda: _upsert_or_remove(models.stations, rows.wanted_stations, rows.stations),
        lambda: _upsert_or_remove(models.jobs, rows.wanted_jobs, rows.jobs),
        lambda: _upsert_or_remove(models.assignments, rows.wanted_assignments, rows.assignments),
        lambda: models.events.upsert_rows(rows.events),
        lambda: _tell_listeners(models, rows),
    ]


def row_count(rows: FloorRows) -> int:
    """How many rows a refresh puts into the models (how much repainting it may cause)."""
    return len(rows.stations) + len(rows.jobs) + len(rows.assignments) + len(rows.events)


def _tell_listeners(models: FloorModels, rows: FloorRows) -> None:
    for listener in models.listeners:
        listener(rows)


def apply_rows(models: FloorModels, rows: FloorRows) -> None:
    """Put what :func:`read_refresh` read into the models (GUI thread), then tell listeners:
    one ``dataChanged`` / insert / remove per changed row, no reset."""
    for step in apply_steps(models, rows):
        step()


def apply_changes(db: Database, models: FloorModels, changes: Mapping[str, set[str]]) -> None:
    """Re-read the rows named in ``changes`` (and the rows derived from them) and update
    the models at once, in this thread."""
    apply_rows(models, read_refresh(db, plan_refresh(models, changes)))
