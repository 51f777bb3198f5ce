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
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo

from sqlalchemy import bindparam, select, text
from sqlalchemy.orm import Session

from leanops_desktop.core.actor import Actor
from leanops_desktop.core.errors import ValidationError
from leanops_desktop.core.permissions import Action, require
from leanops_desktop.core.quality import ReasonCategory
from leanops_desktop.db.engine import read_transaction
from leanops_desktop.db.models import Job
from leanops_desktop.db.types import UTCDateTime
from leanops_desktop.services.analytics_scope import ALL, Scope
from leanops_desktop.services.analytics_status import StatusTimeline, status_timeline
from leanops_desktop.services.analytics_stops import timeline_with_stops
from leanops_desktop.services.analytics_time import clip_end
from leanops_desktop.services.analytics_timeline import StationState, StatusBand
from leanops_desktop.services.oee.figures import OeeFigures, OeeRow
from leanops_desktop.services.oee.shift_windows import ShiftOccurrence, occurrences
from leanops_desktop.services.quality import calendar, reasons

#: The category of a stop whose reason is not in the tree, and of idle time in a shift.
UNEXPLAINED = "unexplained"
IDLE = "idle"
MAX_DAYS = 400


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
    timeline: StatusTimeline | None = None,
) -> list[OeeRow]:
    """One row per station in scope and shift occurrence starting on a local date in
    ``[first_day, last_day]``; a shift still running counts up to ``now``.

    ``timeline``: a status timeline already read for the stations of ``scope`` (the range's
    key figures'); used instead of reading one again when it covers the occurrences.
    """
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
    if timeline is None or not covers(timeline, start, clip_end(start, end, now)):
        timeline = status_timeline(session, actor, start, end, scope=scope, now=now)
    timeline = timeline_with_stops(session, timeline)  # stops cut out of running time
    until = timeline.until.timestamp()
    bands: dict[str, list[StatusBand]] = defaultdict(list)
    for band in sorted(timeline.bands, key=lambda b: b.start):
        bands[band.station_id].append(band)
    band_ends = {station_id: [b.end for b in rows] for station_id, rows in bands.items()}
    with read_transaction(session):
        station_ids = [station.id for station in timeline.stations]
        units = _units(session, station_ids, unit_windows(runs, until))
        ideals = _ideals(session, {job for jobs in units.values() for job in jobs})
    category_cache = _CategoryCache(categories)
    rows = []
    for index, occurrence in enumerate(runs):
        if occurrence.start >= until:
            continue
        windows = occurrence.productive(until)
        for station in timeline.stations:
            during = _bands_during(bands[station.id], band_ends.get(station.id, []), occurrence)
            planned, run, stops = _time_sums(during, windows, category_cache)
            figures = _with_units(planned, run, stops, units.get((index, station.id), {}), ideals)
            rows.append(
                OeeRow(occurrence.day, occurrence.shift_id, station.line, station.id, figures)
            )
    return rows


def covers(timeline: StatusTimeline, start: datetime, until: datetime) -> bool:
    """Whether ``timeline`` holds the bands of ``[start, until)``: a timeline reaching past
    ``until`` gives the same figures, since no occurrence is counted past its own end."""
    return timeline.start <= start and timeline.until >= until


def _bands_during(
    bands: list[StatusBand], ends: list[float], occurrence: ShiftOccurrence
) -> list[StatusBand]:
    """The bands (sorted by start, not overlapping) that overlap the occurrence."""
    first = bisect_right(ends, occurrence.start)
    during = []
    for band in bands[first:]:
        if band.start >= occurrence.end:
            break
        during.append(band)
    return during


def _reason_categories(session: Session) -> dict[str, str]:
    """Reason id and lower-cased name -> category."""
    result: dict[str, str] = {}
    listed = reasons.list_reasons(session)
    for row in listed:
        result[row.name.lower()] = row.category.value
    for row in listed:
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


class _CategoryCache:
    """What a band counts as, per (state, reason): a month holds thousands of bands but a
    handful of reasons. ``None``: run time; ``""``: not planned (off, a planned stop)."""

    def __init__(self, categories: dict[str, str]) -> None:
        self._categories = categories
        self._found: dict[tuple[StationState, str | None], str | None] = {}

    def of(self, band: StatusBand) -> str | None:
        key = (band.state, band.reason)
        if key not in self._found:
            self._found[key] = self._category(band)
        return self._found[key]

    def _category(self, band: StatusBand) -> str | None:
        if band.state is StationState.OFF:
            return ""  # an inactive station plans no time
        if band.state is StationState.RUNNING:
            return None
        category = (
            IDLE
            if band.state is StationState.IDLE
            else (category_of(band.reason, self._categories))
        )
        if category == ReasonCategory.PLANNED_STOP.value:
            return ""  # planned stops are not planned production time
        return category


def _time_sums(
    bands: list[StatusBand], windows: list[tuple[float, float]], categories: _CategoryCache
) -> tuple[float, float, dict[str, float]]:
    """(planned, run, unplanned stops by category) seconds of the bands in the windows."""
    run = 0.0
    stops: dict[str, float] = {}
    for band in bands:
        category = categories.of(band)
        if category == "":
            continue
        seconds = 0.0
        start, end = band.start, band.end
        for w_start, w_end in windows:
            shared = (end if end < w_end else w_end) - (start if start > w_start else w_start)
            if shared > 0:
                seconds += shared
        if seconds <= 0:
            continue
        if category is None:
            run += seconds
        else:
            stops[category] = stops.get(category, 0.0) + seconds
    return run + sum(stops.values()), run, stops


def _time_figures(
    bands: list[StatusBand], windows: list[tuple[float, float]], categories: dict[str, str]
) -> OeeFigures:
    """The time figures of the bands in the windows (planned, run, stops by category)."""
    planned, run, stops = _time_sums(bands, windows, _CategoryCache(categories))
    return OeeFigures(planned_s=planned, run_s=run, stops_s=stops)


def unit_windows(runs: list[ShiftOccurrence], until: float) -> list[tuple[int, float, float]]:
    """(occurrence index, start, end) whose slots count for it: each occurrence up to the
    next one's start (units count for the occurrence that started last), never past now."""
    windows = []
    for index, occurrence in enumerate(runs):
        end = min(occurrence.end, until)
        if index + 1 < len(runs):
            end = min(end, runs[index + 1].start)
        if end > occurrence.start:
            windows.append((index, occurrence.start, end))
    return windows


def _units(
    session: Session, station_ids: list[str], windows: list[tuple[int, float, float]]
) -> dict[tuple[int, str], dict[str, _Units]]:
    """(occurrence index, station) -> job -> good and scrap units of the slots in it,
    summed in the database (one row per occurrence, station and job)."""
    if not station_ids or not windows:
        return {}
    rows = ", ".join(f"(:i{n}, :s{n}, :e{n})" for n in range(len(windows)))
    stations = ", ".join(f":st{n}" for n in range(len(station_ids)))
    prefix = "public." if session.get_bind().dialect.name == "postgresql" else ""
    # Only fixed names and numbered parameters are put into the text.
    query = text(
        f"WITH windows (idx, w_start, w_end) AS (VALUES {rows})"
        " SELECT w.idx, r.station_id, r.job_id, sum(r.units), sum(r.scrap_units)"
        f" FROM {prefix}throughput_rollup r JOIN windows w"
        " ON r.slot_start >= w.w_start AND r.slot_start < w.w_end"
        f" WHERE r.slot_start >= :first AND r.slot_start < :last AND r.station_id IN ({stations})"
        " GROUP BY w.idx, r.station_id, r.job_id"
    )
    params: dict[str, object] = {}
    binds = [bindparam("first", type_=UTCDateTime()), bindparam("last", type_=UTCDateTime())]
    for n, (index, w_start, w_end) in enumerate(windows):
        params.update({f"i{n}": index, f"s{n}": _instant(w_start), f"e{n}": _instant(w_end)})
        binds += [bindparam(f"s{n}", type_=UTCDateTime()), bindparam(f"e{n}", type_=UTCDateTime())]
    params.update({f"st{n}": station_id for n, station_id in enumerate(station_ids)})
    params["first"] = _instant(windows[0][1])
    params["last"] = _instant(max(e for _, _, e in windows))
    query = query.bindparams(*binds)
    result: dict[tuple[int, str], dict[str, _Units]] = {}
    for index, station_id, job_id, good, scrap in session.execute(query, params):
        result.setdefault((index, station_id), {})[job_id] = _Units(int(good), int(scrap))
    return result


def _instant(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


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
    planned: float,
    run: float,
    stops: dict[str, float],
    job_units: dict[str, _Units],
    ideals: dict[str, float],
) -> OeeFigures:
    """The figures of the time sums with the units made in the occurrence, and their ideal
    time."""
    good = scrap = with_ideal = 0
    ideal_s = 0.0
    for job_id, made in job_units.items():
        good += made.good
        scrap += made.scrap
        seconds = ideals.get(job_id)
        if seconds is not None:
            with_ideal += made.good + made.scrap
            ideal_s += seconds * (made.good + made.scrap)
    return OeeFigures(
        planned_s=planned,
        run_s=run,
        ideal_s=ideal_s,
        good=good,
        scrap=scrap,
        units_with_ideal=with_ideal,
        stops_s=stops,
    )


#: (occurrence index, station) -> job -> good and scrap units (for the shift report).
units_per_job = _units
