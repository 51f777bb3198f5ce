"""The shift report: one shift occurrence, per station good/scrap/total, OEE and its
factors, the top downtime reasons and the jobs worked (``leanops report shift``).

The figures are ``oee_rows``' own (docs/oee.md): the report adds only the reasons (the
status timeline's stops over the shift's productive windows, by reason, automatic stops laid
over it as OEE does) and the jobs (the rollup's units per job in the shift).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from leanops_desktop.core.actor import Actor
from leanops_desktop.core.errors import ValidationError
from leanops_desktop.core.permissions import Action, require
from leanops_desktop.db.engine import read_transaction
from leanops_desktop.db.models import Station
from leanops_desktop.services.analytics_scope import Scope
from leanops_desktop.services.analytics_status import status_timeline
from leanops_desktop.services.analytics_stops import timeline_with_stops
from leanops_desktop.services.analytics_timeline import StationState, StatusBand
from leanops_desktop.services.oee import compute
from leanops_desktop.services.oee.figures import OeeFigures
from leanops_desktop.services.oee.shift_windows import ShiftOccurrence, occurrences, overlap
from leanops_desktop.services.quality import calendar, reasons

TOP_REASONS = 3
IDLE_LABEL = "idle (no job)"
UNEXPLAINED_LABEL = "unexplained"


@dataclass(frozen=True, slots=True)
class DowntimeReason:
    """Stopped seconds of one reason (a tree leaf's id, idle or unexplained)."""

    label: str
    category: str
    seconds: float


@dataclass(frozen=True, slots=True)
class JobWorked:
    job_id: str
    good: int
    scrap: int


@dataclass(frozen=True, slots=True)
class StationShift:
    station_id: str
    line: str
    figures: OeeFigures
    reasons: tuple[DowntimeReason, ...]  # longest first, at most TOP_REASONS
    jobs: tuple[JobWorked, ...]  # by job id


@dataclass(frozen=True, slots=True)
class ShiftReport:
    day: date
    shift_id: str
    shift_name: str
    line: str | None
    start: datetime  # UTC
    end: datetime  # UTC
    stations: tuple[StationShift, ...]  # by line, then station
    tz: tzinfo = UTC  # the plant's, for showing start and end

    @property
    def total(self) -> OeeFigures:
        """The shift's figures: the sums of its stations' (one formula at every level)."""
        result = OeeFigures()
        for station in self.stations:
            result = result + station.figures
        return result


@dataclass(frozen=True, slots=True)
class ReportChoices:
    """What a shift report can be asked for: the calendar's shifts and the plant's lines."""

    shifts: tuple[tuple[str, str], ...]  # (id, name), by start time
    lines: tuple[str, ...]


def report_choices(session: Session, actor: Actor) -> ReportChoices:
    require(actor, Action.VIEW_ANALYTICS)
    with read_transaction(session):
        shifts, _off_days = calendar.read_calendar(session)
        lines = session.scalars(select(Station.line).distinct().order_by(Station.line)).all()
    return ReportChoices(tuple((s.shift_id, s.name) for s in shifts), tuple(lines))


def find_occurrence(
    session: Session, day: date, shift: str, tz: tzinfo
) -> ShiftOccurrence:
    """The occurrence of ``shift`` (its id, or its name) starting on ``day``."""
    with read_transaction(session):
        shifts, off_days = calendar.read_calendar(session)
    chosen = [s for s in shifts if s.shift_id == shift] or [
        s for s in shifts if s.name.lower() == shift.strip().lower()
    ]
    if not chosen:
        known = ", ".join(f"{s.shift_id} ({s.name})" for s in shifts) or "none"
        raise ValidationError("shift", f"no shift {shift!r} in the calendar (shifts: {known})")
    found = occurrences(chosen[:1], off_days, day, day, tz)
    if not found:
        raise ValidationError(
            "date", f"shift {chosen[0].shift_id} does not run on {day.isoformat()}"
            " (not one of its weekdays, or a non-working day)"
        )
    return found[0]


def shift_report(
    session: Session,
    actor: Actor,
    day: date,
    shift: str,
    tz: tzinfo,
    *,
    line: str | None = None,
    now: datetime | None = None,
) -> ShiftReport:
    """The report of ``shift`` (id or name) on local date ``day``, for one line or all."""
    require(actor, Action.VIEW_ANALYTICS)
    now = now or datetime.now(UTC)
    occurrence = find_occurrence(session, day, shift, tz)
    if occurrence.start >= now.timestamp():
        raise ValidationError(
            "date", f"shift {occurrence.shift_id} of {day.isoformat()} has not begun yet"
        )
    scope = Scope(line=line)
    rows = [
        row for row in compute.oee_rows(session, actor, day, day, tz, scope=scope, now=now)
        if row.shift_id == occurrence.shift_id
    ]
    if not rows:
        where = f"on line {line!r}" if line else "in the plant"
        raise ValidationError("line", f"no station is {where}")
    start = datetime.fromtimestamp(occurrence.start, UTC)
    end = datetime.fromtimestamp(occurrence.end, UTC)
    timeline = status_timeline(session, actor, start, end, scope=scope, now=now)
    timeline = timeline_with_stops(session, timeline)  # the stops as oee_rows counts them
    until = timeline.until.timestamp()
    windows = occurrence.productive(until)
    with read_transaction(session):
        tree = reasons.list_reasons(session)
        units = compute.units_per_job(
            session, [row.station_id for row in rows],
            [(0, occurrence.start, min(occurrence.end, until))],
        ) if until > occurrence.start else {}
    stations = []
    for row in sorted(rows, key=lambda r: (r.line, r.station_id)):
        bands = [b for b in timeline.bands if b.station_id == row.station_id]
        jobs = units.get((0, row.station_id), {})
        stations.append(
            StationShift(
                row.station_id, row.line, row.figures,
                top_reasons(bands, windows, tree),
                tuple(JobWorked(job, made.good, made.scrap) for job, made in sorted(jobs.items())),
            )
        )
    return ShiftReport(day, occurrence.shift_id, occurrence.name, line, start, end,
                       tuple(stations), tz)


def _label(reason: str | None, categories: dict[str, str], names: dict[str, str]) -> str:
    text = (reason or "").strip()
    for key in (text, text.partition(":")[0].strip()):
        if key in categories:
            return key
        if key.lower() in names:
            return names[key.lower()]
    return UNEXPLAINED_LABEL


def top_reasons(
    bands: list[StatusBand],
    windows: list[tuple[float, float]],
    tree: list[reasons.ReasonRow],
    *,
    limit: int = TOP_REASONS,
) -> tuple[DowntimeReason, ...]:
    """The longest stops (blocked by reason, idle) within ``windows``, longest first; a
    block names its reason by id or name (before any ``: detail``), as in docs/oee.md."""
    by_category = {row.id: row.category.value for row in tree}
    names = {row.name.lower(): row.id for row in tree}
    seconds: dict[tuple[str, str], float] = {}
    for band in bands:
        if band.state not in (StationState.BLOCKED, StationState.IDLE):
            continue
        inside = sum(overlap((band.start, band.end), w) for w in windows)
        if inside <= 0:
            continue
        if band.state is StationState.IDLE:
            key = (IDLE_LABEL, compute.IDLE)
        else:
            label = _label(band.reason, by_category, names)
            key = (label, by_category.get(label, compute.UNEXPLAINED))
        seconds[key] = seconds.get(key, 0.0) + inside
    ranked = sorted(seconds.items(), key=lambda item: (-item[1], item[0]))
    return tuple(DowntimeReason(label, cat, secs) for (label, cat), secs in ranked[:limit])
