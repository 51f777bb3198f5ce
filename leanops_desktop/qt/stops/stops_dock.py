"""The Stops dock: the stops of the last 24 hours (or this shift), newest first, per station,
with "Unexplained" ones marked; "Classify…" (or a double-click) asks for a reason.

The dock only shows and asks: :class:`~leanops_desktop.qt.stops.stops_controller.
StopsController` reads, sweeps and classifies on the runner's lanes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, tzinfo
from typing import Any

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDockWidget,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from leanops_desktop.core.enums import Role
from leanops_desktop.qt.stops.stop_text import (
    Period,
    StopLike,
    classify_refusal,
    count_stops,
    shown_stops,
)
from leanops_desktop.qt.stops.stops_model import StopsModel


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
        self._fitted = False
        body = QWidget(self)
        self.period_combo = QComboBox(body)
        for period in Period:
            self.period_combo.addItem(period.value, period)
        self.period_combo.setToolTip("Which stops to list: the last 24 hours or this shift")
        self.only_unexplained = QCheckBox("Only unexplained", body)
        self.only_unexplained.setToolTip("List only the stops nobody has classified yet")
        self.count_label = QLabel(body)
        self.count_label.setObjectName("rowCount")
        self.model = StopsModel(tz, clock, self)
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
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update_button())
        self.table.doubleClicked.connect(lambda _index: self.classify_current())
        self.classify_button.clicked.connect(self.classify_current)
        self._show()

    def _make_table(self, body: QWidget) -> QTableView:
        table = QTableView(body)
        table.setModel(self.model)
        table.setAccessibleName("Stops")
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setAlternatingRowColors(True)
        table.setShowGrid(False)
        table.setWordWrap(False)
        vertical = table.verticalHeader()
        vertical.hide()
        vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vertical.setDefaultSectionSize(table.fontMetrics().height() + 12)
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
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
        return list(self.model.texts(row))

    def _show(self) -> None:
        keep = self.current_stop()
        self._shown = shown_stops(self._stops, only_unexplained=self.only_unexplained.isChecked())
        self.model.set_rows(self._shown)
        self._fit_columns()
        if keep is not None:
            self.select_stop(getattr(keep, "id", None))
        self.count_label.setText(count_stops(self._shown).text())
        self._update_button()

    def _fit_columns(self) -> None:
        """Columns as wide as the first rows need (measuring thousands would cost more than
        the fill; the user may still widen a column)."""
        if self._fitted or not self._shown:
            return
        self._fitted = True
        self.table.resizeColumnsToContents()  # (a view measures only rows it can show)

    # -- selection and classifying --------------------------------------------------------

    def current_stop(self) -> Any:
        rows = self.table.selectionModel().selectedRows()
        return self.model.stop_at(rows[0].row()) if rows else None

    def index_of(self, stop_id: object, column: int = 0) -> QModelIndex:
        for number, stop in enumerate(self._shown):
            if getattr(stop, "id", None) == stop_id:
                return self.model.index(number, column)
        return QModelIndex()

    def select_stop(self, stop_id: object) -> bool:
        index = self.index_of(stop_id)
        if index.isValid():
            self.table.selectRow(index.row())
        return index.isValid()

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
