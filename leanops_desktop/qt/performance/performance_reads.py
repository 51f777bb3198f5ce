"""What the performance view reads, off the GUI thread: each function runs on a lane of the
window's :class:`~leanops_desktop.qt.db_runner.DbRunner`, given a :class:`LoadRequest`
decided in the GUI thread."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta, tzinfo
from typing import TYPE_CHECKING, Any
from uuid import UUID

from leanops_desktop.core.actor import Actor
from leanops_desktop.core.enums import JobStatus
from leanops_desktop.core.quality import ReasonCategory
from leanops_desktop.core.rows import EventRow, JobRow, PerformanceRow, StationRow
from leanops_desktop.services import analytics
from leanops_desktop.services.analytics_scope import GroupBy, Scope
from leanops_desktop.services.analytics_status import StatusTimeline
from leanops_desktop.services.analytics_time import Bucket, ShiftWindow, choose_bucket
from leanops_desktop.services.oee.compute import oee_rows
from leanops_desktop.services.oee.figures import OeeRow
from leanops_desktop.services.quality import reason_pareto
from leanops_desktop.services.reads import history, queries

if TYPE_CHECKING:
    from leanops_desktop.db.engine import Database


@dataclass(frozen=True, slots=True)
class LoadRequest:
    """What one load reads: everything decided in the GUI thread before the reads start."""

    start: datetime
    end: datetime
    now: datetime
    scope: Scope
    group_by: GroupBy
    chosen_job: str | None
    keep_view: bool


@dataclass(frozen=True, slots=True)
class JobData:
    """The shift's figures, the jobs at risk and the job curve of one load."""

    shift: ShiftWindow
    in_shift: analytics.KeyFigures
    jobs: list[analytics.JobForecast]
    job_id: str | None
    curve: analytics.JobProgressCurve | None


def pick_job(
    jobs: Sequence[analytics.JobForecast], scope_job: str | None, chosen: str | None
) -> str | None:
    """The job whose curve is shown: the filter's, the one chosen, else the first running
    job at risk, else the first running job, else the first listed."""
    if scope_job is not None:
        return scope_job
    if chosen is not None and any(job.job_id == chosen for job in jobs):
        return chosen
    running = [job for job in jobs if job.status is JobStatus.RUNNING]
    for candidates in ([job for job in running if job.at_risk], running, jobs):
        if candidates:
            return candidates[0].job_id
    return None


def read_throughput(
    db: Database, actor: Actor, request: LoadRequest, tz: tzinfo, bucket: Any = None
) -> analytics.Throughput:
    """The throughput curves of a load (runs on the ``reads`` lane)."""
    with db.session() as session:
        return analytics.throughput(
            session,
            actor,
            request.start,
            request.end,
            tz=tz,
            scope=request.scope,
            group_by=request.group_by,
            bucket=bucket,
            now=request.now,
        )


def read_figures(
    db: Database, actor: Actor, request: LoadRequest, tz: tzinfo
) -> analytics.KeyFigures:
    """Key figures of the range with its status timeline and blocked time by reason (runs on
    the ``analytics`` lane)."""
    with db.session() as session, session.begin():
        return analytics.key_figures(
            session,
            actor,
            request.start,
            request.end,
            tz=tz,
            scope=request.scope,
            now=request.now,
        )


def read_reason_categories(db: Database) -> dict[str, ReasonCategory]:
    """Reason id -> category, for the Pareto by category (runs on the ``reads`` lane)."""
    with db.session() as session:
        return reason_pareto.reason_categories(session)


def read_oee(
    db: Database,
    actor: Actor,
    request: LoadRequest,
    tz: tzinfo,
    timeline: StatusTimeline | None = None,
) -> list[OeeRow]:
    """OEE per station and shift occurrence starting on a local day of the range (runs on
    the ``analytics`` lane; a shift still running counts up to ``request.now``).

    ``timeline``: the range's status timeline, already read for the same stations (then
    not read again when it covers the shifts)."""
    first_day = request.start.astimezone(tz).date()
    last_day = (request.end - timedelta(microseconds=1)).astimezone(tz).date()
    scope = Scope(line=request.scope.line, station_ids=request.scope.station_ids)
    with db.session() as session:
        return oee_rows(
            session,
            actor,
            first_day,
            last_day,
            tz,
            scope=scope,
            now=request.now,
            timeline=timeline,
        )


def read_figures_and_oee(
    db: Database, actor: Actor, request: LoadRequest, tz: tzinfo
) -> tuple[analytics.KeyFigures, list[OeeRow]]:
    """The range's key figures and its OEE rows, reading the status timeline once for both
    (runs on the ``analytics`` lane). A job filter limits the figures' timeline to the
    job's stations, so the OEE (per station, never per job) reads its own then."""
    figures = read_figures(db, actor, request, tz)
    shared = figures.timeline if request.scope.job_id is None else None
    return figures, read_oee(db, actor, request, tz, shared)


def read_jobs(
    db: Database, actor: Actor, request: LoadRequest, tz: tzinfo, shift_starts: tuple[time, ...]
) -> JobData:
    """The shift's figures, jobs at risk and the job curve, in one read transaction (runs on
    the ``reads`` lane after the throughput, beside the range's figures)."""
    start, end, now, scope = request.start, request.end, request.now, request.scope
    with db.session() as session, session.begin():
        shift, in_shift = analytics.shift_figures(
            session, actor, tz=tz, shift_starts=shift_starts, scope=scope, now=now
        )
        jobs = analytics.job_forecasts(session, actor, tz=tz, scope=scope, now=now)
        job_id = pick_job(jobs, scope.job_id, request.chosen_job)
        curve = (
            analytics.job_progress(session, actor, job_id, start, end, tz=tz, now=now)
            if job_id is not None
            else None
        )
    return JobData(shift, in_shift, jobs, job_id, curve)


def read_options(db: Database) -> tuple[list[StationRow], list[JobRow]]:
    """Lines, stations and jobs for the filter lists."""
    with db.session() as session:
        return queries.list_stations(session), queries.list_jobs(session)


def read_curve(
    db: Database,
    actor: Actor,
    job_id: str,
    span: tuple[datetime, datetime],
    tz: tzinfo,
    now: datetime,
) -> analytics.JobProgressCurve:
    """The progress curve of the job chosen in the jobs list (runs on the ``analytics`` lane)."""
    start, end = span
    with db.session() as session:
        return analytics.job_progress(session, actor, job_id, start, end, tz=tz, now=now)


def zoom_window(
    span: tuple[datetime, datetime],
    low: float,
    high: float,
    shown: analytics.Throughput,
    now: datetime,
) -> tuple[tuple[datetime, datetime], Bucket] | None:
    """The window and bucket to read again for a zoom to ``low``..``high`` (finer when zoomed
    in); None when the curves ``shown`` already serve it."""
    start, end = span
    default = choose_bucket(end - start)
    wanted = choose_bucket(timedelta(seconds=max(high - low, 1.0)))
    if wanted.seconds >= default.seconds:
        if shown.bucket == default and shown.start == start:
            return None
        return (start, end), default
    width = timedelta(seconds=high - low)
    low_at = datetime.fromtimestamp(low, UTC)
    high_at = datetime.fromtimestamp(high, UTC)
    inside = shown.start.timestamp() <= low and high <= shown.until.timestamp() + 1
    if shown.bucket == wanted and (inside or high_at > now):
        return None
    return (max(start, low_at - width), min(end, high_at + width)), wanted


def read_changed_rows(
    db: Database, changes: Mapping[str, set[str]]
) -> tuple[list[PerformanceRow], list[EventRow]]:
    """The reports and events a change-feed payload names (runs on the ``reads`` lane)."""
    reports_wanted = _uuids(changes.get("performance_logs") or set())
    entries_wanted = _uuids(changes.get("events_log") or set())
    with db.session() as session:
        return (
            history.performance_by_keys(session, reports_wanted),
            history.events_by_keys(session, entries_wanted),
        )


def _uuids(keys: set[str]) -> list[UUID]:
    result = []
    for key in keys:
        try:
            result.append(UUID(key))
        except ValueError:
            continue
    return result
