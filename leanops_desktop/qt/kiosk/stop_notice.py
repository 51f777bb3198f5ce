"""The work page's strip about a stop nobody explained yet: "Stopped 10:12–10:40 (28 min) —
what happened?" and a big "Explain" button (which says so when it needs the connection)."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QSizePolicy, QWidget

from leanops_desktop.qt.kiosk.widgets import big_button, styled_label
from leanops_desktop.services.downtime.stops import StopRow

EXPLAIN = "Explain"
NEEDS_CONNECTION = "Explain: needs the connection"


def stop_text(stop: StopRow, now: datetime) -> str:
    """``Stopped 10:12–10:40 (28 min)``, or ``Stopped since 10:12 (28 min so far)``."""
    start = stop.started_at.astimezone().strftime("%H:%M")
    minutes = f"{stop.minutes(now):,.0f} min"
    if stop.ended_at is None:
        return f"Stopped since {start} ({minutes} so far)"
    return f"Stopped {start}–{stop.ended_at.astimezone().strftime('%H:%M')} ({minutes})"


class StopNotice(QFrame):
    """The newest unexplained stop of the station, and how many more there are."""

    explain_clicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("StopNotice")
        self.label = styled_label("", "", self)
        self.label.setWordWrap(True)
        self.label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.button = big_button(EXPLAIN, "warn", self)
        self.button.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Expanding)
        self.button.setAccessibleName("Explain the stop")
        self.button.clicked.connect(self.explain_clicked)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(14, 6, 8, 6)
        layout.setSpacing(12)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.button)
        self.hide()

    def show_stops(self, stops: list[StopRow], now: datetime) -> None:
        """Show the first of ``stops`` (hidden when there is none)."""
        if not stops:
            self.hide()
            return
        more = f" ({len(stops) - 1} more)" if len(stops) > 1 else ""
        self.label.setText(f"{stop_text(stops[0], now)} — what happened?{more}")
        self.show()

    def set_online(self, online: bool) -> None:
        """Classifying needs the server: offline the button says so and does nothing."""
        self.button.setEnabled(online)
        self.button.setText(EXPLAIN if online else NEEDS_CONNECTION)
