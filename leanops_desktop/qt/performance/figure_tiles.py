"""KeyFigureTiles: units, units/h, utilisation, blocked time and on-time rate at a glance.

Each tile shows the chosen range in large type and the current shift beneath it.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from leanops_desktop.services.analytics import KeyFigures

TILES = (
    ("units", "Units"),
    ("rate", "Units / hour"),
    ("utilisation", "Utilisation"),
    ("blocked", "Blocked time"),
    ("on_time", "On-time rate"),
)


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


def _hours(seconds: float) -> str:
    hours = seconds / 3600
    return f"{hours:.1f} h" if hours < 100 else f"{hours:,.0f} h"


def figure_texts(figures: KeyFigures | None) -> dict[str, str]:
    """The text of each tile for one set of figures."""
    if figures is None:
        return {key: "–" for key, _title in TILES}
    rate = figures.units_per_hour
    on_time = _percent(figures.on_time_rate)
    if figures.completed_jobs:
        on_time += f" of {figures.completed_jobs}"
    return {
        "units": f"{figures.units:,}",
        "rate": "–" if rate is None else f"{rate:,.1f}",
        "utilisation": _percent(figures.utilisation),
        "blocked": _hours(figures.blocked_s),
        "on_time": on_time,
    }


class _Tile(QFrame):
    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("KeyFigureTile")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.title = QLabel(title, self)
        self.value = QLabel("–", self)
        self.value.setObjectName("KeyFigureValue")
        font = self.value.font()
        font.setPointSizeF(font.pointSizeF() * 1.8)
        font.setBold(True)
        self.value.setFont(font)
        self.shift = QLabel("", self)
        self.shift.setObjectName("KeyFigureShift")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        layout.setSpacing(0)
        for label in (self.title, self.value, self.shift):
            label.setAlignment(Qt.AlignmentFlag.AlignLeft)
            layout.addWidget(label)


class KeyFigureTiles(QWidget):
    """A row of tiles; ``texts()`` returns what they show (for tests and export)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.tiles: dict[str, _Tile] = {}
        for key, title in TILES:
            tile = _Tile(title, self)
            layout.addWidget(tile)
            self.tiles[key] = tile

    def set_figures(
        self, in_range: KeyFigures | None, in_shift: KeyFigures | None, shift_name: str
    ) -> None:
        values = figure_texts(in_range)
        shift = figure_texts(in_shift)
        for key, tile in self.tiles.items():
            tile.value.setText(values[key])
            tile.shift.setText(f"This shift ({shift_name}): {shift[key]}" if shift_name else "")

    def texts(self) -> dict[str, tuple[str, str]]:
        return {key: (tile.value.text(), tile.shift.text()) for key, tile in self.tiles.items()}
