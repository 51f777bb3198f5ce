"""OEE per station and shift occurrence from the database (docs/oee.md has the formula).

Time comes from the status timeline (``services/analytics_status.py``: running, idle,
blocked with its reason, off), laid over the shift calendar's productive windows. Units come
from the throughput rollup (good ``units`` and ``scrap_units`` per 15-minute slot, station
and job): a slot counts for the shift occurrence its start falls in, so shift boundaries on
quarter hours are exact. Ideal cycle times are the jobs'.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta, tzinfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from leanops_desktop.core.actor import Actor
from leanops_desktop.core.errors import ValidationError
from leanops_desktop.core.permissions import Action, require
from leanops_desktop.core.quality import ReasonCategory
from leanops_desktop.db.engine import read_transaction
from leanops_desktop.db.models import Job, ThroughputRollup
from leanops_desktop.services.analytics_scope import ALL, Scope
from leanops_desktop.services.analytics_status import status_timeline
from leanops_desktop.services.analytics_timeline import StationState, StatusBand
from leanops_desktop.services.oee.figures import OeeFigures, OeeRow
from leanops_desktop.services.oee.shift_windows import ShiftOccurrence, occurrences, overlap
from leanops_desktop.services.quality import calendar, reasons

#: The category of a stop whose reason is not in the tree, and of idle time in a shift.
UNEXPLAINED = "unexplained"
IDLE = "idle"
MAX_DAYS = 400
_LONGEST_SHIFT_S = 86_400.0


@dataclass(frozen=True, slots=True)
class _Units:
    good: int = 0
    scrap: int = 0


def oee_rows(
    session: Session,
    actor: Actor,
    first_day: date,
    last_day: date,
    tz: tzinfo,
    *,
    scope: Scope = ALL,
    now: datetime | None = None,
) -> list[OeeRow]:
    """One row per station in scope and shift occurrence starting on a local date in
    ``[first_day, last_day]``; a shift still running counts up to ``now``."""
    require(actor, Action.VIEW_ANALYTICS)
    if last_day < first_day or (last_day - first_day).days > MAX_DAYS:
        raise ValidationError("to", f"must be on or after from, at most {MAX_DAYS} days later")
    now = now or datetime.now(UTC)
    with read_transaction(session):
        shifts, off_days = calendar.read_calendar(session)
        categories = _reason_categories(session)
    runs = occurrences(shifts, off_days, first_day, last_day, tz)
    if not runs:
        return []
    start = datetime.fromtimestamp(min(o.start for o in runs), UTC)
    end = datetime.fromtimestamp(max(o.end for o in runs), UTC)
    timeline = status_timeline(session, actor, start, end, scope=scope, now=now)
    until = timeline.until.timestamp()
    bands: dict[str, list[StatusBand]] = defaultdict(list)
    for band in timeline.bands:
        bands[band.station_id].append(band)
    with read_transaction(session):
        station_ids = [station.id for station in timeline.stations]
        units = _units(session, station_ids, start, min(end, timeline.until), runs)
        ideals = _ideals(session, {job for jobs in units.values() for job in jobs})
    rows = []
    for index, occurrence in enumerate(runs):
        if occurrence.start >= until:
            continue
        windows = occurrence.productive(until)
        for station in timeline.stations:
            figures = _time_figures(bands[station.id], windows, categories)
            figures = _with_units(figures, units.get((index, station.id), {}), ideals)
            rows.append(
                OeeRow(occurrence.day, occurrence.shift_id, station.line, station.id, figures)
            )
    return rows


def _reason_categories(session: Session) -> dict[str, str]:
    """Reason id and lower-cased name -> category."""
    result: dict[str, str] = {}
    for row in reasons.list_reasons(session):
        result[row.name.lower()] = row.category.value
    for row in reasons.list_reasons(session):
        result[row.id] = row.category.value
    return result


def category_of(reason: str | None, categories: dict[str, str]) -> str:
    """A block reason's category: its id or name (before any ``: detail``), else unexplained."""
    text = (reason or "").strip()
    for key in (text, text.partition(":")[0].strip()):
        found = categories.get(key) or categories.get(key.lower())
        if found:
            return found
    return UNEXPLAINED


def _time_figures(
    bands: list[StatusBand], windows: list[tuple[float, float]], categories: dict[str, str]
) -> OeeFigures:
    run = 0.0
    stops: dict[str, float] = {}
    for band in bands:
        seconds = sum(overlap((band.start, band.end), w) for w in windows)
        if seconds <= 0 or band.state is StationState.OFF:
            continue  # an inactive station plans no time
        if band.state is StationState.RUNNING:
            run += seconds
            continue
        idle = band.state is StationState.IDLE
        category = IDLE if idle else category_of(band.reason, categories)
        if category == ReasonCategory.PLANNED_STOP.value:
            continue  # planned stops are not planned production time
        stops[category] = stops.get(category, 0.0) + seconds
    return OeeFigures(planned_s=run + sum(stops.values()), run_s=run, stops_s=stops)


def _units(
    session: Session,
    station_ids: list[str],
    start: datetime,
    end: datetime,
    runs: list[ShiftOccurrence],
) -> dict[tuple[int, str], dict[str, _Units]]:
    """(occurrence index, station) -> job -> good and scrap units of the slots in it.

    A slot counts for the latest-starting occurrence that contains its start."""
    if not station_ids:
        return {}
    query = select(
        ThroughputRollup.slot_start,
        ThroughputRollup.station_id,
        ThroughputRollup.job_id,
        ThroughputRollup.units,
        ThroughputRollup.scrap_units,
    ).where(
        ThroughputRollup.slot_start >= start - timedelta(minutes=15),
        ThroughputRollup.slot_start < end,
        ThroughputRollup.station_id.in_(station_ids),
    )
    starts = [occurrence.start for occurrence in runs]
    result: dict[tuple[int, str], dict[str, _Units]] = {}
    for slot, station_id, job_id, good, scrap in session.execute(query):
        at = slot.timestamp()
        index = bisect_right(starts, at) - 1
        while index >= 0 and not runs[index].start <= at < runs[index].end:
            index -= 1
            if index >= 0 and at - runs[index].start > _LONGEST_SHIFT_S:
                index = -1
        if index < 0:
            continue
        jobs = result.setdefault((index, station_id), {})
        old = jobs.get(job_id, _Units())
        jobs[job_id] = _Units(old.good + good, old.scrap + scrap)
    return result


def _ideals(session: Session, job_ids: set[str]) -> dict[str, float]:
    if not job_ids:
        return {}
    query = select(Job.id, Job.ideal_cycle_s).where(
        Job.id.in_(sorted(job_ids)), Job.ideal_cycle_s.is_not(None)
    )
    return {
        job_id: float(seconds) for job_id, seconds in session.execute(query) if seconds is not None
    }


def _with_units(
    figures: OeeFigures, job_units: dict[str, _Units], ideals: dict[str, float]
) -> OeeFigures:
    """``figures`` with the units made in the occurrence, and their ideal time."""
    good = scrap = with_ideal = 0
    ideal_s = 0.0
    for job_id, made in job_units.items():
        good += made.good
        scrap += made.scrap
        seconds = ideals.get(job_id)
        if seconds is not None:
            with_ideal += made.good + made.scrap
            ideal_s += seconds * (made.good + made.scrap)
    return replace(
        figures, good=good, scrap=scrap, units_with_ideal=with_ideal, ideal_s=ideal_s
    )
