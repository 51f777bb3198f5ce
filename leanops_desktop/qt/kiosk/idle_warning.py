"""The last seconds before an idle sign-out: "Still there? Tap anywhere" over the page, with
the seconds left. A tap (or any key) anywhere keeps the operator signed in. Only Qt timers:
it works the same offline."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QFrame, QVBoxLayout, QWidget

from leanops_desktop.qt.kiosk.idle import IdleWatcher
from leanops_desktop.qt.kiosk.widgets import styled_label

#: The warning shows for the last 30 s (or the last half of a shorter idle time).
WARN_MS = 30_000
TICK_MS = 200


class IdleWarning(QFrame):
    """An overlay over the whole kiosk, shown while the idle sign-out is near."""

    def __init__(self, idle: IdleWatcher, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("IdleWarning")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.idle = idle
        self.title = styled_label("Still there? Tap anywhere", "title", self)
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.countdown = styled_label("", "display", self)
        self.countdown.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(self.title)
        layout.addWidget(self.countdown)
        layout.addStretch(1)
        self._ticker = QTimer(self)
        self._ticker.setInterval(TICK_MS)
        self._ticker.timeout.connect(self.tick)
        self._ticker.start()
        idle.timed_out.connect(self.hide)
        self.hide()

    @property
    def warn_ms(self) -> int:
        return min(WARN_MS, self.idle.timeout_ms // 2)

    def tick(self) -> None:
        remaining = self.idle.remaining_ms
        if remaining < 0 or remaining > self.warn_ms:
            self.hide()
            return
        seconds = max(1, -(-remaining // 1000))
        self.countdown.setText(f"Signing out in {seconds} s")
        parent = self.parentWidget()
        if parent is not None:
            self.setGeometry(parent.rect())
        if self.isHidden():
            self.show()
            self.raise_()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self.hide()  # the application's event filter has restarted the idle time
        event.accept()
