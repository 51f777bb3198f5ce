"""File ▸ Import jobs…: the import dialog on the window's database, runner and messages."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt

from leanops_desktop.qt.dialogs.job_import_dialog import JobImportDialog

if TYPE_CHECKING:
    from leanops_desktop.qt.main_window import MainWindow


def open_job_import(window: MainWindow) -> JobImportDialog:
    """Open the import dialog (non-blocking); the window reads the feed after an import."""
    dialog = JobImportDialog(
        window.db,
        window.actor,
        window.messages,
        window,
        runner=window.runner,
        on_imported=lambda _report: window.saved(),
    )
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    window.commands.active_dialog = dialog
    dialog.open()
    return dialog
