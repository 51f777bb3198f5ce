"""What each action of the main window's registry does: the floor commands, export, users,
layout, session and help."""

from __future__ import annotations

from typing import TYPE_CHECKING

from leanops_desktop.qt.window.admin_actions import open_calendar, open_reasons, open_stop_limits
from leanops_desktop.qt.window.help_dialogs import show_about, show_shortcuts
from leanops_desktop.qt.window.import_action import open_job_import
from leanops_desktop.qt.window.shift_report_action import save_shift_report
from leanops_desktop.qt.window.traveler_actions import print_travelers, save_travelers_pdf

if TYPE_CHECKING:
    from leanops_desktop.qt.main_window import MainWindow


def bind_actions(window: MainWindow) -> None:
    """Bind every action of ``window``'s registry to what it does."""
    bind, commands = window.registry.bind, window.commands
    bind("new_job", commands.new_job)
    bind("edit_job", commands.edit_job)
    bind("complete_job", commands.complete_job)
    bind("new_station", commands.new_station)
    bind("edit_station", commands.edit_station)
    bind("activate_station", lambda: commands.set_station_active(True))
    bind("deactivate_station", lambda: commands.set_station_active(False))
    bind("block_station", commands.block_station)
    bind("unblock_station", commands.unblock_station)
    bind("assign_job", commands.assign_job)
    bind("unassign_job", commands.unassign_job)
    bind("move_job", commands.move_job)
    bind("export_csv", lambda: window.export_current("csv"))
    bind("export_xlsx", lambda: window.export_current("xlsx"))
    bind("users", window.open_users)
    bind("downtime_reasons", lambda: open_reasons(window))
    bind("shift_calendar", lambda: open_calendar(window))
    bind("stop_detection", lambda: open_stop_limits(window))
    bind("import_jobs", lambda: open_job_import(window))
    bind("print_travelers", lambda: print_travelers(window))
    bind("save_travelers_pdf", lambda: save_travelers_pdf(window))
    bind("shift_report", lambda: save_shift_report(window))
    bind("refresh", window.reload)
    bind("reset_layout", window.reset_layout)
    bind("sign_out", window.sign_out_requested.emit)
    bind("switch_user", window.switch_user_requested.emit)
    bind("quit", window.close)
    bind("shortcuts", lambda: show_shortcuts(window, window.registry))
    bind("about", lambda: show_about(window, window.db.describe()))
