"""The shift calendar laid out on real time: each shift occurrence and its breaks, in UTC.

An occurrence belongs to the local date it starts on; it is skipped on a non-working day and
on a weekday the shift does not run. Local times become UTC with the plant's time zone, so a
shift across a daylight-saving change is as long as the clocks say.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from leanops_desktop.services.quality.calendar import ShiftSpec

Interval = tuple[float, float]  # epoch seconds, [start, end)


@dataclass(frozen=True, slots=True)
class ShiftOccurrence:
    """One run of a shift: ``day`` is the local date it starts on."""

    shift_id: str
    name: str
    day: date
    start: float
    end: float
    breaks: tuple[Interval, ...]

    def productive(self, until: float) -> list[Interval]:
        """The shift minus its breaks, up to ``until`` (a shift still running is partial)."""
        pieces: list[Interval] = []
        cursor = self.start
        for b_start, b_end in sorted(self.breaks):
            pieces.append((cursor, b_start))
            cursor = max(cursor, b_end)
        pieces.append((cursor, self.end))
        return [(s, min(e, until)) for s, e in pieces if min(e, until) > s]


def _instant(day: date, minute: int, tz: tzinfo) -> float:
    local = datetime.combine(day, time(minute // 60, minute % 60), tzinfo=tz)
    return local.astimezone(UTC).timestamp()


def occurrences(
    shifts: Iterable[ShiftSpec],
    non_working: set[date],
    first_day: date,
    last_day: date,
    tz: tzinfo,
) -> list[ShiftOccurrence]:
    """Every shift occurrence starting on a local date in ``[first_day, last_day]``."""
    result: list[ShiftOccurrence] = []
    day = first_day
    shifts = list(shifts)
    while day <= last_day:
        if day not in non_working:
            for shift in shifts:
                if str(day.isoweekday()) not in shift.days:
                    continue
                start = _instant(day, shift.start_minute, tz)
                end_day = day if shift.end_minute > shift.start_minute else day + timedelta(1)
                end = _instant(end_day, shift.end_minute, tz)
                breaks = tuple(
                    (start + b.offset_minutes * 60.0,
                     start + (b.offset_minutes + b.duration_minutes) * 60.0)
                    for b in shift.breaks
                )
                result.append(ShiftOccurrence(shift.shift_id, shift.name, day, start, end, breaks))
        day += timedelta(1)
    return sorted(result, key=lambda o: (o.start, o.shift_id))


def overlap(a: Interval, b: Interval) -> float:
    """Seconds two intervals share."""
    return max(0.0, min(a[1], b[1]) - max(a[0], b[0]))
