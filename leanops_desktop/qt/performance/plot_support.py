"""Shared pieces of the performance plots: colours, local date axis, crosshair, following.

This module imports pyqtgraph; only the plot modules built by
:meth:`PerformanceView.ensure_plots` import it, so opening the main window does not pay for it.
"""

from __future__ import annotations

import copy
from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime, tzinfo
from typing import Any, ClassVar

import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics

from leanops_desktop.qt.models.status_colors import (
    BLOCKED_HEX,
    IDLE_HEX,
    INACTIVE_HEX,
    RUNNING_HEX,
)
from leanops_desktop.services.analytics_timeline import StationState

#: The station status colours of the floor views (running green, idle amber, blocked red).
#: The same palette as the tiles and tables (qt/models/status_colors.py).
STATE_COLORS: dict[StationState, str] = {
    StationState.RUNNING: RUNNING_HEX,
    StationState.IDLE: IDLE_HEX,
    StationState.BLOCKED: BLOCKED_HEX,
    StationState.OFF: INACTIVE_HEX,
}

#: Distinct colours for curves (stations or lines); they avoid the status reds and greens.
SERIES_COLORS = (
    "#1f77b4",
    "#ff7f0e",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#17becf",
    "#7f7f7f",
    "#bcbd22",
    "#393b79",
    "#637939",
    "#843c39",
    "#7b4173",
)

pg.setConfigOptions(antialias=False, background="w", foreground="#333333")

#: Legends sit on a light box so they stay readable over curves and bands.
LEGEND_STYLE: dict[str, Any] = {
    "offset": (8, 8),
    "labelTextSize": "8pt",
    "brush": pg.mkBrush(255, 255, 255, 215),
    "pen": pg.mkPen("#bbbbbb"),
}


def series_color(index: int) -> QColor:
    if index < len(SERIES_COLORS):
        return QColor(SERIES_COLORS[index])
    return QColor(pg.intColor(index, hues=17, values=2))


class LocalDateAxis(pg.DateAxisItem):  # type: ignore[misc]
    """A date axis whose labels are in the view's time zone (ticks fall on local hours).

    Labels name the day (``Tue 24 Nov``) where plain numbers would be ambiguous; each zoom
    level's example text is as wide as its labels, so pyqtgraph spaces them without overlap.
    """

    #: zoom level (seconds per pixel threshold) -> the widest label it shows
    EXAMPLES: ClassVar[dict[float, str]] = {
        5 * 86400: "99 Sep",
        6 * 3600: "Wed 99 Sep",
        15 * 60: "Wed 99 Sep",
    }

    def __init__(self, tz: tzinfo, orientation: str = "bottom") -> None:
        super().__init__(orientation=orientation)
        self._tz = tz
        # Set before the first paint so tickValues() works for the grid from the start.
        self.fontMetrics = QFontMetrics(QFont())
        levels: dict[float, Any] = {}
        inherited: dict[float, Any] = dict(getattr(self, "zoomLevels", {}))
        for density, level in inherited.items():
            mine = copy.copy(level)
            mine.exampleText = self.EXAMPLES.get(density, level.exampleText)
            levels[density] = mine
        self.zoomLevels = OrderedDict(levels)
        self._days_only = levels.get(5 * 86400)

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        return [self.format_tick(value, spacing) for value in values]

    def format_tick(self, value: float, spacing: float) -> str:
        """Days as ``Tue 24 Nov``, times as ``14:00`` (midnight shows the day instead)."""
        try:
            local = datetime.fromtimestamp(value, self._tz)
        except (OverflowError, OSError, ValueError):
            return ""
        if spacing >= 28 * 86400:
            return local.strftime("%b %Y")
        if spacing >= 86400 and self.zoomLevel is self._days_only:
            return local.strftime("%d %b")
        if spacing >= 86400 or (local.hour, local.minute, local.second) == (0, 0, 0):
            return local.strftime("%a %d %b")
        if spacing >= 60:
            return local.strftime("%H:%M")
        return local.strftime("%H:%M:%S")


class TickGrid(pg.GraphicsObject):  # type: ignore[misc]
    """Light grid lines at the axes' major ticks.

    pyqtgraph's own grid (``showGrid``) costs about 30 ms per repaint of a large plot, which
    alone would break the live-update budget; these few opaque lines cost well under 1 ms.
    """

    PEN_COLOR = "#e4e4e4"

    def __init__(self, item: pg.PlotItem, *, x: bool = True, y: bool = True) -> None:
        super().__init__()
        self._item = item
        self._axes = [name for name, wanted in (("bottom", x), ("left", y)) if wanted]
        self._pen = pg.mkPen(self.PEN_COLOR, width=1)
        self.setZValue(-1000)
        item.getViewBox().sigRangeChanged.connect(self._range_changed)

    def _range_changed(self, *_args: object) -> None:
        self.prepareGeometryChange()
        self.update()

    def boundingRect(self) -> Any:
        return self._item.getViewBox().viewRect()

    def paint(self, painter: Any, *_args: object) -> None:
        box = self._item.getViewBox()
        (x_low, x_high), (y_low, y_high) = box.viewRange()
        lines: list[tuple[QPointF, QPointF]] = []
        for name in self._axes:
            axis = self._item.getAxis(name)
            horizontal = name == "left"
            low, high = (y_low, y_high) if horizontal else (x_low, x_high)
            size = box.height() if horizontal else box.width()
            if not axis.isVisible() or size <= 1 or high <= low:
                continue
            for _spacing, values in axis.tickValues(low, high, size)[:1]:
                for value in values:
                    if horizontal:
                        lines.append((QPointF(x_low, value), QPointF(x_high, value)))
                    else:
                        lines.append((QPointF(value, y_low), QPointF(value, y_high)))
        # Draw in device pixels: view coordinates of epoch seconds (~1.7e9) are too large for
        # the raster engine's single-precision paths.
        transform = painter.transform()
        painter.save()
        painter.resetTransform()
        painter.setPen(self._pen)
        for begin, end in lines:
            painter.drawLine(transform.map(begin), transform.map(end))
        painter.restore()


def make_plot(
    tz: tzinfo | None,
    left_label: str,
    *,
    title: str | None = None,
    grid_x: bool = True,
    grid_y: bool = True,
) -> pg.PlotWidget:
    """A plot widget with a local date x axis (when ``tz`` is given) and labelled axes."""
    axes = {"bottom": LocalDateAxis(tz)} if tz is not None else {}
    widget = pg.PlotWidget(axisItems=axes, title=title)
    item = widget.getPlotItem()
    grid = TickGrid(item, x=grid_x, y=grid_y)
    item.addItem(grid, ignoreBounds=True)
    widget.tick_grid = grid  # the scene does not keep the Python object alive
    item.setLabel("left", left_label)
    if tz is not None:
        item.setLabel("bottom", f"Local time ({getattr(tz, 'key', str(tz))})")
    item.setMenuEnabled(False)
    item.hideButtons()
    return widget


class Crosshair:
    """A vertical line that follows the mouse and a box with the exact values under it.

    ``describe(x, y)`` returns the text for the box (empty hides it).
    """

    def __init__(self, plot: pg.PlotWidget, describe: Callable[[float, float], str]) -> None:
        self._plot = plot
        self._describe = describe
        item = plot.getPlotItem()
        self.line = pg.InfiniteLine(angle=90, movable=False, pen=pg.mkPen("#555555", width=1))
        self.label = pg.TextItem(
            color="#111111", fill=pg.mkBrush(255, 255, 255, 230), border=pg.mkPen("#999999")
        )
        self.label.setZValue(1000)
        for graphic in (self.line, self.label):
            graphic.hide()
            item.addItem(graphic, ignoreBounds=True)
        self._proxy = pg.SignalProxy(plot.scene().sigMouseMoved, rateLimit=30, slot=self._moved)

    @property
    def text(self) -> str:
        return str(self.label.toPlainText()) if self.label.isVisible() else ""

    def _moved(self, args: tuple[Any, ...]) -> None:
        position = args[0]
        box = self._plot.getPlotItem().vb
        if not box.sceneBoundingRect().contains(position):
            self.hide()
            return
        point = box.mapSceneToView(position)
        self.show_at(point.x(), point.y())

    def show_at(self, x: float, y: float) -> str:
        """Put the crosshair at view coordinates ``(x, y)``; returns the text shown."""
        text = self._describe(x, y)
        if not text:
            self.hide()
            return ""
        self.line.setPos(x)
        self.label.setText(text)
        box = self._plot.getPlotItem().vb
        (x_low, x_high), (y_low, y_high) = box.viewRange()
        right_half = x > (x_low + x_high) / 2
        self.label.setAnchor((1.05, 0) if right_half else (-0.05, 0))
        self.label.setPos(QPointF(x, y_low if box.yInverted() else y_high))  # top of the plot
        self.line.show()
        self.label.show()
        return text

    def hide(self) -> None:
        self.line.hide()
        self.label.hide()


class FollowPresent:
    """Keeps the present in view while the user has not panned away from it.

    When the user pans or zooms so that the present is out of sight, following stops; panning
    back to it starts following again.
    """

    def __init__(self, plot: pg.PlotWidget) -> None:
        self._box = plot.getPlotItem().vb
        self.following = True
        self.present = 0.0
        self._box.sigRangeChangedManually.connect(self._changed_by_user)

    def _changed_by_user(self, *_args: object) -> None:
        x_low, x_high = self._box.viewRange()[0]
        self.following = x_low <= self.present <= x_high + 1.0

    def advance(self, present: float) -> None:
        """Time moved on to ``present``: slide the view along when following."""
        x_low, x_high = self._box.viewRange()[0]
        previous, self.present = self.present, present
        if self.following and present > x_high and previous <= x_high + 1.0:
            shift = present - x_high
            self._box.setXRange(x_low + shift, present, padding=0)


def pen(color: QColor | str, width: float = 1.5, style: Qt.PenStyle = Qt.PenStyle.SolidLine) -> Any:
    return pg.mkPen(color=color, width=width, style=style)
