"""File ▸ Export view: ask where, then write the table as shown (filter, sort, columns)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QWidget

from leanops_desktop.core.errors import LeanOpsError
from leanops_desktop.qt.docks import TableDock
from leanops_desktop.qt.export import export_view
from leanops_desktop.qt.messages import MessageService

#: (parent, title, suggested path, file filter) -> chosen path or None. Tests replace it.
SavePathChooser = Callable[[QWidget, str, str, str], str | None]

_FILTERS = {"csv": "CSV files (*.csv)", "xlsx": "Excel workbooks (*.xlsx)"}


def choose_save_path(parent: QWidget, title: str, suggested: str, file_filter: str) -> str | None:
    """The platform's save dialog."""
    path, _selected = QFileDialog.getSaveFileName(parent, title, suggested, file_filter)
    return path or None


def export_dock(
    parent: QWidget,
    name: str,
    dock: TableDock,
    fmt: str,
    messages: MessageService,
    choose: SavePathChooser = choose_save_path,
    folder: Path | None = None,
) -> Path | None:
    """Export the rows ``dock`` shows to a file the user picks; returns the file written."""
    suggested = (folder or Path.home()) / f"leanops-{name}-{date.today():%Y-%m-%d}.{fmt}"
    chosen = choose(parent, f"Export {dock.windowTitle()}", str(suggested), _FILTERS[fmt])
    if not chosen:
        return None
    path = Path(chosen)
    if path.suffix.lower() != f".{fmt}":
        path = path.with_name(path.name + f".{fmt}")
    try:
        count = export_view(dock.view, path, fmt, title=dock.windowTitle())
    except LeanOpsError as exc:
        messages.refused(exc, source=parent)
        return None
    messages.info(f"Exported {count:,} {dock.noun} to {path}.", source=parent)
    return path
