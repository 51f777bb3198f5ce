"""Reading the status timeline from the database: the state at the range start, then bands.

The state at the start comes from each station's newest block, activation and job events
before it (one indexed look-back per station and kind, not a replay of all history); the bands
inside the range are then computed in SQL (:mod:`analytics_bands`). ``in_sql=False`` reads the
range's events instead and replays them in Python with :class:`StationReplay`, the way it was
done before (the same bands; kept to check the SQL against).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import bindparam, or_, select
from sqlalchemy.orm import Session, aliased

from leanops_desktop.core.actor import Actor
from leanops_desktop.core.enums import EventType
from leanops_desktop.core.permissions import Action, require
from leanops_desktop.core.rows import EventRow
from leanops_desktop.db.engine import read_transaction
from leanops_desktop.db.models import EventLog, Station
from leanops_desktop.db.types import UTCDateTime
from leanops_desktop.services.analytics_bands import machine_from, sql_bands
from leanops_desktop.services.analytics_scope import (
    ALL,
    Scope,
    StationInfo,
    stations_in_scope,
    stations_of_job,
)
from leanops_desktop.services.analytics_time import check_instant, clip_end
from leanops_desktop.services.analytics_timeline import (
    STATUS_EVENTS,
    StationReplay,
    StationState,
    StatusBand,
    replay,
    stations_touched,
    sub_dict,
)
from leanops_desktop.services.reads.history import EVENT_COLUMNS, event_row


@dataclass(frozen=True, slots=True)
class StatusTimeline:
    """Bands of each station in ``[start, until)``; ``until`` is the range end or the present."""

    start: datetime
    until: datetime
    stations: tuple[StationInfo, ...]
    bands: tuple[StatusBand, ...]
    machine: StationReplay = field(compare=False, repr=False)

    def seconds_by_state(self) -> dict[StationState, float]:
        totals = dict.fromkeys(StationState, 0.0)
        for band in self.bands:
            totals[band.state] += band.end - band.start
        return totals

    def blocked_by_reason(self) -> list[tuple[str, float]]:
        """Blocked seconds per reason, most first (the Pareto order), ties by name.

        A stored reason may carry details after a colon (``"quality: burr on edge"``): the
        reason before it is counted, so each detail does not make a bar of its own.
        """
        totals: dict[str, float] = {}
        blocked = StationState.BLOCKED
        for band in self.bands:
            if band.state is blocked:
                reason = (band.reason or "").partition(":")[0].strip() or "unknown"
                totals[reason] = totals.get(reason, 0.0) + (band.end - band.start)
        return sorted(totals.items(), key=lambda item: (-item[1], item[0]))


_BLOCK_EVENTS = (EventType.STATION_BLOCKED.value, EventType.STATION_UNBLOCKED.value)
_ACTIVE_EVENTS = (
    EventType.STATION_CREATED.value,
    EventType.STATION_ACTIVATED.value,
    EventType.STATION_DEACTIVATED.value,
)
_MANY_STATION_EVENTS = (EventType.JOB_MOVED.value, EventType.JOB_COMPLETED.value)
_JOB_START_EVENTS = (EventType.JOB_ASSIGNED.value, EventType.JOB_MOVED.value)
_JOB_END_EVENTS = (
    EventType.JOB_UNASSIGNED.value,
    EventType.JOB_MOVED.value,
    EventType.JOB_COMPLETED.value,
)


def _last_before(kind: str, before: Any) -> Any:
    """Id of a station's newest event of ``kind`` before ``before``: one short backward scan
    of the (station, type, time) index, however long ago it was."""
    event = aliased(EventLog)
    return (
        select(event.id)
        .where(
            event.station_id == Station.id,
            event.event_type == kind,
            event.timestamp < before,
        )
        .order_by(event.timestamp.desc(), event.id.desc())
        .limit(1)
        .correlate(Station)
        .scalar_subquery()
    )


_LOOKBACK_GROUPS = (_BLOCK_EVENTS, _ACTIVE_EVENTS, _JOB_START_EVENTS)
_LOOKBACK_KINDS = tuple(kind for group in _LOOKBACK_GROUPS for kind in group)
#: Per station, the newest event of each look-back kind before ``:before`` (built once).
_LOOKBACK = select(
    Station.id,
    *(_last_before(kind, bindparam("before", type_=UTCDateTime())) for kind in _LOOKBACK_KINDS),
).where(Station.id.in_(bindparam("stations", expanding=True)))
_EVENTS_BY_ID = select(*EVENT_COLUMNS).where(EventLog.id.in_(bindparam("ids", expanding=True)))
_JOB_ENDS = select(*EVENT_COLUMNS).where(
    EventLog.job_id.in_(bindparam("jobs", expanding=True)),
    EventLog.event_type.in_(_JOB_END_EVENTS),
    EventLog.timestamp > bindparam("after", type_=UTCDateTime()),
    EventLog.timestamp < bindparam("before", type_=UTCDateTime()),
)


def _newest(events: list[EventRow | None]) -> EventRow | None:
    """The newest of some events (time, then id: the order the events are read in)."""
    found = [event for event in events if event is not None]
    return max(found, key=lambda event: (event.timestamp, event.id)) if found else None


def _ended(station_id: str, start_event: EventRow, ends: list[EventRow]) -> bool:
    """Whether the job started at the station by ``start_event`` left it before the range."""
    for end in ends:
        if end.job_id != start_event.job_id or end.timestamp <= start_event.timestamp:
            continue
        if end.event_type == EventType.JOB_COMPLETED.value:
            return True
        if station_id in stations_touched(end.event_type, end.station_id, end.meta) and (
            end.event_type == EventType.JOB_UNASSIGNED.value or end.station_id != station_id
        ):
            return True
    return False


def _job_ends(session: Session, starts: list[EventRow], before: datetime) -> list[EventRow]:
    """The events that took the jobs started by ``starts`` off a station, before ``before``."""
    if not starts:
        return []
    return [
        event_row(row)
        for row in session.execute(
            _JOB_ENDS,
            {
                "jobs": list({event.job_id for event in starts}),
                "after": min(event.timestamp for event in starts),
                "before": before,
            },
        )
    ]


def initial_states(
    session: Session, stations: list[StationInfo], start: datetime
) -> dict[str, dict[str, Any]]:
    """Each station's state at ``start``, from its newest events before it."""
    states: dict[str, dict[str, Any]] = {}
    older = [station for station in stations if station.created_at < start]
    for station in stations:
        if station.created_at >= start:
            states[station.id] = {"at": station.created_at.timestamp(), "active": station.is_active}
    if not older:
        return states
    looked_up = session.execute(
        _LOOKBACK, {"before": start, "stations": [station.id for station in older]}
    ).all()
    wanted = {event_id for record in looked_up for event_id in record[1:] if event_id is not None}
    found: dict[Any, EventRow] = {}
    if wanted:
        found = {
            row.id: row for row in map(event_row, session.execute(_EVENTS_BY_ID, {"ids": wanted}))
        }
    records: list[tuple[str, EventRow | None, EventRow | None, EventRow | None]] = []
    for station_id, *ids in looked_up:
        by_kind = dict(zip(_LOOKBACK_KINDS, ids, strict=True))
        block, active, job = (
            _newest([found.get(by_kind[kind]) for kind in group]) for group in _LOOKBACK_GROUPS
        )
        records.append((station_id, block, active, job))
    starts = {station_id: job for station_id, _b, _a, job in records if job is not None}
    ends = _job_ends(session, list(starts.values()), start)
    now_active = {station.id: station.is_active for station in older}
    for station_id, block, active, _job in records:
        # Without a recorded flag (no activation event, or a creation event that does not
        # say), the station row's flag is the best knowledge there is.
        is_active = now_active[station_id]
        if active is not None:
            new = sub_dict(active.meta, "new")
            if active.event_type != EventType.STATION_CREATED.value:
                is_active = active.event_type == EventType.STATION_ACTIVATED.value
            elif "is_active" in new:
                is_active = bool(new["is_active"])
        job_start = starts.get(station_id)
        states[station_id] = {
            "active": is_active,
            "has_job": job_start is not None and not _ended(station_id, job_start, ends),
            "blocked_reason": str(block.meta.get("reason") or "unknown")
            if block is not None and block.event_type == EventType.STATION_BLOCKED.value
            else None,
        }
    return states


def status_events(
    session: Session, start: datetime, until: datetime, station_ids: list[str] | None
) -> list[EventRow]:
    """Status events in ``[start, until)`` in time order (for some stations, or all).

    Read as plain rows, not ORM objects: a month of a large floor holds thousands.
    """
    query = (
        select(*EVENT_COLUMNS)
        .where(
            EventLog.timestamp >= start,
            EventLog.timestamp < until,
            EventLog.event_type.in_(STATUS_EVENTS),
        )
        .order_by(EventLog.timestamp, EventLog.id)
    )
    if station_ids is not None:  # moves and completions may touch stations of other events
        query = query.where(
            or_(
                EventLog.station_id.in_(station_ids),
                EventLog.station_id.is_(None),
                EventLog.event_type.in_(_MANY_STATION_EVENTS),
            )
        )
    return [
        EventRow(
            id=event_id,
            event_type=event_type,
            station_id=station_id,
            job_id=job_id,
            actor=actor,
            meta=meta or {},
            timestamp=timestamp,
        )
        for event_id, event_type, station_id, job_id, actor, meta, timestamp in session.execute(
            query
        )
    ]


def status_timeline(
    session: Session,
    actor: Actor,
    start: datetime,
    end: datetime,
    *,
    scope: Scope = ALL,
    now: datetime | None = None,
    in_sql: bool = True,
) -> StatusTimeline:
    """Running / idle / blocked / off bands per station over ``[start, min(end, now))``.

    The bands are computed in the database; ``in_sql=False`` replays the range's events in
    Python instead (the former way, the same bands).
    """
    require(actor, Action.VIEW_ANALYTICS)
    start = check_instant("start", start)
    end = check_instant("end", end)
    now = check_instant("now", now or datetime.now(UTC))
    until = clip_end(start, end, now)
    with read_transaction(session):
        stations = stations_in_scope(session, scope)
        if scope.job_id is not None:
            worked = stations_of_job(session, scope.job_id, start, until)
            stations = [station for station in stations if station.id in worked]
        ids = [station.id for station in stations]
        initial = initial_states(session, stations, start)
        if in_sql:
            machine = machine_from(ids, sql_bands(session, ids, initial, start=start, until=until))
        else:
            limit = ids if scope.limits_stations or scope.job_id is not None else None
            events = status_events(session, start, until, limit) if ids else []
    if not in_sql:
        machine = replay(ids, initial, events, start=start, until=until)
    return StatusTimeline(
        start=start,
        until=until,
        stations=tuple(stations),
        bands=tuple(machine.all_bands(until.timestamp())),
        machine=machine,
    )
