"""Andon in the supervisor's window: the Notifications dock, the tray message, the checks."""

from leanops_desktop.qt.andon.andon_controller import AndonController
from leanops_desktop.qt.andon.attach import attach_andon
from leanops_desktop.qt.andon.notifications_dock import NotificationsDock

__all__ = ["AndonController", "NotificationsDock", "attach_andon"]
