"""Small building blocks of the kiosk: big buttons, styled labels, panels, the notice strip."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QSizePolicy, QWidget

from leanops_desktop.qt.kiosk.style import restyle

NOTICE_VISIBLE_MS = 8000


def big_button(text: str, tone: str = "", parent: QWidget | None = None) -> QPushButton:
    """A touch button that never takes keyboard focus (the barcode scanner types to the kiosk)."""
    button = QPushButton(text, parent)
    button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
    if tone:
        button.setProperty("tone", tone)
    return button


def styled_label(text: str = "", role: str = "", parent: QWidget | None = None) -> QLabel:
    label = QLabel(text, parent)
    if role:
        label.setProperty("role", role)
    return label


def panel(parent: QWidget | None = None) -> QFrame:
    frame = QFrame(parent)
    frame.setProperty("role", "panel")
    return frame


class NoticeStrip(QFrame):
    """One message in large type, tap anywhere on it to dismiss.

    Information disappears by itself after a few seconds; warnings and errors stay until
    they are dismissed or replaced.
    """

    dismissed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Notice")
        self._label = QLabel(self)
        self._label.setWordWrap(True)
        self._close = big_button("OK", parent=self)
        self._close.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Preferred)
        self._close.clicked.connect(self.dismiss)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(16, 6, 8, 6)
        layout.addWidget(self._label, 1)
        layout.addWidget(self._close)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.dismiss)
        self.hide()

    def show_notice(self, level: str, text: str) -> None:
        self._label.setText(text)
        self.setProperty("level", level)
        restyle(self)
        self.show()
        if level == "info":
            self._timer.start(NOTICE_VISIBLE_MS)
        else:
            self._timer.stop()

    def text(self) -> str:
        return "" if self.isHidden() else self._label.text()

    def level(self) -> str:
        return str(self.property("level") or "")

    def dismiss(self) -> None:
        self._timer.stop()
        self.hide()
        self.dismissed.emit()

    def mousePressEvent(self, event: object) -> None:
        self.dismiss()
