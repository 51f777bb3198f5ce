"""Time for the analytics: local zones, shifts, range presets and bucket grids.

Everything here is pure (no database). Instants are aware ``datetime`` objects or float
epoch seconds (UTC); local time only decides where days, shifts and buckets begin, so every
function takes the zone explicitly and stays correct across daylight-saving changes (a local
day may last 23 or 25 hours, a night shift 7 or 9).
"""

from __future__ import annotations

import contextlib
import math
import os
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from enum import Enum, StrEnum
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import numpy.typing as npt

from leanops_desktop.core.errors import ValidationError

FloatArray = npt.NDArray[np.float64]

#: Spans up to this long are drawn in 5-minute buckets, up to ``HOURLY_UP_TO`` in hours.
FIVE_MINUTES_UP_TO = timedelta(hours=12)
HOURLY_UP_TO = timedelta(days=14)


class Bucket(Enum):
    """How finely throughput is summed: fixed widths, or local calendar days."""

    FIVE_MINUTES = 300
    HOUR = 3600
    DAY = 86400

    @property
    def seconds(self) -> int:
        """Nominal width (a local day may be 23 or 25 hours long)."""
        return self.value

    @property
    def label(self) -> str:
        return {300: "5 min", 3600: "1 h", 86400: "1 day"}[self.value]


class RangePreset(StrEnum):
    """The ranges a supervisor picks most."""

    THIS_SHIFT = "this_shift"
    TODAY = "today"
    LAST_7_DAYS = "7_days"
    LAST_30_DAYS = "30_days"


@dataclass(frozen=True, slots=True)
class ShiftWindow:
    """One shift: from its start to the next shift's start."""

    start: datetime
    end: datetime
    name: str


def local_zone() -> ZoneInfo:
    """The machine's time zone as an IANA zone (``$TZ``, ``/etc/localtime``), else UTC."""
    candidates: list[str] = []
    env = os.environ.get("TZ", "").lstrip(":")
    if env:
        candidates.append(env)
    try:
        target = str(Path("/etc/localtime").resolve())
        if "zoneinfo/" in target:
            candidates.append(target.split("zoneinfo/", 1)[1])
    except OSError:  # pragma: no cover - no /etc/localtime (Windows)
        pass
    with contextlib.suppress(OSError):
        candidates.append(Path("/etc/timezone").read_text(encoding="utf-8").strip())
    for key in candidates:
        try:
            return ZoneInfo(key)
        except (ZoneInfoNotFoundError, ValueError):
            continue
    return ZoneInfo("UTC")


def check_instant(field: str, value: datetime) -> datetime:
    """An aware datetime, returned in UTC (a naive one is ambiguous and refused)."""
    if not isinstance(value, datetime):
        raise ValidationError(field, f"must be a datetime, not {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValidationError(field, "must carry a time zone (naive times are ambiguous)")
    return value.astimezone(UTC)


def epoch(value: datetime) -> float:
    """Epoch seconds of an aware datetime."""
    return value.timestamp()


def from_epoch(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def local_instant(day: date, at: time, tz: tzinfo) -> datetime:
    """The UTC instant of a local wall-clock time.

    A repeated wall time (autumn) means its first occurrence; a skipped one (spring) is
    moved forward by the gap, so 02:30 on a day that jumps from 02:00 to 03:00 is 03:30.
    """
    return datetime.combine(day, at, tzinfo=tz).astimezone(UTC)


def local_midnight(day: date, tz: tzinfo) -> datetime:
    return local_instant(day, time(0), tz)


def due_instant(due_date: date, tz: tzinfo) -> datetime:
    """A job is due by the end of its due date: local midnight after it, in UTC."""
    return local_midnight(due_date + timedelta(days=1), tz)


def current_shift(now: datetime, tz: tzinfo, shift_starts: tuple[time, ...]) -> ShiftWindow:
    """The shift ``now`` falls in; shifts run from one start to the next, around the clock."""
    now = check_instant("now", now)
    if not shift_starts:
        raise ValidationError("shift starts", "at least one shift start is needed")
    today = now.astimezone(tz).date()
    starts = sorted(
        {
            local_instant(today + timedelta(days=offset), start, tz)
            for offset in (-2, -1, 0, 1)
            for start in shift_starts
        }
    )
    begin = max(instant for instant in starts if instant <= now)
    end = min(instant for instant in starts if instant > now)
    name = f"{begin.astimezone(tz):%H:%M}–{end.astimezone(tz):%H:%M}"
    return ShiftWindow(start=begin, end=end, name=name)


def preset_range(
    preset: RangePreset, now: datetime, tz: tzinfo, shift_starts: tuple[time, ...]
) -> tuple[datetime, datetime]:
    """``(start, end)`` of a preset in UTC; ``end`` may lie ahead of ``now``."""
    now = check_instant("now", now)
    if preset is RangePreset.THIS_SHIFT:
        shift = current_shift(now, tz, shift_starts)
        return shift.start, shift.end
    today = now.astimezone(tz).date()
    days = {RangePreset.TODAY: 1, RangePreset.LAST_7_DAYS: 7, RangePreset.LAST_30_DAYS: 30}[preset]
    return (
        local_midnight(today - timedelta(days=days - 1), tz),
        local_midnight(today + timedelta(days=1), tz),
    )


def choose_bucket(span: timedelta) -> Bucket:
    """5 minutes up to 12 hours (a shift), hours up to 14 days, days beyond.

    That keeps every curve at 24 to 336 points for the presets.
    """
    if span <= FIVE_MINUTES_UP_TO:
        return Bucket.FIVE_MINUTES
    if span <= HOURLY_UP_TO:
        return Bucket.HOUR
    return Bucket.DAY


def clip_end(start: datetime, end: datetime, now: datetime) -> datetime:
    """The part of ``[start, end)`` that has happened: never after ``now``, never before start."""
    return max(start, min(end, now))


def fixed_origin(start: datetime, tz: tzinfo) -> datetime:
    """Where fixed-width buckets are aligned: local midnight of the start's local day."""
    return local_midnight(start.astimezone(tz).date(), tz)


def bucket_edges(start: datetime, end: datetime, bucket: Bucket, tz: tzinfo) -> FloatArray:
    """Bucket boundaries (epoch seconds) covering ``[start, end)``; one edge when it is empty.

    Fixed buckets are aligned to local midnight of the start's day (hours then fall on local
    hours in every zone, across DST too); day buckets run from local midnight to midnight.
    """
    start = check_instant("start", start)
    end = check_instant("end", end)
    if bucket is Bucket.DAY:
        first_day = start.astimezone(tz).date()
        edges = [local_midnight(first_day, tz)]
        while edges[-1] < end:
            edges.append(local_midnight(edges[-1].astimezone(tz).date() + timedelta(days=1), tz))
        return np.array([epoch(edge) for edge in edges], dtype=np.float64)
    width = bucket.seconds
    origin = epoch(fixed_origin(start, tz))
    first = origin + math.floor((epoch(start) - origin) / width) * width
    count = max(math.ceil((epoch(end) - first) / width), 0)
    return first + width * np.arange(count + 1, dtype=np.float64)


def covered_hours(edges: FloatArray, start: datetime, end: datetime) -> FloatArray:
    """Hours of each bucket that lie inside ``[start, end)`` (the divisor for rates)."""
    low = np.maximum(edges[:-1], epoch(start))
    high = np.minimum(edges[1:], epoch(end))
    hours: FloatArray = np.maximum(high - low, 0.0) / 3600.0
    return hours


def offset_changes(start: datetime, end: datetime, tz: tzinfo) -> list[tuple[datetime, int]]:
    """The zone's UTC offset (seconds) from ``start`` on, with each change up to ``end``.

    Returns ``[(start, offset), (change_1, offset_1), ...]``; used where the database has no
    time-zone rules (SQLite) to turn UTC into local days exactly.
    """
    start = check_instant("start", start)
    end = check_instant("end", end)

    def offset_at(instant: datetime) -> int:
        delta = instant.astimezone(tz).utcoffset()
        return int(delta.total_seconds()) if delta is not None else 0

    changes = [(start, offset_at(start))]
    step = timedelta(hours=6)
    cursor = start
    while cursor < end:
        following = min(cursor + step, end)
        if offset_at(following) != changes[-1][1]:
            low, high = cursor, following  # the change lies in (low, high]
            while high - low > timedelta(seconds=1):
                middle = low + (high - low) / 2
                if offset_at(middle) == changes[-1][1]:
                    low = middle
                else:
                    high = middle
            exact = high.replace(microsecond=0)
            if offset_at(exact) == changes[-1][1]:
                exact += timedelta(seconds=1)
            changes.append((exact, offset_at(exact)))
        cursor = following
    return changes
