"""The main window's status bar: database, signed-in user, connection, last change seen."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLabel, QStatusBar, QWidget

from leanops_desktop.core.actor import Actor

REFRESH_MS = 15_000


def ago(then: datetime, now: datetime) -> str:
    """``"just now"``, ``"42 s ago"``, ``"5 min ago"``, ``"2 h ago"``."""
    seconds = max(0, int((now - then).total_seconds()))
    if seconds < 5:
        return "just now"
    if seconds < 60:
        return f"{seconds} s ago"
    if seconds < 3600:
        return f"{seconds // 60} min ago"
    return f"{seconds // 3600} h ago"


class FloorStatusBar(QStatusBar):
    """Four permanent fields on the right; temporary messages on the left."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizeGripEnabled(False)
        self.database_label = QLabel(self)
        self.user_label = QLabel(self)
        self.connection_label = QLabel(self)
        self.change_label = QLabel("No change seen yet", self)
        for label in (self.change_label, self.connection_label, self.user_label):
            self.addPermanentWidget(label)
        self.addPermanentWidget(self.database_label)
        self.last_change: datetime | None = None
        self.online = True
        self._timer = QTimer(self)
        self._timer.setInterval(REFRESH_MS)
        self._timer.timeout.connect(self._show_last_change)
        self.connection_label.setText("Updates after own actions")
        self.connection_label.setToolTip(
            "Live updates are off: the views refresh after your own actions and on Refresh (F5)"
        )

    def set_database(self, description: str) -> None:
        """Where the data lives, e.g. ``"SQLite C:/…/leanops.db"``."""
        self.database_label.setText(description)
        self.database_label.setToolTip(f"Database: {description}")

    def set_user(self, actor: Actor) -> None:
        self.user_label.setText(f"{actor.email} ({actor.role.value})")
        self.user_label.setToolTip(f"Signed in as {actor.email}, role {actor.role.value}")

    def set_connection(self, online: bool, message: str) -> None:
        """Show whether live updates arrive (``message`` explains an offline state)."""
        self.online = online
        if online:
            self.connection_label.setText("● Online")
            self.connection_label.setObjectName("ConnectionOnline")
        else:
            self.connection_label.setText("● Offline" + (f": {message}" if message else ""))
            self.connection_label.setObjectName("ConnectionOffline")
        self.connection_label.setToolTip(message or ("Connected" if online else "Disconnected"))
        style = self.connection_label.style()
        style.unpolish(self.connection_label)
        style.polish(self.connection_label)

    def note_change(self, when: datetime | None = None) -> None:
        """A change was seen (by the live feed or after an own action)."""
        self.last_change = when or datetime.now().astimezone()
        self._show_last_change()
        self._timer.start()

    def _show_last_change(self) -> None:
        if self.last_change is None:
            return
        local = self.last_change.astimezone()
        now = datetime.now().astimezone()
        self.change_label.setText(f"Last change {local:%H:%M:%S} ({ago(local, now)})")
        self.change_label.setToolTip(f"Last change seen at {local:%Y-%m-%d %H:%M:%S %Z}")
