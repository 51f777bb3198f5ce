"""File ▸ Export view: ask where, then write the table as shown (filter, sort, columns).

The rows are taken at once; the file is written on the window's runner (``files`` lane),
and the message bar says when it is there or why it could not be written.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QWidget

from leanops_desktop.core.errors import LeanOpsError
from leanops_desktop.qt.db_runner import DbRunner
from leanops_desktop.qt.docks import TableDock
from leanops_desktop.qt.export import start_export
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
    *,
    runner: DbRunner | None = None,
) -> Path | None:
    """Export the rows ``dock`` shows to a file the user picks; returns that file's path.

    The file is written on ``runner`` (a private inline one when None: written before this
    returns); the message comes when it is written.
    """
    suggested = (folder or Path.home()) / f"leanops-{name}-{date.today():%Y-%m-%d}.{fmt}"
    chosen = choose(parent, f"Export {dock.windowTitle()}", str(suggested), _FILTERS[fmt])
    if not chosen:
        return None
    path = Path(chosen)
    if path.suffix.lower() != f".{fmt}":
        path = path.with_name(path.name + f".{fmt}")
    noun = dock.noun

    def written(count: int) -> None:
        messages.info(f"Exported {count:,} {noun} to {path}.", source=parent)

    def failed(error: BaseException) -> None:
        if isinstance(error, LeanOpsError):
            messages.refused(error, source=parent)
        else:
            messages.error(
                f"Could not write {path}: {type(error).__name__}: {error}", source=parent
            )

    try:
        start_export(
            dock.view,
            path,
            runner or DbRunner(inline=True),
            fmt,
            title=dock.windowTitle(),
            on_done=written,
            on_error=failed,
        )
    except LeanOpsError as exc:
        messages.refused(exc, source=parent)
        return None
    return path
