"""The cells of an imported file as a job's values: text, whole quantities, dates, priority.

Quantities follow the file's decimal convention (:func:`decimal_mark_of`): with a decimal
comma, ``1.200`` and ``1 200`` are twelve hundred; with a decimal point, ``1,200`` and
``1 200`` are. Dates are ISO (``2026-12-05``, a time after it is ignored) or day, month and
year in some order (``05.12.2026``, ``12/05/2026``): which order, the file decides when one
of its dates can only be read one way; when every date could be read both ways the person
chooses (:class:`DateOrder`), and an import refuses to guess.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from leanops_desktop.core.enums import Priority
from leanops_desktop.core.errors import preview
from leanops_desktop.core.quality import MAX_IDEAL_CYCLE_S
from leanops_desktop.services.job_import.reading import Cell


class DateOrder(StrEnum):
    """How to read a date such as ``05.12.2026``."""

    DAY_FIRST = "day-first"
    MONTH_FIRST = "month-first"


class CellError(ValueError):
    """A cell cannot be a job's value; the message says why (without the value)."""


_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?")
_NUMERIC_DATE = re.compile(r"(\d{1,2})([./-])(\d{1,2})\2(\d{2,4})(?: \d{1,2}:\d{2}(?::\d{2})?)?")
_SPACES = re.compile(r"[\s\u00a0\u202f']")
_DIGITS = re.compile(r"\d+")


def cell_text(cell: Cell) -> str:
    """A cell as text, as a person would type it (``1004`` not ``1004.0``)."""
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, datetime):
        return cell.isoformat(sep=" ")
    return str(cell).strip()


# -- quantities ----------------------------------------------------------------------------


def decimal_mark_of(quantities: Iterable[Cell], delimiter: str | None) -> str:
    """The file's decimal mark: what its quantities show, else what its separator implies.

    A value with both marks (``1.200,5``) or one mark not followed by a group of three digits
    (``12,5``) shows which is the decimal mark. Otherwise a semicolon-separated file uses the
    decimal comma (that is why spreadsheets chose the semicolon), any other the point."""
    for cell in quantities:
        if not isinstance(cell, str):
            continue
        text = _SPACES.sub("", cell)
        if "," in text and "." in text:
            return "," if text.rfind(",") > text.rfind(".") else "."
        for mark in ",.":
            groups = text.split(mark)
            if len(groups) > 1 and any(len(group) != 3 for group in groups[1:]):
                return mark
    return "," if delimiter == ";" else "."


def parse_quantity(cell: Cell, decimal_mark: str) -> int:
    """A whole, positive quantity (thousands separators per ``decimal_mark``)."""
    if isinstance(cell, bool):
        raise CellError("is not a number")
    if isinstance(cell, int):
        return cell
    if isinstance(cell, float):
        if not cell.is_integer():
            raise CellError("is not a whole number")
        return int(cell)
    text = _SPACES.sub("", cell_text(cell))
    if not text:
        raise CellError("is empty")
    thousands = "." if decimal_mark == "," else ","
    whole, _, fraction = text.partition(decimal_mark)
    if fraction and not (fraction.isdigit() and set(fraction) == {"0"}):
        raise CellError("is not a whole number")
    sign = -1 if whole.startswith("-") else 1
    groups = whole.lstrip("+-").split(thousands)
    if not all(_DIGITS.fullmatch(group) for group in groups):
        raise CellError("is not a whole number")
    if len(groups) > 1 and (len(groups[0]) > 3 or any(len(g) != 3 for g in groups[1:])):
        raise CellError(
            f"is not a whole number ({thousands!r} separates thousands here, in groups of 3 digits)"
        )
    return sign * int("".join(groups))


# -- dates ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DateEvidence:
    """What a file's dates say about their order: a date only one order can read."""

    order: DateOrder
    example: str
    row: int


def date_order_evidence(cells: Iterable[tuple[int, Cell]]) -> list[DateEvidence]:
    """For each order, the first date (with its row) that can be read only that way."""
    found: dict[DateOrder, DateEvidence] = {}
    for row, cell in cells:
        if not isinstance(cell, str):
            continue
        match = _NUMERIC_DATE.fullmatch(cell.strip())
        if match is None:
            continue
        first, second = int(match.group(1)), int(match.group(3))
        if first > 12 >= second:
            found.setdefault(DateOrder.DAY_FIRST, DateEvidence(DateOrder.DAY_FIRST, cell, row))
        elif second > 12 >= first:
            found.setdefault(DateOrder.MONTH_FIRST, DateEvidence(DateOrder.MONTH_FIRST, cell, row))
    return list(found.values())


def is_ambiguous_date(cell: Cell) -> bool:
    """Whether the cell is a date that reads as two different days (``05.12.2026``)."""
    match = _NUMERIC_DATE.fullmatch(cell.strip()) if isinstance(cell, str) else None
    if match is None:
        return False
    first, second = int(match.group(1)), int(match.group(3))
    return first != second and first <= 12 and second <= 12


def parse_date(cell: Cell, order: DateOrder | None) -> date:
    """A due date (``order`` is needed only for a date like ``05.12.2026``)."""
    if isinstance(cell, datetime):
        return cell.date()
    if isinstance(cell, date):
        return cell
    text = cell_text(cell)
    if not text:
        raise CellError("is empty")
    iso = _ISO.fullmatch(text)
    if iso is not None:
        return _make_date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
    numeric = _NUMERIC_DATE.fullmatch(text)
    if numeric is None:
        raise CellError("is not a date (write 2026-12-05 or 05.12.2026)")
    if len(numeric.group(4)) != 4:
        raise CellError("has no 4-digit year (write 05.12.2026, not 05.12.26)")
    first, second, year = int(numeric.group(1)), int(numeric.group(3)), int(numeric.group(4))
    if order is None:
        order = DateOrder.DAY_FIRST if first > 12 else DateOrder.MONTH_FIRST
        if first <= 12 and second <= 12 and first != second:
            raise CellError("reads as two different days: choose day-first or month-first")
    day, month = (first, second) if order is DateOrder.DAY_FIRST else (second, first)
    return _make_date(year, month, day, order)


def _make_date(year: int, month: int, day: int, order: DateOrder | None = None) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        how = f" read {order.value}" if order is not None else ""
        raise CellError(f"is no day of the calendar{how}") from None


# -- text and priority ---------------------------------------------------------------------

_PRIORITIES = {"normal": Priority.NORMAL, "high": Priority.HIGH, "": Priority.NORMAL}


def parse_priority(cell: Cell) -> Priority:
    """``normal`` or ``high`` in any case; an empty cell is normal."""
    priority = _PRIORITIES.get(cell_text(cell).casefold())
    if priority is None:
        raise CellError("is not one of: normal, high (an empty cell is normal)")
    return priority


def shown_value(cell: Cell) -> str:
    """A cell as a refusal quotes it (cut when long)."""
    return preview(cell_text(cell))


def parse_ideal_cycle(cell: Cell, decimal_mark: str) -> float | None:
    """Seconds per unit (``12.5``, ``12,5`` with a decimal comma); None for an empty cell."""
    if isinstance(cell, bool):
        raise CellError("must be a number of seconds")
    if isinstance(cell, int | float):
        seconds = float(cell)
    else:
        text = _SPACES.sub("", cell_text(cell))
        if not text:
            return None
        try:
            seconds = float(_plain_number(text, decimal_mark))
        except ValueError:
            raise CellError("must be a number of seconds") from None
    if not math.isfinite(seconds) or seconds <= 0 or seconds > MAX_IDEAL_CYCLE_S:
        raise CellError(f"must be more than 0 and at most {MAX_IDEAL_CYCLE_S:.0f} seconds")
    return seconds


def _plain_number(text: str, decimal_mark: str) -> str:
    """``1.234,5`` / ``12,5`` / ``1,200`` as Python reads numbers, by the file's convention;
    a lone mark the file would use for thousands is a decimal mark unless groups of three
    follow it (a cycle time of ``12,5`` s is twelve and a half)."""
    thousands = "." if decimal_mark == "," else ","
    if thousands in text and (
        decimal_mark in text or re.fullmatch(rf"\d{{1,3}}(\{thousands}\d{{3}})+", text)
    ):
        text = text.replace(thousands, "")
    return text.replace(",", ".")
