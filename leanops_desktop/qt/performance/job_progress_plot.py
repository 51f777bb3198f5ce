"""JobProgressPlot: one job's cumulative units, its total, its due date and the forecast."""

from __future__ import annotations

from dataclasses import replace
from datetime import tzinfo

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QVBoxLayout, QWidget

from leanops_desktop.qt.performance.plot_support import (
    LEGEND_STYLE,
    STATE_COLORS,
    Crosshair,
    FollowPresent,
    make_plot,
    pen,
)
from leanops_desktop.services.analytics import JobProgressCurve
from leanops_desktop.services.analytics_time import from_epoch
from leanops_desktop.services.analytics_timeline import StationState

DONE_COLOR = "#1f77b4"
FORECAST_COLOR = "#7f7f7f"


class JobProgressPlot(QWidget):
    """Units done over time against the job's total, with due date and forecast finish."""

    def __init__(self, tz: tzinfo, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._tz = tz
        self.plot = make_plot(tz, "Units completed")
        item = self.plot.getPlotItem()
        self.legend = item.addLegend(**LEGEND_STYLE)
        self.done_curve = pg.PlotDataItem(
            stepMode="right", pen=pen(DONE_COLOR, 2), name="Units completed"
        )
        self.forecast_curve = pg.PlotDataItem(
            pen=pen(FORECAST_COLOR, 1.5, Qt.PenStyle.DashLine), name="Forecast at recent rate"
        )
        self.total_line = pg.InfiniteLine(
            angle=0,
            movable=False,
            pen=pen("#333333", 1, Qt.PenStyle.DotLine),
            label="Total {value:.0f}",
            labelOpts={"position": 0.5, "color": "#333333", "anchors": [(0.5, 1), (0.5, 1)]},
        )
        self.due_line = pg.InfiniteLine(
            angle=90,
            movable=False,
            pen=pen(STATE_COLORS[StationState.BLOCKED], 1.5, Qt.PenStyle.DashLine),
            label="Due",
            labelOpts={"position": 0.06, "color": STATE_COLORS[StationState.BLOCKED]},
        )
        for graphic in (self.done_curve, self.forecast_curve):
            item.addItem(graphic)
        item.addItem(self.total_line, ignoreBounds=False)
        item.addItem(self.due_line, ignoreBounds=True)
        self.crosshair = Crosshair(self.plot, self._describe)
        self.follow = FollowPresent(self.plot)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot)
        self._curve: JobProgressCurve | None = None
        self._x = np.zeros(0)
        self._done = np.zeros(0)

    @property
    def job_id(self) -> str | None:
        return self._curve.job.job_id if self._curve is not None else None

    @property
    def curve(self) -> JobProgressCurve | None:
        """What is shown, live reports included (for export)."""
        if self._curve is None:
            return None
        return replace(self._curve, x=self._x.copy(), done=self._done.copy())

    def set_curve(self, curve: JobProgressCurve | None, *, keep_view: bool = False) -> None:
        self._curve = curve
        item = self.plot.getPlotItem()
        if curve is None:
            self._x = np.zeros(0)
            self._done = np.zeros(0)
            self.done_curve.setData([], [])
            self.forecast_curve.setData([], [])
            self.total_line.hide()
            self.due_line.hide()
            item.setTitle("No job selected")
            return
        job = curve.job
        self._x = curve.x.astype(np.float64, copy=True)
        self._done = curve.done.astype(np.float64, copy=True)
        self.done_curve.setData(self._x, self._done)
        self.total_line.setValue(job.qty_total)
        self.total_line.show()
        self.due_line.setValue(job.due_at.timestamp())
        self.due_line.label.setFormat(f"Due {job.due_date:%d %b}")
        self.due_line.show()
        self._draw_forecast()
        state = f" — at risk: {job.risk}" if job.at_risk else ""
        item.setTitle(f"{job.job_id} · {job.part_name}{state}")
        self.follow.present = curve.until.timestamp()
        if keep_view:
            return
        low = curve.start.timestamp()
        ends = [curve.until.timestamp(), job.due_at.timestamp()]
        if job.forecast_finish is not None:
            ends.append(job.forecast_finish.timestamp())
        high = min(max(ends), low + 3 * (curve.until.timestamp() - low + 3600))
        item.setXRange(low, high, padding=0.02)
        item.setYRange(0, max(job.qty_total, float(self._done.max(initial=0))) * 1.08, padding=0)
        self.follow.following = True

    def _draw_forecast(self) -> None:
        assert self._curve is not None
        job = self._curve.job
        if job.forecast_finish is None or job.remaining == 0 or len(self._x) == 0:
            self.forecast_curve.setData([], [])
            return
        self.forecast_curve.setData(
            [float(self._x[-1]), job.forecast_finish.timestamp()],
            [float(self._done[-1]), float(job.qty_total)],
        )

    def add_report(self, job_id: str, at: float, qty: int) -> bool:
        """Extend the curve with a live report of the job shown."""
        if self._curve is None or job_id != self._curve.job.job_id or len(self._x) == 0:
            return False
        if at < self._x[0]:
            return False
        total = float(self._done[-1]) + qty
        self._x = np.append(self._x, max(at, float(self._x[-1])))
        self._done = np.append(self._done, total)
        self.done_curve.setData(self._x, self._done)
        self._draw_forecast()
        self.follow.advance(at)
        return True

    def _describe(self, x: float, _y: float) -> str:
        if self._curve is None or len(self._x) == 0 or x < self._x[0]:
            return ""
        index = int(np.searchsorted(self._x, x, side="right")) - 1
        when = from_epoch(x).astimezone(self._tz)
        job = self._curve.job
        done = int(self._done[index])
        lines = [
            f"{when:%a %d %b %H:%M}",
            f"{job.job_id}: {done} of {job.qty_total} units ({done / job.qty_total:.0%})",
            f"Due {job.due_at.astimezone(self._tz):%a %d %b %H:%M}",
        ]
        if job.forecast_finish is not None and job.remaining > 0:
            lines.append(
                f"Forecast finish {job.forecast_finish.astimezone(self._tz):%a %d %b %H:%M}"
                f" at {job.rate_per_hour:.1f} units/h"
            )
        return "\n".join(lines)
