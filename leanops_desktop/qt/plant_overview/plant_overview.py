"""The plant overview: every station as a tile, grouped by production line.

It is a view over every row of the station table model (``all_rows()``: the stations
dock's search filter does not hide tiles). After any change of the model the tiles are
synced: a tile whose row changed repaints, and only added or removed stations, or a station
moved to another line, rebuild the sections. Tiles share one column grid across lines.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from typing import Protocol

from PySide6.QtCore import QAbstractItemModel, QPoint, Qt, QTimer
from PySide6.QtCore import Signal as _Signal
from PySide6.QtGui import QKeyEvent, QResizeEvent
from PySide6.QtWidgets import (
    QFrame,
    QLabel,
    QScrollArea,
    QWidget,
)

from leanops_desktop.core.enums import StationStatus
from leanops_desktop.core.rows import StationRow
from leanops_desktop.qt.models.presentation import natural_key
from leanops_desktop.qt.plant_overview.station_tile import StationTile
from leanops_desktop.qt.plant_overview.tile_layout import (
    FULL_MIN_WIDTH,
    HEADER_HEIGHT,
    SPACING,
    Placement,
    TilePlan,
    plan_tiles,
)

MARGIN = 10
#: How often blocked times ("1 h 20 min") and "late" are brought up to date.
CLOCK_INTERVAL_MS = 30_000


class StationSource(Protocol):
    """What the overview needs from the station model."""

    def all_rows(self) -> list[StationRow]: ...


def line_summary(rows: list[StationRow]) -> str:
    """``"2 running · 1 idle · 1 blocked"`` (and how many are not in use)."""
    active = [row for row in rows if row.is_active]
    counts = Counter(row.status for row in active)
    parts = [
        f"{counts[status]} {status.value}"
        for status in (StationStatus.RUNNING, StationStatus.IDLE, StationStatus.BLOCKED)
        if counts[status]
    ]
    if len(active) < len(rows):
        parts.append(f"{len(rows) - len(active)} not in use")
    return " · ".join(parts)


class _LineSection(QWidget):
    """A line's heading and its tiles (placed by :meth:`arrange`)."""

    def __init__(self, line: str, parent: QWidget) -> None:
        super().__init__(parent)
        self.line = line
        self.title = QLabel(line, self)
        self.title.setObjectName("LineHeader")
        self.summary = QLabel(self)
        self.summary.setObjectName("LineSummary")
        self.tiles: list[StationTile] = []

    def arrange(self, plan: TilePlan, placement: Placement) -> None:
        width = plan.section_width(placement.columns)
        self.setGeometry(placement.x, placement.y, width, plan.section_height(placement.rows))
        self.title.adjustSize()
        title_width = self.title.sizeHint().width()
        self.title.setGeometry(0, 0, title_width, HEADER_HEIGHT - 6)
        self.summary.setGeometry(
            title_width + 12, 0, max(0, width - title_width - 12), HEADER_HEIGHT - 6
        )
        for position, tile in enumerate(self.tiles):
            row, column = divmod(position, placement.columns)
            tile.set_compact(plan.compact)
            tile.setGeometry(
                column * (plan.tile_width + SPACING),
                HEADER_HEIGHT + row * (plan.tile_height + SPACING),
                plan.tile_width,
                plan.tile_height,
            )

    def refresh_summary(self) -> None:
        self.summary.setText(line_summary([tile.row for tile in self.tiles]))


class PlantOverview(QScrollArea):
    """Station tiles by line; selection, activation, context menus and job drops."""

    station_selected = _Signal(object)  # str | None
    station_activated = _Signal(str)
    context_menu_requested = _Signal(str, QPoint)
    job_dropped = _Signal(str, str)  # job id, station id

    def __init__(self, model: QAbstractItemModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("PlantOverview")
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._model = model
        self._tiles: dict[str, StationTile] = {}
        self._sections: dict[str, _LineSection] = {}
        self._selected: str | None = None
        self._oee: dict[str, float | None] = {}
        self.plan: TilePlan | None = None
        self._body = QWidget(self)
        self._body.setObjectName("PlantOverview")
        self._empty = QLabel(
            "No stations yet. Add one with Stations ▸ New station (Ctrl+Shift+N).", self._body
        )
        self._empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._empty.setObjectName("LineSummary")
        self.setWidget(self._body)
        for signal in (
            model.modelReset,
            model.rowsInserted,
            model.rowsRemoved,
            model.layoutChanged,
            model.dataChanged,
        ):
            signal.connect(self.sync)
        self._clock = QTimer(self)
        self._clock.setInterval(CLOCK_INTERVAL_MS)
        self._clock.timeout.connect(self.refresh_clock)
        self._clock.start()
        self.rebuild()

    # -- public --------------------------------------------------------------------------

    def tile(self, station_id: str) -> StationTile | None:
        return self._tiles.get(station_id)

    def tiles(self) -> list[StationTile]:
        """Tiles in reading order (line by line)."""
        return [tile for section in self._sections.values() for tile in section.tiles]

    def selected_station_id(self) -> str | None:
        return self._selected

    def select_station(self, station_id: str | None) -> None:
        if station_id is not None and station_id not in self._tiles:
            station_id = None
        if station_id == self._selected:
            return
        self._selected = station_id
        for key, tile in self._tiles.items():
            tile.set_selected(key == station_id)
        if station_id is not None:
            self.ensureWidgetVisible(self._tiles[station_id])
        self.station_selected.emit(station_id)

    def set_oee(self, by_station: dict[str, float | None]) -> None:
        """Each tile's OEE of the current shift (a station not named has none)."""
        self._oee = dict(by_station)
        for station_id, tile in self._tiles.items():
            tile.set_oee(self._oee.get(station_id))

    def refresh_clock(self) -> None:
        """Time passed: blocked times and "late" flags read anew."""
        for tile in self._tiles.values():
            tile.refresh_clock()
        self._even_type()

    # -- model -> tiles ------------------------------------------------------------------

    def _rows(self) -> list[StationRow]:
        source: StationSource = self._model  # type: ignore[assignment]
        return sorted(
            source.all_rows(), key=lambda row: (natural_key(row.line), natural_key(row.id))
        )

    def rebuild(self) -> None:
        """Recreate the sections and tiles from the model (structure changed)."""
        rows = self._rows()
        for section in self._sections.values():
            section.hide()
            section.deleteLater()
        self._sections.clear()
        self._tiles.clear()
        for row in rows:
            if row.line not in self._sections:
                self._sections[row.line] = _LineSection(row.line, self._body)
                self._sections[row.line].show()
            section = self._sections[row.line]
            tile = StationTile(row, section)
            tile.set_oee(self._oee.get(row.id))
            tile.clicked.connect(self.select_station)
            tile.activated.connect(self.station_activated)
            tile.context_menu_requested.connect(self.context_menu_requested)
            tile.job_dropped.connect(self.job_dropped)
            section.tiles.append(tile)
            tile.show()
            self._tiles[row.id] = tile
        self._empty.setVisible(not rows)
        for section in self._sections.values():
            section.refresh_summary()
        self.plan = None
        self._relayout()
        selected, self._selected = self._selected, None
        self.select_station(selected)

    def sync(self, *_: object) -> None:
        """Bring the tiles up to date with the model (repaint only the changed ones)."""
        rows = self._rows()
        shown = [tile.row for tile in self.tiles()]
        if [(row.id, row.line) for row in rows] != [(row.id, row.line) for row in shown]:
            self.rebuild()
            return
        changed_lines = set()
        for row in rows:
            tile = self._tiles[row.id]
            if tile.row != row:
                tile.set_row(row)
                changed_lines.add(row.line)
        for line in changed_lines:
            self._sections[line].refresh_summary()
        if changed_lines:
            self._even_type()

    def _even_type(self) -> None:
        """Every tile writes at one size: the largest at which each one fits its lines."""
        tiles = list(self._tiles.values())
        if not tiles:
            return
        cap = min(tile.best_scale() for tile in tiles)
        for tile in tiles:
            tile.set_scale_cap(cap)

    # -- layout and keys -----------------------------------------------------------------

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._relayout()

    def _relayout(self) -> None:
        """Place sections and tiles for the space the viewport has now."""
        viewport = self.viewport()
        width = max(viewport.width() - 2 * MARGIN, FULL_MIN_WIDTH)
        height = max(viewport.height() - 2 * MARGIN, 0)
        sections = list(self._sections.values())
        plan = plan_tiles([len(section.tiles) for section in sections], width, height)
        for section, placement in zip(sections, plan.placements, strict=True):
            section.arrange(
                plan, replace(placement, x=placement.x + MARGIN, y=placement.y + MARGIN)
            )
        self.plan = plan
        self._even_type()
        self._body.setMinimumSize(width + 2 * MARGIN, plan.height + 2 * MARGIN)
        self._empty.setGeometry(0, 0, viewport.width(), max(viewport.height(), 80))

    def comfortable_height(self, width: int) -> int:
        """The height the tiles need at ``width`` to be as large as they get."""
        sizes = [len(section.tiles) for section in self._sections.values()]
        if not sizes:
            return 0
        plan = plan_tiles(sizes, max(width - 2 * MARGIN, FULL_MIN_WIDTH), 1 << 20)
        return plan.height + 2 * MARGIN

    def columns(self) -> int:
        return self.plan.columns if self.plan else 0

    def keyPressEvent(self, event: QKeyEvent) -> None:
        order = [tile.station_id for tile in self.tiles()]
        if not order:
            super().keyPressEvent(event)
            return
        step = {
            Qt.Key.Key_Right: 1,
            Qt.Key.Key_Left: -1,
            Qt.Key.Key_Down: self.columns(),
            Qt.Key.Key_Up: -self.columns(),
        }.get(Qt.Key(event.key()))
        if step is None:
            super().keyPressEvent(event)
            return
        current = order.index(self._selected) if self._selected in order else -step
        target = order[max(0, min(len(order) - 1, current + step))]
        self.select_station(target)
        self._tiles[target].setFocus(Qt.FocusReason.TabFocusReason)
