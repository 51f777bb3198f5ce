"""SQL that sums performance logs into time buckets inside the database, on both backends.

* PostgreSQL (``timestamptz``): ``date_bin`` from an origin at local midnight. Fixed buckets
  (5 minutes, hours) use one origin. Local days use one origin per stretch of constant UTC
  offset (a ``CASE`` on the timestamp at each daylight-saving change found in Python), so a
  day is 23 or 25 hours long where the zone says so. ``date_bin`` is used rather than
  ``date_trunc('day', ts, zone)`` because it does no time-zone lookup per row: on a month of
  a large floor (800,000 reports) the query is about three times faster. The bucket start is
  grouped on as a ``timestamptz`` and only turned into epoch seconds in Python.
* SQLite (UTC text ``YYYY-MM-DD HH:MM:SS.ffffff``): integer arithmetic on the whole seconds
  ``strftime('%s', substr(ts, 1, 19))``; local days add the zone's UTC offset through the same
  kind of ``CASE`` (on the text, which sorts as it reads) and yield local day numbers.

:func:`slot_epochs` turns what the database returned into epoch seconds and
:func:`slot_indexes` places them on the grid from :func:`bucket_edges`.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import DateTime, Integer, case, cast, func, literal, literal_column
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from leanops_desktop.db.types import UTCDateTime
from leanops_desktop.services.analytics_time import (
    Bucket,
    FloatArray,
    epoch,
    fixed_origin,
    local_midnight,
    offset_changes,
)

#: A day bucket from a stretch that began after a DST change may start up to the change's size
#: off the real local midnight; placing each start this much later lands it in the right day.
DAY_SLOT_MARGIN = 3 * 3600.0
_ORIGIN = datetime(2000, 1, 1, tzinfo=UTC)


def dialect_of(session: Session) -> str:
    return session.get_bind().dialect.name


def epoch_seconds(column: Any, dialect: str) -> ColumnElement[Any]:
    """Whole epoch seconds of a timestamp column (SQLite), the fraction cut off.

    Only ``YYYY-MM-DD HH:MM:SS`` is parsed: SQLite rounds a fraction to milliseconds first,
    so ``23:59:59.9996`` would count as the next second, and the next hour or day.
    """
    return cast(func.strftime("%s", func.substr(column, 1, 19)), Integer)


def _changes(column: Any, start: datetime, end: datetime, tz: tzinfo, value: Any) -> Any:
    """``CASE`` choosing ``value(offset)`` by the UTC offset in force at each timestamp."""
    changes = offset_changes(start, end, tz)
    if len(changes) == 1:
        return value(changes[0][1])
    whens = [
        (column < literal(change, UTCDateTime()), value(offset))
        for (_begin, offset), (change, _next) in itertools.pairwise(changes)
    ]
    return case(*whens, else_=value(changes[-1][1]))


def bucket_start(
    column: Any,
    bucket: Bucket,
    start: datetime,
    end: datetime,
    tz: tzinfo,
    dialect: str,
) -> ColumnElement[Any]:
    """The bucket each timestamp falls in, as the database can group on it cheaply.

    PostgreSQL: the bucket start (``timestamptz``). SQLite: epoch seconds of the start, or
    for local days the local day number (days since 1970-01-01 local).
    """
    if dialect == "postgresql":
        if bucket is Bucket.DAY:
            day: ColumnElement[Any] = literal_column("interval '1 day'")

            def binned(offset: int) -> Any:
                origin = literal(_ORIGIN - timedelta(seconds=offset), DateTime(timezone=True))
                return func.date_bin(day, column, origin)

            result: ColumnElement[Any] = _changes(column, start, end, tz, binned)
            return result
        origin = literal(fixed_origin(start, tz), DateTime(timezone=True))
        width: ColumnElement[Any] = literal_column(f"interval '{bucket.seconds} seconds'")
        binned_fixed: ColumnElement[Any] = func.date_bin(width, column, origin)
        return binned_fixed
    seconds = epoch_seconds(column, dialect)
    if bucket is Bucket.DAY:
        local: ColumnElement[Any] = seconds + _changes(column, start, end, tz, lambda off: off)
        return local // 86400
    origin_s = int(epoch(fixed_origin(start, tz)))
    width_s = bucket.seconds
    slot: ColumnElement[Any] = origin_s + ((seconds - origin_s) // width_s) * width_s
    return slot


def slot_epochs(values: Sequence[Any], bucket: Bucket, tz: tzinfo, dialect: str) -> FloatArray:
    """What :func:`bucket_start` returned, as epoch seconds of (about) each bucket's start."""
    if dialect == "sqlite" and bucket is Bucket.DAY:
        return np.asarray(day_number_to_epoch([int(value) for value in values], tz))
    return np.asarray(
        [value.timestamp() if isinstance(value, datetime) else float(value) for value in values],
        dtype=np.float64,
    )


def slot_indexes(edges: FloatArray, starts: FloatArray, bucket: Bucket) -> npt.NDArray[np.intp]:
    """The grid bucket of each start (``-1`` or ``len(edges) - 1`` when outside)."""
    margin = DAY_SLOT_MARGIN if bucket is Bucket.DAY else 0.0
    indexes: npt.NDArray[np.intp] = np.searchsorted(edges, starts + margin, side="right") - 1
    return indexes


def day_number_to_epoch(day_numbers: Sequence[int], tz: tzinfo) -> list[float]:
    """Local day numbers (SQLite day buckets) as the epoch seconds of their local midnight."""
    base = date(1970, 1, 1)
    return [epoch(local_midnight(base + timedelta(days=int(n)), tz)) for n in day_numbers]
