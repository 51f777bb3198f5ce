"""Giving a supervisor's window its Notifications dock and andon checks."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QSystemTrayIcon

from leanops_desktop.config import SiteConfig
from leanops_desktop.core.permissions import Action, allowed
from leanops_desktop.qt.andon.andon_controller import AndonController
from leanops_desktop.qt.andon.notifications_dock import NotificationsDock
from leanops_desktop.services.analytics_time import local_zone
from leanops_desktop.services.andon.rules import AndonThresholds

if TYPE_CHECKING:
    from leanops_desktop.qt.main_window import MainWindow


def attach_andon(
    window: MainWindow,
    config: SiteConfig,
    *,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> AndonController | None:
    """The dock (right side) and its checks, for supervisors and admins; None for others."""
    if not allowed(window.actor.role, Action.ACKNOWLEDGE_ALERTS):
        return None
    zone = local_zone()
    dock = NotificationsDock(zone, window)
    window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
    tray = None
    if QSystemTrayIcon.isSystemTrayAvailable():
        tray = QSystemTrayIcon(window.windowIcon(), window)
        tray.setToolTip("LeanOps")
        tray.show()
    controller = AndonController(
        window.db,
        window.actor,
        window.runner,
        dock,
        thresholds=AndonThresholds(config.andon_blocked_minutes, config.andon_silent_minutes),
        tz=zone,
        clock=clock,
        tray=tray,
    )
    window.live_feed.changes_arrived.connect(controller.changes)
    controller.start()
    return controller
