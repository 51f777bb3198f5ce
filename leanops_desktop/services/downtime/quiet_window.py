"""Where quiet time counts: the shift calendar's productive stretch around a moment.

A station left running over lunch, a night or a weekend has not stopped; it is simply not
planned to work. So quiet time counts only inside a shift and outside its breaks, from the
start of the stretch it is in (a shift's start or a break's end) at the earliest. A plant
without a shift calendar works around the clock: quiet time counts from the last activity.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo

from sqlalchemy.orm import Session

from leanops_desktop.services.oee.shift_windows import occurrences
from leanops_desktop.services.quality import calendar


@dataclass(frozen=True, slots=True)
class QuietWindow:
    """``counts``: whether quiet time counts at the moment; ``since``: from when at the
    earliest (None: from the last activity, however long ago)."""

    counts: bool
    since: datetime | None = None


AROUND_THE_CLOCK = QuietWindow(True)
NOT_PLANNED = QuietWindow(False)


def quiet_window(session: Session, at: datetime, tz: tzinfo | None = None) -> QuietWindow:
    """The productive stretch ``at`` falls in, by the calendar in ``tz`` (default: this
    computer's zone, the plant's as for every other view)."""
    shifts, off_days = calendar.read_calendar(session)
    if not shifts:
        return AROUND_THE_CLOCK
    zone = tz or datetime.now().astimezone().tzinfo or UTC
    local_day = at.astimezone(zone).date()
    moment = at.timestamp()
    runs = occurrences(shifts, off_days, local_day - timedelta(days=1), local_day, zone)
    starts = [
        start
        for run in runs
        for start, end in run.productive(run.end)
        if start <= moment < end
    ]
    if not starts:
        return NOT_PLANNED
    return QuietWindow(True, datetime.fromtimestamp(max(starts), UTC))
