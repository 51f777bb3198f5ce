"""Writing a table to CSV or XLSX so that spreadsheets can calculate with it.

Cells keep their type: counts are ``int``, rates ``float``, due dates ``date`` and times
``datetime`` (local, without zone). In CSV numbers are written plainly (a dot, no thousands
separators), dates as ISO ``2026-03-29`` and times as ``2026-03-29 14:05:00``; in XLSX they
are real numbers and dates. The workbook has a bold, frozen header row with an autofilter
and columns wide enough for what they hold.

Qt-free and safe to run on a worker thread: the caller takes the snapshot of what is shown,
this module only writes it.
"""

from __future__ import annotations

import csv
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from leanops_desktop.core.errors import LeanOpsError

FORMATS = ("csv", "xlsx")
XLSX_SHEET_TITLE_MAX = 31
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
MIN_WIDTH = 6
MAX_WIDTH = 60
_DATE_WIDTH = len("2026-03-29")
_DATETIME_WIDTH = len("2026-03-29 14:05:00")
_SHEET_TITLE_FORBIDDEN = str.maketrans({char: " " for char in "[]:*?/\\"})


class ExportError(LeanOpsError):
    """The table could not be written (unknown format, missing openpyxl, file not writable)."""


@dataclass(frozen=True, slots=True)
class TableSnapshot:
    """Headers and typed cell values, ready to write (safe to hand to a worker)."""

    headers: list[str]
    rows: list[list[Any]]


def csv_text(value: Any) -> str:
    """A cell as CSV text: plain numbers, ISO dates, local times to the second."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _float_text(value)
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _float_text(value: float) -> str:
    if not math.isfinite(value):
        return ""
    text = repr(value)
    if "e" in text or "E" in text:  # never scientific notation in a plain CSV number
        text = f"{value:.12f}".rstrip("0").rstrip(".")
    elif text.endswith(".0"):
        text = text[:-2]
    return "0" if text in ("-0", "") else text


def write_csv(path: str | Path, table: TableSnapshot) -> None:
    """UTF-8 with a byte-order mark (so spreadsheet programs read accents right)."""
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(table.headers)
        writer.writerows([csv_text(value) for value in row] for row in table.rows)


def openpyxl_module() -> Any:
    """``openpyxl`` (a dependency of LeanOps; a clear error if an install lacks it)."""
    try:
        import openpyxl
    except ImportError:
        raise ExportError(
            "saving as Excel (.xlsx) needs the openpyxl package, which is not installed: "
            "install it with 'pip install openpyxl' or export as CSV"
        ) from None
    return openpyxl


def _shown_width(value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, datetime):
        return _DATETIME_WIDTH
    if isinstance(value, date):
        return _DATE_WIDTH
    text = csv_text(value)
    return max((len(line) for line in text.splitlines()), default=0)


def column_widths(table: TableSnapshot) -> list[float]:
    """Width of each column in characters: its longest cell or header, within limits."""
    widths = [len(header) + 3 for header in table.headers]  # room for the filter button
    for row in table.rows:
        for number, value in enumerate(row[: len(widths)]):
            widths[number] = max(widths[number], _shown_width(value))
    return [float(min(max(width + 2, MIN_WIDTH), MAX_WIDTH)) for width in widths]


def sheet_title(title: str) -> str:
    """A title Excel accepts: at most 31 characters, none of ``[]:*?/\\``."""
    cleaned = title.translate(_SHEET_TITLE_FORBIDDEN).strip()[:XLSX_SHEET_TITLE_MAX].strip()
    return cleaned or "LeanOps"


def write_xlsx(path: str | Path, table: TableSnapshot, *, title: str = "LeanOps") -> None:
    """One sheet: bold frozen header with an autofilter, typed cells, fitted columns."""
    openpyxl = openpyxl_module()
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet(title=sheet_title(title))
    for number, width in enumerate(column_widths(table), start=1):
        sheet.column_dimensions[get_column_letter(number)].width = width
    sheet.freeze_panes = "A2"
    if table.headers:
        last = f"{get_column_letter(len(table.headers))}{len(table.rows) + 1}"
        sheet.auto_filter.ref = f"A1:{last}"
    bold = Font(bold=True)
    header_cells = []
    for text in table.headers:
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in table.rows:
        cells: list[Any] = []
        for value in row:
            if isinstance(value, float) and not math.isfinite(value):
                cells.append(None)
            elif isinstance(value, datetime):
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = DATETIME_FORMAT
                cells.append(cell)
            elif isinstance(value, date):
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = DATE_FORMAT
                cells.append(cell)
            else:
                cells.append(value)
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
) -> int:
    """Write ``table`` as CSV or XLSX (by ``fmt`` or the suffix); the number of rows written.

    The file is written next to ``path`` under a temporary name and then renamed, so a
    failed export leaves no half-written file (and an older file stays whole). Errors
    become :class:`ExportError`.
    """
    chosen = format_of(path, fmt)
    if chosen == "xlsx":
        openpyxl_module()  # refuse before creating anything
    target = Path(path)
    partial = target.with_name(f".{target.name}.partial")
    try:
        if chosen == "csv":
            write_csv(partial, table)
        else:
            write_xlsx(partial, table, title=title)
        os.replace(partial, target)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise ExportError(f"cannot write {path}: {exc.strerror or exc}") from None
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return len(table.rows)


def table_of(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> TableSnapshot:
    """A snapshot from any headers and rows (copied, so later changes do not leak in)."""
    return TableSnapshot(list(headers), [list(row) for row in rows])
