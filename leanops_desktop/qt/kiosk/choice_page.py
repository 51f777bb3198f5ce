"""A full-screen question with big answers: block reasons and every confirmation.

The kiosk never opens a modal dialog (small buttons, and a scanner's keystrokes would go
astray); it shows this page instead and acts on the answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from leanops_desktop.qt.kiosk.widgets import big_button, styled_label

CANCEL = ""


@dataclass(frozen=True, slots=True)
class Choice:
    """One answer: ``key`` is what :attr:`ChoicePage.chosen` reports."""

    key: str
    label: str
    tone: str = ""


class ChoicePage(QFrame):
    """Title, explanation, an optional warning, and a grid of answers plus Cancel."""

    chosen = Signal(str, str)  # (question id, answer key; CANCEL for cancel)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.question_id = ""
        self.title = styled_label("", "title", self)
        self.text = styled_label("", "", self)
        self.text.setWordWrap(True)
        self.warning = styled_label("", "late", self)
        self.warning.setWordWrap(True)
        self._grid = QGridLayout()
        self._grid.setSpacing(14)
        self.cancel_button = big_button("Cancel", "", self)
        self.cancel_button.clicked.connect(lambda: self._answer(CANCEL))
        self.buttons: dict[str, QPushButton] = {}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 16, 24, 16)
        layout.setSpacing(14)
        layout.addWidget(self.title)
        layout.addWidget(self.text)
        layout.addWidget(self.warning)
        layout.addLayout(self._grid)
        layout.addStretch(1)
        layout.addWidget(self.cancel_button)

    def ask(
        self,
        question_id: str,
        title: str,
        text: str,
        choices: Sequence[Choice],
        *,
        warning: str = "",
        columns: int = 2,
    ) -> None:
        """Show a question; the answer arrives as ``chosen(question_id, key)``."""
        self.question_id = question_id
        self.title.setText(title)
        self.text.setText(text)
        self.text.setVisible(bool(text))
        self.warning.setText(warning)
        self.warning.setVisible(bool(warning))
        for button in self.buttons.values():
            self._grid.removeWidget(button)
            button.hide()
            button.deleteLater()
        self.buttons = {}
        for index, choice in enumerate(choices):
            button = big_button(choice.label, choice.tone, self)
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            button.setMinimumHeight(round(self.cancel_button.sizeHint().height() * 1.6))
            button.clicked.connect(lambda _=False, key=choice.key: self._answer(key))
            self._grid.addWidget(button, index // columns, index % columns)
            self.buttons[choice.key] = button

    def _answer(self, key: str) -> None:
        self.chosen.emit(self.question_id, key)
