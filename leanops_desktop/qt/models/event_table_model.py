"""EventTableModel: the audit trail, newest first, bounded to the most recent events."""

from __future__ import annotations

import heapq
import operator
from collections.abc import Callable, Iterable, Mapping
from typing import Any, ClassVar

from PySide6.QtCore import QObject, Signal

from leanops_desktop.core.enums import EventType
from leanops_desktop.core.rows import EventRow
from leanops_desktop.qt.models.event_text import event_sentence
from leanops_desktop.qt.models.keyed_rows_model import Clock
from leanops_desktop.qt.models.presentation import label
from leanops_desktop.qt.models.row_filter import RowFilter, search_text
from leanops_desktop.qt.models.row_table_model import RowTableModel
from leanops_desktop.qt.models.status_colors import (
    BLOCKED_HEX,
    COMPLETED_HEX,
    IDLE_HEX,
    INACTIVE_HEX,
    PROGRESS_HEX,
    RUNNING_HEX,
    WAITING_HEX,
    status_dot,
)
from leanops_desktop.qt.models.time_text import exact_time, export_time, relative_time

COL_TIME = 0
COL_TYPE = 1
COL_STATION = 2
COL_JOB = 3
COL_ACTOR = 4
COL_DETAILS = 5

DEFAULT_MAX_ROWS = 2000

_EVENT_HEX = {
    EventType.STATION_BLOCKED.value: BLOCKED_HEX,
    EventType.STATION_UNBLOCKED.value: RUNNING_HEX,
    EventType.STATION_DEACTIVATED.value: INACTIVE_HEX,
    EventType.STATION_ACTIVATED.value: RUNNING_HEX,
    EventType.JOB_ASSIGNED.value: RUNNING_HEX,
    EventType.JOB_MOVED.value: RUNNING_HEX,
    EventType.JOB_UNASSIGNED.value: IDLE_HEX,
    EventType.JOB_COMPLETED.value: COMPLETED_HEX,
    EventType.JOB_CREATED.value: WAITING_HEX,
    EventType.QTY_REPORTED.value: PROGRESS_HEX,
    EventType.QTY_CORRECTED.value: IDLE_HEX,
}
_HIDDEN_META = frozenset({"actor", "role", "old", "new", "reason"})


def _value_text(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list | tuple):
        return ", ".join(_value_text(item) for item in value) or "—"
    return str(value)


def _name(field: str) -> str:
    return field.replace("_", " ")


def event_details(meta: Mapping[str, Any], *, full: bool = False) -> str:
    """A one-line summary of an event's meta: changed fields, reason, other values.

    Ids of related rows (``log_id``, ``assignment_id``) and false flags are left out
    unless ``full`` (the tooltip shows everything).
    """
    parts: list[str] = []
    old, new = meta.get("old"), meta.get("new")
    before = old if isinstance(old, dict) else {}
    after = new if isinstance(new, dict) else {}
    for field, value in after.items():
        if field in before:
            parts.append(f"{_name(field)}: {_value_text(before[field])} → {_value_text(value)}")
        else:
            parts.append(f"{_name(field)}: {_value_text(value)}")
    parts.extend(
        f"{_name(field)} was {_value_text(value)}"
        for field, value in before.items()
        if field not in after
    )
    if meta.get("reason"):
        parts.append(f"reason: {meta['reason']}")
    for field, value in meta.items():
        if field in _HIDDEN_META or isinstance(value, dict):
            continue
        if not full and (field.endswith("_id") or value is False):
            continue
        parts.append(_name(field) if value is True else f"{_name(field)}: {_value_text(value)}")
    return "; ".join(parts)


def event_text(row: EventRow) -> str:
    """What the Details column says: a sentence for every known event type."""
    return event_sentence(row, event_details)


class EventTableModel(RowTableModel[EventRow]):
    """Events: time, type, station, job, who, details. Keeps at most ``max_rows`` events."""

    _HEADERS: ClassVar[tuple[str, ...]] = ("Time", "Event", "Station", "Job", "By", "Details")
    _KEY = operator.attrgetter("id")
    _TIME_COLUMNS: ClassVar[tuple[int, ...]] = (COL_TIME,)

    _SORT_KEYS: ClassVar[tuple[Callable[[EventRow], Any], ...]] = (
        lambda row: row.timestamp.timestamp(),
        operator.attrgetter("event_type"),
        lambda row: row.station_id or "",
        lambda row: row.job_id or "",
        lambda row: (row.actor or "").lower(),
        lambda row: event_text(row).lower(),
    )

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        clock: Clock | None = None,
        max_rows: int | None = DEFAULT_MAX_ROWS,
    ) -> None:
        super().__init__(parent, clock=clock)
        self.max_rows = max_rows
        #: How many events the database holds (None until counted); new ones add to it.
        self.stored_total: int | None = None

    stored_total_changed = Signal()

    def set_stored_total(self, total: int) -> None:
        """The number of events in the database, counted when the events were loaded."""
        self.stored_total = total
        self.stored_total_changed.emit()

    def sort_key(self, column: int) -> Callable[[EventRow], Any]:
        return self._SORT_KEYS[column]

    def display_text(self, row: EventRow, column: int) -> str | None:
        if column == COL_TIME:
            return relative_time(row.timestamp, self._now)
        if column == COL_TYPE:
            return label(row.event_type)
        if column == COL_STATION:
            return row.station_id or ""
        if column == COL_JOB:
            return row.job_id or ""
        if column == COL_ACTOR:
            return row.actor or ""
        if column == COL_DETAILS:
            return event_text(row)
        return None

    @classmethod
    def search_text(cls, row: EventRow) -> str:
        return search_text(
            label(row.event_type),
            row.station_id,
            row.job_id,
            row.actor,
            event_text(row),
        )

    def field_predicate(self, row_filter: RowFilter) -> Callable[[EventRow], bool] | None:
        event_type = row_filter.event_type
        if event_type is None:
            return None
        return lambda row: row.event_type == event_type

    def decoration(self, row: EventRow, column: int) -> Any:
        if column == COL_TYPE:
            return status_dot(_EVENT_HEX.get(row.event_type, INACTIVE_HEX))
        return None

    def tooltip(self, row: EventRow, column: int) -> str | None:
        if column == COL_TIME:
            return exact_time(row.timestamp)
        if column == COL_DETAILS:
            values = event_details(row.meta, full=True).replace("; ", "\n")
            return "\n\n".join(text for text in (event_text(row), values) if text) or None
        if column == COL_ACTOR and row.meta.get("role"):
            return f"{row.actor} ({row.meta['role']})"
        return None

    def export_value(self, row: EventRow, column: int) -> Any:
        if column == COL_TIME:
            return export_time(row.timestamp)
        return self.display_text(row, column)

    def upsert_rows(self, rows: Iterable[EventRow]) -> None:
        """Add or replace events, then drop the oldest beyond ``max_rows``."""
        rows = list(rows)
        if self.stored_total is not None:
            arrived = sum(1 for row in rows if row.id not in self._by_key)
            if arrived:
                self.stored_total += arrived
                self.stored_total_changed.emit()
        super().upsert_rows(rows)
        excess = len(self._by_key) - self.max_rows if self.max_rows is not None else 0
        if excess > 0:
            oldest = heapq.nsmallest(excess, self._by_key.values(), key=_event_time)
            self.remove_keys([row.id for row in oldest])


def _event_time(row: EventRow) -> Any:
    return row.timestamp
