"""Dispatch use cases: assign a job to a station, unassign, move, complete.

Rows are locked job first, then stations in id order, so concurrent seats never deadlock;
the unique ``station_id`` of ``station_assignments`` catches any race that slips past.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from leanops_desktop.core.actor import Actor
from leanops_desktop.core.enums import EventType, JobStatus, StationStatus
from leanops_desktop.core.errors import RuleViolation
from leanops_desktop.core.permissions import Action, allowed, require
from leanops_desktop.core.rows import AssignmentRow, JobRow, StationRow
from leanops_desktop.core.validation import check_key
from leanops_desktop.db.engine import write_transaction
from leanops_desktop.db.models import Job, Station, StationAssignment
from leanops_desktop.services.events import record_event
from leanops_desktop.services.floor import floor_pg, planning_pg
from leanops_desktop.services.floor.locks import (
    assignment_of_station,
    assignments_of_job,
    integrity_as_rule,
    lock_job,
    lock_station,
)
from leanops_desktop.services.reads import queries


def _check_can_take(station: Station, job: Job) -> None:
    if job.status == JobStatus.COMPLETED.value:
        raise RuleViolation(f"job {job.id} is completed and cannot be assigned")
    if not station.is_active:
        raise RuleViolation(f"station {station.id} is not in use and cannot take a job")
    if station.status == StationStatus.BLOCKED.value:
        raise RuleViolation(
            f"station {station.id} is blocked ({station.blocked_reason}): resume it first"
        )


def _start(session: Session, station: Station, job: Job) -> StationAssignment:
    if assignment_of_station(session, station.id) is not None:
        raise RuleViolation(f"station {station.id} is already working on a job")
    assignment = StationAssignment(station_id=station.id, job_id=job.id, qty_done=0)
    session.add(assignment)
    with integrity_as_rule(f"station {station.id} was given a job by someone else just now"):
        session.flush()
    station.status = StationStatus.RUNNING.value
    job.status = JobStatus.RUNNING.value
    return assignment


def _stop(session: Session, station: Station, assignment: StationAssignment) -> None:
    session.delete(assignment)
    session.flush()
    if station.status == StationStatus.RUNNING.value:
        station.status = StationStatus.IDLE.value


def _job_back_to_waiting_if_idle(session: Session, job: Job) -> None:
    if job.status != JobStatus.COMPLETED.value and not assignments_of_job(session, job.id):
        job.status = JobStatus.WAITING.value


def assign_job(session: Session, actor: Actor, job_id: str, station_id: str) -> AssignmentRow:
    """Start ``job_id`` on ``station_id``: both become running."""
    require(actor, Action.DISPATCH)
    job_id = check_key("job id", job_id)
    station_id = check_key("station id", station_id)
    if planning_pg.on_postgresql(session):  # the database checks the rules and writes
        new_id = planning_pg.assign_job(session, actor, job_id, station_id)
        return queries.assignments_by_keys(session, [new_id])[0]
    return start_here(session, actor, job_id, station_id)


def start_here(
    session: Session, actor: Actor, job_id: str, station_id: str, *, waiting_only: bool = False
) -> AssignmentRow:
    """SQLite: start ``job_id`` on ``station_id`` as ``actor``, whose right to was checked
    by the caller (``assign_job``; an operator at an enrolled kiosk where the site lets
    operators start jobs: ``kiosk_floor.start_job``, which starts only a ``waiting_only``
    job, as ``leanops_kiosk_start_job`` does on PostgreSQL)."""
    with write_transaction(session):
        job = lock_job(session, job_id)
        station = lock_station(session, station_id)
        _check_can_take(station, job)
        if waiting_only and job.status != JobStatus.WAITING.value:
            raise RuleViolation(
                f"job {job.id} is {job.status}: a kiosk starts only a job waiting in the queue"
            )
        old_job_status = job.status
        assignment = _start(session, station, job)
        record_event(
            session,
            actor,
            EventType.JOB_ASSIGNED,
            station_id=station_id,
            job_id=job_id,
            old={"job_status": old_job_status, "station_status": StationStatus.IDLE.value},
            new={"job_status": job.status, "station_status": station.status},
            assignment_id=assignment.id,
        )
        assignment_id = assignment.id
    return queries.assignments_by_keys(session, [assignment_id])[0]


def unassign_job(session: Session, actor: Actor, station_id: str) -> StationRow:
    """Take the job off a station; the job waits again when no station is left on it."""
    require(actor, Action.DISPATCH)
    station_id = check_key("station id", station_id)
    if planning_pg.on_postgresql(session):  # the database checks the rules and writes
        planning_pg.unassign_job(session, actor, station_id)
        return queries.get_station(session, station_id)
    with write_transaction(session):
        pending = assignment_of_station(session, station_id, lock=False)
        if pending is None:
            lock_station(session, station_id)  # NotFound for an unknown id
            raise RuleViolation(f"station {station_id} has no job to unassign")
        job = lock_job(session, pending.job_id)
        station = lock_station(session, station_id)
        assignment = assignment_of_station(session, station_id)
        if assignment is None or assignment.job_id != job.id:
            raise RuleViolation(f"the job on station {station_id} changed just now: try again")
        old = {"job_status": job.status, "station_status": station.status}
        qty_done = assignment.qty_done
        _stop(session, station, assignment)
        _job_back_to_waiting_if_idle(session, job)
        record_event(
            session,
            actor,
            EventType.JOB_UNASSIGNED,
            station_id=station_id,
            job_id=job.id,
            old=old,
            new={"job_status": job.status, "station_status": station.status},
            qty_done=qty_done,
        )
    return queries.get_station(session, station_id)


def move_job(
    session: Session, actor: Actor, job_id: str, from_station_id: str, to_station_id: str
) -> AssignmentRow:
    """Move a running job from one station to another in one step."""
    require(actor, Action.DISPATCH)
    job_id = check_key("job id", job_id)
    from_station_id = check_key("from station id", from_station_id)
    to_station_id = check_key("to station id", to_station_id)
    if from_station_id == to_station_id:
        raise RuleViolation("a job cannot be moved to the station it is already on")
    if planning_pg.on_postgresql(session):  # the database checks the rules again and writes
        new_id = planning_pg.move_job(session, actor, job_id, from_station_id, to_station_id)
        return queries.assignments_by_keys(session, [new_id])[0]
    with write_transaction(session):
        job = lock_job(session, job_id)
        stations = {
            station_id: lock_station(session, station_id)
            for station_id in sorted((from_station_id, to_station_id))
        }
        source, target = stations[from_station_id], stations[to_station_id]
        assignment = assignment_of_station(session, from_station_id)
        if assignment is None or assignment.job_id != job_id:
            raise RuleViolation(f"job {job_id} is not running on station {from_station_id}")
        _check_can_take(target, job)
        qty_done = assignment.qty_done
        _stop(session, source, assignment)
        new_assignment = _start(session, target, job)
        record_event(
            session,
            actor,
            EventType.JOB_MOVED,
            station_id=to_station_id,
            job_id=job_id,
            old={"station_id": from_station_id},
            new={"station_id": to_station_id},
            qty_done_at_source=qty_done,
            assignment_id=new_assignment.id,
        )
        assignment_id = new_assignment.id
    return queries.assignments_by_keys(session, [assignment_id])[0]


def complete_job(
    session: Session, actor: Actor, job_id: str, *, station_id: str | None = None
) -> JobRow:
    """Mark a job completed, end all its assignments and leave its stations idle.

    ``station_id`` is the kiosk's station: an operator may complete only the job that runs
    on their own station. A blocked station stays blocked (its problem is not solved by
    the job ending).
    """
    require(actor, Action.COMPLETE_JOB)
    job_id = check_key("job id", job_id)
    if station_id is not None:
        station_id = check_key("station id", station_id)
    if floor_pg.on_postgresql(session):  # the database checks and writes it (0008)
        return floor_pg.complete_job(session, actor, job_id, station_id)
    with write_transaction(session):
        job = lock_job(session, job_id)
        if job.status == JobStatus.COMPLETED.value:
            raise RuleViolation(f"job {job_id} is already completed")
        assignments = assignments_of_job(session, job_id)
        on_stations = [assignment.station_id for assignment in assignments]
        if station_id is not None and station_id not in on_stations:
            raise RuleViolation(f"job {job_id} is not running on station {station_id}")
        if station_id is None and not _may_complete_anywhere(actor):
            raise RuleViolation("an operator completes jobs from their station's kiosk")
        stations = {sid: lock_station(session, sid) for sid in sorted(on_stations)}
        done = queries.job_done_in_transaction(session, job_id)
        old_status = job.status
        job.status = JobStatus.COMPLETED.value
        session.flush()  # completed first: the database lets assignments of completed jobs go
        for assignment in assignments:
            _stop(session, stations[assignment.station_id], assignment)
        record_event(
            session,
            actor,
            EventType.JOB_COMPLETED,
            station_id=station_id or (on_stations[0] if len(on_stations) == 1 else None),
            job_id=job_id,
            old={"job_status": old_status, "stations": on_stations},
            new={"job_status": job.status},
            qty_done=done,
            qty_total=job.qty_total,
            short_by=max(job.qty_total - done, 0),
        )
    return queries.get_job(session, job_id)


def _may_complete_anywhere(actor: Actor) -> bool:
    return allowed(actor.role, Action.DISPATCH)
