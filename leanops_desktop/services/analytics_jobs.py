"""Job progress: cumulative units against the total, due dates, forecast finish, jobs at risk.

The forecast extrapolates the job's recent rate: units reported in the last
:data:`RATE_WINDOW` (8 hours, one shift) over the time since the window began, or since the
job's first report when that is later (at least :data:`MIN_RATE_SPAN`, so one early report
does not promise an absurd rate). A job is due by the end of its due date in local time.
Progress curves sum whole quarter hours from the throughput rollup (:mod:`analytics_rollup`).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any, NamedTuple

import numpy as np
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from leanops_desktop.core.actor import Actor
from leanops_desktop.core.enums import EventType, JobStatus, Priority
from leanops_desktop.core.errors import NotFound
from leanops_desktop.core.permissions import Action, require
from leanops_desktop.core.validation import check_key
from leanops_desktop.db.engine import read_transaction
from leanops_desktop.db.models import EventLog, Job, PerformanceLog, StationAssignment
from leanops_desktop.services.analytics_rollup import (
    slots_fit,
    total_units,
    union,
    unit_sources,
)
from leanops_desktop.services.analytics_scope import ALL, Scope, stations_in_scope
from leanops_desktop.services.analytics_sql import (
    bucket_start,
    dialect_of,
    slot_epochs,
    slot_indexes,
)
from leanops_desktop.services.analytics_time import (
    Bucket,
    FloatArray,
    bucket_edges,
    check_instant,
    choose_bucket,
    clip_end,
    due_instant,
    epoch,
)

RATE_WINDOW = timedelta(hours=8)
MIN_RATE_SPAN = timedelta(minutes=15)
#: A job due this soon that made nothing in the rate window is flagged.
IDLE_WARNING = timedelta(hours=24)


@dataclass(frozen=True, slots=True)
class JobForecast:
    """A job's progress and when it will be done at its recent pace."""

    job_id: str
    part_name: str
    qty_total: int
    qty_done: int
    status: JobStatus
    priority: Priority
    due_date: date
    due_at: datetime
    station_ids: tuple[str, ...]
    rate_per_hour: float
    forecast_finish: datetime | None
    completed_at: datetime | None
    risk: str  # why the job is at risk; empty when it is not

    @property
    def at_risk(self) -> bool:
        return bool(self.risk)

    @property
    def remaining(self) -> int:
        return max(self.qty_total - self.qty_done, 0)


@dataclass(frozen=True, slots=True)
class JobProgressCurve:
    """Cumulative units of one job: ``x`` epoch seconds, ``done`` units reached by then."""

    job: JobForecast
    start: datetime
    until: datetime
    bucket: Bucket
    x: FloatArray
    done: FloatArray


def _risk(job: JobForecast, now: datetime) -> str:
    if job.status is JobStatus.COMPLETED or job.remaining == 0:
        return ""
    if now >= job.due_at:
        return f"overdue: was due {job.due_date.isoformat()}"
    if job.forecast_finish is not None and job.forecast_finish > job.due_at:
        return "forecast finish is after the due date"
    if job.rate_per_hour == 0 and job.due_at - now <= IDLE_WARNING:
        return "due within 24 h and nothing made in the last 8 h"
    return ""


class _Progress(NamedTuple):
    """What the logs say of some jobs before ``now``, each by job id."""

    done: dict[Any, Any]
    recent: dict[Any, Any]
    first_last: dict[Any, tuple[datetime, datetime]]
    stations: dict[Any, list[str]]
    completed: dict[Any, Any]


def _forecasts(session: Session, jobs: list[Job], tz: tzinfo, now: datetime) -> list[JobForecast]:
    ids = [job.id for job in jobs]
    if not ids:
        return []
    window = now - RATE_WINDOW
    progress = _progress(session, ids, window, now)
    return [_with_risk(_forecast(job, progress, tz, window, now), now) for job in jobs]


def _progress(session: Session, ids: list[Any], window: datetime, now: datetime) -> _Progress:
    """The quantities, first and last reports, stations and completions of the jobs ``ids``."""
    done = dict(
        session.execute(
            select(PerformanceLog.job_id, func.sum(PerformanceLog.qty_completed))
            .where(PerformanceLog.job_id.in_(ids), PerformanceLog.timestamp < now)
            .group_by(PerformanceLog.job_id)
        ).all()
    )
    recent = dict(
        session.execute(
            select(PerformanceLog.job_id, func.sum(PerformanceLog.qty_completed))
            .where(
                PerformanceLog.job_id.in_(ids),
                PerformanceLog.timestamp >= window,
                PerformanceLog.timestamp < now,
            )
            .group_by(PerformanceLog.job_id)
        ).all()
    )
    first_last = {
        job_id: (first, last)
        for job_id, first, last in session.execute(
            select(
                PerformanceLog.job_id,
                func.min(PerformanceLog.timestamp),
                func.max(PerformanceLog.timestamp),
            )
            .where(PerformanceLog.job_id.in_(ids), PerformanceLog.timestamp < now)
            .group_by(PerformanceLog.job_id)
        )
    }
    stations: dict[Any, list[str]] = {}
    for job_id, station_id in session.execute(
        select(StationAssignment.job_id, StationAssignment.station_id)
        .where(StationAssignment.job_id.in_(ids))
        .order_by(StationAssignment.station_id)
    ):
        stations.setdefault(job_id, []).append(station_id)
    completed = dict(
        session.execute(
            select(EventLog.job_id, func.max(EventLog.timestamp))
            .where(
                EventLog.job_id.in_(ids),
                EventLog.event_type == EventType.JOB_COMPLETED.value,
                EventLog.timestamp < now,
            )
            .group_by(EventLog.job_id)
        ).all()
    )
    return _Progress(done, recent, first_last, stations, completed)


def _forecast(
    job: Job, progress: _Progress, tz: tzinfo, window: datetime, now: datetime
) -> JobForecast:
    """One job's rate and finish from its ``progress`` (its risk not judged yet)."""
    qty_done = int(progress.done.get(job.id) or 0)
    first, last = progress.first_last.get(job.id, (None, None))
    rate = 0.0
    if first is not None and progress.recent.get(job.id):
        first = _aware(first)
        span = max(now - max(window, first), MIN_RATE_SPAN)
        rate = max(int(progress.recent[job.id]), 0) / (span.total_seconds() / 3600)
    remaining = max(job.qty_total - qty_done, 0)
    finish: datetime | None = None
    if remaining == 0 and last is not None:
        finish = _aware(last)
    elif rate > 0:
        finish = now + timedelta(hours=remaining / rate)
    status = JobStatus(job.status)
    completed = progress.completed
    return JobForecast(
        job_id=job.id,
        part_name=job.part_name,
        qty_total=job.qty_total,
        qty_done=qty_done,
        status=status,
        priority=Priority(job.priority),
        due_date=job.due_date,
        due_at=due_instant(job.due_date, tz),
        station_ids=tuple(progress.stations.get(job.id, ())),
        rate_per_hour=rate,
        forecast_finish=finish,
        completed_at=_aware(completed[job.id])
        if status is JobStatus.COMPLETED and job.id in completed
        else None,
        risk="",
    )


def _with_risk(job: JobForecast, now: datetime) -> JobForecast:
    return replace(job, risk=_risk(job, now))


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def job_forecasts(
    session: Session,
    actor: Actor,
    *,
    tz: tzinfo,
    scope: Scope = ALL,
    now: datetime | None = None,
) -> list[JobForecast]:
    """Open jobs (waiting or running; or the scope's job) with forecasts, at-risk ones first.

    A line or station filter keeps the jobs running there now or reported there recently.
    """
    require(actor, Action.VIEW_ANALYTICS)
    now = check_instant("now", now or datetime.now(UTC))
    with read_transaction(session):
        query = select(Job)
        if scope.job_id is not None:
            query = query.where(Job.id == scope.job_id)
        else:
            query = query.where(Job.status != JobStatus.COMPLETED.value)
        if scope.limits_stations:
            in_scope = [station.id for station in stations_in_scope(session, scope)]
            running_there = select(StationAssignment.job_id).where(
                StationAssignment.station_id.in_(in_scope)
            )
            reported_there = select(PerformanceLog.job_id).where(
                PerformanceLog.station_id.in_(in_scope),
                PerformanceLog.timestamp >= now - RATE_WINDOW,
            )
            query = query.where(or_(Job.id.in_(running_there), Job.id.in_(reported_there)))
        jobs = list(session.scalars(query))
        forecasts = _forecasts(session, jobs, tz, now)
    return sorted(forecasts, key=lambda job: (not job.at_risk, job.due_at, job.job_id))


def job_progress(
    session: Session,
    actor: Actor,
    job_id: str,
    start: datetime,
    end: datetime,
    *,
    tz: tzinfo,
    bucket: Bucket | None = None,
    now: datetime | None = None,
) -> JobProgressCurve:
    """Units of ``job_id`` reached over ``[start, min(end, now))``, summed per bucket in SQL.

    The curve starts at ``start`` with what was made before it and has a point at the end of
    each bucket with reports, and one at the end of the range.
    """
    require(actor, Action.VIEW_ANALYTICS)
    job_id = check_key("job id", job_id)
    start = check_instant("start", start)
    end = check_instant("end", end)
    now = check_instant("now", now or datetime.now(UTC))
    bucket = bucket or choose_bucket(end - start)
    until = clip_end(start, end, now)
    with read_transaction(session):
        job = session.get(Job, job_id)
        if job is None:
            raise NotFound("job", job_id)
        forecast = _forecasts(session, [job], tz, now)[0]
        base = total_units(session, unit_sources(None, start, job_id=job_id))
        sums = _job_bucket_sums(session, job_id, start, until, bucket, tz)
    edges = bucket_edges(start, until, bucket, tz)
    x = [epoch(start)]
    done = [float(base)]
    total = base
    for slot, amount in sums:
        total += amount
        x.append(min(float(edges[min(slot + 1, len(edges) - 1)]), epoch(until)))
        done.append(float(total))
    if x[-1] < epoch(until):
        x.append(epoch(until))
        done.append(float(total))
    return JobProgressCurve(
        job=forecast,
        start=start,
        until=until,
        bucket=bucket,
        x=np.asarray(x, dtype=np.float64),
        done=np.asarray(done, dtype=np.float64),
    )


def _job_bucket_sums(
    session: Session,
    job_id: str,
    start: datetime,
    until: datetime,
    bucket: Bucket,
    tz: tzinfo,
) -> list[tuple[int, int]]:
    """(grid bucket, units) in time order."""
    if until <= start:
        return []
    dialect = dialect_of(session)
    fits = slots_fit(bucket, start, until, tz)
    parts = []
    for source in unit_sources(start, until, job_id=job_id, use_rollup=fits):
        slot = bucket_start(source.at, bucket, start, until, tz, dialect)
        parts.append(
            select(slot.label("slot"), func.sum(source.qty)).where(*source.where).group_by(slot)
        )
    records = session.execute(union(parts)).all()
    edges = bucket_edges(start, until, bucket, tz)
    starts = slot_epochs([value for value, _amount in records], bucket, tz, dialect)
    sums: dict[int, int] = {}
    for slot, (_value, amount) in zip(slot_indexes(edges, starts, bucket), records, strict=True):
        sums[int(slot)] = sums.get(int(slot), 0) + int(amount or 0)
    return sorted(sums.items())


def jobs_at_risk(forecasts: Collection[JobForecast]) -> list[JobForecast]:
    """The forecasts flagged at risk, in the order given."""
    return [job for job in forecasts if job.at_risk]
