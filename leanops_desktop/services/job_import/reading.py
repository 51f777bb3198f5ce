"""Reading a job list as real systems export it: CSV or XLSX, into rows of cells.

CSV files come as UTF-8 (with or without a byte order mark), UTF-16 with a mark (Excel's
"Unicode text") or Windows-1252; the fields are separated by commas, semicolons or tabs,
whichever the first lines use consistently. XLSX files are read with openpyxl in read-only
mode (the first sheet; numbers and dates stay numbers and dates).

The first non-empty row is the header; blank rows are skipped. Every row keeps the number a
spreadsheet shows for it (the header is row 1 of a CSV file), so a refusal can name it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Literal

from leanops_desktop.core.errors import LeanOpsError

#: What one cell of a table can hold (CSV gives text only).
Cell = str | int | float | date | datetime | None

#: A file with more data rows is refused: split it (an order book, not a data dump).
MAX_ROWS = 100_000
#: A file larger than this is refused before it is read.
MAX_FILE_BYTES = 50 * 1024 * 1024
DELIMITERS = (",", ";", "\t")
_SNIFF_LINES = 20
_XLSX_SUFFIXES = (".xlsx", ".xlsm")
_ZIP_MAGIC = b"PK\x03\x04"


class ImportFileError(LeanOpsError):
    """The file cannot be read as a job list (format, encoding, size, no header)."""


@dataclass(frozen=True, slots=True)
class TableRow:
    """One data row: the number a spreadsheet shows for it and its cells."""

    number: int
    cells: tuple[Cell, ...]


@dataclass(frozen=True, slots=True)
class RawTable:
    """A file's header and data rows, before any mapping."""

    source: str
    headers: tuple[str, ...]
    rows: tuple[TableRow, ...]
    #: ``csv`` or ``xlsx``
    kind: Literal["csv", "xlsx"]
    #: The field separator of a CSV file (None for XLSX).
    delimiter: str | None = None
    #: The text encoding of a CSV file (None for XLSX).
    encoding: str | None = None


def read_table(path: Path) -> RawTable:
    """Read ``path`` (CSV or XLSX) into a :class:`RawTable`."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise ImportFileError(f"{path}: no such file") from None
    if size > MAX_FILE_BYTES:
        raise ImportFileError(
            f"{path} is {size:,} bytes; at most {MAX_FILE_BYTES:,} can be imported at once"
        )
    if path.suffix.lower() == ".xls":
        raise ImportFileError(
            f"{path} is an old Excel 97-2003 file: save it as .xlsx or .csv and import that"
        )
    data = path.read_bytes()
    if path.suffix.lower() in _XLSX_SUFFIXES or data.startswith(_ZIP_MAGIC):
        return _read_xlsx(path)
    return read_csv_bytes(data, source=str(path))


def decode_text(data: bytes, source: str) -> tuple[str, str]:
    """The text of a CSV file and the encoding it was in."""
    if data.startswith(b"\xef\xbb\xbf"):
        return _decode(data, "utf-8-sig", source), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _decode(data, "utf-16", source), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        raise ImportFileError(
            f"{source} is neither UTF-8 nor Windows-1252 text: save it as CSV UTF-8"
        ) from None


def _decode(data: bytes, encoding: str, source: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise ImportFileError(
            f"{source} starts like {encoding} text but byte {exc.start} is not: save it again"
            " as CSV UTF-8"
        ) from None


def sniff_delimiter(text: str) -> str:
    """The separator the first lines use most consistently (comma, semicolon or tab)."""
    sample = text.splitlines()[:_SNIFF_LINES]
    best, best_score = ",", (-1, -1)
    for delimiter in DELIMITERS:
        lines = [line for line in csv.reader(sample, delimiter=delimiter) if any(line)]
        if not lines:
            continue
        width = len(lines[0])
        consistent = sum(1 for line in lines if len(line) == width)
        score = (consistent if width > 1 else 0, width)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def read_csv_bytes(data: bytes, *, source: str) -> RawTable:
    """A CSV file's content as a table (encoding and separator found as described above)."""
    if b"\x00" in data and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ImportFileError(f"{source} is not a text file (it holds NUL bytes)")
    text, encoding = decode_text(data, source)
    delimiter = sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        numbered = ((reader.line_num, line) for line in reader)
        headers, rows = _split_header(((number, tuple(line)) for number, line in numbered), source)
    except csv.Error as exc:
        raise ImportFileError(f"{source}: line {reader.line_num}: {exc}") from None
    return RawTable(source, headers, rows, "csv", delimiter=delimiter, encoding=encoding)


def _read_xlsx(path: Path) -> RawTable:
    try:
        from openpyxl import load_workbook
    except ImportError:  # pragma: no cover - openpyxl is a dependency
        raise ImportFileError("reading .xlsx files needs openpyxl") from None
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise ImportFileError(f"{path} is not a readable .xlsx workbook ({exc})") from None
    try:
        sheet = book.worksheets[0]
        lines = (
            (number, tuple(_xlsx_cell(value) for value in values))
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1)
        )
        headers, rows = _split_header(lines, str(path))
    finally:
        book.close()
    return RawTable(str(path), headers, rows, "xlsx")


def _xlsx_cell(value: object) -> Cell:
    if value is None or isinstance(value, str | int | float | date):
        return value if not isinstance(value, bool) else str(value)
    return str(value)


def _blank(cells: Sequence[Cell]) -> bool:
    return all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in cells)


def _split_header(
    lines: Iterable[tuple[int, tuple[Cell, ...]]], source: str
) -> tuple[tuple[str, ...], tuple[TableRow, ...]]:
    headers: tuple[str, ...] | None = None
    rows: list[TableRow] = []
    for number, cells in lines:
        if _blank(cells):
            continue
        if headers is None:
            headers = tuple("" if cell is None else str(cell).strip() for cell in cells)
            continue
        if len(rows) >= MAX_ROWS:
            raise ImportFileError(
                f"{source} has more than {MAX_ROWS:,} rows: split it into smaller files"
            )
        rows.append(TableRow(number, cells))
    if headers is None:
        raise ImportFileError(f"{source} is empty: it needs a header row and rows of jobs")
    return headers, tuple(rows)
