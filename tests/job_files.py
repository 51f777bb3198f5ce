"""Job lists as real systems export them, written for the import tests."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path

Row = Sequence[object]


def write_csv(
    path: Path,
    rows: Sequence[Row],
    *,
    delimiter: str = ",",
    encoding: str = "utf-8",
    bom: bool = False,
    newline: str = "\r\n",
) -> Path:
    """A CSV file (cells quoted when they hold the delimiter or a quote)."""

    def cell(value: object) -> str:
        text = "" if value is None else str(value)
        if delimiter in text or '"' in text or "\n" in text:
            return '"' + text.replace('"', '""') + '"'
        return text

    text = newline.join(delimiter.join(cell(value) for value in row) for row in rows) + newline
    data = text.encode(encoding)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    return path


def write_xlsx(path: Path, rows: Sequence[Row]) -> Path:
    """An .xlsx workbook of one sheet as openpyxl writes it (dates as date cells)."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Orders"
    for row in rows:
        sheet.append(list(row))
    book.save(path)
    return path


def order_book(count: int, *, start: int = 1, first_due: date | None = None) -> list[list[object]]:
    """``count`` rows of an ERP's export: order, item, quantity, due date (ISO), priority, and a
    column the import ignores."""
    due = first_due or date(2027, 1, 4)
    rows: list[list[object]] = [["Order No", "Item", "Qty", "Due Date", "Priority", "Customer"]]
    for number in range(start, start + count):
        rows.append(
            [
                f"JOB-{number:05d}",
                f"Bracket {number % 97}",
                f"{(number % 50 + 1) * 100:,}",
                (due + timedelta(days=number % 60)).isoformat(),
                "high" if number % 10 == 0 else "normal",
                f"Customer {number % 13}",
            ]
        )
    return rows
