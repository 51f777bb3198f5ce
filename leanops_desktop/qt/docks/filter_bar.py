"""FilterBar: the search box and filter choices above a floor table.

Each dock asks for the filters its model supports (line, status, priority, due within N
days, event type); the bar turns the choices into one :class:`RowFilter` and reports it
with ``filter_changed``. Typing is debounced so a 100,000-row table filters once per pause.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QSize, QTimer, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLineEdit, QWidget

from leanops_desktop.qt.models.row_filter import RowFilter

TYPING_DELAY_MS = 150
COMBO_MIN_WIDTH = 84

Choices = Sequence[tuple[str, Any]]

PRIORITY_CHOICES: Choices = (("Any priority", None), ("High", "high"), ("Normal", "normal"))
DUE_CHOICES: Choices = (
    ("Any due date", None),
    ("Overdue or due today", 0),
    ("Due within 3 days", 3),
    ("Due within 7 days", 7),
    ("Due within 14 days", 14),
    ("Due within 30 days", 30),
)


@dataclass(frozen=True, slots=True)
class FilterOptions:
    """Which filters a bar shows; ``status`` and ``event_type`` give their choices."""

    line: bool = False
    status: Choices | None = None
    priority: bool = False
    due: bool = False
    event_type: Choices | None = None
    placeholder: str = "Search…"


class FilterCombo(QComboBox):
    """A combo as wide as its longest choice when there is room, narrower when there is not
    (a narrow dock or window elides the text instead of forcing the window wider)."""

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        hint.setWidth(min(hint.width(), COMBO_MIN_WIDTH))
        return hint


def _combo(parent: QWidget, name: str, choices: Choices) -> QComboBox:
    combo = FilterCombo(parent)
    combo.setObjectName(name)
    for text, value in choices:
        combo.addItem(text, value)
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
    return combo


class FilterBar(QWidget):
    """Search box plus the filter combos of one dock."""

    filter_changed = Signal(object)  # RowFilter

    def __init__(self, options: FilterOptions, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.options = options
        self.search = QLineEdit(self)
        self.search.setObjectName("search")
        self.search.setPlaceholderText(options.placeholder)
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(110)
        self.line_combo = _combo(self, "line", (("All lines", None),)) if options.line else None
        self.status_combo = _combo(self, "status", options.status) if options.status else None
        self.priority_combo = (
            _combo(self, "priority", PRIORITY_CHOICES) if options.priority else None
        )
        self.due_combo = _combo(self, "due", DUE_CHOICES) if options.due else None
        self.event_combo = (
            _combo(self, "event_type", options.event_type) if options.event_type else None
        )
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(6)
        row.addWidget(self.search, 1)
        for combo in self.combos():
            row.addWidget(combo)
            combo.currentIndexChanged.connect(self._emit)
        self._typing = QTimer(self)
        self._typing.setSingleShot(True)
        self._typing.setInterval(TYPING_DELAY_MS)
        self._typing.timeout.connect(self._emit)
        self.search.textChanged.connect(self._typing.start)
        self._last = RowFilter()
        self._applying = False

    def combos(self) -> list[QComboBox]:
        return [
            combo
            for combo in (
                self.line_combo,
                self.status_combo,
                self.priority_combo,
                self.due_combo,
                self.event_combo,
            )
            if combo is not None
        ]

    def row_filter(self) -> RowFilter:
        """The filter the controls show now."""
        return RowFilter(
            text=self.search.text(),
            line=self.line_combo.currentData() if self.line_combo else None,
            status=self.status_combo.currentData() if self.status_combo else None,
            priority=self.priority_combo.currentData() if self.priority_combo else None,
            due_within_days=self.due_combo.currentData() if self.due_combo else None,
            event_type=self.event_combo.currentData() if self.event_combo else None,
        )

    def set_row_filter(self, row_filter: RowFilter) -> None:
        """Show ``row_filter`` in the controls (and report it at once)."""
        self._applying = True
        try:
            self.search.setText(row_filter.text)
            if self.line_combo is not None and row_filter.line is not None:
                self.set_lines([*self.lines(), row_filter.line])
            self._select(self.line_combo, row_filter.line)
            self._select(self.status_combo, row_filter.status)
            self._select(self.priority_combo, row_filter.priority)
            if self.due_combo is not None and row_filter.due_within_days is not None:
                self._ensure_due_choice(row_filter.due_within_days)
            self._select(self.due_combo, row_filter.due_within_days)
            self._select(self.event_combo, row_filter.event_type)
        finally:
            self._applying = False
        self._typing.stop()
        self._emit()

    def clear(self) -> None:
        """Back to "show everything"."""
        self.set_row_filter(RowFilter())

    def lines(self) -> list[str]:
        if self.line_combo is None:
            return []
        return [self.line_combo.itemData(i) for i in range(1, self.line_combo.count())]

    def set_lines(self, lines: Sequence[str]) -> None:
        """Offer these production lines (the current choice is kept when still offered)."""
        combo = self.line_combo
        if combo is None:
            return
        unique = list(dict.fromkeys(lines))
        if unique == self.lines():
            return
        current = combo.currentData()
        combo.blockSignals(True)
        try:
            while combo.count() > 1:
                combo.removeItem(1)
            for line in unique:
                combo.addItem(line, line)
            index = combo.findData(current) if current is not None else 0
            combo.setCurrentIndex(max(index, 0))
        finally:
            combo.blockSignals(False)
        if current is not None and combo.currentData() != current:
            self._emit()

    def flush(self) -> None:
        """Apply typed text now instead of after the typing pause."""
        if self._typing.isActive():
            self._typing.stop()
            self._emit()

    def _select(self, combo: QComboBox | None, value: Any) -> None:
        if combo is None:
            return
        index = combo.findData(value) if value is not None else 0
        combo.setCurrentIndex(max(index, 0))

    def _ensure_due_choice(self, days: int) -> None:
        assert self.due_combo is not None
        if self.due_combo.findData(days) < 0:
            self.due_combo.addItem(f"Due within {days} days", days)

    def _emit(self) -> None:
        if self._applying:
            return
        current = self.row_filter()
        if current != self._last:
            self._last = current
            self.filter_changed.emit(current)
