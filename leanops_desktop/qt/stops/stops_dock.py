"""The Stops dock: the stops of the last 24 hours (or this shift), newest first, per station,
with "Unexplained" ones marked; "Classify…" (or a double-click) asks for a reason.

The dock only shows and asks: :class:`~leanops_desktop.qt.stops.stops_controller.
StopsController` reads, sweeps and classifies on the runner's lanes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, tzinfo
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDockWidget,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from leanops_desktop.core.enums import Role
from leanops_desktop.qt.models.status_colors import BLOCKED_HEX
from leanops_desktop.qt.models.time_text import exact_time
from leanops_desktop.qt.stops.stop_text import (
    COL_MINUTES,
    COL_REASON,
    COL_TO,
    HEADERS,
    OPEN,
    Period,
    StopLike,
    classify_refusal,
    count_stops,
    is_unexplained,
    shown_stops,
    stop_cells,
)

STOP_ROLE = Qt.ItemDataRole.UserRole + 1
UNEXPLAINED_COLOR = QColor(BLOCKED_HEX)
UNEXPLAINED_BACKGROUND = QColor(BLOCKED_HEX).lighter(185)


class StopsDock(QDockWidget):
    """The table of stops with its period, filter, count and Classify… button."""

    classify_requested = Signal(object)  # the stop (StopRow)
    period_changed = Signal(object)  # Period

    def __init__(
        self,
        role: Role,
        tz: tzinfo,
        clock: Callable[[], datetime],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__("Stops", parent)
        self.setObjectName("StopsDock")
        self._role, self._tz, self._clock = role, tz, clock
        self._stops: list[Any] = []
        self._shown: list[Any] = []
        body = QWidget(self)
        self.period_combo = QComboBox(body)
        for period in Period:
            self.period_combo.addItem(period.value, period)
        self.period_combo.setToolTip("Which stops to list: the last 24 hours or this shift")
        self.only_unexplained = QCheckBox("Only unexplained", body)
        self.only_unexplained.setToolTip("List only the stops nobody has classified yet")
        self.count_label = QLabel(body)
        self.count_label.setObjectName("rowCount")
        self.table = self._make_table(body)
        self.classify_button = QPushButton("Classify…", body)
        self.hint = QLabel(body)
        self.hint.setObjectName("FieldHint")
        self.hint.setWordWrap(True)
        self._lay_out(body)
        self.period_combo.currentIndexChanged.connect(
            lambda _i: self.period_changed.emit(self.period())
        )
        self.only_unexplained.toggled.connect(lambda _on: self._show())
        self.table.itemSelectionChanged.connect(self._update_button)
        self.table.itemDoubleClicked.connect(lambda *_: self.classify_current())
        self.classify_button.clicked.connect(self.classify_current)
        self._show()

    def _make_table(self, body: QWidget) -> QTableWidget:
        table = QTableWidget(0, len(HEADERS), body)
        table.setHorizontalHeaderLabels(HEADERS)
        table.setAccessibleName("Stops")
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setAlternatingRowColors(True)
        table.setShowGrid(False)
        table.setWordWrap(False)
        table.verticalHeader().hide()
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        return table

    def _lay_out(self, body: QWidget) -> None:
        top = QHBoxLayout()
        top.setSpacing(8)
        top.addWidget(self.period_combo)
        top.addWidget(self.only_unexplained)
        top.addStretch(1)
        top.addWidget(self.count_label)
        bottom = QHBoxLayout()
        bottom.setSpacing(8)
        bottom.addWidget(self.classify_button)
        bottom.addWidget(self.hint, 1)
        column = QVBoxLayout(body)
        column.setContentsMargins(6, 4, 6, 6)
        column.setSpacing(4)
        column.addLayout(top)
        column.addWidget(self.table, 1)
        column.addLayout(bottom)
        self.setWidget(body)

    # -- what is shown -------------------------------------------------------------------

    def period(self) -> Period:
        return Period(self.period_combo.currentData())

    def stops(self) -> list[Any]:
        """Every stop read (shown or filtered out), newest first."""
        return list(self._stops)

    def shown(self) -> list[Any]:
        """The stops in the table, top to bottom."""
        return list(self._shown)

    def set_stops(self, stops: Sequence[StopLike]) -> None:
        """Show a fresh read (newest first); the selected stop stays selected."""
        self._stops = list(stops)
        self._show()

    def refresh_clock(self) -> None:
        """Open stops grow: redo the minutes (and "today" times) without reading again."""
        self._show()

    def cell_texts(self, row: int) -> list[str]:
        items = (self.table.item(row, column) for column in range(len(HEADERS)))
        return [item.text() if item is not None else "" for item in items]

    def _show(self) -> None:
        keep = self.current_stop()
        self._shown = shown_stops(self._stops, only_unexplained=self.only_unexplained.isChecked())
        now = self._clock()
        self.table.setRowCount(len(self._shown))
        for number, stop in enumerate(self._shown):
            for column, text in enumerate(stop_cells(stop, now, self._tz)):
                self.table.setItem(number, column, self._cell(stop, column, text))
        if keep is not None:
            self.select_stop(getattr(keep, "id", None))
        counts = count_stops(self._shown)
        self.count_label.setText(counts.text())
        self._update_button()

    def _cell(self, stop: StopLike, column: int, text: str) -> QTableWidgetItem:
        item = QTableWidgetItem(text)
        item.setData(STOP_ROLE, stop)
        if column == COL_MINUTES:
            item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if column == COL_TO and text == OPEN:
            item.setFont(_bold(item.font()))
        if column == COL_REASON and is_unexplained(stop):
            item.setFont(_bold(item.font()))
            item.setForeground(QBrush(UNEXPLAINED_COLOR.darker(120)))
            item.setBackground(QBrush(UNEXPLAINED_BACKGROUND))
            item.setToolTip("Nobody has said why this station stopped yet: Classify… it")
        elif column in (COL_TO - 1, COL_TO):
            when = stop.started_at if column == COL_TO - 1 else stop.ended_at
            item.setToolTip(exact_time(when) if when is not None else "Still stopped")
        return item

    # -- selection and classifying --------------------------------------------------------

    def current_stop(self) -> Any:
        rows = self.table.selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self._shown):
            return None
        return self._shown[rows[0].row()]

    def select_stop(self, stop_id: object) -> bool:
        for number, stop in enumerate(self._shown):
            if getattr(stop, "id", None) == stop_id:
                self.table.selectRow(number)
                return True
        return False

    def classify_current(self) -> None:
        """Ask for a reason for the selected stop, when the role may; else say why not."""
        stop = self.current_stop()
        refusal = classify_refusal(self._role, stop)
        if refusal is not None:
            self.hint.setText(refusal)
            return
        self.classify_requested.emit(stop)

    def say(self, text: str) -> None:
        """A line under the table (a refusal, a quiet failure)."""
        self.hint.setText(text)

    def _update_button(self) -> None:
        stop = self.current_stop()
        refusal = classify_refusal(self._role, stop)
        self.classify_button.setEnabled(refusal is None)
        self.classify_button.setToolTip(refusal or "Say why the selected station stopped")
        self.hint.setText(refusal if refusal is not None and stop is not None else "")


def _bold(font: QFont) -> QFont:
    bold = QFont(font)
    bold.setBold(True)
    return bold
