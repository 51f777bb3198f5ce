"""What the Stops dock says about a stop, and what it lets the signed-in role do with it.

Pure functions of a stop's fields (``services.downtime.stops.StopRow`` or anything shaped
like it), the time "now" and the role: the cells of a row, the "Unexplained" mark, the
"only unexplained" filter, the period the dock reads, and why "Classify…" is disabled.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta, tzinfo
from enum import StrEnum
from typing import Protocol

from leanops_desktop.core.enums import Role
from leanops_desktop.core.permissions import Action, allowed
from leanops_desktop.core.quality import ReasonCategory
from leanops_desktop.services.analytics_time import current_shift

UNEXPLAINED = "Unexplained"
OPEN = "open"

CATEGORY_WORDS: dict[ReasonCategory, str] = {
    ReasonCategory.PLANNED_STOP: "planned stop",
    ReasonCategory.UNPLANNED_STOP: "unplanned stop",
    ReasonCategory.CHANGEOVER: "changeover",
    ReasonCategory.QUALITY: "quality",
    ReasonCategory.NO_WORK: "no work",
}

HEADERS = ("Station", "Line", "From", "To", "Minutes", "Reason", "Classified by")
COL_STATION, COL_LINE, COL_FROM, COL_TO, COL_MINUTES, COL_REASON, COL_BY = range(len(HEADERS))


class StopLike(Protocol):
    """The fields of a stop the dock shows (``StopRow`` has them all)."""

    @property
    def id(self) -> uuid.UUID: ...
    @property
    def station_id(self) -> str: ...
    @property
    def line(self) -> str: ...
    @property
    def started_at(self) -> datetime: ...
    @property
    def ended_at(self) -> datetime | None: ...
    @property
    def reason_id(self) -> str | None: ...
    @property
    def reason_name(self) -> str | None: ...
    @property
    def category(self) -> ReasonCategory | None: ...
    @property
    def classified_by(self) -> str | None: ...


class Period(StrEnum):
    """What the dock lists: the last 24 hours, or the shift running now."""

    LAST_24_H = "Last 24 h"
    THIS_SHIFT = "This shift"


def period_start(
    period: Period, now: datetime, tz: tzinfo, shift_starts: tuple[time, ...]
) -> datetime:
    """The start of ``period`` (stops overlapping ``[start, now]`` are listed)."""
    if period is Period.THIS_SHIFT and shift_starts:
        return current_shift(now, tz, shift_starts).start
    return now - timedelta(hours=24)


def is_unexplained(stop: StopLike) -> bool:
    return stop.reason_id is None


def stop_minutes(stop: StopLike, now: datetime) -> float:
    """Minutes stopped: to the end, or to ``now`` while the stop is open."""
    end = stop.ended_at if stop.ended_at is not None else now
    return max(0.0, (_aware(end) - _aware(stop.started_at)).total_seconds() / 60)


def reason_text(stop: StopLike) -> str:
    """``"Unexplained"``, or the reason and its category: ``"Spindle fault (unplanned stop)"``."""
    if is_unexplained(stop):
        return UNEXPLAINED
    name = stop.reason_name or stop.reason_id or "?"
    category = CATEGORY_WORDS.get(stop.category) if stop.category is not None else None
    return f"{name} ({category})" if category else name


def clock_text(when: datetime, now: datetime, tz: tzinfo) -> str:
    """``"14:05"`` today, ``"Tue 23:40"`` on another day (local time)."""
    moment, today = _aware(when).astimezone(tz), _aware(now).astimezone(tz).date()
    return f"{moment:%H:%M}" if moment.date() == today else f"{moment:%a %H:%M}"


def stop_cells(stop: StopLike, now: datetime, tz: tzinfo) -> tuple[str, ...]:
    """The row's cells, in :data:`HEADERS` order."""
    ended = stop.ended_at
    return (
        stop.station_id,
        stop.line,
        clock_text(stop.started_at, now, tz),
        OPEN if ended is None else clock_text(ended, now, tz),
        f"{stop_minutes(stop, now):.0f}",
        reason_text(stop),
        stop.classified_by or "",
    )


def shown_stops(stops: Iterable[StopLike], *, only_unexplained: bool) -> list[StopLike]:
    """The stops the filter lets through, in the order given (newest first)."""
    return [stop for stop in stops if not only_unexplained or is_unexplained(stop)]


def classify_refusal(role: Role, stop: StopLike | None) -> str | None:
    """Why ``role`` may not classify ``stop`` now (None: it may)."""
    if stop is None:
        return "Select a stop first"
    if not allowed(role, Action.CLASSIFY_STOP):
        return "Your role may not classify stops"
    if not is_unexplained(stop) and role is Role.OPERATOR:
        who = f" by {stop.classified_by}" if stop.classified_by else ""
        return f"Already classified{who}: only a supervisor may change it"
    return None


@dataclass(frozen=True, slots=True)
class StopCounts:
    """What the dock's count line says."""

    shown: int
    unexplained: int
    open_now: int

    def text(self) -> str:
        noun = "stop" if self.shown == 1 else "stops"
        parts = [f"{self.shown} {noun}"]
        if self.unexplained:
            parts.append(f"{self.unexplained} unexplained")
        if self.open_now:
            parts.append(f"{self.open_now} open")
        return ", ".join(parts)


def count_stops(stops: Sequence[StopLike]) -> StopCounts:
    return StopCounts(
        shown=len(stops),
        unexplained=sum(1 for stop in stops if is_unexplained(stop)),
        open_now=sum(1 for stop in stops if stop.ended_at is None),
    )


def _aware(when: datetime) -> datetime:
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)
