"""Unit sums from the 15-minute throughput rollup, exact to the report.

``throughput_rollup`` (migration 0005) holds the units of every 15-minute UTC slot per station
and job, kept by a trigger on ``performance_logs``. :func:`unit_sources` splits a range: the
whole slots inside it come from the rollup, the partial slots at its two edges (a range such
as "now - 30 days" rarely starts on a slot boundary) from the logs. Each source is summed on
its own (one ``GROUP BY`` per source, joined with ``UNION ALL``: cheaper than grouping the
union of their rows) and the caller adds the parts up. Over any bucket that is a union of
slots that gives exactly what the logs give, from about one row per station per quarter hour
instead of one per report (a month of a 50-station floor: 144,000 rows instead of 820,000).

Local hours and days are unions of slots because every UTC offset in use is a multiple of
15 minutes; :func:`slots_fit` checks that for the zone and range at hand (and says no for
5-minute buckets), and callers fall back to the logs when it does not hold.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

from sqlalchemy import ColumnElement, FromClause, func, select, union_all
from sqlalchemy.orm import QueryableAttribute, Session

from leanops_desktop.db.models import ROLLUP_SLOT_SECONDS, PerformanceLog, ThroughputRollup
from leanops_desktop.services.analytics_time import (
    Bucket,
    epoch,
    fixed_origin,
    offset_changes,
)

SLOT = timedelta(seconds=ROLLUP_SLOT_SECONDS)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def slot_floor(instant: datetime) -> datetime:
    """The start of the slot ``instant`` falls in."""
    return instant - (instant - _EPOCH) % SLOT


def whole_slots(start: datetime | None, until: datetime) -> tuple[datetime | None, datetime] | None:
    """``(first, last)``: the slots wholly inside ``[start, until)`` start in ``[first, last)``.

    ``first`` is None when ``start`` is (no lower bound); the result is None when no whole
    slot fits.
    """
    last = slot_floor(until)
    if start is None:
        return None, last
    first = slot_floor(start)
    if first < start:
        first += SLOT
    return (first, last) if first < last else None


def _on_slot(seconds: float) -> bool:
    return seconds % ROLLUP_SLOT_SECONDS == 0


def slots_fit(bucket: Bucket, start: datetime, until: datetime, tz: tzinfo) -> bool:
    """Whether every rollup slot lies inside one bucket of the grid for ``[start, until)``.

    Hours are aligned to local midnight of the start's day, days run from local midnight
    (the offset in force at each instant, changes included): both are unions of slots when
    the offsets and the instants they change at are multiples of 15 minutes, which holds for
    every zone in use today. Five-minute buckets are narrower than a slot.
    """
    if bucket is Bucket.FIVE_MINUTES:
        return False
    if bucket is Bucket.HOUR:
        return _on_slot(epoch(fixed_origin(start, tz)))
    changes = offset_changes(start, max(start, until), tz)
    return all(_on_slot(offset) for _at, offset in changes) and all(
        _on_slot(epoch(at)) for at, _offset in changes[1:]
    )


@dataclass(frozen=True, slots=True)
class UnitSource:
    """Part of a range's units: logs, or whole rollup slots, with the filters that pick them.

    ``at`` is a log's timestamp or a slot's start. ``station_id`` is NULL (a log) or ``''``
    (a slot) for units without a station: treat every false value as "no station".
    """

    table: FromClause
    at: QueryableAttribute[Any]
    station_id: QueryableAttribute[Any]
    qty: QueryableAttribute[Any]
    where: tuple[ColumnElement[bool], ...]


def unit_sources(
    start: datetime | None,
    until: datetime,
    *,
    station_ids: list[str] | None = None,
    job_id: str | None = None,
    use_rollup: bool = True,
) -> list[UnitSource]:
    """The sources whose units together are exactly the logs' in ``[start, until)``.

    ``start`` None means from the first log on. ``station_ids`` (when not None) and
    ``job_id`` filter like the logs' columns. Summed per bucket the parts are exact when
    :func:`slots_fit` says so; totals always are. With ``use_rollup=False`` (or no whole
    slot in the range) the only source is the logs.
    """
    slots = whole_slots(start, until) if use_rollup else None
    if slots is None:
        return [_logs(start, until, station_ids, job_id)]
    first, last = slots
    sources = [_slots(first, last, station_ids, job_id)]
    if start is not None and first is not None and start < first:
        sources.append(_logs(start, first, station_ids, job_id))
    if last < until:
        sources.append(_logs(last, until, station_ids, job_id))
    return sources


def union(selects: Sequence[Any]) -> Any:
    """One statement for the per-source selects (``UNION ALL`` when there are several)."""
    return selects[0] if len(selects) == 1 else union_all(*selects)


def total_units(session: Session, sources: Sequence[UnitSource]) -> int:
    """The units of all sources together."""
    parts = [select(func.sum(source.qty)).where(*source.where) for source in sources]
    return sum(int(amount or 0) for (amount,) in session.execute(union(parts)))


def _logs(
    start: datetime | None, until: datetime, station_ids: list[str] | None, job_id: str | None
) -> UnitSource:
    log = PerformanceLog
    return _source(log, log.timestamp, log.qty_completed, start, until, station_ids, job_id)


def _slots(
    first: datetime | None, last: datetime, station_ids: list[str] | None, job_id: str | None
) -> UnitSource:
    rollup = ThroughputRollup
    return _source(rollup, rollup.slot_start, rollup.units, first, last, station_ids, job_id)


def _source(
    table: type[PerformanceLog] | type[ThroughputRollup],
    time: QueryableAttribute[Any],
    qty: QueryableAttribute[Any],
    start: datetime | None,
    until: datetime,
    station_ids: list[str] | None,
    job_id: str | None,
) -> UnitSource:
    """Units of ``table`` in ``[start, until)`` (``time`` its instant, ``qty`` its amount)."""
    where: list[ColumnElement[bool]] = [time < until]
    if start is not None:
        where.append(time >= start)
    if station_ids is not None:
        where.append(table.station_id.in_(station_ids))
    if job_id is not None:
        where.append(table.job_id == job_id)
    return UnitSource(table.__table__, time, table.station_id, qty, tuple(where))
