"""The Notifications dock: andon alerts, newest first, each acknowledged with one button."""

from __future__ import annotations

from datetime import tzinfo

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QDockWidget,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from leanops_desktop.qt.models.status_colors import BLOCKED_HEX, IDLE_HEX
from leanops_desktop.services.andon.rules import Alert, AndonRule

ALERT_ROLE = Qt.ItemDataRole.UserRole + 1
RULE_TITLES = {
    AndonRule.BLOCKED_TOO_LONG: "Blocked too long",
    AndonRule.JOB_AT_RISK: "Job at risk",
    AndonRule.STATION_SILENT: "No reports",
}
RULE_HEX = {
    AndonRule.BLOCKED_TOO_LONG: BLOCKED_HEX,
    AndonRule.JOB_AT_RISK: IDLE_HEX,
    AndonRule.STATION_SILENT: IDLE_HEX,
}


def alert_line(alert: Alert, tz: tzinfo) -> str:
    return f"{alert.raised_at.astimezone(tz):%H:%M}  {RULE_TITLES[alert.rule]}: {alert.text}"


class NotificationsDock(QDockWidget):
    """The list of alerts; says which one the user wants to acknowledge."""

    acknowledge_requested = Signal(object)  # Alert

    def __init__(self, tz: tzinfo, parent: QWidget | None = None) -> None:
        super().__init__("Notifications", parent)
        self.setObjectName("NotificationsDock")
        # Not closable: the View menu knows only the floor docks, and a closed dock would
        # hide every later alert until the next start.
        self.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetFloatable
        )
        self._tz = tz
        body = QWidget(self)
        layout = QVBoxLayout(body)
        self.list = QListWidget(body)
        self.list.setAccessibleName("Andon notifications")
        self.list.setWordWrap(True)
        self.status = QLabel("No alerts", body)
        self.status.setWordWrap(True)
        self.acknowledge_button = QPushButton("Acknowledge", body)
        self.acknowledge_button.setEnabled(False)
        self.acknowledge_button.clicked.connect(self._acknowledge_current)
        self.list.currentItemChanged.connect(lambda *_: self._update_button())
        layout.addWidget(self.list)
        layout.addWidget(self.status)
        layout.addWidget(self.acknowledge_button)
        self.setWidget(body)
        self._items: dict[str, QListWidgetItem] = {}
        self._acknowledged: set[str] = set()
        self._busy: set[str] = set()

    def alerts(self) -> list[Alert]:
        """The alerts shown, newest first."""
        return [self.list.item(row).data(ALERT_ROLE) for row in range(self.list.count())]

    def is_acknowledged(self, key: str) -> bool:
        return key in self._acknowledged

    def add_alert(self, alert: Alert) -> None:
        if alert.key in self._items:
            return
        item = QListWidgetItem(alert_line(alert, self._tz))
        item.setData(ALERT_ROLE, alert)
        item.setForeground(QBrush(QColor(RULE_HEX[alert.rule]).darker(130)))
        bold = QFont(item.font())
        bold.setBold(True)
        item.setFont(bold)
        self.list.insertItem(0, item)
        self._items[alert.key] = item
        if self.list.currentItem() is None:
            self.list.setCurrentItem(item)
        self._update_status()

    def mark_acknowledged(self, key: str) -> None:
        self._busy.discard(key)
        self._acknowledged.add(key)
        item = self._items.get(key)
        if item is not None:
            item.setText(f"✓ {item.text().removeprefix('✓ ')}")
            item.setForeground(self.palette().brush(self.palette().ColorRole.PlaceholderText))
            item.setFont(QFont(self.list.font()))
        self._update_status()

    def acknowledge_failed(self, key: str, message: str) -> None:
        self._busy.discard(key)
        self._update_button()
        self.status.setText(message)

    def _current(self) -> Alert | None:
        item = self.list.currentItem()
        alert = item.data(ALERT_ROLE) if item is not None else None
        return alert if isinstance(alert, Alert) else None

    def _acknowledge_current(self) -> None:
        alert = self._current()
        if alert is None or alert.key in self._acknowledged or alert.key in self._busy:
            return
        self._busy.add(alert.key)
        self._update_button()
        self.acknowledge_requested.emit(alert)

    def _update_button(self) -> None:
        alert = self._current()
        self.acknowledge_button.setEnabled(
            alert is not None
            and alert.key not in self._acknowledged
            and alert.key not in self._busy
        )

    def _update_status(self) -> None:
        open_count = len(self._items) - len(self._acknowledged & set(self._items))
        self.status.setText(f"{open_count} to acknowledge" if open_count else "No open alerts")
        self._update_button()
