"""A mapped table checked row by row: the jobs to import and a refusal for every bad row.

Each row is checked with the rules every job meets (``core/validation.py``: ids a scanner
can type, readable part names, quantities from 1 to 10,000,000) after its cells are read
as ``values.py`` reads them. A refused row gets one :class:`RowError` per bad cell naming the
row number, the column, the value and the reason; a job id given twice refuses the later
rows. Whether a date like ``05.12.2026`` is day-first is decided once for the whole file.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import TypeVar

from leanops_desktop.core.enums import Priority
from leanops_desktop.core.errors import LeanOpsError, ValidationError
from leanops_desktop.core.validation import MAX_QTY_TOTAL, check_id, check_quantity, check_text
from leanops_desktop.services.job_import.mapping import ColumnMap, Field, check_columns
from leanops_desktop.services.job_import.reading import Cell, RawTable, TableRow
from leanops_desktop.services.job_import.values import (
    CellError,
    DateOrder,
    cell_text,
    date_order_evidence,
    decimal_mark_of,
    is_ambiguous_date,
    parse_date,
    parse_ideal_cycle,
    parse_priority,
    parse_quantity,
    shown_value,
)

T = TypeVar("T")


class DateOrderNeeded(LeanOpsError):
    """The file's dates can be read day-first and month-first: the person must choose."""


@dataclass(frozen=True, slots=True)
class JobInput:
    """One row's job, checked. ``priority`` is None when the file has no priority column."""

    row: int
    job_id: str
    part_name: str
    qty_total: int
    due_date: date
    priority: Priority | None
    #: seconds per unit; None when the file has no such column or the cell is empty
    ideal_cycle_s: float | None = None


@dataclass(frozen=True, slots=True)
class RowError:
    """Why one cell of one row was refused."""

    row: int
    column: str
    value: str
    reason: str

    def line(self) -> str:
        return f"row {self.row}, column {self.column!r}, value {self.value!r}: {self.reason}"


@dataclass(frozen=True, slots=True)
class ImportPlan:
    """The jobs a file holds and the rows it refused (a row is in one or the other)."""

    jobs: tuple[JobInput, ...]
    refused: tuple[RowError, ...]
    date_order: DateOrder | None
    decimal_mark: str
    refused_rows: int = field(default=0)


def file_date_order(
    table: RawTable, mapping: Mapping[int, Field], chosen: DateOrder | None
) -> DateOrder | None:
    """The order to read the file's dates in: the one chosen, else the one its dates show.

    Raises :class:`DateOrderNeeded` when dates disagree, or when some date reads as two
    different days and nothing decides which."""
    if chosen is not None:
        return chosen
    column = _column_of(mapping, Field.DUE_DATE)
    if column is None:
        return None
    cells = [(row.number, _cell(row, column)) for row in table.rows]
    evidence = date_order_evidence(cells)
    if len(evidence) > 1:
        day, month = sorted(evidence, key=lambda item: item.order != DateOrder.DAY_FIRST)
        raise DateOrderNeeded(
            f"the due dates disagree: row {day.row} {day.example!r} can only be day-first and"
            f" row {month.row} {month.example!r} only month-first; choose day-first or"
            " month-first (--day-first / --month-first) and the other rows are refused"
        )
    if evidence:
        return evidence[0].order
    ambiguous = next(((n, c) for n, c in cells if is_ambiguous_date(c)), None)
    if ambiguous is not None:
        row, cell = ambiguous
        raise DateOrderNeeded(
            f"row {row}: the due date {cell!r} can be day-first or month-first and no date in"
            " the file decides: choose day-first or month-first (--day-first / --month-first)"
        )
    return None


def plan_import(
    table: RawTable, mapping: ColumnMap, *, date_order: DateOrder | None = None
) -> ImportPlan:
    """Check every row of ``table`` read through ``mapping``."""
    check_columns(table.headers, mapping)
    order = file_date_order(table, mapping, date_order)
    qty_column = _column_of(mapping, Field.QTY_TOTAL)
    mark = decimal_mark_of((_cell(row, qty_column) for row in table.rows), table.delimiter)
    reader = _RowReader(table.headers, mapping, order, mark)
    jobs: list[JobInput] = []
    refused: list[RowError] = []
    first_row_of: dict[str, int] = {}
    refused_rows = 0
    for row in table.rows:
        job, errors = reader.read(row)
        if job is not None and job.job_id in first_row_of:
            errors = [reader.duplicate(row, job.job_id, first_row_of[job.job_id])]
        if errors or job is None:
            refused.extend(errors)
            refused_rows += 1
            continue
        first_row_of[job.job_id] = row.number
        jobs.append(job)
    return ImportPlan(tuple(jobs), tuple(refused), order, mark, refused_rows)


def _column_of(mapping: Mapping[int, Field], wanted: Field) -> int | None:
    return next((index for index, held in mapping.items() if held == wanted), None)


def _cell(row: TableRow, index: int | None) -> Cell:
    if index is None or index >= len(row.cells):
        return None
    return row.cells[index]


class _RowReader:
    """Reads one row's cells into a :class:`JobInput`, collecting a refusal per bad cell."""

    def __init__(
        self,
        headers: tuple[str, ...],
        mapping: Mapping[int, Field],
        order: DateOrder | None,
        decimal_mark: str,
    ) -> None:
        self._headers = headers
        self._columns = {held: index for index, held in mapping.items()}
        self._order = order
        self._mark = decimal_mark

    def read(self, row: TableRow) -> tuple[JobInput | None, list[RowError]]:
        errors: list[RowError] = []
        job_id = self._value(row, Field.JOB_ID, self._job_id, errors)
        part_name = self._value(row, Field.PART_NAME, self._part_name, errors)
        qty_total = self._value(row, Field.QTY_TOTAL, self._quantity, errors)
        due_date = self._value(row, Field.DUE_DATE, self._due_date, errors)
        priority: Priority | None = None
        if Field.PRIORITY in self._columns:
            priority = self._value(row, Field.PRIORITY, parse_priority, errors)
        ideal: float | None = None
        if Field.IDEAL_CYCLE in self._columns:
            ideal = self._value(row, Field.IDEAL_CYCLE, self._ideal_cycle, errors)
        if job_id is None or part_name is None or qty_total is None or due_date is None:
            return None, errors
        if errors:
            return None, errors
        return JobInput(row.number, job_id, part_name, qty_total, due_date, priority, ideal), []

    def duplicate(self, row: TableRow, job_id: str, first: int) -> RowError:
        column = self._columns[Field.JOB_ID]
        return RowError(row.number, self._headers[column], job_id, f"job id is also in row {first}")

    def _value(
        self, row: TableRow, held: Field, parse: Callable[[Cell], T], errors: list[RowError]
    ) -> T | None:
        column = self._columns[held]
        cell = _cell(row, column)
        try:
            return parse(cell)
        except CellError as exc:
            reason = f"{held.label} {exc}"
        except ValidationError as exc:
            reason = str(exc)
        errors.append(RowError(row.number, self._headers[column], shown_value(cell), reason))
        return None

    @staticmethod
    def _job_id(cell: Cell) -> str:
        return check_id("job id", cell_text(cell))

    @staticmethod
    def _part_name(cell: Cell) -> str:
        return check_text("part", cell_text(cell))

    def _quantity(self, cell: Cell) -> int:
        quantity = parse_quantity(cell, self._mark)
        return check_quantity("quantity", quantity, maximum=MAX_QTY_TOTAL)

    def _ideal_cycle(self, cell: Cell) -> float | None:
        return parse_ideal_cycle(cell, self._mark)

    def _due_date(self, cell: Cell) -> date:
        return parse_date(cell, self._order)
