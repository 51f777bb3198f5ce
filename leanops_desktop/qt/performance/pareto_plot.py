"""ParetoPlot: blocked hours by reason (or by the reasons' category), largest first, with the
cumulative share on the right."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QMenu,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from leanops_desktop.core.quality import ReasonCategory
from leanops_desktop.qt.performance.plot_support import STATE_COLORS, Crosshair, make_plot, pen
from leanops_desktop.services.analytics_timeline import StationState
from leanops_desktop.services.quality.reason_pareto import blocked_by_category

LINE_COLOR = "#333333"


class ParetoPlot(QWidget):
    """Bars of blocked time per reason and a cumulative-percentage line (right axis).

    The "Group by" choice shows the bars per reason or per category; the view answers
    ``grouping_changed`` by reading the reason tree (:meth:`set_categories`)."""

    grouping_changed = Signal(str)
    #: "Export Pareto CSV…" chosen: True by category, False by reason (with its category).
    export_requested = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plot = make_plot(
            None, "Blocked time (h)", title="Blocked time by reason", grid_x=False
        )
        item = self.plot.getPlotItem()
        item.setLabel("bottom", "Reason")
        item.getAxis("bottom").enableAutoSIPrefix(False)  # tick numbers are bar positions
        item.getViewBox().setMouseEnabled(x=False, y=False)
        self.bars = pg.BarGraphItem(
            x=[], height=[], width=0.6, brush=STATE_COLORS[StationState.BLOCKED], name="Blocked h"
        )
        item.addItem(self.bars)
        self.share_box = pg.ViewBox()
        self.share_box.setZValue(item.zValue() + 10)  # the line over the bars
        item.showAxis("right")
        item.scene().addItem(self.share_box)
        item.getAxis("right").linkToView(self.share_box)
        item.getAxis("right").setLabel("Cumulative share (%)")
        self.share_box.setXLink(item)
        self.share_box.setYRange(0, 105, padding=0)
        self.share_line = pg.PlotDataItem(
            pen=pen(LINE_COLOR, 1.5), symbol="o", symbolSize=6, symbolBrush=LINE_COLOR
        )
        self.share_box.addItem(self.share_line)
        item.getViewBox().sigResized.connect(self._sync_geometry)
        self.crosshair = Crosshair(self.plot, self._describe)
        self.grouping = QComboBox(self)
        self.grouping.addItem("By reason", "reason")
        self.grouping.addItem("By category", "category")
        self.grouping.setToolTip("Blocked time per reason, or per reason category of the tree")
        self.grouping.currentIndexChanged.connect(self._grouping_chosen)
        choice = QHBoxLayout()
        choice.addWidget(QLabel("Group by:", self))
        choice.addWidget(self.grouping)
        choice.addStretch(1)
        choice.addWidget(self._export_button())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(choice)
        layout.addWidget(self.plot)
        self._blocked: list[tuple[str, float]] = []
        self._categories: dict[str, ReasonCategory] = {}
        self._reasons: list[tuple[str, float]] = []

    def _export_button(self) -> QToolButton:
        self.export_button = QToolButton(self)
        self.export_button.setText("Export Pareto CSV…")
        self.export_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.export_button)
        self.export_by_reason = menu.addAction("By reason (with its category)…")
        self.export_by_reason.triggered.connect(lambda: self.export_requested.emit(False))
        self.export_by_category = menu.addAction("By category (with its reasons)…")
        self.export_by_category.triggered.connect(lambda: self.export_requested.emit(True))
        self.export_button.setMenu(menu)
        return self.export_button

    @property
    def blocked(self) -> list[tuple[str, float]]:
        """``(reason, seconds)`` as read, before any grouping by category."""
        return list(self._blocked)

    @property
    def categories(self) -> dict[str, ReasonCategory]:
        return dict(self._categories)

    @property
    def reasons(self) -> list[tuple[str, float]]:
        return list(self._reasons)

    def _sync_geometry(self) -> None:
        box = self.plot.getPlotItem().getViewBox()
        self.share_box.setGeometry(box.sceneBoundingRect())
        self.share_box.linkedViewChanged(box, self.share_box.XAxis)

    def by_category(self) -> bool:
        return bool(self.grouping.currentData() == "category")

    def _grouping_chosen(self) -> None:
        self.grouping_changed.emit(str(self.grouping.currentData()))
        self.set_reasons(self._blocked)

    def set_categories(self, categories: Mapping[str, ReasonCategory]) -> None:
        """Reason id -> category (the tree), for the grouping by category."""
        self._categories = dict(categories)
        self.set_reasons(self._blocked)

    def set_reasons(self, blocked: Sequence[tuple[str, float]]) -> None:
        """``(reason, seconds)`` in Pareto order; shown per reason or per category."""
        self._blocked = list(blocked)
        by_category = self.by_category()
        reasons = blocked_by_category(blocked, self._categories) if by_category else blocked
        item = self.plot.getPlotItem()
        item.setTitle(f"Blocked time by {'category' if by_category else 'reason'}")
        item.setLabel("bottom", "Category" if by_category else "Reason")
        self._reasons = list(reasons)
        hours = np.array([seconds / 3600 for _reason, seconds in reasons], dtype=np.float64)
        x = np.arange(len(hours), dtype=np.float64)
        self.bars.setOpts(x=x, height=hours, width=0.6)
        total = hours.sum()
        share = np.cumsum(hours) / total * 100 if total > 0 else np.zeros(0)
        self.share_line.setData(x, share)
        item = self.plot.getPlotItem()
        item.getAxis("bottom").setTicks([[(i, reason) for i, (reason, _s) in enumerate(reasons)]])
        item.setXRange(-0.6, max(len(hours), 1) - 0.4, padding=0)
        item.setYRange(0, max(float(hours.max(initial=0)), 1.0) * 1.1, padding=0)
        self._sync_geometry()

    def _describe(self, x: float, _y: float) -> str:
        index = round(x)
        if not 0 <= index < len(self._reasons):
            return ""
        total = sum(seconds for _reason, seconds in self._reasons)
        reason, seconds = self._reasons[index]
        cumulative = sum(s for _r, s in self._reasons[: index + 1])
        return (
            f"{reason}: {seconds / 3600:.2f} h ({seconds / total:.0%} of blocked time)\n"
            f"Cumulative: {cumulative / total:.0%}"
        )
