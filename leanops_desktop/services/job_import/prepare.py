"""A file made ready to import: read, its columns mapped, every row checked (no database)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from leanops_desktop.services.job_import.mapping import ColumnMap, apply_overrides, guess_columns
from leanops_desktop.services.job_import.reading import RawTable, read_table
from leanops_desktop.services.job_import.validation import ImportPlan, plan_import
from leanops_desktop.services.job_import.values import DateOrder


@dataclass(frozen=True, slots=True)
class PreparedImport:
    """A file's table, the column mapping used and the checked rows."""

    table: RawTable
    mapping: ColumnMap
    plan: ImportPlan


def prepare_import(
    path: Path, *, overrides: Iterable[str] = (), date_order: DateOrder | None = None
) -> PreparedImport:
    """Read ``path``, map its columns (obvious names, then ``overrides``) and check its rows."""
    table = read_table(path)
    return prepare_table(table, overrides=overrides, date_order=date_order)


def prepare_table(
    table: RawTable,
    *,
    overrides: Iterable[str] = (),
    mapping: ColumnMap | None = None,
    date_order: DateOrder | None = None,
) -> PreparedImport:
    """Map and check a table already read (``mapping`` replaces the guessed one when given)."""
    columns = guess_columns(table.headers) if mapping is None else dict(mapping)
    columns = apply_overrides(table.headers, columns, overrides)
    return PreparedImport(table, columns, plan_import(table, columns, date_order=date_order))
