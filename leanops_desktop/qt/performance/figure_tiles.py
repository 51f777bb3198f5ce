"""KeyFigureTiles: units, units/h, utilisation, blocked time, on-time rate and OEE at a glance.

Each tile shows the chosen range in large type and the current shift beneath it; the OEE
tile shows the range's OEE with its availability, performance and quality beneath (the OEE
tab's total, read with the other figures and again after live changes).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from leanops_desktop.services.analytics import KeyFigures
from leanops_desktop.services.oee.figures import OeeFigures

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


OEE_KEY = "oee"


def oee_texts(total: OeeFigures | None) -> tuple[str, str]:
    """(the OEE, its factors) of the range: ``("72 %", "A 92 % · P 88 % · Q 98 %")``."""
    if total is None or total.planned_s <= 0:
        return "–", "No planned production time" if total is not None else ""
    factors = (
        ("A", total.availability),
        ("P", total.performance),
        ("Q", total.quality),
    )
    return _percent(total.oee), " · ".join(f"{name} {_percent(v)}" for name, v in factors)


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
        self.oee = _Tile("OEE", self)
        self.oee.setToolTip("OEE = availability (A) × performance (P) × quality (Q), range")
        layout.addWidget(self.oee)

    def set_figures(
        self, in_range: KeyFigures | None, in_shift: KeyFigures | None, shift_name: str
    ) -> None:
        values = figure_texts(in_range)
        shift = figure_texts(in_shift)
        for key, tile in self.tiles.items():
            tile.value.setText(values[key])
            tile.shift.setText(f"This shift ({shift_name}): {shift[key]}" if shift_name else "")

    def set_oee(self, total: OeeFigures | None) -> None:
        """The range's OEE (the OEE tab's total) and its factors beneath."""
        value, factors = oee_texts(total)
        self.oee.value.setText(value)
        self.oee.shift.setText(factors)

    def texts(self) -> dict[str, tuple[str, str]]:
        shown = {key: (tile.value.text(), tile.shift.text()) for key, tile in self.tiles.items()}
        shown[OEE_KEY] = (self.oee.value.text(), self.oee.shift.text())
        return shown
