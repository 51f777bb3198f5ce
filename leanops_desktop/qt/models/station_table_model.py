"""StationTableModel: every station with its state, current job and that job's progress."""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any, ClassVar

from PySide6.QtGui import QColor

from leanops_desktop.core.rows import StationRow
from leanops_desktop.qt.models.presentation import natural_key, progress_text, progress_tip
from leanops_desktop.qt.models.row_filter import RowFilter, search_text
from leanops_desktop.qt.models.row_table_model import RowTableModel
from leanops_desktop.qt.models.status_colors import (
    BLOCKED_HEX,
    INACTIVE,
    STATION_STATE_COLORS,
    STATION_STATE_HEX,
    station_state,
    station_state_label,
    status_dot,
    tint,
)

COL_ID = 0
COL_NAME = 1
COL_LINE = 2
COL_STATUS = 3
COL_JOB = 4
COL_PART = 5
COL_PROGRESS = 6
COL_REASON = 7

_STATE_RANK = {"running": 0, "blocked": 1, "idle": 2, INACTIVE: 3}
_BLOCKED_BACKGROUND = tint(QColor(BLOCKED_HEX), 40)
_MUTED = STATION_STATE_COLORS[INACTIVE]


def _state_rank(row: StationRow) -> int:
    return _STATE_RANK[station_state(row)]


def _progress_value(row: StationRow) -> float:
    if row.current_job_id is None or not row.job_qty_total:
        return -1.0
    return row.job_qty_done / row.job_qty_total


class StationTableModel(RowTableModel[StationRow]):
    """Stations: id, name, line, state, current job, part, job progress, blocked reason."""

    _HEADERS: ClassVar[tuple[str, ...]] = (
        "Station",
        "Name",
        "Line",
        "Status",
        "Job",
        "Part",
        "Progress",
        "Blocked reason",
    )
    _HEADER_TIPS: ClassVar[dict[int, str]] = {
        COL_PROGRESS: "Progress of the job the station works on (all its stations together)",
    }
    _KEY = operator.attrgetter("id")
    _SPLIT_EXPORT: ClassVar[dict[int, tuple[str, str]]] = {COL_PROGRESS: ("Job done", "Job total")}

    _SORT_KEYS: ClassVar[tuple[Callable[[StationRow], Any], ...]] = (
        lambda row: natural_key(row.id),
        lambda row: row.name.lower(),
        lambda row: natural_key(row.line) + "\x00" + natural_key(row.id),
        _state_rank,
        lambda row: natural_key(row.current_job_id or ""),
        lambda row: (row.current_part_name or "").lower(),
        _progress_value,
        lambda row: (row.blocked_reason or "").lower(),
    )

    def sort_key(self, column: int) -> Callable[[StationRow], Any]:
        return self._SORT_KEYS[column]

    def display_text(self, row: StationRow, column: int) -> str | None:
        if column == COL_ID:
            return row.id
        if column == COL_NAME:
            return row.name
        if column == COL_LINE:
            return row.line
        if column == COL_STATUS:
            return station_state_label(station_state(row))
        if column == COL_JOB:
            return row.current_job_id or ""
        if column == COL_PART:
            return row.current_part_name or ""
        if column == COL_PROGRESS:
            if row.current_job_id is None:
                return ""
            return progress_text(row.job_qty_done, row.job_qty_total)
        if column == COL_REASON:
            return row.blocked_reason or ""
        return None

    @classmethod
    def search_text(cls, row: StationRow) -> str:
        return search_text(
            row.id,
            row.name,
            row.line,
            station_state_label(station_state(row)),
            row.current_job_id,
            row.current_part_name,
            row.blocked_reason,
        )

    def field_predicate(self, row_filter: RowFilter) -> Callable[[StationRow], bool] | None:
        line, state = row_filter.line, row_filter.status
        if line is None and state is None:
            return None
        return lambda row: (
            (line is None or row.line == line) and (state is None or station_state(row) == state)
        )

    def foreground(self, row: StationRow, column: int) -> Any:
        return None if row.is_active else _MUTED

    def background(self, row: StationRow, column: int) -> Any:
        return _BLOCKED_BACKGROUND if row.is_active and row.status == "blocked" else None

    def decoration(self, row: StationRow, column: int) -> Any:
        if column == COL_STATUS:
            return status_dot(STATION_STATE_HEX[station_state(row)])
        return None

    def tooltip(self, row: StationRow, column: int) -> str | None:
        if column == COL_STATUS and row.blocked_reason:
            return f"Blocked: {row.blocked_reason}"
        if column == COL_PROGRESS and row.current_job_id is not None:
            return (
                f"Job {row.current_job_id}: {progress_tip(row.job_qty_done, row.job_qty_total)}"
                f"\n{row.assignment_qty_done:,} made at {row.id} in this assignment"
            )
        if column in (COL_ID, COL_NAME):
            return f"{row.id} — {row.name} ({row.line})"
        return None

    def progress(self, row: StationRow, column: int) -> tuple[int, int] | None:
        if column == COL_PROGRESS and row.current_job_id is not None:
            return (row.job_qty_done, row.job_qty_total)
        return None

    def lines(self) -> list[str]:
        """The production lines of all stations, in natural order (for the line filter)."""
        return sorted({row.line for row in self._by_key.values()}, key=natural_key)
