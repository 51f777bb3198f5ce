"""Exporting a floor table as the user sees it: its filter and sort order, its visible columns
in their on-screen order, to CSV or XLSX.

Cells hold what the table shows, in a form spreadsheets calculate with: relative times
("3 min ago") are written as the exact local time, due dates as dates, counts as numbers,
and a progress column ("12 / 40") as two number columns, done and total (the models'
``export_headers`` / ``export_values``). The snapshot is taken in the GUI thread (it reads
the model); the file is written by ``services/table_files.py``, on the runner's ``files``
lane when a :class:`DbRunner` is given, so a large export never freezes the window.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractItemModel, Qt
from PySide6.QtWidgets import QTableView

from leanops_desktop.qt.db_runner import FILES, DbRunner, Job
from leanops_desktop.qt.models.row_table_model import EXPORT_ROLE, RowTableModel
from leanops_desktop.services.table_files import (
    FORMATS,
    ExportError,
    TableSnapshot,
    format_of,
    write_csv,
    write_table,
    write_xlsx,
)

__all__ = [
    "FORMATS",
    "ExportError",
    "TableSnapshot",
    "export_view",
    "format_of",
    "snapshot_model",
    "snapshot_view",
    "start_export",
    "visible_columns",
    "write_csv",
    "write_table",
    "write_xlsx",
]


def visible_columns(view: QTableView) -> list[int]:
    """Logical column numbers of the shown columns, in their on-screen order."""
    header = view.horizontalHeader()
    columns = (header.logicalIndex(visual) for visual in range(header.count()))
    return [column for column in columns if column >= 0 and not header.isSectionHidden(column)]


def snapshot_view(view: QTableView) -> TableSnapshot:
    """What ``view`` shows now: its rows in order, its visible columns (typed cells)."""
    model = view.model()
    if model is None:
        return TableSnapshot([], [])
    columns = visible_columns(view)
    if isinstance(model, RowTableModel):
        headers = [name for column in columns for name in model.export_headers(column)]
        values = model.export_values
        rows = [
            [cell for column in columns for cell in values(row, column)]
            for row in (model.row_at(number) for number in range(model.rowCount()))
        ]
        return TableSnapshot(headers, rows)
    headers = [str(model.headerData(c, Qt.Orientation.Horizontal) or "") for c in columns]
    rows = [_generic_row(model, number, columns) for number in range(model.rowCount())]
    return TableSnapshot(headers, rows)


def snapshot_model(model: RowTableModel[Any]) -> TableSnapshot:
    """Every column of ``model`` in its own order, its shown rows in their order (what an
    export of the table with nothing moved or hidden writes)."""
    columns = range(len(model.headers()))
    headers = [name for column in columns for name in model.export_headers(column)]
    values = model.export_values
    rows = [
        [cell for column in columns for cell in values(row, column)]
        for row in (model.row_at(number) for number in range(model.rowCount()))
    ]
    return TableSnapshot(headers, rows)


def _generic_row(model: QAbstractItemModel, number: int, columns: list[int]) -> list[Any]:
    cells = []
    for column in columns:
        index = model.index(number, column)
        value = index.data(EXPORT_ROLE)
        cells.append(index.data(Qt.ItemDataRole.DisplayRole) if value is None else value)
    return cells


def export_view(
    view: QTableView, path: str | Path, fmt: str | None = None, *, title: str = "LeanOps"
) -> int:
    """Export what ``view`` shows to ``path`` now, in this thread; the rows written."""
    format_of(path, fmt)  # refuse a bad format before collecting anything
    return write_table(path, snapshot_view(view), fmt, title=title)


def start_export(
    view: QTableView,
    path: str | Path,
    runner: DbRunner,
    fmt: str | None = None,
    *,
    title: str = "LeanOps",
    on_done: Callable[[int], None] | None = None,
    on_error: Callable[[BaseException], None] | None = None,
) -> Job[int]:
    """Snapshot ``view`` now and write the file on ``runner``'s ``files`` lane.

    ``on_done(rows written)`` or ``on_error(exc)`` (an :class:`ExportError` for a file that
    cannot be written) is called in the GUI thread. A bad format is refused at once (raised
    here).
    """
    chosen = format_of(path, fmt)
    table = snapshot_view(view)
    return runner.submit(
        lambda: write_table(path, table, chosen, title=title), on_done, on_error, lane=FILES
    )
