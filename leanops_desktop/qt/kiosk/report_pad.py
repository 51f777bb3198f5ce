"""Entering quantities: the +1/+5/+10 row and a numeric keypad, both gloves-sized."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QGridLayout, QHBoxLayout, QPushButton, QWidget

from leanops_desktop.qt.kiosk.widgets import big_button, styled_label

QUICK_AMOUNTS = (1, 5, 10)
MAX_DIGITS = 6


class QuickCountRow(QFrame):
    """+1, +5 and +10: one tap, one report."""

    quantity_entered = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(14)
        self.buttons: dict[int, QPushButton] = {}
        for amount in QUICK_AMOUNTS:
            button = big_button(f"+{amount}", "plus", self)
            button.setAccessibleName(f"Count {amount}")
            button.clicked.connect(lambda _=False, n=amount: self.quantity_entered.emit(n))
            layout.addWidget(button)
            self.buttons[amount] = button


class Keypad(QFrame):
    """Digits, delete and "Count": for larger amounts than the quick buttons."""

    quantity_entered = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setProperty("role", "panel")
        self.display = styled_label("", "display", self)
        self.display.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.buttons: dict[str, QPushButton] = {}
        grid = QGridLayout(self)
        grid.setContentsMargins(12, 12, 12, 12)
        grid.setSpacing(10)
        grid.addWidget(self.display, 0, 0, 1, 3)
        keys = ("7", "8", "9", "4", "5", "6", "1", "2", "3", "⌫", "0", "C")
        for index, key in enumerate(keys):
            button = big_button(key, "key", self)
            button.clicked.connect(lambda _=False, k=key: self.press(k))
            grid.addWidget(button, 1 + index // 3, index % 3)
            self.buttons[key] = button
        self.buttons["⌫"].setAccessibleName("Delete last digit")
        self.buttons["C"].setAccessibleName("Clear")
        count = big_button("Count", "go", self)
        count.clicked.connect(self.submit)
        grid.addWidget(count, 5, 0, 1, 3)
        self.buttons["Count"] = count
        for row in range(1, 6):
            grid.setRowStretch(row, 1)
        self._refresh()

    @property
    def text(self) -> str:
        return str(self.display.property("digits") or "")

    def press(self, key: str) -> None:
        digits = self.text
        if key == "⌫":
            digits = digits[:-1]
        elif key == "C":
            digits = ""
        elif key.isdigit() and len(digits) < MAX_DIGITS:
            digits = (digits + key).lstrip("0") or ("0" if key == "0" else "")
        self.display.setProperty("digits", digits)
        self._refresh()

    def submit(self) -> None:
        """Report the typed amount (an empty pad reports nothing)."""
        digits = self.text
        if not digits:
            return
        self.display.setProperty("digits", "")
        self._refresh()
        self.quantity_entered.emit(int(digits))

    def _refresh(self) -> None:
        digits = self.text
        self.display.setText(digits or "0")
        self.buttons["Count"].setText(f"Count {digits}" if digits else "Count")
