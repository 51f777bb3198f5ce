"""OeeLossChart: where each group's planned time went, as one horizontal stacked bar per
station, line, shift or day (this module imports pyqtgraph).

A bar is the group's planned production time in minutes, split into the time that made good
units at the ideal rate (its value) and the availability, performance and quality losses
(docs/oee.md, "Losses"): value + losses = planned time. The plot's own white background and
the status palette keep it readable under the light, dark and high-contrast themes alike.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from leanops_desktop.qt.models.status_colors import (
    BLOCKED_HEX,
    IDLE_HEX,
    OVER_TARGET_HEX,
    RUNNING_HEX,
)
from leanops_desktop.qt.performance.plot_support import Crosshair, make_plot
from leanops_desktop.services.oee.figures import OeeFigures

#: The parts of a bar, left to right: (title, colour).
SEGMENTS = (
    ("Value (good at ideal rate)", RUNNING_HEX),
    ("Availability loss", BLOCKED_HEX),
    ("Performance loss", IDLE_HEX),
    ("Quality loss", OVER_TARGET_HEX),
)
BAR_HEIGHT = 0.7
EDGE = "#ffffff"


def loss_minutes(figures: OeeFigures) -> tuple[float, float, float, float]:
    """(value, availability, performance, quality loss) in minutes; they add up to the
    planned time (the value is never below 0: a performance over 100 % has no loss)."""
    availability, performance, quality = (s / 60 for s in figures.losses_s())
    value = max(0.0, figures.planned_s / 60 - availability - performance - quality)
    return value, availability, performance, quality


class OeeLossChart(QWidget):
    """The stacked bars; ``segments()`` returns what they show (for tests)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("OeeLossChart")
        self.plot = make_plot(None, "", title="Planned time: value and losses", grid_y=False)
        item = self.plot.getPlotItem()
        item.setLabel("bottom", "Minutes of planned production time")
        item.invertY(True)  # the first group on top, as in the table
        item.getViewBox().setMouseEnabled(x=False, y=False)
        self.bars: list[pg.BarGraphItem] = []
        for title, color in SEGMENTS:
            bar = pg.BarGraphItem(
                x0=[],
                y=[],
                width=[],
                height=BAR_HEIGHT,
                brush=color,
                pen=pg.mkPen(EDGE),
                name=title,
            )
            item.addItem(bar)
            self.bars.append(bar)
        self.crosshair = Crosshair(self.plot, self._describe)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self._legend_row())
        layout.addWidget(self.plot)
        self._names: list[str] = []
        self._minutes = np.zeros((0, len(SEGMENTS)))

    def _legend_row(self) -> QHBoxLayout:
        """The legend above the plot (never over a bar): a swatch and a name per part."""
        row = QHBoxLayout()
        row.setContentsMargins(8, 2, 8, 2)
        self.legend: dict[str, QLabel] = {}
        for title, color in SEGMENTS:
            swatch = QLabel(self)
            swatch.setFixedSize(14, 14)
            swatch.setStyleSheet(f"background: {color}; border: 1px solid #ffffff;")
            name = QLabel(title, self)
            row.addWidget(swatch)
            row.addWidget(name)
            row.addSpacing(14)
            self.legend[title] = name
        row.addStretch(1)
        return row

    def set_groups(self, groups: Mapping[str, OeeFigures]) -> None:
        """One bar per group, in the order given."""
        self._names = list(groups)
        self._minutes = np.array(
            [loss_minutes(figures) for figures in groups.values()], dtype=np.float64
        ).reshape(-1, len(SEGMENTS))
        y = np.arange(len(self._names), dtype=np.float64)
        left = np.zeros(len(self._names))
        for index, bar in enumerate(self.bars):
            widths = self._minutes[:, index]
            bar.setOpts(x0=left.copy(), y=y, width=widths, height=BAR_HEIGHT)
            left += widths
        item = self.plot.getPlotItem()
        item.getAxis("left").setTicks([[(i, name) for i, name in enumerate(self._names)]])
        widest = float(left.max(initial=0.0))
        item.setXRange(0, max(widest, 1.0) * 1.02, padding=0)
        item.setYRange(-0.6, max(len(self._names), 1) - 0.4, padding=0)

    def segments(self) -> dict[str, tuple[float, float, float, float]]:
        """Group -> (value, availability, performance, quality loss) minutes as drawn."""
        return {
            name: (float(a), float(b), float(c), float(d))
            for name, (a, b, c, d) in zip(self._names, self._minutes, strict=True)
        }

    def _describe(self, _x: float, y: float) -> str:
        index = round(y)
        if not 0 <= index < len(self._names):
            return ""
        parts = ", ".join(
            f"{title.split(' (')[0].lower()} {minutes:,.0f} min"
            for (title, _color), minutes in zip(SEGMENTS, self._minutes[index], strict=True)
        )
        return f"{self._names[index]}: {parts}"
