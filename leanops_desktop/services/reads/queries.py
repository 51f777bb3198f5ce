"""Read-side queries of the floor's state: stations, jobs, assignments and users.

Every function returns plain rows (``core.rows``); the ``*_by_keys`` variants let live
views re-read only what the change feed says has changed. What happened (the events log and
the quantity reports) is read in ``history.py``.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any
from uuid import UUID

from sqlalchemy import Select, case, func, or_, select
from sqlalchemy.orm import Session

from leanops_desktop.core.enums import EventType, JobStatus, Priority, Role, StationStatus
from leanops_desktop.core.errors import NotFound
from leanops_desktop.core.rows import (
    AssignmentRow,
    JobProgress,
    JobRow,
    StationRow,
    UserRow,
)
from leanops_desktop.core.validation import check_key
from leanops_desktop.db.engine import read_transaction as read_transaction
from leanops_desktop.db.models import (
    EventLog,
    Job,
    Station,
    StationAssignment,
    User,
)

# -- stations -----------------------------------------------------------------------------


def _blocked_since() -> Any:
    """When a blocked station was blocked: its newest ``station_blocked`` event."""
    newest = (
        select(func.max(EventLog.timestamp))
        .where(
            EventLog.station_id == Station.id,
            EventLog.event_type == EventType.STATION_BLOCKED.value,
        )
        .correlate(Station)
        .scalar_subquery()
    )
    return case((Station.status == StationStatus.BLOCKED.value, newest), else_=None)


def _station_query() -> Select[*tuple[Any, ...]]:
    return (
        select(
            Station.id,
            Station.name,
            Station.line,
            Station.status,
            Station.is_active,
            Station.created_at,
            Station.blocked_reason,
            StationAssignment.job_id,
            Job.part_name,
            StationAssignment.qty_done,
            Job.qty_reported,
            Job.qty_total,
            Job.due_date,
            Job.priority,
            _blocked_since().label("blocked_since"),
        )
        .outerjoin(StationAssignment, StationAssignment.station_id == Station.id)
        .outerjoin(Job, Job.id == StationAssignment.job_id)
    )


def _station_row(record: Any) -> StationRow:
    (
        station_id,
        name,
        line,
        status,
        is_active,
        created_at,
        blocked_reason,
        job_id,
        part_name,
        assignment_done,
        job_done,
        qty_total,
        due_date,
        priority,
        blocked_since,
    ) = record
    return StationRow(
        id=station_id,
        name=name,
        line=line,
        status=StationStatus(status),
        is_active=is_active,
        created_at=created_at,
        blocked_reason=blocked_reason,
        current_job_id=job_id,
        current_part_name=part_name,
        assignment_qty_done=assignment_done or 0,
        job_qty_done=int(job_done or 0),
        job_qty_total=qty_total or 0,
        job_due_date=due_date,
        job_priority=Priority(priority) if priority else None,
        blocked_since=blocked_since,
    )


def list_stations(session: Session) -> list[StationRow]:
    """Every station, ordered by line then id, with its current job."""
    with read_transaction(session):
        records = session.execute(_station_query().order_by(Station.line, Station.id))
        return [_station_row(record) for record in records]


def stations_by_keys(session: Session, keys: Collection[str]) -> list[StationRow]:
    """The stations with these ids (missing ids are simply absent: they were deleted)."""
    if not keys:
        return []
    with read_transaction(session):
        records = session.execute(_station_query().where(Station.id.in_(list(keys))))
        return [_station_row(record) for record in records]


def get_station(session: Session, station_id: str) -> StationRow:
    station_id = check_key("station id", station_id)
    rows = stations_by_keys(session, [station_id])
    if not rows:
        raise NotFound("station", station_id)
    return rows[0]


# -- jobs ---------------------------------------------------------------------------------


#: The jobs columns a JobRow is made of, in the order ``_job_rows`` unpacks them.
JOB_COLUMNS = (
    Job.id,
    Job.part_name,
    Job.qty_total,
    Job.due_date,
    Job.priority,
    Job.status,
    Job.created_at,
    Job.qty_reported,
)


def _job_query() -> Select[*tuple[Any, ...]]:
    return select(*JOB_COLUMNS)


def _job_rows(records: Sequence[Any], stations: dict[str, list[str]]) -> list[JobRow]:
    return [
        JobRow(
            id=job_id,
            part_name=part_name,
            qty_total=qty_total,
            due_date=due_date,
            priority=Priority(priority),
            status=JobStatus(status),
            created_at=created_at,
            qty_done=int(done or 0),
            station_ids=tuple(stations.get(job_id, ())),
        )
        for job_id, part_name, qty_total, due_date, priority, status, created_at, done in records
    ]


def _stations_of_jobs(session: Session, job_ids: Collection[str] | None) -> dict[str, list[str]]:
    """job id -> the stations it runs on (for all jobs when ``job_ids`` is None)."""
    query = select(StationAssignment.job_id, StationAssignment.station_id).order_by(
        StationAssignment.station_id
    )
    if job_ids is not None:
        if not job_ids:
            return {}
        query = query.where(StationAssignment.job_id.in_(list(job_ids)))
    stations: dict[str, list[str]] = {}
    for job_id, station_id in session.execute(query):
        stations.setdefault(job_id, []).append(station_id)
    return stations


def list_jobs(session: Session, statuses: Collection[JobStatus] | None = None) -> list[JobRow]:
    """Jobs (all, or those in ``statuses``): high priority first, then by due date."""
    with read_transaction(session):
        query = _job_query().order_by(
            (Job.priority == Priority.HIGH.value).desc(), Job.due_date, Job.id
        )
        if statuses is not None:
            query = query.where(Job.status.in_([status.value for status in statuses]))
        return _job_rows(session.execute(query).all(), _stations_of_jobs(session, None))


def jobs_by_keys(session: Session, keys: Collection[str]) -> list[JobRow]:
    if not keys:
        return []
    with read_transaction(session):
        records = session.execute(_job_query().where(Job.id.in_(list(keys)))).all()
        return _job_rows(records, _stations_of_jobs(session, list(keys)))


def get_job(session: Session, job_id: str) -> JobRow:
    job_id = check_key("job id", job_id)
    rows = jobs_by_keys(session, [job_id])
    if not rows:
        raise NotFound("job", job_id)
    return rows[0]


def job_done_in_transaction(session: Session, job_id: str) -> int:
    """Units reported for a job so far (the trigger-kept sum of its logs), read inside the
    caller's transaction."""
    total = session.scalar(select(Job.qty_reported).where(Job.id == job_id))
    return int(total or 0)


def job_progress(session: Session, job_id: str) -> JobProgress:
    """How far a job is: units done (sum of its logs) against its total, and where it runs."""
    job = get_job(session, job_id)
    return JobProgress(
        job_id=job.id,
        qty_total=job.qty_total,
        qty_done=job.qty_done,
        status=job.status,
        station_ids=job.station_ids,
    )


def station_queue(session: Session, station_id: str, limit: int = 50) -> list[JobRow]:
    """The jobs a station could take next: waiting jobs, high priority and earliest due first."""
    get_station(session, station_id)
    with read_transaction(session):
        records = session.execute(
            _job_query()
            .where(Job.status == JobStatus.WAITING.value)
            .order_by((Job.priority == Priority.HIGH.value).desc(), Job.due_date, Job.id)
            .limit(limit)
        ).all()
        return _job_rows(records, {})


# -- assignments --------------------------------------------------------------------------


def _assignment_query() -> Select[*tuple[Any, ...]]:
    return (
        select(
            StationAssignment.id,
            Station.id,
            Station.name,
            Station.line,
            Job.id,
            Job.part_name,
            Job.priority,
            Job.due_date,
            StationAssignment.qty_done,
            Job.qty_total,
            Job.qty_reported,
            StationAssignment.started_at,
            StationAssignment.updated_at,
        )
        .join(Station, Station.id == StationAssignment.station_id)
        .join(Job, Job.id == StationAssignment.job_id)
    )


def _assignment_row(record: Any) -> AssignmentRow:
    (
        assignment_id,
        station_id,
        station_name,
        line,
        job_id,
        part_name,
        priority,
        due_date,
        qty_done,
        qty_total,
        job_done,
        started_at,
        updated_at,
    ) = record
    return AssignmentRow(
        id=assignment_id,
        station_id=station_id,
        station_name=station_name,
        line=line,
        job_id=job_id,
        part_name=part_name,
        priority=Priority(priority),
        due_date=due_date,
        qty_done=qty_done,
        qty_total=qty_total,
        job_qty_done=int(job_done or 0),
        started_at=started_at,
        updated_at=updated_at,
    )


def list_assignments(session: Session) -> list[AssignmentRow]:
    """What runs where now, by line and station."""
    with read_transaction(session):
        records = session.execute(_assignment_query().order_by(Station.line, Station.id))
        return [_assignment_row(record) for record in records]


def assignments_by_keys(session: Session, keys: Collection[UUID]) -> list[AssignmentRow]:
    if not keys:
        return []
    with read_transaction(session):
        records = session.execute(_assignment_query().where(StationAssignment.id.in_(list(keys))))
        return [_assignment_row(record) for record in records]


def assignments_touching(
    session: Session,
    keys: Collection[UUID],
    job_ids: Collection[str] = (),
    station_ids: Collection[str] = (),
) -> list[AssignmentRow]:
    """Assignments with one of these ids, or of one of these jobs, or on one of these stations."""
    conditions = []
    if keys:
        conditions.append(StationAssignment.id.in_(list(keys)))
    if job_ids:
        conditions.append(StationAssignment.job_id.in_(list(job_ids)))
    if station_ids:
        conditions.append(StationAssignment.station_id.in_(list(station_ids)))
    if not conditions:
        return []
    with read_transaction(session):
        records = session.execute(_assignment_query().where(or_(*conditions)))
        return [_assignment_row(record) for record in records]


def current_assignment(session: Session, station_id: str) -> AssignmentRow | None:
    """The station's current job and progress, or None when it has no job."""
    get_station(session, station_id)
    with read_transaction(session):
        assignment_id = session.scalar(
            select(StationAssignment.id).where(StationAssignment.station_id == station_id)
        )
    if assignment_id is None:
        return None
    rows = assignments_by_keys(session, [assignment_id])
    return rows[0] if rows else None


# -- users -------------------------------------------------------------------------------


def user_row(user: User) -> UserRow:
    return UserRow(
        id=user.id,
        email=user.email,
        role=Role(user.role),
        is_active=user.is_active,
        created_at=user.created_at,
    )


def list_users(session: Session) -> list[UserRow]:
    with read_transaction(session):
        return [user_row(user) for user in session.scalars(select(User).order_by(User.email))]
