"""Which column of an imported file holds which field of a job.

Obvious header names map themselves, compared without case, accents or punctuation
("Job-ID", "QTY", "Due  date", "Priorité": see ``_OBVIOUS``); any other column is mapped by hand
(``--map "COLUMN=field"`` or the import dialog's combo boxes). Columns mapped to nothing
are ignored.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from enum import StrEnum

from leanops_desktop.core.errors import LeanOpsError, preview


class Field(StrEnum):
    """The fields of a job an import can set."""

    JOB_ID = "job_id"
    PART_NAME = "part_name"
    QTY_TOTAL = "qty_total"
    DUE_DATE = "due_date"
    PRIORITY = "priority"
    IDEAL_CYCLE = "ideal_cycle_s"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    Field.JOB_ID: "job id",
    Field.PART_NAME: "part",
    Field.QTY_TOTAL: "quantity",
    Field.DUE_DATE: "due date",
    Field.PRIORITY: "priority",
    Field.IDEAL_CYCLE: "ideal cycle time",
}

#: Every field but the priority and the ideal cycle time must have a column (a missing
#: priority means normal; a missing ideal cycle time leaves the job's as it is).
REQUIRED = (Field.JOB_ID, Field.PART_NAME, Field.QTY_TOTAL, Field.DUE_DATE)

#: Header names (normalized, see :func:`normalize_name`) that map themselves.
_OBVIOUS: dict[str, Field] = {
    **dict.fromkeys(
        (
            "job",
            "job id",
            "jobid",
            "job no",
            "job number",
            "id",
            "order",
            "order no",
            "order number",
            "order id",
        ),
        Field.JOB_ID,
    ),
    **dict.fromkeys(
        ("part", "part name", "part no", "part number", "item", "item name", "article", "product"),
        Field.PART_NAME,
    ),
    **dict.fromkeys(
        ("quantity", "qty", "qty total", "quantity total", "total quantity"), Field.QTY_TOTAL
    ),
    **dict.fromkeys(("due", "due date", "due on", "date due"), Field.DUE_DATE),
    **dict.fromkeys(("priority", "prio", "priorite"), Field.PRIORITY),
    **dict.fromkeys(
        (
            "cycle time",
            "cycle time s",
            "ideal cycle",
            "ideal cycle s",
            "ideal cycle time",
            "ideal cycle time s",
            "ideal cycle time s per unit",
            "seconds per unit",
            "s per unit",
            "sec per unit",
            "secs per unit",
        ),
        Field.IDEAL_CYCLE,
    ),
}

#: Names a field may be given by in ``--map`` (besides its own value).
_FIELD_NAMES: dict[str, Field] = {
    **{field.value.replace("_", " "): field for field in Field},
    "job": Field.JOB_ID,
    "part": Field.PART_NAME,
    "quantity": Field.QTY_TOTAL,
    "qty": Field.QTY_TOTAL,
    "due": Field.DUE_DATE,
    "ideal cycle": Field.IDEAL_CYCLE,
    "cycle time": Field.IDEAL_CYCLE,
}

#: column index -> the field it holds (columns not in it are ignored)
ColumnMap = dict[int, Field]


class MappingError(LeanOpsError):
    """The columns of a file cannot be matched to a job's fields."""


def normalize_name(name: str) -> str:
    """A header as compared: no accents, no case, punctuation and runs of spaces as one space."""
    decomposed = unicodedata.normalize("NFKD", name)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    return " ".join(re.sub(r"[^0-9a-z]+", " ", plain).split())


def guess_columns(headers: Sequence[str]) -> ColumnMap:
    """The columns whose names map themselves (the first column wins a field)."""
    mapping: ColumnMap = {}
    for index, header in enumerate(headers):
        field = _OBVIOUS.get(normalize_name(header))
        if field is not None and field not in mapping.values():
            mapping[index] = field
    return mapping


def parse_field(name: str) -> Field | None:
    """The field a ``--map`` right-hand side names; empty means "ignore this column"."""
    key = normalize_name(name)
    if not key:
        return None
    field = _FIELD_NAMES.get(key)
    if field is None:
        choices = ", ".join(field.value for field in Field)
        raise MappingError(f"--map: {preview(name)!r} is no field; use one of: {choices}")
    return field


def apply_overrides(
    headers: Sequence[str], guessed: ColumnMap, overrides: Iterable[str]
) -> ColumnMap:
    """``guessed`` with each ``"COLUMN=field"`` applied (a field moves to its new column)."""
    mapping = dict(guessed)
    names = [normalize_name(header) for header in headers]
    for override in overrides:
        column, equals, field_name = override.partition("=")
        if not equals:
            raise MappingError(f'--map {preview(override)!r}: write it as "COLUMN=field"')
        key = normalize_name(column)
        if key not in names:
            shown = ", ".join(repr(header) for header in headers)
            raise MappingError(
                f"--map {preview(override)!r}: the file has no column {column.strip()!r}"
                f" (its columns: {preview(shown, 300)})"
            )
        index = names.index(key)
        field = parse_field(field_name)
        mapping = {i: f for i, f in mapping.items() if i != index and f != field}
        if field is not None:
            mapping[index] = field
    return mapping


def check_columns(headers: Sequence[str], mapping: Mapping[int, Field]) -> None:
    """Refuse a mapping that misses a required field or gives a field two columns."""
    seen: dict[Field, int] = {}
    for index, field in sorted(mapping.items()):
        if field in seen:
            raise MappingError(
                f"columns {headers[seen[field]]!r} and {headers[index]!r} both hold the"
                f" {field.label}: map one of them to another field or to nothing"
            )
        seen[field] = index
    missing = [field for field in REQUIRED if field not in seen]
    if missing:
        names = ", ".join(field.label for field in missing)
        shown = ", ".join(repr(header) for header in headers)
        raise MappingError(
            f"no column holds the {names}: choose its column (on the command line:"
            ' --map "COLUMN=field")'
            f" (the file's columns: {preview(shown, 300)})"
        )
