"""ParetoPlot: blocked hours by reason, largest first, with the cumulative share on the right."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QVBoxLayout, QWidget

from leanops_desktop.qt.performance.plot_support import STATE_COLORS, Crosshair, make_plot, pen
from leanops_desktop.services.analytics_timeline import StationState

LINE_COLOR = "#333333"


class ParetoPlot(QWidget):
    """Bars of blocked time per reason and a cumulative-percentage line (right axis)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plot = make_plot(
            None, "Blocked time (h)", title="Blocked time by reason", grid_x=False
        )
        item = self.plot.getPlotItem()
        item.setLabel("bottom", "Reason")
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
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot)
        self._reasons: list[tuple[str, float]] = []

    @property
    def reasons(self) -> list[tuple[str, float]]:
        return list(self._reasons)

    def _sync_geometry(self) -> None:
        box = self.plot.getPlotItem().getViewBox()
        self.share_box.setGeometry(box.sceneBoundingRect())
        self.share_box.linkedViewChanged(box, self.share_box.XAxis)

    def set_reasons(self, reasons: Sequence[tuple[str, float]]) -> None:
        """``(reason, seconds)`` in Pareto order."""
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
