"""StatusTimelinePlot: one row per station, coloured bands for running / idle / blocked / off.

Blocked bands wide enough on screen carry their reason; the crosshair box tells the state,
reason and exact times of the band under the mouse. Live events go through the timeline's
replay machine, so only the bands change, never the whole view.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import tzinfo

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QVBoxLayout, QWidget

from leanops_desktop.core.rows import EventRow
from leanops_desktop.qt.performance.plot_support import (
    LEGEND_STYLE,
    STATE_COLORS,
    Crosshair,
    FollowPresent,
    make_plot,
)
from leanops_desktop.services.analytics import StatusTimeline
from leanops_desktop.services.analytics_time import from_epoch
from leanops_desktop.services.analytics_timeline import StationState, StatusBand

BAND_HEIGHT = 0.72
MAX_LABELS = 150
MIN_LABEL_PIXELS = 70
STATE_NAMES = {
    StationState.RUNNING: "Running",
    StationState.IDLE: "Idle",
    StationState.BLOCKED: "Blocked",
    StationState.OFF: "Not in use",
}


class StatusTimelinePlot(QWidget):
    """Bands per station over local time, one bar item per state (legend toggles a state)."""

    def __init__(self, tz: tzinfo, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._tz = tz
        self.plot = make_plot(tz, "Station", grid_y=False)
        item = self.plot.getPlotItem()
        item.getViewBox().invertY(True)
        item.getViewBox().setMouseEnabled(x=True, y=False)
        self.legend = item.addLegend(**{**LEGEND_STYLE, "offset": (-8, 8)}, colCount=4)
        self.items: dict[StationState, pg.BarGraphItem] = {}
        for state, color in STATE_COLORS.items():
            bars = pg.BarGraphItem(
                x0=[], x1=[], y=[], height=BAND_HEIGHT, brush=color, pen=pg.mkPen(None)
            )
            bars.setOpts(name=STATE_NAMES[state])
            item.addItem(bars)  # named: the legend lists it and toggles it on click
            self.items[state] = bars
        self._labels: list[pg.TextItem] = []
        self.crosshair = Crosshair(self.plot, self._describe)
        self.follow = FollowPresent(self.plot)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot)
        self._timeline: StatusTimeline | None = None
        self._bands: list[StatusBand] = []
        self._rows: dict[str, int] = {}
        self._names: dict[str, str] = {}
        self._present = 0.0
        self._range_end = 0.0
        self._label_timer = QTimer(self)
        self._label_timer.setSingleShot(True)
        self._label_timer.setInterval(150)
        self._label_timer.timeout.connect(self._place_labels)
        item.getViewBox().sigXRangeChanged.connect(self._label_timer.start)
        item.getViewBox().sigResized.connect(self._label_timer.start)  # first shown, resized

    @property
    def timeline(self) -> StatusTimeline | None:
        return self._timeline

    @property
    def bands(self) -> list[StatusBand]:
        return list(self._bands)

    def set_timeline(
        self, timeline: StatusTimeline, range_end: float, *, keep_view: bool = False
    ) -> None:
        self._timeline = timeline
        self._range_end = range_end
        self._rows = {station.id: row for row, station in enumerate(timeline.stations)}
        self._names = {station.id: station.name for station in timeline.stations}
        self._present = timeline.until.timestamp()
        item = self.plot.getPlotItem()
        item.getAxis("left").setTicks([[(row, sid) for sid, row in self._rows.items()]])
        self._bands = list(timeline.bands)
        self._draw()
        self.follow.present = self._present
        if not keep_view:
            low = timeline.start.timestamp()
            item.setXRange(low, max(self._present, low + 3600), padding=0.01)
            self.follow.following = True
        item.setYRange(-0.6, max(len(self._rows), 1) - 0.4, padding=0)
        self._place_labels()

    def apply_event(self, event: EventRow) -> bool:
        """Replay one live event; True when a band changed."""
        if self._timeline is None:
            return False
        at = event.timestamp.timestamp()
        if not self._timeline.start.timestamp() <= at < self._range_end:
            return False
        if not self._timeline.machine.apply(event):
            return False
        self.set_present(max(at, self._present))
        return True

    def set_present(self, present: float) -> None:
        """Open bands grow to ``present`` (capped at the range end)."""
        if self._timeline is None:
            return
        self._present = min(present, self._range_end)
        start = self._timeline.start.timestamp()
        self._bands = [
            band for band in self._timeline.machine.all_bands(self._present) if band.end > start
        ]
        self._draw()
        self.follow.advance(self._present)

    def _draw(self) -> None:
        grouped: dict[StationState, list[StatusBand]] = defaultdict(list)
        for band in self._bands:
            grouped[band.state].append(band)
        for state, bars in self.items.items():
            bands = grouped.get(state, [])
            bars.setOpts(
                x0=np.array([band.start for band in bands], dtype=np.float64),
                x1=np.array([band.end for band in bands], dtype=np.float64),
                y=np.array([self._rows[band.station_id] for band in bands], dtype=np.float64),
                height=BAND_HEIGHT,
            )
        self._place_labels()

    def stop_timers(self) -> None:
        self._label_timer.stop()

    def _place_labels(self) -> None:
        item = self.plot.getPlotItem()
        for label in self._labels:
            item.removeItem(label)
        self._labels = []
        box = item.getViewBox()
        (low, high), _ = box.viewRange()
        width = max(box.width(), 1.0)
        seconds_per_pixel = (high - low) / width
        wide = [
            band
            for band in self._bands
            if band.state is StationState.BLOCKED
            and band.end > low
            and band.start < high
            and (min(band.end, high) - max(band.start, low)) / seconds_per_pixel > MIN_LABEL_PIXELS
        ]
        for band in wide[:MAX_LABELS]:
            label = pg.TextItem(band.reason or "blocked", color="w", anchor=(0, 0.5))
            label.setPos(max(band.start, low), self._rows[band.station_id])
            item.addItem(label, ignoreBounds=True)
            self._labels.append(label)

    @property
    def labels(self) -> list[str]:
        return [str(label.toPlainText()) for label in self._labels]

    def _describe(self, x: float, y: float) -> str:
        row = round(y)
        station_id = next((sid for sid, index in self._rows.items() if index == row), None)
        if station_id is None:
            return ""
        for band in self._bands:
            if band.station_id == station_id and band.start <= x < band.end:
                start = from_epoch(band.start).astimezone(self._tz)
                end = from_epoch(band.end).astimezone(self._tz)
                state = STATE_NAMES[band.state] + (f" ({band.reason})" if band.reason else "")
                minutes = band.seconds / 60
                length = f"{minutes:.0f} min" if minutes < 120 else f"{minutes / 60:.1f} h"
                return (
                    f"{station_id} {self._names.get(station_id, '')}\n{state}\n"
                    f"{start:%a %d %b %H:%M} – {end:%a %d %b %H:%M} ({length})"
                )
        return ""
