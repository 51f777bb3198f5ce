"""Sentences of the quality, reason-tree and shift-calendar events (migration 0014 on):
"3 scrapped on station ST-07 for job J-07 (quality/surface)", "Shift 1 saved: 06:00–14:00".

Pure functions of an event's fields, joined into ``event_text.SENTENCES``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from leanops_desktop.core.enums import EventType
from leanops_desktop.core.rows import EventRow

Meta = Mapping[str, Any]

_CATEGORY_WORDS = {
    "planned_stop": "planned stop",
    "unplanned_stop": "unplanned stop",
    "changeover": "changeover",
    "quality": "quality",
    "no_work": "no work",
}


def _dict(meta: Meta, name: str) -> dict[str, Any]:
    value = meta.get(name)
    return value if isinstance(value, dict) else {}


def _count(value: Any) -> str:
    return f"{abs(int(value)):,}" if isinstance(value, int | float) else "?"


def _clock(minute: Any) -> str:
    """Minutes after midnight as ``HH:MM`` (an end past midnight wraps round)."""
    if not isinstance(minute, int):
        return "?"
    return f"{minute // 60 % 24:02d}:{minute % 60:02d}"


def _scrap_reported(row: EventRow, meta: Meta) -> str:
    text = (
        f"{_count(meta.get('qty'))} scrapped on station {row.station_id or '?'} "
        f"for job {row.job_id or '?'}"
    )
    if meta.get("reason"):
        text += f" ({meta['reason']})"
    if meta.get("device"):
        text += f", at the kiosk by {row.actor}"
    return text


def _scrap_corrected(row: EventRow, meta: Meta) -> str:
    amount = f" of {_count(meta.get('qty'))}" if meta.get("qty") is not None else ""
    return (
        f"Scrap report{amount} on station {row.station_id or '?'} "
        f"for job {row.job_id or '?'} taken back"
    )


def _reason_saved(_row: EventRow, meta: Meta) -> str:
    old, new = _dict(meta, "old"), _dict(meta, "new")
    reason = meta.get("reason") or "?"
    category = _CATEGORY_WORDS.get(str(new.get("category")), str(new.get("category")))
    if not old:
        where = f" under {new['parent_id']}" if new.get("parent_id") else ""
        return f"Downtime reason “{new.get('name', reason)}” added{where} ({category})"
    if old.get("is_active") and new.get("is_active") is False:
        return f"Downtime reason “{new.get('name', reason)}” retired"
    changes = [
        f"{field.replace('_id', '')} from {old.get(field)} to {new.get(field)}"
        for field in ("name", "parent_id", "category")
        if old.get(field) != new.get(field)
    ]
    if old.get("is_active") is False and new.get("is_active"):
        changes.append("in use again")
    return f"Downtime reason {reason} changed: " + ("; ".join(changes) or "saved")


def _shift_saved(_row: EventRow, meta: Meta) -> str:
    new = _dict(meta, "new")
    name = new.get("name") or meta.get("shift") or "?"
    start, end = _clock(new.get("start_minute")), _clock(new.get("end_minute"))
    text = f"Shift “{name}” saved: {start}–{end}"
    if new.get("days"):
        text += f" on days {new['days']}"
    breaks = new.get("breaks")
    if isinstance(breaks, list) and breaks:
        text += f", {len(breaks)} break" + ("s" if len(breaks) > 1 else "")
    return text


def _non_working_day_set(_row: EventRow, meta: Meta) -> str:
    day = meta.get("day") or "?"
    note = f" ({meta['note']})" if meta.get("note") else ""
    if meta.get("off") is False:
        return f"{day} is a working day again{note}"
    return f"{day} set as a non-working day{note}"


QUALITY_SENTENCES: dict[str, Callable[[EventRow, Meta], str]] = {
    EventType.SCRAP_REPORTED.value: _scrap_reported,
    EventType.SCRAP_CORRECTED.value: _scrap_corrected,
    EventType.DOWNTIME_REASON_SAVED.value: _reason_saved,
    EventType.SHIFT_SAVED.value: _shift_saved,
    EventType.NON_WORKING_DAY_SET.value: _non_working_day_set,
}
