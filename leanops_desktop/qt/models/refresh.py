"""Refreshing the floor models by key: re-read only what changed and upsert or remove it.

``changes`` maps a table name to the keys (as text) of the rows that changed, as the change
feed reports them. Progress is shown on station, job and assignment rows, so a change to a
performance log or an assignment also re-reads the job and station rows it touches, and a
changed job or station re-reads the rows that show its fields.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from leanops_desktop.db.engine import Database
from leanops_desktop.qt.models.assignment_table_model import AssignmentTableModel
from leanops_desktop.qt.models.event_table_model import EventTableModel
from leanops_desktop.qt.models.job_table_model import JobTableModel
from leanops_desktop.qt.models.station_table_model import StationTableModel
from leanops_desktop.services import queries

STATIONS = "stations"
JOBS = "jobs"
ASSIGNMENTS = "station_assignments"
LOGS = "performance_logs"
EVENTS = "events_log"
USERS = "users"

ChangeListener = Callable[[Mapping[str, set[str]]], None]


@dataclass(eq=False)
class FloorModels:
    """The four floor models, plus listeners told of every batch after the models."""

    stations: StationTableModel
    jobs: JobTableModel
    assignments: AssignmentTableModel
    events: EventTableModel
    listeners: list[ChangeListener] = field(default_factory=list)


@dataclass
class AffectedKeys:
    """The keys to re-read, per model."""

    stations: set[str] = field(default_factory=set)
    jobs: set[str] = field(default_factory=set)
    assignments: set[UUID] = field(default_factory=set)
    events: set[UUID] = field(default_factory=set)


def _uuids(keys: Iterable[str]) -> set[UUID]:
    found: set[UUID] = set()
    for key in keys:
        try:
            found.add(UUID(str(key)))
        except ValueError:
            continue
    return found


def _upsert_or_remove(model: Any, wanted: set[Any], rows: list[Any]) -> None:
    """Upsert the rows read back; keys asked for but not found were deleted."""
    model.upsert_rows(rows)
    found = {row.key for row in rows}
    model.remove_keys(key for key in wanted if key not in found)


def affected_keys(
    models: FloorModels, db: Database, changes: Mapping[str, set[str]]
) -> AffectedKeys:
    """Every row key the floor models must re-read for ``changes`` (derived effects included)."""
    wanted = AffectedKeys(
        stations={str(key) for key in changes.get(STATIONS, ())},
        jobs={str(key) for key in changes.get(JOBS, ())},
        assignments=_uuids(changes.get(ASSIGNMENTS, ())),
        events=_uuids(changes.get(EVENTS, ())),
    )
    log_keys = _uuids(changes.get(LOGS, ()))
    if log_keys:
        with db.session() as session:
            for log in queries.performance_by_keys(session, log_keys):
                if log.station_id:
                    wanted.stations.add(log.station_id)
                if log.job_id:
                    wanted.jobs.add(log.job_id)
                if log.assignment_id:
                    wanted.assignments.add(log.assignment_id)
    # Assignments shown now (they may be gone after the change) name their station and job.
    for key in wanted.assignments:
        shown = models.assignments.row_for_key(key)
        if shown is not None:
            wanted.stations.add(shown.station_id)
            wanted.jobs.add(shown.job_id)
    # A job's fields and progress appear on its stations and assignments.
    for job_id in list(wanted.jobs):
        job = models.jobs.row_for_key(job_id)
        if job is not None:
            wanted.stations.update(job.station_ids)
    for station in models.stations.all_rows():
        if station.current_job_id in wanted.jobs:
            wanted.stations.add(station.id)
    wanted.assignments.update(models.assignments.keys_for_jobs(wanted.jobs))
    wanted.assignments.update(models.assignments.keys_for_stations(wanted.stations))
    return wanted


def apply_changes(db: Database, models: FloorModels, changes: Mapping[str, set[str]]) -> None:
    """Re-read the rows named in ``changes`` (and the rows derived from them) and update
    the models: one ``dataChanged`` / insert / remove per changed row, no reset."""
    wanted = affected_keys(models, db, changes)
    with db.session() as session:
        assignments = queries.assignments_by_keys(session, wanted.assignments)
        # Assignments read back may name stations and jobs not asked for yet (new ones).
        for assignment in assignments:
            wanted.stations.add(assignment.station_id)
            wanted.jobs.add(assignment.job_id)
        jobs = queries.jobs_by_keys(session, wanted.jobs)
        stations = queries.stations_by_keys(session, wanted.stations)
        events = queries.events_by_keys(session, wanted.events)
    _upsert_or_remove(models.stations, wanted.stations, stations)
    _upsert_or_remove(models.jobs, wanted.jobs, jobs)
    _upsert_or_remove(models.assignments, wanted.assignments, assignments)
    models.events.upsert_rows(events)
    for listener in models.listeners:
        listener(changes)
