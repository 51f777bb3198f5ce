"""What the production board shows, read in one transaction: every active station (of one
line, or all), its job, this hour's and this shift's output, the target and a traffic light.

Target: until an ideal rate is configured, a station's target rate is the rate its job
needs to be done by its due date (remaining quantity / time left until the end of the due
date); the hour's and the shift's targets are that rate over the time elapsed so far. The
light compares the shift's output with the shift's target (green from 100 %, amber from 80 %).
Reads only; the board's database login may do nothing else.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, tzinfo
from enum import StrEnum

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from leanops_desktop.core.enums import StationStatus
from leanops_desktop.core.rows import StationRow
from leanops_desktop.db.engine import read_transaction
from leanops_desktop.db.models import PerformanceLog
from leanops_desktop.services.analytics_time import ShiftWindow, current_shift, due_instant
from leanops_desktop.services.reads.queries import list_stations

#: At or above this share of the target a station is green; at or above AMBER_SHARE amber.
GREEN_SHARE = 1.0
AMBER_SHARE = 0.8


class Light(StrEnum):
    """The traffic light of a station on the board."""

    GREEN = "green"
    AMBER = "amber"
    RED = "red"
    OFF = "off"  # idle, nothing to judge


@dataclass(frozen=True, slots=True)
class BoardStation:
    """One station's line on the board."""

    station: StationRow
    hour_done: int
    shift_done: int
    #: Units per hour the job needs to meet its due date; None without a job or when late.
    rate_needed: float | None
    hour_target: int | None
    shift_target: int | None
    late: bool
    light: Light

    @property
    def progress(self) -> float:
        total = self.station.job_qty_total
        return self.station.job_qty_done / total if total else 0.0


@dataclass(frozen=True, slots=True)
class BoardSnapshot:
    """Everything on the board at one moment."""

    read_at: datetime
    shift: ShiftWindow
    stations: tuple[BoardStation, ...]

    def lines(self) -> list[str]:
        seen: dict[str, None] = {}
        for item in self.stations:
            seen.setdefault(item.station.line, None)
        return list(seen)


def required_rate(remaining: int, now: datetime, due: datetime) -> float | None:
    """Units per hour needed to finish ``remaining`` by ``due``; None once ``due`` passed."""
    hours_left = (due - now).total_seconds() / 3600
    if hours_left <= 0:
        return None
    return max(remaining, 0) / hours_left


def judge(station: StationRow, actual: int, target: int | None, late: bool) -> Light:
    """Red, amber or green for a station: blocked or late is red; else actual vs target."""
    if station.status == StationStatus.BLOCKED:
        return Light.RED
    if station.current_job_id is None:
        return Light.OFF
    if late:
        return Light.RED
    if not target:
        return Light.GREEN
    share = actual / target
    if share >= GREEN_SHARE:
        return Light.GREEN
    return Light.AMBER if share >= AMBER_SHARE else Light.RED


def _output_since(session: Session, since: datetime) -> dict[str, int]:
    records = session.execute(
        select(PerformanceLog.station_id, func.sum(PerformanceLog.qty_completed))
        .where(PerformanceLog.timestamp >= since, PerformanceLog.station_id.is_not(None))
        .group_by(PerformanceLog.station_id)
    )
    return {str(station): int(total or 0) for station, total in records}


def _target(rate: float | None, since: datetime, now: datetime) -> int | None:
    if rate is None:
        return None
    return round(rate * max((now - since).total_seconds(), 0) / 3600)


def board_station(
    row: StationRow,
    hour_done: int,
    shift_done: int,
    now: datetime,
    tz: tzinfo,
    since: tuple[datetime, datetime],
) -> BoardStation:
    """Judge one station at ``now``; ``since``: the start of this hour and of this shift."""
    rate = None
    late = False
    if row.current_job_id is not None and row.job_due_date is not None:
        remaining = row.job_qty_total - row.job_qty_done
        rate = required_rate(remaining, now, due_instant(row.job_due_date, tz))
        late = rate is None and remaining > 0
    hour_target = _target(rate, since[0], now)
    shift_target = _target(rate, since[1], now)
    return BoardStation(
        station=row,
        hour_done=hour_done,
        shift_done=shift_done,
        rate_needed=rate,
        hour_target=hour_target,
        shift_target=shift_target,
        late=late,
        # The shift's figures, not the hour's: a few minutes into an hour says little.
        light=judge(row, shift_done, shift_target, late),
    )


def read_board(
    session: Session,
    now: datetime,
    tz: tzinfo,
    shift_starts: Sequence[time],
    line: str | None = None,
) -> BoardSnapshot:
    """The board at ``now`` (aware): active stations of ``line`` (or all), by line then id."""
    now = now.astimezone(UTC)
    shift = current_shift(now, tz, tuple(shift_starts))
    local = now.astimezone(tz)
    hour_start = local.replace(minute=0, second=0, microsecond=0).astimezone(UTC)
    with read_transaction(session):
        rows = [
            row
            for row in list_stations(session)
            if row.is_active and (line is None or row.line == line)
        ]
        hour = _output_since(session, hour_start)
        in_shift = _output_since(session, shift.start)
    stations = tuple(
        board_station(
            row, hour.get(row.id, 0), in_shift.get(row.id, 0), now, tz, (hour_start, shift.start)
        )
        for row in rows
    )
    return BoardSnapshot(read_at=now, shift=shift, stations=stations)


def blocked_text(row: StationRow, tz: tzinfo) -> str | None:
    """``"blocked since 10:42 (no material)"``, or None when the station is not blocked."""
    if row.status != StationStatus.BLOCKED:
        return None
    since = f" since {row.blocked_since.astimezone(tz):%H:%M}" if row.blocked_since else ""
    reason = f" ({row.blocked_reason})" if row.blocked_reason else ""
    return f"blocked{since}{reason}"


__all__ = [
    "BoardSnapshot",
    "BoardStation",
    "Light",
    "blocked_text",
    "judge",
    "read_board",
    "required_rate",
]
