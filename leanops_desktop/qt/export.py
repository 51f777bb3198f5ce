"""Exporting a floor table as the user sees it: its filter and sort order, its visible columns
in their on-screen order, to CSV or XLSX.

Cells hold what the table shows, except where a shown text would go stale or lose
precision: relative times ("3 min ago") are written as the exact local time, due dates as
dates and counts as numbers (the models' export role). XLSX needs ``openpyxl``, imported only
when an XLSX file is written.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractItemModel, Qt
from PySide6.QtWidgets import QTableView

from leanops_desktop.core.errors import LeanOpsError
from leanops_desktop.qt.models.row_table_model import EXPORT_ROLE, RowTableModel

FORMATS = ("csv", "xlsx")
_XLSX_SHEET_TITLE_MAX = 31


class ExportError(LeanOpsError):
    """The view could not be written (unknown format, missing openpyxl, file not writable)."""


@dataclass(frozen=True, slots=True)
class TableSnapshot:
    """Headers and cell values of a view, ready to write (safe to hand to a worker)."""

    headers: list[str]
    rows: list[list[Any]]


def visible_columns(view: QTableView) -> list[int]:
    """Logical column numbers of the shown columns, in their on-screen order."""
    header = view.horizontalHeader()
    columns = (header.logicalIndex(visual) for visual in range(header.count()))
    return [column for column in columns if column >= 0 and not header.isSectionHidden(column)]


def snapshot_view(view: QTableView) -> TableSnapshot:
    """What ``view`` shows now: its rows in order, its visible columns."""
    model = view.model()
    if model is None:
        return TableSnapshot([], [])
    columns = visible_columns(view)
    headers = [str(model.headerData(c, Qt.Orientation.Horizontal) or "") for c in columns]
    if isinstance(model, RowTableModel):
        value = model.export_value
        rows = [
            [value(row, column) for column in columns]
            for row in (model.row_at(number) for number in range(model.rowCount()))
        ]
    else:
        rows = [_generic_row(model, number, columns) for number in range(model.rowCount())]
    return TableSnapshot(headers, rows)


def _generic_row(model: QAbstractItemModel, number: int, columns: list[int]) -> list[Any]:
    cells = []
    for column in columns:
        index = model.index(number, column)
        value = index.data(EXPORT_ROLE)
        cells.append(index.data(Qt.ItemDataRole.DisplayRole) if value is None else value)
    return cells


def _csv_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def write_csv(path: str | Path, table: TableSnapshot) -> None:
    """UTF-8 with a byte-order mark (so spreadsheet programs read accents right)."""
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(table.headers)
        writer.writerows([_csv_text(value) for value in row] for row in table.rows)


def _openpyxl() -> Any:
    try:
        import openpyxl
    except ImportError:
        raise ExportError(
            "saving as Excel (.xlsx) needs the openpyxl package, which is not installed: "
            "install it with 'pip install openpyxl' or export as CSV"
        ) from None
    return openpyxl


def write_xlsx(path: str | Path, table: TableSnapshot, *, title: str = "LeanOps") -> None:
    """One sheet: a bold header row, dates and times as real spreadsheet dates."""
    openpyxl = _openpyxl()
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:_XLSX_SHEET_TITLE_MAX] or "LeanOps")
    bold = Font(bold=True)
    header_cells = []
    for text in table.headers:
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    date_formats = {datetime: "yyyy-mm-dd hh:mm:ss", date: "yyyy-mm-dd"}
    for row in table.rows:
        cells = []
        for value in row:
            fmt = date_formats.get(type(value))
            if fmt is None:
                cells.append(value)
                continue
            cell = WriteOnlyCell(sheet, value=value)
            cell.number_format = fmt
            cells.append(cell)
        sheet.append(cells)
    workbook.save(str(path))


def format_of(path: str | Path, fmt: str | None = None) -> str:
    """``"csv"`` or ``"xlsx"``: ``fmt`` when given, else from the file's suffix."""
    chosen = (fmt or Path(path).suffix.lstrip(".")).lower()
    if chosen not in FORMATS:
        raise ExportError(
            f"cannot export as {chosen or 'a file without suffix'!r}: use .csv or .xlsx"
        )
    return chosen


def write_table(
    path: str | Path, table: TableSnapshot, fmt: str | None = None, *, title: str = "LeanOps"
) -> None:
    """Write ``table`` as CSV or XLSX (by ``fmt`` or the suffix); errors become ExportError."""
    chosen = format_of(path, fmt)
    try:
        if chosen == "csv":
            write_csv(path, table)
        else:
            write_xlsx(path, table, title=title)
    except OSError as exc:
        raise ExportError(f"cannot write {path}: {exc.strerror or exc}") from None


def export_view(
    view: QTableView, path: str | Path, fmt: str | None = None, *, title: str = "LeanOps"
) -> int:
    """Export what ``view`` shows to ``path``; returns how many rows were written."""
    format_of(path, fmt)  # refuse a bad format before collecting anything
    table = snapshot_view(view)
    write_table(path, table, fmt, title=title)
    return len(table.rows)
