"""Performance analytics: throughput over time and the key figures a supervisor steers by.

Sums are computed in the database (see :mod:`analytics_sql`): a 30-day range over millions
of reports returns a few thousand bucket rows, never the raw reports. Hour and day buckets and
range totals read whole quarter hours from the throughput rollup and only the range's edges
from the logs (:mod:`analytics_rollup`), with the same results. Instants go in as aware
datetimes and come out as epoch seconds (``float64`` arrays, ready to plot); the time zone
only decides where local days and buckets begin and is always passed explicitly.

A correction (a negative log with ``corrects_id``) counts at the moment it was made, like
every log: totals over any range holding both are exact, and a curve shows the count as it
was known at each moment.

The rest of the public API lives beside this module and is re-exported here:
:func:`status_timeline` (running / idle / blocked bands), :func:`job_forecasts` and
:func:`job_progress` (cumulative units, due dates, forecast finish, jobs at risk).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, tzinfo
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from leanops_desktop.core.actor import Actor
from leanops_desktop.core.enums import EventType
from leanops_desktop.core.permissions import Action, require
from leanops_desktop.db.engine import read_transaction
from leanops_desktop.db.models import EventLog, Job, Station
from leanops_desktop.services.analytics_jobs import (
    JobForecast,
    JobProgressCurve,
    job_forecasts,
    job_progress,
)
from leanops_desktop.services.analytics_rollup import (
    UnitSource,
    slots_fit,
    total_units,
    union,
    unit_sources,
)
from leanops_desktop.services.analytics_scope import (
    ALL,
    GroupBy,
    Scope,
    StationInfo,
    stations_in_scope,
)
from leanops_desktop.services.analytics_sql import (
    bucket_start,
    dialect_of,
    slot_epochs,
    slot_indexes,
)
from leanops_desktop.services.analytics_status import StatusTimeline, status_timeline
from leanops_desktop.services.analytics_stops import timeline_with_stops
from leanops_desktop.services.analytics_time import (
    Bucket,
    FloatArray,
    ShiftWindow,
    bucket_edges,
    check_instant,
    choose_bucket,
    clip_end,
    covered_hours,
    current_shift,
    due_instant,
)
from leanops_desktop.services.analytics_timeline import StationState, stations_touched

__all__ = [
    "ALL",
    "Bucket",
    "GroupBy",
    "JobForecast",
    "JobProgressCurve",
    "KeyFigures",
    "Scope",
    "Series",
    "StatusTimeline",
    "Throughput",
    "job_forecasts",
    "job_progress",
    "key_figures",
    "shift_figures",
    "status_timeline",
    "throughput",
]

IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class Series:
    """One curve: units per bucket and the rate (units per covered hour)."""

    key: str
    label: str
    units: IntArray
    rate: FloatArray

    @property
    def total(self) -> int:
        return int(self.units.sum())


@dataclass(frozen=True, slots=True)
class Throughput:
    """Throughput per station or line on one bucket grid.

    ``edges`` has one more value than each series has buckets (epoch seconds, UTC);
    ``hours`` is the part of each bucket inside the range that has happened (the rate's
    divisor: a half-elapsed hour counts half).
    """

    start: datetime
    until: datetime
    bucket: Bucket
    group_by: GroupBy
    edges: FloatArray
    hours: FloatArray
    series: tuple[Series, ...]

    @property
    def x(self) -> FloatArray:
        """Bucket starts."""
        return self.edges[:-1]

    def total_units(self) -> IntArray:
        if not self.series:
            return np.zeros(len(self.hours), dtype=np.int64)
        total: IntArray = np.sum([series.units for series in self.series], axis=0)
        return total


def rates(units: IntArray, hours: FloatArray) -> FloatArray:
    """Units per hour; 0 where a bucket has no elapsed time."""
    result: FloatArray = np.divide(
        units.astype(np.float64), hours, out=np.zeros(len(hours)), where=hours > 0
    )
    return result


def throughput(
    session: Session,
    actor: Actor,
    start: datetime,
    end: datetime,
    *,
    tz: tzinfo,
    scope: Scope = ALL,
    group_by: GroupBy = GroupBy.STATION,
    bucket: Bucket | None = None,
    now: datetime | None = None,
    use_rollup: bool = True,
) -> Throughput:
    """Units per bucket per station (or line) over ``[start, min(end, now))``, summed in SQL.

    The bucket defaults to one chosen from the span (:func:`choose_bucket`). Every station
    (or line) in scope gets a series, also one that made nothing. Hour and day buckets sum
    whole quarter hours from the throughput rollup; ``use_rollup=False`` sums the logs only
    (the same figures, slower on long ranges).
    """
    require(actor, Action.VIEW_ANALYTICS)
    start = check_instant("start", start)
    end = check_instant("end", end)
    now = check_instant("now", now or datetime.now(UTC))
    bucket = bucket or choose_bucket(end - start)
    until = clip_end(start, end, now)
    edges = bucket_edges(start, until, bucket, tz)
    hours = covered_hours(edges, start, until)
    with read_transaction(session):
        stations = stations_in_scope(session, scope)
        rollup = use_rollup and slots_fit(bucket, start, until, tz)
        sums = _bucket_sums(session, start, until, bucket, tz, scope, stations, group_by, rollup)
    keys = _series_keys(stations, group_by, {key for _b, key, _u in sums})
    index = {key: position for position, (key, _label) in enumerate(keys)}
    units = np.zeros((len(keys), len(hours)), dtype=np.int64)
    if sums and len(hours):
        starts = slot_epochs(
            [value for value, _key, _units in sums], bucket, tz, dialect_of(session)
        )
        slots = slot_indexes(edges, starts, bucket)
        for slot, (_value, key, amount) in zip(slots, sums, strict=True):
            if 0 <= slot < len(hours):
                units[index[key], slot] += int(amount)
    series = tuple(
        Series(key=key, label=label, units=units[row], rate=rates(units[row], hours))
        for row, (key, label) in enumerate(keys)
    )
    return Throughput(start, until, bucket, group_by, edges, hours, series)


NO_STATION = "(no station)"


def _bucket_sums(
    session: Session,
    start: datetime,
    until: datetime,
    bucket: Bucket,
    tz: tzinfo,
    scope: Scope,
    stations: list[StationInfo],
    group_by: GroupBy,
    use_rollup: bool,
) -> list[tuple[Any, str, int]]:
    """(bucket value, station or line, units) summed in SQL; a key may repeat per bucket."""
    if until <= start or (scope.limits_stations and not stations):
        return []
    parts = []
    for source in _scope_sources(start, until, scope, stations, use_rollup):
        slot = bucket_start(source.at, bucket, start, until, tz, dialect_of(session))
        key = source.station_id if group_by is GroupBy.STATION else Station.line
        part = select(slot.label("slot"), key.label("key"), func.sum(source.qty))
        part = part.select_from(source.table)
        if group_by is GroupBy.LINE:
            part = part.outerjoin(Station, Station.id == source.station_id)
        parts.append(part.where(*source.where).group_by(slot, key))
    return [
        (value, key_value or NO_STATION, int(amount or 0))
        for value, key_value, amount in session.execute(union(parts))
    ]


def _scope_sources(
    start: datetime,
    until: datetime,
    scope: Scope,
    stations: list[StationInfo],
    use_rollup: bool,
) -> list[UnitSource]:
    """:func:`unit_sources` for a scope (the stations it covers when it limits them)."""
    return unit_sources(
        start,
        until,
        station_ids=[station.id for station in stations] if scope.limits_stations else None,
        job_id=scope.job_id,
        use_rollup=use_rollup,
    )


def _series_keys(
    stations: Sequence[StationInfo], group_by: GroupBy, with_data: set[str]
) -> list[tuple[str, str]]:
    """(key, label) of every curve: stations or lines in scope, plus any that reported."""
    labels: dict[str, str] = {}
    for station in stations:
        if group_by is GroupBy.STATION:
            if station.is_active or station.id in with_data:
                labels[station.id] = f"{station.id} {station.name}"
        else:
            labels.setdefault(station.line, station.line)
    for key in sorted(with_data - labels.keys()):
        labels[key] = key
    return sorted(labels.items())


# -- key figures --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class KeyFigures:
    """The numbers for a range (or the current shift) and a scope."""

    start: datetime
    until: datetime
    units: int
    hours: float
    units_per_hour: float | None
    running_s: float
    idle_s: float
    blocked_s: float
    utilisation: float | None  # running time over available (running + idle + blocked) time
    blocked_by_reason: tuple[tuple[str, float], ...]  # seconds, most first (Pareto order)
    completed_jobs: int
    on_time_jobs: int
    on_time_rate: float | None
    timeline: StatusTimeline

    @property
    def available_s(self) -> float:
        return self.running_s + self.idle_s + self.blocked_s


def key_figures(
    session: Session,
    actor: Actor,
    start: datetime,
    end: datetime,
    *,
    tz: tzinfo,
    scope: Scope = ALL,
    now: datetime | None = None,
) -> KeyFigures:
    """Units, units per hour, utilisation, blocked time by reason and on-time rate.

    A job is on time when its ``job_completed`` event came before the end of its due date
    (local midnight after it, in ``tz``); the jobs counted are those completed in the range.
    """
    require(actor, Action.VIEW_ANALYTICS)
    start = check_instant("start", start)
    end = check_instant("end", end)
    now = check_instant("now", now or datetime.now(UTC))
    until = clip_end(start, end, now)
    timeline = status_timeline(session, actor, start, end, scope=scope, now=now)
    with read_transaction(session):
        stations = stations_in_scope(session, scope)
        units = 0
        if until > start and not (scope.limits_stations and not stations):
            sources = _scope_sources(start, until, scope, stations, use_rollup=True)
            units = total_units(session, sources)
        completed, on_time = _completions(session, start, until, tz, scope, stations)
    hours = (until - start).total_seconds() / 3600
    seconds = timeline.seconds_by_state()
    running, idle, blocked = (
        seconds[StationState.RUNNING],
        seconds[StationState.IDLE],
        seconds[StationState.BLOCKED],
    )
    available = running + idle + blocked
    return KeyFigures(
        start=start,
        until=until,
        units=units,
        hours=hours,
        units_per_hour=units / hours if hours > 0 else None,
        running_s=running,
        idle_s=idle,
        blocked_s=blocked,
        utilisation=running / available if available > 0 else None,
        blocked_by_reason=tuple(timeline_with_stops(session, timeline).blocked_by_reason()),
        completed_jobs=completed,
        on_time_jobs=on_time,
        on_time_rate=on_time / completed if completed else None,
        timeline=timeline,
    )


def _completions(
    session: Session,
    start: datetime,
    until: datetime,
    tz: tzinfo,
    scope: Scope,
    stations: list[StationInfo],
) -> tuple[int, int]:
    """(jobs completed in the range, of which on time) within the scope."""
    if until <= start:
        return 0, 0
    query = (
        select(EventLog.station_id, EventLog.meta, EventLog.timestamp, Job.due_date)
        .join(Job, Job.id == EventLog.job_id)
        .where(
            EventLog.event_type == EventType.JOB_COMPLETED.value,
            EventLog.timestamp >= start,
            EventLog.timestamp < until,
        )
    )
    if scope.job_id is not None:
        query = query.where(EventLog.job_id == scope.job_id)
    in_scope = {station.id for station in stations}
    completed = on_time = 0
    for station_id, meta, timestamp, due_date in session.execute(query):
        touched = stations_touched(EventType.JOB_COMPLETED.value, station_id, meta or {})
        if scope.limits_stations and not in_scope.intersection(touched):
            continue
        completed += 1
        on_time += timestamp < due_instant(due_date, tz)
    return completed, on_time


def shift_figures(
    session: Session,
    actor: Actor,
    *,
    tz: tzinfo,
    shift_starts: tuple[time, ...],
    scope: Scope = ALL,
    now: datetime | None = None,
) -> tuple[ShiftWindow, KeyFigures]:
    """Key figures of the shift running now (``shift_starts``: ``SiteConfig.shift_starts``)."""
    now = check_instant("now", now or datetime.now(UTC))
    shift = current_shift(now, tz, shift_starts)
    figures = key_figures(session, actor, shift.start, shift.end, tz=tz, scope=scope, now=now)
    return shift, figures
