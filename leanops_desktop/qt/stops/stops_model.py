"""The Stops dock's table model: the shown stops, their cells made only when a view asks
(a fresh read of thousands of stops costs a list, not a widget item per cell)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, tzinfo
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from leanops_desktop.qt.models.status_colors import BLOCKED_HEX
from leanops_desktop.qt.models.time_text import exact_time
from leanops_desktop.qt.stops.stop_text import (
    COL_FROM,
    COL_MINUTES,
    COL_REASON,
    COL_TO,
    HEADERS,
    OPEN,
    StopLike,
    is_unexplained,
    stop_cells,
)

STOP_ROLE = Qt.ItemDataRole.UserRole + 1
UNEXPLAINED_COLOR = QColor(BLOCKED_HEX).darker(120)
UNEXPLAINED_BACKGROUND = QColor(BLOCKED_HEX).lighter(185)
UNEXPLAINED_TIP = "Nobody has said why this station stopped yet: Classify… it"
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
Index = QModelIndex | QPersistentModelIndex


class StopsModel(QAbstractTableModel):
    """Rows of stops (newest first) with the cells of ``stop_text.stop_cells``."""

    def __init__(self, tz: tzinfo, clock: Callable[[], datetime], parent: Any = None) -> None:
        super().__init__(parent)
        self._tz, self._clock = tz, clock
        self._rows: list[Any] = []
        self._cells: dict[int, tuple[str, ...]] = {}
        self._now = clock()
        bold = QFont()
        bold.setBold(True)
        self._bold = bold

    def set_rows(self, rows: Sequence[StopLike]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self._cells.clear()
        self._now = self._clock()
        self.endResetModel()

    def rows(self) -> list[Any]:
        return list(self._rows)

    def stop_at(self, row: int) -> Any:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def texts(self, row: int) -> tuple[str, ...]:
        cells = self._cells.get(row)
        if cells is None:
            cells = self._cells[row] = stop_cells(self._rows[row], self._now, self._tz)
        return cells

    # -- Qt ------------------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section] if 0 <= section < len(HEADERS) else None
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        stop = self.stop_at(index.row()) if index.isValid() else None
        if stop is None:
            return None
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self.texts(index.row())[column]
        if role == STOP_ROLE:
            return stop
        unexplained = column == COL_REASON and is_unexplained(stop)
        if role == Qt.ItemDataRole.FontRole:
            still_open = column == COL_TO and stop.ended_at is None
            return self._bold if unexplained or still_open else None
        if role == Qt.ItemDataRole.ForegroundRole:
            return QBrush(UNEXPLAINED_COLOR) if unexplained else None
        if role == Qt.ItemDataRole.BackgroundRole:
            return QBrush(UNEXPLAINED_BACKGROUND) if unexplained else None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(_RIGHT if column == COL_MINUTES else _LEFT)
        if role == Qt.ItemDataRole.ToolTipRole:
            return _tooltip(stop, column, unexplained)
        return None


def _tooltip(stop: StopLike, column: int, unexplained: bool) -> str | None:
    if unexplained:
        return UNEXPLAINED_TIP
    if column == COL_FROM:
        return exact_time(stop.started_at)
    if column == COL_TO:
        return exact_time(stop.ended_at) if stop.ended_at is not None else f"Still stopped ({OPEN})"
    return None
