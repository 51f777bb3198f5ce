"""The demo plant's automatic stops: a plant quiet limit, a handful of past stops (most
classified, a few still unexplained) and one open now on a running station.

Made from the simulated history (``demo_history.py``) afterwards, with a random generator of
its own, the way a real plant gets them: an operator who stopped reporting for a while and
then reported the batch at once. The reports inside a quiet window are folded into the report
that ends it (same assignment, same cumulative ``job_qty_done``), so every sum stays as it
was; for the open stop, the reports since it began are folded into the one before. The stop
rows themselves follow from the activity (reports, scrap, events) as the sweep would find it:
back-dated to the station's last activity, ended at its next one.
"""

from __future__ import annotations

import random
import uuid
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, insert
from sqlalchemy.orm import Session

from leanops_desktop.core.enums import EventType, Role, StationStatus
from leanops_desktop.core.stops import StopEvent
from leanops_desktop.db.stop_models import DowntimeStop, StopLimit
from leanops_desktop.services.demo_history import Plan

#: The demo plant's quiet limit (minutes), as ``[downtime] quiet_minutes`` seeds it.
QUIET_MINUTES = 20
PAST_STOPS = 14
UNEXPLAINED_PAST = 3  # the newest past stops nobody has classified yet
OPEN_FOR = timedelta(minutes=35)
_CLASSIFIER = ("supervisor@demo.leanops", Role.SUPERVISOR.value)
_REASONS = (
    ("tooling/tool change", "changeover"), ("material", "no_work"), ("no operator", "no_work"),
    ("maintenance/spindle", "unplanned_stop"), ("changeover", "changeover"),
    ("material", "no_work"), ("quality", "quality"), ("planned stop/meeting", "planned_stop"),
    ("no operator", "no_work"), ("tooling", "unplanned_stop"),
)  # fmt: skip
_QTY = EventType.QTY_REPORTED.value


@dataclass(frozen=True, slots=True)
class Window:
    """A station quiet from a report until the report that ended it (None: still quiet)."""

    station_id: str
    quiet_from: datetime
    ended: datetime | None


@dataclass
class StopsPlan:
    """Rows to write after the rest of the demo plant."""

    stops: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)


def _qty_events(plan: Plan) -> dict[str, dict[str, Any]]:
    """log id -> its ``qty_reported`` event."""
    return {e["meta"]["log_id"]: e for e in plan.events if e["event_type"] == _QTY}


def _other_events(plan: Plan) -> dict[str, list[datetime]]:
    """Station -> times of its events other than reports (blocks, jobs), sorted."""
    times: dict[str, list[datetime]] = {}
    for event in plan.events:
        if event["station_id"] and event["event_type"] != _QTY:
            times.setdefault(event["station_id"], []).append(event["timestamp"])
    return {station: sorted(rows) for station, rows in times.items()}


def _fold(plan: Plan, removed: list[dict[str, Any]], into: dict[str, Any]) -> None:
    """Fold the reports ``removed`` into the report ``into`` (quantities and events)."""
    events = _qty_events(plan)
    gone = {str(log["id"]) for log in removed}
    added = sum(log["qty_completed"] for log in removed)
    into["qty_completed"] += added
    target = events[str(into["id"])]["meta"]
    target["new"] = {
        "qty": target["new"]["qty"] + added,
        "job_qty_done": max(events[g]["meta"]["new"]["job_qty_done"] for g in gone | {
            str(into["id"])}),
    }  # fmt: skip
    ids = {id(log) for log in removed}
    plan.logs[:] = [log for log in plan.logs if id(log) not in ids]
    plan.events[:] = [
        e for e in plan.events if not (e["event_type"] == _QTY and e["meta"]["log_id"] in gone)
    ]


def quiet_windows(plan: Plan, now: datetime, seed: int = 13) -> list[Window]:
    """Make the quiet windows in ``plan``: about ``PAST_STOPS`` in the past, one open now."""
    rng = random.Random(seed)
    by_station: dict[str, list[dict[str, Any]]] = {}
    for log in sorted(plan.logs, key=lambda row: row["timestamp"]):
        by_station.setdefault(log["station_id"], []).append(log)
    others = _other_events(plan)
    made = _open_window(plan, by_station, others, now)
    used: set[int] = set()  # the reports that begin or end a window
    for _try in range(400):
        if len(used) >= 2 * PAST_STOPS:
            break
        station = rng.choice(sorted(by_station))
        logs = by_station[station]
        if len(logs) < 10:
            continue
        index = rng.randrange(len(logs) - 8)
        anchor = logs[index]
        until = anchor["timestamp"] + timedelta(minutes=rng.randrange(30, 75, 5))
        end = next((n for n in range(index + 1, len(logs)) if logs[n]["timestamp"] >= until), None)
        if (
            end is None
            or end == index + 1
            or logs[end]["timestamp"] - until > timedelta(minutes=20)  # not over a weekend
            or now - until < timedelta(hours=2)
            or used.intersection(id(log) for log in logs[index : end + 1])
        ):
            continue
        inside = logs[index + 1 : end]
        times = others.get(station, [])
        quiet = bisect_right(times, anchor["timestamp"]) == bisect_left(
            times, logs[end]["timestamp"]
        )
        if not quiet or any(log["assignment_id"] != anchor["assignment_id"] for log in
                            logs[index + 1 : end + 1]):  # fmt: skip
            continue
        _fold(plan, inside, logs[end])
        made.append(Window(station, anchor["timestamp"], logs[end]["timestamp"]))
        used.update((id(anchor), id(logs[end])))
        del logs[index + 1 : end]
    return made


def _open_window(
    plan: Plan,
    by_station: dict[str, list[dict[str, Any]]],
    others: dict[str, list[datetime]],
    now: datetime,
) -> list[Window]:
    """Fold the last reports of the first running station with nothing but reports since
    ``now - OPEN_FOR`` into its report before: it has been quiet since then."""
    since = now - OPEN_FOR
    running = [s["id"] for s in plan.stations if s["status"] == StationStatus.RUNNING.value]
    for station in running:
        logs = by_station.get(station, [])
        times = others.get(station, [])
        before = [log for log in logs if log["timestamp"] <= since]
        if not before or (times and times[-1] > before[-1]["timestamp"]):
            continue
        after = [log for log in logs if log["timestamp"] > since]
        if any(log["assignment_id"] != before[-1]["assignment_id"] for log in after):
            continue
        if after:
            _fold(plan, after, before[-1])
            del logs[len(before) :]
        return [Window(station, before[-1]["timestamp"], None)]
    return []


def plan_stops(
    plan: Plan, windows: list[Window], scrap: list[dict[str, Any]], now: datetime, seed: int = 17
) -> StopsPlan:
    """The stops the sweep found in the quiet windows: from the station's last activity
    (a report, its scrap or an event) to its next one; the newest ones not classified yet."""
    rng = random.Random(seed)
    activity: dict[str, list[datetime]] = {}
    for row in [*plan.logs, *scrap, *plan.events]:
        if row["station_id"]:
            activity.setdefault(row["station_id"], []).append(row["timestamp"])
    for times in activity.values():
        times.sort()
    result = StopsPlan()
    windows = sorted(windows, key=lambda w: w.quiet_from)
    closed = [w for w in windows if w.ended is not None]
    for window in windows:
        times = activity[window.station_id]
        last = times[bisect_left(times, window.ended or now) - 1]
        reason = None
        if window.ended is not None and closed.index(window) < len(closed) - UNEXPLAINED_PAST:
            reason = rng.choice(_REASONS)
        _add_stop(result, window.station_id, last, window.ended, reason, now, rng)
    return result


def _add_stop(
    result: StopsPlan,
    station_id: str,
    start: datetime,
    end: datetime | None,
    reason: tuple[str, str] | None,
    now: datetime,
    rng: random.Random,
) -> None:
    """One stop row, its ``stop_detected`` event and, when classified, ``stop_classified``."""
    stop_id = uuid.uuid4()
    detected = start + timedelta(minutes=QUIET_MINUTES, seconds=rng.randrange(0, 60))
    row = {"id": stop_id, "station_id": station_id, "started_at": start, "ended_at": end,
           "reason_id": None, "classified_by": None, "classified_at": None,
           "quiet_minutes": QUIET_MINUTES, "detected_at": detected}  # fmt: skip
    result.events.append(_event(StopEvent.STOP_DETECTED, station_id, detected,
                                stop_id=str(stop_id), started_at=start.isoformat(),
                                quiet_minutes=QUIET_MINUTES))  # fmt: skip
    if reason is not None and end is not None:
        when = min(end + timedelta(minutes=rng.randrange(5, 240)), now)
        row.update(reason_id=reason[0], classified_by=_CLASSIFIER[0], classified_at=when)
        minutes = round((end - start).total_seconds() / 60, 2)
        result.events.append(_event(StopEvent.STOP_CLASSIFIED, station_id, when,
                                    stop_id=str(stop_id), reason_id=reason[0],
                                    previous_reason_id=None, category=reason[1],
                                    minutes=minutes))  # fmt: skip
    result.stops.append(row)


def _event(kind: StopEvent, station_id: str, when: datetime, **meta: Any) -> dict[str, Any]:
    """An events_log row, the supervisor's (whose window swept and classified)."""
    email, role = _CLASSIFIER
    return {"id": uuid.uuid4(), "event_type": kind.value, "station_id": station_id,
            "job_id": None, "actor": email, "timestamp": when,
            "meta": {"actor": email, "role": role, **meta}}  # fmt: skip


def write_stops(session: Session, stops: StopsPlan) -> None:
    """The plant's quiet limit and the stops (after every report, so no trigger ends them)."""
    session.execute(delete(StopLimit).where(StopLimit.kind == "plant"))  # the seeded one
    session.execute(insert(StopLimit).values(kind="plant", key="", quiet_minutes=QUIET_MINUTES))
    if stops.stops:
        session.execute(insert(DowntimeStop), stops.stops)
