"""JobTableModel: the job queue with priority, status, due date and progress.

Job rows can be dragged (``application/x-leanops-job-id``) onto station rows and tiles.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any, ClassVar

from PySide6.QtCore import QMimeData, QModelIndex, QPersistentModelIndex, Qt

from leanops_desktop.core.enums import JobStatus, Priority
from leanops_desktop.core.rows import JobRow
from leanops_desktop.qt.models.job_mime import MIME_TYPES, job_mime_data
from leanops_desktop.qt.models.presentation import bold_font, label, progress_text, progress_tip
from leanops_desktop.qt.models.row_filter import RowFilter, search_text
from leanops_desktop.qt.models.row_table_model import RowTableModel
from leanops_desktop.qt.models.status_colors import (
    HIGH_PRIORITY_COLOR,
    JOB_STATUS_HEX,
    OVERDUE_COLOR,
    priority_marker,
    status_dot,
)
from leanops_desktop.qt.models.time_text import (
    due_hint,
    due_text,
    exact_time,
    export_time,
    relative_time,
)

COL_ID = 0
COL_PART = 1
COL_PRIORITY = 2
COL_STATUS = 3
COL_DUE = 4
COL_PROGRESS = 5
COL_STATIONS = 6
COL_CREATED = 7

#: A status filter value meaning "waiting or running".
OPEN_STATUS = "open"

_HIGH = Priority.HIGH
_COMPLETED = JobStatus.COMPLETED
_DAY_SPAN = 10_000_000  # larger than any date ordinal: rank * span + ordinal sorts by rank, date
_STATUS_RANK = {JobStatus.RUNNING: 0, JobStatus.WAITING: 1, JobStatus.COMPLETED: 2}
_DRAG_FLAGS = (
    Qt.ItemFlag.ItemIsEnabled
    | Qt.ItemFlag.ItemIsSelectable
    | Qt.ItemFlag.ItemNeverHasChildren
    | Qt.ItemFlag.ItemIsDragEnabled
)


def _priority_then_due(row: JobRow) -> int:
    return (0 if row.priority is _HIGH else _DAY_SPAN) + row.due_date.toordinal()


def _status_then_due(row: JobRow) -> int:
    return _STATUS_RANK[row.status] * _DAY_SPAN + row.due_date.toordinal()


class JobTableModel(RowTableModel[JobRow]):
    """Jobs: id, part, priority, status, due date, progress, stations, created."""

    _HEADERS: ClassVar[tuple[str, ...]] = (
        "Job",
        "Part",
        "Priority",
        "Status",
        "Due",
        "Progress",
        "Stations",
        "Created",
    )
    _HEADER_TIPS: ClassVar[dict[int, str]] = {
        COL_PRIORITY: "Sorted high priority first, then by due date",
        COL_PROGRESS: "Units reported over the job's total, on all stations",
    }
    _KEY = operator.attrgetter("id")
    _SPLIT_EXPORT: ClassVar[dict[int, tuple[str, str]]] = {COL_PROGRESS: ("Done", "Total")}
    _TIME_COLUMNS: ClassVar[tuple[int, ...]] = (COL_DUE, COL_CREATED)

    _SORT_KEYS: ClassVar[tuple[Callable[[JobRow], Any], ...]] = (
        operator.attrgetter("id"),
        lambda row: row.part_name.lower(),
        _priority_then_due,
        _status_then_due,
        lambda row: row.due_date.toordinal(),
        lambda row: row.qty_done / row.qty_total,
        lambda row: ",".join(row.station_ids),
        lambda row: row.created_at.timestamp(),
    )

    def sort_key(self, column: int) -> Callable[[JobRow], Any]:
        return self._SORT_KEYS[column]

    def display_text(self, row: JobRow, column: int) -> str | None:
        if column == COL_ID:
            return row.id
        if column == COL_PART:
            return row.part_name
        if column == COL_PRIORITY:
            return "High" if row.priority is _HIGH else "Normal"
        if column == COL_STATUS:
            return row.status.value.capitalize()
        if column == COL_DUE:
            return due_text(row.due_date)
        if column == COL_PROGRESS:
            return progress_text(row.qty_done, row.qty_total)
        if column == COL_STATIONS:
            return ", ".join(row.station_ids)
        if column == COL_CREATED:
            return relative_time(row.created_at, self._now)
        return None

    @classmethod
    def search_text(cls, row: JobRow) -> str:
        return search_text(
            row.id,
            row.part_name,
            row.priority.value,
            row.status.value,
            row.due_date.isoformat(),
            " ".join(row.station_ids),
        )

    def field_predicate(self, row_filter: RowFilter) -> Callable[[JobRow], bool] | None:
        status, priority, days = row_filter.status, row_filter.priority, row_filter.due_within_days
        if status is None and priority is None and days is None:
            return None
        last_day = None if days is None else self._today + timedelta(days=days)

        def test(row: JobRow) -> bool:
            if status == OPEN_STATUS:
                if row.status is _COMPLETED:
                    return False
            elif status is not None and row.status != status:
                return False
            if priority is not None and row.priority != priority:
                return False
            return last_day is None or (row.status is not _COMPLETED and row.due_date <= last_day)

        return test

    def is_overdue(self, row: JobRow) -> bool:
        return row.status is not _COMPLETED and row.due_date < self._today

    def foreground(self, row: JobRow, column: int) -> Any:
        if column == COL_PRIORITY and row.priority is _HIGH:
            return HIGH_PRIORITY_COLOR
        if column == COL_DUE and self.is_overdue(row):
            return OVERDUE_COLOR
        return None

    def font(self, row: JobRow, column: int) -> Any:
        if (column == COL_PRIORITY and row.priority is _HIGH) or (
            column == COL_DUE and self.is_overdue(row)
        ):
            return bold_font()
        return None

    def decoration(self, row: JobRow, column: int) -> Any:
        if column == COL_PRIORITY and row.priority is _HIGH:
            return priority_marker()
        if column == COL_STATUS:
            return status_dot(JOB_STATUS_HEX[row.status.value])
        return None

    def tooltip(self, row: JobRow, column: int) -> str | None:
        if column == COL_DUE:
            return due_hint(row.due_date, self._today, finished=row.status is _COMPLETED)
        if column == COL_CREATED:
            return f"Created {exact_time(row.created_at)}"
        if column == COL_PROGRESS:
            return progress_tip(row.qty_done, row.qty_total)
        if column == COL_PRIORITY and row.priority is _HIGH:
            return "High priority"
        if column == COL_STATUS:
            return label(row.status.value)
        return None

    def progress(self, row: JobRow, column: int) -> tuple[int, int] | None:
        return (row.qty_done, row.qty_total) if column == COL_PROGRESS else None

    def export_value(self, row: JobRow, column: int) -> Any:
        if column == COL_DUE:
            return row.due_date
        if column == COL_CREATED:
            return export_time(row.created_at)
        return self.display_text(row, column)

    # -- dragging jobs ---------------------------------------------------------------------

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        return _DRAG_FLAGS if index.isValid() else Qt.ItemFlag.NoItemFlags

    def mimeTypes(self) -> list[str]:
        return list(MIME_TYPES)

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:
        job_ids: list[str] = []
        for index in indexes:
            number = index.row()
            if 0 <= number < len(self._rows):
                job_id = self._rows[number].id
                if job_id not in job_ids:
                    job_ids.append(job_id)
        return job_mime_data(job_ids)

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.CopyAction
