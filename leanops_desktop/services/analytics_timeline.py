"""Station status over time, rebuilt from the event log: running, idle and blocked bands.

A station is *running* while it has a job and is not blocked, *idle* without a job, *blocked*
between ``station_blocked`` and ``station_unblocked`` (the band keeps the reason), and *off*
while deactivated (off time is not available time). :class:`StationReplay` is the state
machine; it is fed the last relevant events before the range (to know the state at its
start), then every event inside it, and it can go on taking live events.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from operator import attrgetter
from typing import Any

from leanops_desktop.core.enums import EventType
from leanops_desktop.core.rows import EventRow


class StationState(StrEnum):
    """What a station was doing during a band."""

    RUNNING = "running"
    IDLE = "idle"
    BLOCKED = "blocked"
    OFF = "off"


#: Events that change a station's state (everything else is ignored by the replay).
STATUS_EVENTS: tuple[str, ...] = tuple(
    kind.value
    for kind in (
        EventType.STATION_CREATED,
        EventType.STATION_ACTIVATED,
        EventType.STATION_DEACTIVATED,
        EventType.STATION_BLOCKED,
        EventType.STATION_UNBLOCKED,
        EventType.JOB_ASSIGNED,
        EventType.JOB_UNASSIGNED,
        EventType.JOB_MOVED,
        EventType.JOB_COMPLETED,
    )
)


# Plain strings: the replay compares them for every event.
_JOB_ASSIGNED = EventType.JOB_ASSIGNED.value
_JOB_COMPLETED = EventType.JOB_COMPLETED.value
_JOB_MOVED = EventType.JOB_MOVED.value
_JOB_UNASSIGNED = EventType.JOB_UNASSIGNED.value
_STATION_ACTIVATED = EventType.STATION_ACTIVATED.value
_STATION_BLOCKED = EventType.STATION_BLOCKED.value
_STATION_CREATED = EventType.STATION_CREATED.value
_STATION_DEACTIVATED = EventType.STATION_DEACTIVATED.value
_STATION_UNBLOCKED = EventType.STATION_UNBLOCKED.value


@dataclass(frozen=True, slots=True)
class StatusBand:
    """One stretch of one state at one station; times in epoch seconds (UTC)."""

    station_id: str
    state: StationState
    start: float
    end: float
    reason: str | None = None

    @property
    def seconds(self) -> float:
        return self.end - self.start


@dataclass
class _Station:
    exists: bool = True
    active: bool = True
    has_job: bool = False
    blocked_reason: str | None = None
    since: float | None = None  # start of the open band

    @property
    def state(self) -> StationState | None:
        if not self.exists:
            return None
        if not self.active:
            return StationState.OFF
        if self.blocked_reason is not None:
            return StationState.BLOCKED
        return StationState.RUNNING if self.has_job else StationState.IDLE


def sub_dict(meta: Mapping[str, Any], key: str) -> dict[str, Any]:
    """``meta[key]`` when it is a JSON object (``old`` / ``new`` of an event), else ``{}``."""
    value = meta.get(key)
    return value if isinstance(value, dict) else {}


def stations_touched(event_type: str, station_id: str | None, meta: Mapping[str, Any]) -> list[str]:
    """Every station whose state an event may change."""
    touched = [station_id] if station_id else []
    old = sub_dict(meta, "old")
    if event_type == EventType.JOB_MOVED.value and isinstance(old.get("station_id"), str):
        touched.append(old["station_id"])
    if event_type == EventType.JOB_COMPLETED.value and isinstance(old.get("stations"), list):
        touched.extend(s for s in old["stations"] if isinstance(s, str) and s not in touched)
    return touched


@dataclass
class StationReplay:
    """Replays status events into bands for a fixed set of stations."""

    station_ids: tuple[str, ...]
    bands: list[StatusBand] = field(default_factory=list)
    _stations: dict[str, _Station] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._stations = {station_id: _Station() for station_id in self.station_ids}

    def set_initial(
        self,
        station_id: str,
        *,
        at: float,
        exists: bool = True,
        active: bool = True,
        has_job: bool = False,
        blocked_reason: str | None = None,
    ) -> None:
        """The state at the start of the range (``at``), known from earlier events."""
        self._stations[station_id] = _Station(
            exists=exists,
            active=active,
            has_job=has_job,
            blocked_reason=blocked_reason,
            since=at if exists else None,
        )

    def state_of(self, station_id: str) -> StationState | None:
        return self._stations[station_id].state

    def reason_of(self, station_id: str) -> str | None:
        return self._stations[station_id].blocked_reason

    def apply(self, event: EventRow) -> list[str]:
        """Take one event (in time order); returns the stations whose state changed."""
        changed: list[str] = []
        at = event.timestamp.timestamp()
        kind = event.event_type
        old = sub_dict(event.meta, "old") if kind == _JOB_MOVED else {}
        for station_id in stations_touched(kind, event.station_id, event.meta):
            station = self._stations.get(station_id)
            if station is None:
                continue
            before = (station.state, station.blocked_reason)
            is_target = station_id == event.station_id
            if kind == _STATION_CREATED:
                station.exists = True
                new = sub_dict(event.meta, "new")
                if "is_active" in new:  # else keep what the station row says
                    station.active = bool(new["is_active"])
            elif kind == _STATION_ACTIVATED:
                station.active = True
            elif kind == _STATION_DEACTIVATED:
                station.active, station.has_job, station.blocked_reason = False, False, None
            elif kind == _STATION_BLOCKED:
                station.blocked_reason = str(event.meta.get("reason") or "unknown")
            elif kind == _STATION_UNBLOCKED:
                station.blocked_reason = None
            elif kind == _JOB_ASSIGNED:
                station.has_job = True
            elif kind in (_JOB_UNASSIGNED, _JOB_COMPLETED):
                station.has_job = False
            elif kind == _JOB_MOVED:
                station.has_job = is_target or old.get("station_id") != station_id
            if (station.state, station.blocked_reason) != before:
                self._close(station_id, station, before[0], before[1], at)
                changed.append(station_id)
        return changed

    def _close(
        self,
        station_id: str,
        station: _Station,
        state: StationState | None,
        reason: str | None,
        at: float,
    ) -> None:
        if state is not None and station.since is not None and at > station.since:
            self.bands.append(StatusBand(station_id, state, station.since, at, reason))
        station.since = at if station.state is not None else None

    def open_bands(self, until: float) -> list[StatusBand]:
        """The bands still open, as if they ended at ``until`` (the present or range end)."""
        open_now: list[StatusBand] = []
        for station_id in self.station_ids:
            station = self._stations[station_id]
            state = station.state
            if state is not None and station.since is not None and until > station.since:
                open_now.append(
                    StatusBand(station_id, state, station.since, until, station.blocked_reason)
                )
        return open_now

    def all_bands(self, until: float) -> list[StatusBand]:
        """Closed bands and the open ones cut at ``until``, by station then time."""
        # Grouped by station, then sorted by start within each: the bands come in time order
        # per station, so each sort is one pass (a month of a large floor: 9,000 bands).
        by_station: dict[str, list[StatusBand]] = {
            station_id: [] for station_id in self.station_ids
        }
        for band in self.bands:
            if band.start < until:
                by_station[band.station_id].append(
                    band
                    if band.end <= until
                    else StatusBand(band.station_id, band.state, band.start, until, band.reason)
                )
        for band in self.open_bands(until):
            by_station[band.station_id].append(band)
        start = attrgetter("start")
        result: list[StatusBand] = []
        for bands in by_station.values():
            bands.sort(key=start)
            result.extend(bands)
        return result


def replay(
    station_ids: Iterable[str],
    initial: Mapping[str, dict[str, Any]],
    events: Iterable[EventRow],
    *,
    start: datetime,
    until: datetime,
) -> StationReplay:
    """Replay ``events`` (time order) from ``initial`` states at ``start`` up to ``until``."""
    machine = StationReplay(tuple(station_ids))
    for station_id in machine.station_ids:
        state = dict(initial.get(station_id, {}))
        at = float(state.pop("at", start.timestamp()))
        machine.set_initial(station_id, at=max(at, start.timestamp()), **state)
    for event in events:
        if event.timestamp < until:
            machine.apply(event)
    return machine
