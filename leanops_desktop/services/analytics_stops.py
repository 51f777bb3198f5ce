"""Automatic stops laid over the status timeline (docs/oee.md, "The unexplained stop").

A stop is a running station that reported nothing for its quiet limit (``downtime_stops``).
Its interval is cut out of the station's RUNNING bands only (a block or idle time already
counts as itself) and becomes a BLOCKED band whose reason is the stop's reason id, or
:data:`UNEXPLAINED_STOP` while it is unclassified: OEE, the Pareto and the shift report then
count it like any block (a reason id has its category in the tree; any other text is
unexplained).
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import bindparam, or_, select
from sqlalchemy.orm import Session

from leanops_desktop.db.engine import read_transaction
from leanops_desktop.db.stop_models import DowntimeStop
from leanops_desktop.db.types import UTCDateTime
from leanops_desktop.services.analytics_status import StatusTimeline
from leanops_desktop.services.analytics_timeline import StationState, StatusBand

#: The reason of a stop's band while nobody has classified it (not a reason of the tree).
UNEXPLAINED_STOP = "Unexplained"


@dataclass(frozen=True, slots=True)
class StopSpan:
    """One stop of one station; times in epoch seconds (UTC), an open stop ends at now."""

    station_id: str
    start: float
    end: float
    reason_id: str | None = None

    @property
    def reason(self) -> str:
        return self.reason_id or UNEXPLAINED_STOP


def _disjoint(spans: Iterable[StopSpan]) -> dict[str, list[StopSpan]]:
    """Station -> its stops by start, each begun no earlier than the one before ended (an
    overlap belongs to the earlier stop), empty ones left out."""
    by_station: dict[str, list[StopSpan]] = defaultdict(list)
    for span in sorted(spans, key=lambda s: (s.station_id, s.start, s.end)):
        rows = by_station[span.station_id]
        start = max(span.start, rows[-1].end) if rows else span.start
        if span.end > start:
            rows.append(StopSpan(span.station_id, start, span.end, span.reason_id))
    return by_station


def _cut(band: StatusBand, stops: list[StopSpan], ends: list[float]) -> list[StatusBand]:
    """A running band with the stops inside it as blocked bands, in time order."""
    pieces = []
    cursor = band.start
    for stop in stops[bisect_right(ends, band.start) :]:
        if stop.start >= band.end:
            break
        start, end = max(stop.start, cursor), min(stop.end, band.end)
        if start > cursor:
            pieces.append(StatusBand(band.station_id, StationState.RUNNING, cursor, start))
        pieces.append(StatusBand(band.station_id, StationState.BLOCKED, start, end, stop.reason))
        cursor = end
    if cursor < band.end:
        pieces.append(StatusBand(band.station_id, StationState.RUNNING, cursor, band.end))
    return pieces


def overlay_stops(bands: Sequence[StatusBand], spans: Iterable[StopSpan]) -> list[StatusBand]:
    """``bands`` with each stop cut out of its station's running bands (in the bands' order;
    other bands, and bands of stations without stops, as they were)."""
    stops = _disjoint(spans)
    if not stops:
        return list(bands)
    ends = {station_id: [s.end for s in rows] for station_id, rows in stops.items()}
    result: list[StatusBand] = []
    for band in bands:
        rows = stops.get(band.station_id)
        if band.state is StationState.RUNNING and rows:
            result.extend(_cut(band, rows, ends[band.station_id]))
        else:
            result.append(band)
    return result


#: The four columns the overlay needs of the stops overlapping a range (no ORM objects, no
#: joins: whole ``StopRow`` values were several times slower for a month of a plant).
_SPANS = select(
    DowntimeStop.station_id, DowntimeStop.started_at, DowntimeStop.ended_at,
    DowntimeStop.reason_id,
).where(
    DowntimeStop.station_id.in_(bindparam("stations", expanding=True)),
    DowntimeStop.started_at < bindparam("until", type_=UTCDateTime()),
    or_(DowntimeStop.ended_at.is_(None),
        DowntimeStop.ended_at > bindparam("start", type_=UTCDateTime())),
)  # fmt: skip


def read_stop_spans(
    session: Session, station_ids: Sequence[str], start: datetime, until: datetime
) -> list[StopSpan]:
    """The stops of ``station_ids`` overlapping ``[start, until)``, an open one up to
    ``until`` (the caller checked the actor may see analytics)."""
    if not station_ids or until <= start:
        return []
    end = until.timestamp()
    params = {"stations": list(station_ids), "start": start, "until": until}
    with read_transaction(session):
        rows = session.execute(_SPANS, params).all()
    return [
        StopSpan(station, began.timestamp(), min(ended.timestamp(), end) if ended else end, reason)
        for station, began, ended, reason in rows
    ]


def timeline_with_stops(session: Session, timeline: StatusTimeline) -> StatusTimeline:
    """``timeline`` with its stations' stops laid over its bands."""
    station_ids = [station.id for station in timeline.stations]
    spans = read_stop_spans(session, station_ids, timeline.start, timeline.until)
    return replace(timeline, bands=tuple(overlay_stops(timeline.bands, spans)))
