"""ThroughputPlot: units per hour per station or line as step curves over local time.

The plot keeps its own copy of the bucket grid and units so a live report only touches one
bucket of one curve (and appends a bucket when time has moved past the grid).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta, tzinfo

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QVBoxLayout, QWidget

from leanops_desktop.qt.performance.plot_support import (
    LEGEND_STYLE,
    Crosshair,
    FollowPresent,
    make_plot,
    pen,
    series_color,
)
from leanops_desktop.services.analytics import Bucket, Throughput, rates
from leanops_desktop.services.analytics_time import (
    covered_hours,
    from_epoch,
    local_midnight,
)

MAX_TOOLTIP_LINES = 10


def _no_update() -> None:
    """Stands in for ``LegendItem.updateSize`` while many entries are added."""


def steps(edges: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A step curve as plain points (x: each edge twice), so clip-to-view and downsampling
    work on it (pyqtgraph's own step mode does not clip)."""
    if len(values) == 0:
        return np.zeros(0), np.zeros(0)
    return np.repeat(edges, 2)[1:-1], np.repeat(values, 2)


class ThroughputPlot(QWidget):
    """Step curves of units/h; emits ``visible_range_changed`` after the user zooms or pans."""

    visible_range_changed = Signal(float, float)

    def __init__(self, tz: tzinfo, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._tz = tz
        self.plot = make_plot(tz, "Throughput (units/h)")
        self.legend = self.plot.getPlotItem().addLegend(**LEGEND_STYLE)
        self.crosshair = Crosshair(self.plot, self._describe)
        self.follow = FollowPresent(self.plot)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot)
        self._data: Throughput | None = None
        self._range_end = 0.0
        self._units: dict[str, np.ndarray] = {}
        self._curves: dict[str, pg.PlotDataItem] = {}
        self._edges = np.zeros(1)
        self._hours = np.zeros(0)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(250)
        self._debounce.timeout.connect(self._emit_visible_range)
        self.plot.getPlotItem().vb.sigRangeChangedManually.connect(self._debounce.start)

    # -- data ----------------------------------------------------------------------------

    def set_data(self, data: Throughput, range_end: float, *, keep_view: bool = False) -> None:
        """Show new data (a new range, filter or bucket); reports from ``range_end`` on are
        not this plot's. Curves of the same stations or lines are kept and only get new data
        (with 50 stations, building curves and legend entries costs more than the query)."""
        item = self.plot.getPlotItem()
        box = item.getViewBox()
        self._data = data
        self._range_end = range_end
        self._edges = data.edges.astype(np.float64, copy=True)
        self._hours = data.hours.astype(np.float64, copy=True)
        self._units = {series.key: series.units.copy() for series in data.series}
        keys = [series.key for series in data.series]
        box.disableAutoRange()
        if keys == list(self._curves):
            for series in data.series:
                self._curves[series.key].setData(*steps(self._edges, series.rate))
        else:
            self._rebuild_curves(data)
        self.follow.present = data.until.timestamp()
        if not keep_view:
            shown_end = max(data.until.timestamp(), data.start.timestamp() + 3600)
            item.setXRange(data.start.timestamp(), shown_end, padding=0.01)
            item.enableAutoRange(axis="y")
            self.follow.following = True

    def _rebuild_curves(self, data: Throughput) -> None:
        item = self.plot.getPlotItem()
        for curve in self._curves.values():
            item.removeItem(curve)
        self.legend.clear()
        self.legend.setColumnCount(max(1, (len(data.series) + 11) // 12))
        self._curves = {}
        # One legend layout pass for all entries instead of one per entry.
        self.legend.updateSize = _no_update
        try:
            for index, series in enumerate(data.series):
                curve = pg.PlotDataItem(
                    *steps(self._edges, series.rate),
                    pen=pen(series_color(index), 1),
                    name=series.label,
                )
                item.addItem(curve)
                curve.setClipToView(True)
                curve.setDownsampling(auto=True, method="peak")
                self._curves[series.key] = curve
        finally:
            del self.legend.updateSize
        self.legend.updateSize()

    @property
    def data(self) -> Throughput | None:
        """What the plot shows now, live reports included (for export)."""
        if self._data is None:
            return None
        series = tuple(
            replace(s, units=self._units[s.key], rate=rates(self._units[s.key], self._hours))
            for s in self._data.series
        )
        return replace(self._data, edges=self._edges, hours=self._hours, series=series)

    @property
    def bucket(self) -> Bucket | None:
        return self._data.bucket if self._data is not None else None

    def curve(self, key: str) -> pg.PlotDataItem | None:
        return self._curves.get(key)

    def add_report(self, key: str, at: float, qty: int) -> bool:
        """Count ``qty`` units at ``at`` on curve ``key``; False when it is not on this plot."""
        if self._data is None or key not in self._units:
            return False
        if not self._data.start.timestamp() <= at < self._range_end:
            return False
        grew = self._extend_to(at)
        slot = int(np.searchsorted(self._edges, at, side="right")) - 1
        self._units[key][slot] += qty
        self._refresh_hours(max(at, self.follow.present))
        if grew:
            for curve_key in self._curves:
                self._redraw(curve_key)
        else:
            self._redraw(key)
        self.follow.advance(at)
        return True

    def set_present(self, present: float) -> None:
        """Time moved on: the bucket in progress covers more hours (rates fall until reports)."""
        if self._data is None:
            return
        self._extend_to(min(present, self._range_end - 1e-6))
        self._refresh_hours(present)
        for key in self._curves:
            self._redraw(key)
        self.follow.advance(present)

    def _refresh_hours(self, present: float) -> None:
        assert self._data is not None
        end = min(present, self._range_end)
        self._hours = covered_hours(self._edges, self._data.start, from_epoch(end))

    def _extend_to(self, at: float) -> bool:
        """Append buckets until ``at`` lies inside the grid; True when any was added."""
        assert self._data is not None
        added = 0
        while at >= self._edges[-1]:
            last = float(self._edges[-1])
            if self._data.bucket is Bucket.DAY:
                day = from_epoch(last).astimezone(self._tz).date() + timedelta(days=1)
                following = local_midnight(day, self._tz).timestamp()
            else:
                following = last + self._data.bucket.seconds
            self._edges = np.append(self._edges, following)
            added += 1
        if added:
            for key in self._units:
                self._units[key] = np.append(self._units[key], np.zeros(added, dtype=np.int64))
        return added > 0

    def _redraw(self, key: str) -> None:
        self._curves[key].setData(*steps(self._edges, rates(self._units[key], self._hours)))

    def drawn_rates(self, key: str) -> np.ndarray:
        """The units/h per bucket as the curve draws them."""
        _x, y = self._curves[key].getData()
        return np.asarray(y)[::2]

    def stop_timers(self) -> None:
        self._debounce.stop()

    # -- interaction ---------------------------------------------------------------------

    def _emit_visible_range(self) -> None:
        low, high = self.plot.getPlotItem().vb.viewRange()[0]
        self.visible_range_changed.emit(float(low), float(high))

    def _describe(self, x: float, _y: float) -> str:
        if self._data is None or len(self._hours) == 0:
            return ""
        slot = int(np.searchsorted(self._edges, x, side="right")) - 1
        if not 0 <= slot < len(self._hours):
            return ""
        start = from_epoch(float(self._edges[slot])).astimezone(self._tz)
        end = from_epoch(float(self._edges[slot + 1])).astimezone(self._tz)
        fmt = "%a %d %b %Y" if self._data.bucket is Bucket.DAY else "%a %d %b %H:%M"
        title = f"{start:{fmt}}" + ("" if self._data.bucket is Bucket.DAY else f"–{end:%H:%M}")
        hours = self._hours[slot]
        rows: list[tuple[int, str]] = []
        for series in self._data.series:
            curve = self._curves[series.key]
            if not curve.isVisible():
                continue
            amount = int(self._units[series.key][slot])
            rate = amount / hours if hours > 0 else 0.0
            rows.append((amount, f"{series.label}: {amount} units · {rate:.1f}/h"))
        rows.sort(key=lambda row: -row[0])
        lines = [text for _amount, text in rows[:MAX_TOOLTIP_LINES]]
        if len(rows) > MAX_TOOLTIP_LINES:
            lines.append(f"… {len(rows) - MAX_TOOLTIP_LINES} more")
        total = sum(amount for amount, _text in rows)
        return "\n".join([title, f"Total: {total} units", *lines])
