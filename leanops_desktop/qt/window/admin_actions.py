"""Admin ▸ Downtime reasons…, Shift calendar… and Stop detection…: the editors on the
window's database, runner and messages (non-blocking)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt

from leanops_desktop.qt.dialogs.calendar_dialog import CalendarDialog
from leanops_desktop.qt.dialogs.reasons_dialog import ReasonsDialog
from leanops_desktop.qt.dialogs.stop_limits_dialog import StopLimitsDialog

if TYPE_CHECKING:
    from leanops_desktop.qt.main_window import MainWindow


def open_reasons(window: MainWindow) -> ReasonsDialog:
    """Open the downtime reason tree editor."""
    dialog = ReasonsDialog(window.db, window.actor, window.messages, window, runner=window.runner)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    window.commands.active_dialog = dialog
    dialog.open()
    return dialog


def open_calendar(window: MainWindow) -> CalendarDialog:
    """Open the shift calendar editor."""
    dialog = CalendarDialog(window.db, window.actor, window.messages, window, runner=window.runner)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    window.commands.active_dialog = dialog
    dialog.open()
    return dialog


def open_stop_limits(window: MainWindow) -> StopLimitsDialog:
    """Open the stop detection limits (plant, lines, stations)."""
    dialog = StopLimitsDialog(
        window.db, window.actor, window.messages, window, runner=window.runner
    )
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    window.commands.active_dialog = dialog
    dialog.open()
    return dialog
