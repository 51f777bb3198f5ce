"""AssignmentTableModel: what runs where now, with live progress per station and per job."""

from __future__ import annotations

import operator
from collections.abc import Callable
from datetime import timedelta
from typing import Any, ClassVar

from leanops_desktop.core.enums import Priority
from leanops_desktop.core.rows import AssignmentRow
from leanops_desktop.qt.models.presentation import (
    bold_font,
    natural_key,
    progress_text,
    progress_tip,
)
from leanops_desktop.qt.models.row_filter import RowFilter, search_text
from leanops_desktop.qt.models.row_table_model import RowTableModel
from leanops_desktop.qt.models.status_colors import (
    HIGH_PRIORITY_COLOR,
    OVERDUE_COLOR,
    priority_marker,
)
from leanops_desktop.qt.models.time_text import (
    due_hint,
    due_text,
    exact_time,
    export_time,
    relative_time,
)

COL_STATION = 0
COL_LINE = 1
COL_JOB = 2
COL_PART = 3
COL_PRIORITY = 4
COL_DUE = 5
COL_DONE_HERE = 6
COL_JOB_PROGRESS = 7
COL_STARTED = 8
COL_UPDATED = 9

_HIGH = Priority.HIGH
_DAY_SPAN = 10_000_000


class AssignmentTableModel(RowTableModel[AssignmentRow]):
    """Assignments: station, line, job, part, priority, due, units here, job progress, times."""

    _HEADERS: ClassVar[tuple[str, ...]] = (
        "Station",
        "Line",
        "Job",
        "Part",
        "Priority",
        "Due",
        "Done here",
        "Job progress",
        "Started",
        "Updated",
    )
    _HEADER_TIPS: ClassVar[dict[int, str]] = {
        COL_DONE_HERE: "Units made at this station since the job started here",
        COL_JOB_PROGRESS: "Units reported for the job on all stations, over its total",
        COL_UPDATED: "Last change of this assignment (usually the last quantity report)",
    }
    _KEY = operator.attrgetter("id")
    _SPLIT_EXPORT: ClassVar[dict[int, tuple[str, str]]] = {
        COL_JOB_PROGRESS: ("Job done", "Job total")
    }
    _TIME_COLUMNS: ClassVar[tuple[int, ...]] = (COL_DUE, COL_STARTED, COL_UPDATED)
    _RIGHT_ALIGNED: ClassVar[frozenset[int]] = frozenset({COL_DONE_HERE})

    _SORT_KEYS: ClassVar[tuple[Callable[[AssignmentRow], Any], ...]] = (
        lambda row: natural_key(row.station_id),
        lambda row: natural_key(row.line) + "\x00" + natural_key(row.station_id),
        lambda row: row.job_id,
        lambda row: row.part_name.lower(),
        lambda row: (0 if row.priority is _HIGH else _DAY_SPAN) + row.due_date.toordinal(),
        lambda row: row.due_date.toordinal(),
        operator.attrgetter("qty_done"),
        lambda row: row.job_qty_done / row.qty_total if row.qty_total else 0.0,
        lambda row: row.started_at.timestamp(),
        lambda row: row.updated_at.timestamp(),
    )

    def sort_key(self, column: int) -> Callable[[AssignmentRow], Any]:
        return self._SORT_KEYS[column]

    def display_text(self, row: AssignmentRow, column: int) -> str | None:
        if column == COL_STATION:
            return row.station_id
        if column == COL_LINE:
            return row.line
        if column == COL_JOB:
            return row.job_id
        if column == COL_PART:
            return row.part_name
        if column == COL_PRIORITY:
            return "High" if row.priority is _HIGH else "Normal"
        if column == COL_DUE:
            return due_text(row.due_date)
        if column == COL_DONE_HERE:
            return f"{row.qty_done:,}"
        if column == COL_JOB_PROGRESS:
            return progress_text(row.job_qty_done, row.qty_total)
        if column == COL_STARTED:
            return relative_time(row.started_at, self._now)
        if column == COL_UPDATED:
            return relative_time(row.updated_at, self._now)
        return None

    @classmethod
    def search_text(cls, row: AssignmentRow) -> str:
        return search_text(
            row.station_id,
            row.station_name,
            row.line,
            row.job_id,
            row.part_name,
            row.priority.value,
            row.due_date.isoformat(),
        )

    def field_predicate(self, row_filter: RowFilter) -> Callable[[AssignmentRow], bool] | None:
        line, priority, days = row_filter.line, row_filter.priority, row_filter.due_within_days
        if line is None and priority is None and days is None:
            return None
        last_day = None if days is None else self._today + timedelta(days=days)
        return lambda row: (
            (line is None or row.line == line)
            and (priority is None or row.priority == priority)
            and (last_day is None or row.due_date <= last_day)
        )

    def is_overdue(self, row: AssignmentRow) -> bool:
        return row.due_date < self._today

    def foreground(self, row: AssignmentRow, column: int) -> Any:
        if column == COL_PRIORITY and row.priority is _HIGH:
            return HIGH_PRIORITY_COLOR
        if column == COL_DUE and self.is_overdue(row):
            return OVERDUE_COLOR
        return None

    def font(self, row: AssignmentRow, column: int) -> Any:
        if (column == COL_PRIORITY and row.priority is _HIGH) or (
            column == COL_DUE and self.is_overdue(row)
        ):
            return bold_font()
        return None

    def decoration(self, row: AssignmentRow, column: int) -> Any:
        return priority_marker() if column == COL_PRIORITY and row.priority is _HIGH else None

    def tooltip(self, row: AssignmentRow, column: int) -> str | None:
        if column == COL_STATION:
            return f"{row.station_id} — {row.station_name} ({row.line})"
        if column == COL_DUE:
            return due_hint(row.due_date, self._today)
        if column == COL_JOB_PROGRESS:
            return f"Job {row.job_id}: {progress_tip(row.job_qty_done, row.qty_total)}"
        if column == COL_DONE_HERE:
            return f"{row.qty_done:,} units made at {row.station_id} in this assignment"
        if column == COL_STARTED:
            return f"Started {exact_time(row.started_at)}"
        if column == COL_UPDATED:
            return f"Updated {exact_time(row.updated_at)}"
        return None

    def progress(self, row: AssignmentRow, column: int) -> tuple[int, int] | None:
        return (row.job_qty_done, row.qty_total) if column == COL_JOB_PROGRESS else None

    def export_value(self, row: AssignmentRow, column: int) -> Any:
        if column == COL_DUE:
            return row.due_date
        if column == COL_DONE_HERE:
            return row.qty_done
        if column == COL_STARTED:
            return export_time(row.started_at)
        if column == COL_UPDATED:
            return export_time(row.updated_at)
        return self.display_text(row, column)

    def keys_for_jobs(self, job_ids: set[str]) -> list[Any]:
        """Keys of the assignments running any of ``job_ids``."""
        return [key for key, row in self._by_key.items() if row.job_id in job_ids]

    def keys_for_stations(self, station_ids: set[str]) -> list[Any]:
        """Keys of the assignments at any of ``station_ids``."""
        return [key for key, row in self._by_key.items() if row.station_id in station_ids]

    def lines(self) -> list[str]:
        return sorted({row.line for row in self._by_key.values()}, key=natural_key)
