"""Sentences of the automatic stop events: "Station ST-02 stopped unexplained at 13:25 (no
report for 20 min)", "Stop of 35 min on station ST-02 classified as maintenance/spindle".

Pure functions of an event's fields, joined into ``event_text.SENTENCES``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from leanops_desktop.core.rows import EventRow
from leanops_desktop.core.stops import StopEvent
from leanops_desktop.qt.models.time_text import local

Meta = Mapping[str, Any]


def _dict(meta: Meta, name: str) -> dict[str, Any]:
    value = meta.get(name)
    return value if isinstance(value, dict) else {}


def _station(row: EventRow) -> str:
    return f"station {row.station_id}" if row.station_id else "a station"


def _clock(value: Any) -> str:
    """An ISO time from the meta as local ``HH:MM`` (empty when there is none)."""
    if isinstance(value, datetime):
        return f"{local(value):%H:%M}"
    if isinstance(value, str) and value:
        try:
            return f"{local(datetime.fromisoformat(value)):%H:%M}"
        except ValueError:
            return ""
    return ""


def _minutes(value: Any) -> str:
    return f"{value:.0f} min" if isinstance(value, int | float) else ""


def _limit(value: Any) -> str:
    if value is None:
        return "none"
    if value == 0:
        return "off"
    return _minutes(value) or str(value)


def _stop_detected(row: EventRow, meta: Meta) -> str:
    since = _clock(meta.get("started_at"))
    quiet = _minutes(meta.get("quiet_minutes"))
    where = _station(row)
    text = f"{where[0].upper()}{where[1:]} stopped unexplained"
    text += f" at {since}" if since else ""
    return text + (f" (no report for {quiet})" if quiet else "")


def _stop_classified(row: EventRow, meta: Meta) -> str:
    minutes = _minutes(meta.get("minutes"))
    what = f"Stop of {minutes}" if minutes else "Stop"
    reason = meta.get("reason_id") or "?"
    previous = meta.get("previous_reason_id", meta.get("previous"))
    if previous:
        return f"{what} on {_station(row)} re-classified from {previous} to {reason}"
    return f"{what} on {_station(row)} classified as {reason}"


def _stop_withdrawn(row: EventRow, meta: Meta) -> str:
    since = _clock(meta.get("started_at"))
    at = f" from {since}" if since else ""
    report = _clock(meta.get("report_at"))
    proof = f"a report at {report}" if report else "a report"
    return f"Unexplained stop{at} on {_station(row)} withdrawn: {proof} shows it was working"


def _stop_limit_changed(_row: EventRow, meta: Meta) -> str:
    kind = str(meta.get("kind") or "plant")
    key = meta.get("key") or ""
    where = "the plant" if kind == "plant" else f"{kind} {key}".strip()
    old = meta.get("old", _dict(meta, "old").get("quiet_minutes"))
    new = meta.get("new", _dict(meta, "new").get("quiet_minutes"))
    old = old.get("quiet_minutes") if isinstance(old, dict) else old
    new = new.get("quiet_minutes") if isinstance(new, dict) else new
    if new is None and kind != "plant":
        return f"Stop detection for {where} follows the {_parent(kind)} again (was {_limit(old)})"
    was = f" (was {_limit(old)})" if old is not None else ""
    return f"Stop detection for {where}: {_limit(new)}{was}"


def _parent(kind: str) -> str:
    return "line" if kind == "station" else "plant"


STOP_SENTENCES: dict[str, Callable[[EventRow, Meta], str]] = {
    StopEvent.STOP_DETECTED.value: _stop_detected,
    StopEvent.STOP_CLASSIFIED.value: _stop_classified,
    StopEvent.STOP_WITHDRAWN.value: _stop_withdrawn,
    StopEvent.STOP_LIMIT_CHANGED.value: _stop_limit_changed,
}
