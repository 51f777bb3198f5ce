"""OeePanel: OEE and its factors (availability, performance, quality) for the chosen range,
per station, line, shift or day, with the losses in minutes (docs/oee.md), as a table and
as a chart of each group's planned time split into value and losses (built when the panel
is, which imports pyqtgraph: only the performance panels create it).

The rows come from ``services/oee`` (read on the runner's ``analytics`` lane); this panel
only groups their sums (one formula at every level) and writes them.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QScrollArea,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from leanops_desktop.services.oee import figures as oee
from leanops_desktop.services.oee.figures import OeeFigures, OeeRow

COLUMNS = (
    "",
    "OEE",
    "Availability",
    "Performance",
    "Quality",
    "Planned\n(min)",
    "Availability\nloss (min)",
    "Performance\nloss (min)",
    "Quality\nloss (min)",
    "Good",
    "Scrap",
)
#: Grouping key -> (title, key of a row, text of a key).
GROUPINGS: dict[str, tuple[str, Callable[[OeeRow], Hashable], Callable[[Hashable], str]]] = {
    "station": ("Station", lambda row: (row.line, row.station_id), lambda key: _pair(key)),
    "line": ("Line", lambda row: row.line, str),
    "shift": ("Shift", oee.by_shift, lambda key: _pair(key)),
    "day": ("Day", oee.by_day, str),
}
TOTAL = "All"
#: The loss chart grows with its bars (scrolling past a screenful) so each name stays legible.
BAR_PX = 24
CHART_MARGIN_PX = 120


def _pair(key: Hashable) -> str:
    assert isinstance(key, tuple)
    first, second = key
    if isinstance(first, date):
        return f"{first.isoformat()} {second}"
    return f"{second} ({first})"


def percent(value: float | None) -> str:
    """``"69.6 %"``; an en dash where a figure has no value (never 0 %)."""
    return "–" if value is None else f"{value * 100:.1f} %"


def figure_cells(figures: OeeFigures) -> list[str]:
    """The cells after the group's name."""
    availability_loss, performance_loss, quality_loss = figures.losses_s()
    performance = percent(figures.performance)
    if figures.performance_over_100:
        performance += " !"
    return [
        percent(figures.oee),
        percent(figures.availability),
        performance,
        percent(figures.quality),
        f"{figures.planned_s / 60:,.0f}",
        f"{availability_loss / 60:,.0f}",
        f"{performance_loss / 60:,.0f}",
        f"{quality_loss / 60:,.0f}",
        f"{figures.good:,}",
        f"{figures.scrap:,}",
    ]


def summary_text(total: OeeFigures) -> str:
    if total.planned_s <= 0:
        return "OEE: no planned production time in this range"
    return (
        f"OEE {percent(total.oee)} = availability {percent(total.availability)}"
        f" × performance {percent(total.performance)} × quality {percent(total.quality)}"
    )


#: Grouping key -> group name -> summed figures (the total last, as ``TOTAL``).
OeeGroups = dict[str, dict[str, OeeFigures]]


def group_rows(rows: Sequence[OeeRow]) -> OeeGroups:
    """Every grouping of the rows at once (runs beside the read, off the GUI thread)."""
    keys = [key for _title, key, _text in GROUPINGS.values()]
    *grouped, everything = oee.group_many(rows, [*keys, _everything])
    total = everything.get(TOTAL, OeeFigures())
    result: OeeGroups = {}
    for (grouping, (_title, _key, text)), sums in zip(GROUPINGS.items(), grouped, strict=True):
        named = {text(k): sums[k] for k in sorted(sums, key=str)}
        named[TOTAL] = total
        result[grouping] = named
    return result


def _everything(_row: OeeRow) -> str:
    return TOTAL


class OeePanel(QWidget):
    """A grouping choice, a summary line and a table; ``texts()`` returns what it shows."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("OeePanel")
        self.grouping = QComboBox(self)
        for key, (title, _key, _text) in GROUPINGS.items():
            self.grouping.addItem(f"Per {title.lower()}", key)
        self.grouping.currentIndexChanged.connect(self._fill)
        self.summary = QLabel("OEE: –", self)
        self.summary.setObjectName("OeeSummary")
        font = self.summary.font()
        font.setBold(True)
        self.summary.setFont(font)
        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSortingEnabled(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)  # no per-cell measuring
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        self.table.setColumnWidth(0, 160)
        from leanops_desktop.qt.performance.oee_loss_chart import OeeLossChart  # pyqtgraph

        self.chart = OeeLossChart(self)
        chart_scroll = QScrollArea(self)
        chart_scroll.setWidgetResizable(True)
        chart_scroll.setFrameShape(QFrame.Shape.NoFrame)
        chart_scroll.setWidget(self.chart)
        split = QSplitter(Qt.Orientation.Vertical, self)
        split.addWidget(self.table)
        split.addWidget(chart_scroll)
        split.setSizes([300, 400])
        top = QHBoxLayout()
        top.addWidget(self.grouping)
        top.addWidget(self.summary, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(split, 1)
        self.groups: OeeGroups = group_rows([])

    def set_grouping(self, key: str) -> None:
        self.grouping.setCurrentIndex(self.grouping.findData(key))

    def set_rows(self, rows: Sequence[OeeRow]) -> None:
        self.set_groups(group_rows(rows))

    def set_groups(self, groups: OeeGroups) -> None:
        """Figures grouped by :func:`group_rows` (on the runner)."""
        self.groups = groups
        self._fill()

    def grouped(self) -> dict[str, OeeFigures]:
        """Group name -> summed figures, for the grouping chosen, then the total."""
        return self.groups[str(self.grouping.currentData())]

    def _fill(self) -> None:
        title = GROUPINGS[str(self.grouping.currentData())][0]
        self.table.setHorizontalHeaderItem(0, QTableWidgetItem(title))
        groups = self.grouped()
        self.table.setUpdatesEnabled(False)
        self.summary.setText(summary_text(groups[TOTAL]))
        self.table.setRowCount(len(groups))
        for row_index, (name, figures) in enumerate(groups.items()):
            for column, cell in enumerate([name, *figure_cells(figures)]):
                item = QTableWidgetItem(cell)
                if column:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                if name == TOTAL:
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                if column == 3 and figures.performance_over_100:
                    item.setToolTip("Over 100 %: the job's ideal cycle time is too slow")
                self.table.setItem(row_index, column, item)
        self.table.setUpdatesEnabled(True)
        bars = {name: figures for name, figures in groups.items() if name != TOTAL}
        self.chart.setMinimumHeight(CHART_MARGIN_PX + BAR_PX * len(bars))
        self.chart.set_groups(bars)

    def texts(self) -> dict[str, list[str]]:
        """Group name -> the cells shown after it."""
        result = {}
        for row in range(self.table.rowCount()):
            items = [self.table.item(row, c) for c in range(self.table.columnCount())]
            cells = [item.text() if item is not None else "" for item in items]
            result[cells[0]] = cells[1:]
        return result
