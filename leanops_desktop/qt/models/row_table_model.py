"""The base of the floor table models: rows by key, sorted and filtered in the model itself.

Rows are immutable dataclasses (``core.rows``) with a ``key``. The model keeps every row in
a dict key -> row, and the rows it shows (those passing the filter, in sort order) in a list
plus a dict key -> row number (``ShownRowsModel``). Live changes go through
:meth:`upsert_rows` and :meth:`remove_keys`, which emit exactly one ``dataChanged``, insert
or remove per changed row (a row whose sort value changed is also moved, with one
``rowsMoved``); a full reset happens only in :meth:`set_rows`.

Sorting and filtering run here rather than in a ``QSortFilterProxyModel``: a proxy compares
rows through ``data()`` calls back into Python (16 s to sort 100,000 rows), while sorting
the Python list by a key function takes a few tens of milliseconds. Filtering compares
precomputed lowercase search texts. Concrete models give the columns (``COL_*`` constants
and ``_HEADERS``), a sort key per column, the search text and the presentation hooks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, ClassVar, Generic

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QObject, Qt

from leanops_desktop.qt.models.roles import (
    ALIGN_LEFT,
    ALIGN_RIGHT,
    ALIGNMENT_ROLE,
    BACKGROUND_ROLE,
    DECORATION_ROLE,
    DISPLAY_ROLE,
    EXPORT_ROLE,
    FONT_ROLE,
    FOREGROUND_ROLE,
    PROGRESS_ROLE,
    ROW_ROLE,
    SORT_ROLE,
    TOOLTIP_ROLE,
)
from leanops_desktop.qt.models.row_filter import Match, RowFilter, build_match, select_rows
from leanops_desktop.qt.models.shown_rows_model import Index, R, ShownRowsModel, sorted_position

__all__ = [
    "EXPORT_ROLE",
    "PROGRESS_ROLE",
    "ROW_ROLE",
    "SORT_ROLE",
    "PreparedRows",
    "RowTableModel",
]


Clock = Callable[[], datetime]

_HORIZONTAL = Qt.Orientation.Horizontal
_DESCENDING = Qt.SortOrder.DescendingOrder
_ASCENDING = Qt.SortOrder.AscendingOrder
_SORT_HINT = QAbstractItemModel.LayoutChangeHint.VerticalSortHint
_NO_HINT = QAbstractItemModel.LayoutChangeHint.NoLayoutChangeHint
_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren
_NO_PARENT = QModelIndex()


def utc_now() -> datetime:
    """The default clock of the models."""
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class PreparedRows(Generic[R]):
    """Rows with their search texts, computed off the GUI thread by ``prepare_rows``."""

    rows: list[R]
    search: dict[Any, str]


class RowTableModel(ShownRowsModel[R]):
    """A table of immutable rows addressed by key, sorted and filtered in the model."""

    SortRole: ClassVar[int] = SORT_ROLE
    RowRole: ClassVar[int] = ROW_ROLE
    ProgressRole: ClassVar[int] = PROGRESS_ROLE
    ExportRole: ClassVar[int] = EXPORT_ROLE

    _HEADERS: ClassVar[tuple[str, ...]] = ()
    _HEADER_TIPS: ClassVar[dict[int, str]] = {}
    #: Columns whose text depends on the clock (refreshed by :meth:`refresh_clock`).
    _TIME_COLUMNS: ClassVar[tuple[int, ...]] = ()
    _RIGHT_ALIGNED: ClassVar[frozenset[int]] = frozenset()
    #: Progress columns shown as "done / total", exported as two number columns (headers).
    _SPLIT_EXPORT: ClassVar[dict[int, tuple[str, str]]] = {}

    def __init__(self, parent: QObject | None = None, *, clock: Clock | None = None) -> None:
        super().__init__(parent)
        self._by_key: dict[Any, R] = {}
        self._search: dict[Any, str] | None = None
        self._ordered: list[Any] | None = None  # every key in sort order (see _compute_visible)
        self._ordered_spec = (-1, False)
        self._field_test: Callable[[R], bool] | None = None
        self._filter = RowFilter()
        self._match: Match | None = None
        self._sort_column = -1
        self._descending = False
        self._clock = clock or utc_now
        self._now = self._clock()
        self._today = self._now.astimezone().date()

    # -- Qt overrides ------------------------------------------------------------------------

    def columnCount(self, parent: Index = _NO_PARENT) -> int:
        return 0 if parent.isValid() else len(self._HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = DISPLAY_ROLE
    ) -> Any:
        if orientation != _HORIZONTAL or not 0 <= section < len(self._HEADERS):
            return None
        if role == DISPLAY_ROLE:
            return self._HEADERS[section]
        if role == TOOLTIP_ROLE:
            return self._HEADER_TIPS.get(section)
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        return _FLAGS if index.isValid() else Qt.ItemFlag.NoItemFlags

    def data(self, index: Index, role: int = DISPLAY_ROLE) -> Any:
        number = index.row()
        if number < 0 or number >= len(self._rows):
            return None
        row = self._rows[number]
        column = index.column()
        if role == DISPLAY_ROLE:
            return self.display_text(row, column)
        if role == FOREGROUND_ROLE:
            return self.foreground(row, column)
        if role == DECORATION_ROLE:
            return self.decoration(row, column)
        if role == FONT_ROLE:
            return self.font(row, column)
        if role == BACKGROUND_ROLE:
            return self.background(row, column)
        if role == ALIGNMENT_ROLE:
            return ALIGN_RIGHT if column in self._RIGHT_ALIGNED else ALIGN_LEFT
        if role == TOOLTIP_ROLE:
            return self.tooltip(row, column)
        if role == ROW_ROLE:
            return row
        if role == SORT_ROLE:
            return self.sort_key(column)(row)
        if role == PROGRESS_ROLE:
            return self.progress(row, column)
        if role == EXPORT_ROLE:
            return self.export_value(row, column)
        return None

    def sort(self, column: int, order: Qt.SortOrder = _ASCENDING) -> None:
        """Sort the shown rows by ``column`` (-1: the order the rows arrived in)."""
        column = column if 0 <= column < len(self._HEADERS) else -1
        descending = order == _DESCENDING
        if (column, descending) == (self._sort_column, self._descending):
            return
        self._sort_column, self._descending = column, descending
        if column < 0 or self._ordered_spec == (column, descending):
            rows = self._compute_visible()
        else:
            rows = sorted(self._rows, key=self.sort_key(column), reverse=descending)
            if self._match is None:
                self._ordered, self._ordered_spec = list(map(self._KEY, rows)), (column, descending)
        self._relayout(rows, _SORT_HINT)

    # -- hooks for concrete models -----------------------------------------------------------

    def display_text(self, row: R, column: int) -> str | None:
        raise NotImplementedError

    def sort_key(self, column: int) -> Callable[[R], Any]:
        """A function giving the value rows are sorted by in ``column`` (never None)."""
        raise NotImplementedError

    @classmethod
    def search_text(cls, row: R) -> str:
        """The lowercase text the search box looks in (must not touch Qt: runs in workers)."""
        raise NotImplementedError

    def field_predicate(self, row_filter: RowFilter) -> Callable[[R], bool] | None:
        """A test for the field filters this model supports (None: nothing to test)."""
        return None

    def foreground(self, row: R, column: int) -> Any:
        return None

    def background(self, row: R, column: int) -> Any:
        return None

    def font(self, row: R, column: int) -> Any:
        return None

    def decoration(self, row: R, column: int) -> Any:
        return None

    def tooltip(self, row: R, column: int) -> str | None:
        return None

    def progress(self, row: R, column: int) -> tuple[int, int] | None:
        """``(done, total)`` for progress-bar columns."""
        return None

    def export_value(self, row: R, column: int) -> Any:
        """What a file export writes (defaults to the display text)."""
        return self.display_text(row, column)

    def export_headers(self, column: int) -> tuple[str, ...]:
        """The header(s) ``column`` is exported under: a progress column becomes two."""
        return self._SPLIT_EXPORT.get(column) or (self._HEADERS[column],)

    def export_values(self, row: R, column: int) -> tuple[Any, ...]:
        """The cell(s) of ``column`` in a file: ``(done, total)`` numbers for progress."""
        if column in self._SPLIT_EXPORT:
            return self.progress(row, column) or (None, None)
        return (self.export_value(row, column),)

    # -- reading -----------------------------------------------------------------------------

    @classmethod
    def headers(cls) -> tuple[str, ...]:
        return cls._HEADERS

    def row_for_key(self, key: Any) -> R | None:
        """The row with this key, shown or filtered out (None when the model lacks it)."""
        return self._by_key.get(key)

    def all_rows(self) -> list[R]:
        """Every row the model holds (shown or filtered out), in arrival order."""
        return list(self._by_key.values())

    def total_count(self) -> int:
        """How many rows the model holds (``rowCount`` counts the shown ones)."""
        return len(self._by_key)

    def sort_column(self) -> int:
        return self._sort_column

    def sort_order(self) -> Qt.SortOrder:
        return _DESCENDING if self._descending else _ASCENDING

    def row_filter(self) -> RowFilter:
        return self._filter

    def now(self) -> datetime:
        """The time the relative texts are computed against."""
        return self._now

    def today(self) -> date:
        """The local date overdue and "due within" are judged against."""
        return self._today

    # -- changing ----------------------------------------------------------------------------

    @classmethod
    def prepare_rows(cls, rows: Iterable[R]) -> PreparedRows[R]:
        """Rows plus their search texts; thread-safe, meant for a worker thread."""
        listed = list(rows)
        key_of, text_of = cls._KEY, cls.search_text
        return PreparedRows(listed, {key_of(row): text_of(row) for row in listed})

    def set_rows(self, rows: Sequence[R] | PreparedRows[R]) -> None:
        """Replace every row (one model reset): only for a full reload."""
        if isinstance(rows, PreparedRows):
            listed, search = rows.rows, rows.search  # taken over, not copied
        else:
            listed, search = list(rows), None
        self.beginResetModel()
        self._by_key = dict(zip(map(self._KEY, listed), listed, strict=True))
        self._ordered = None
        self._search = search
        if search is None and self._filter.words:
            self._search = self._build_search()
        self._tick_clock()
        self._match = self._build_match()
        self._show(self._compute_visible())
        self.endResetModel()

    def upsert_rows(self, rows: Iterable[R]) -> None:
        """Add new rows and replace changed ones, respecting the filter and sort order.

        Per row: nothing when it is unchanged; one ``dataChanged`` when it changed in place;
        one insert when a new row passes the filter (at its sorted place); one remove when a
        shown row no longer passes; a changed row whose sort value moved it is moved first.
        """
        for row in rows:
            self._upsert(row)

    def remove_keys(self, keys: Iterable[Any]) -> None:
        """Forget these rows (one remove per shown row; unknown keys are ignored)."""
        for key in keys:
            if self._by_key.pop(key, None) is None:
                continue
            self._ordered = None
            if self._search is not None:
                self._search.pop(key, None)
            number = self._position_of(key)
            if number is not None:
                self._remove_at(number, key)

    def set_filter(self, row_filter: RowFilter) -> None:
        """Show only rows passing ``row_filter`` (one layout change, selection kept)."""
        if row_filter == self._filter:
            return
        self._filter = row_filter
        if row_filter.words and self._search is None:
            self._search = self._build_search()
        self._match = self._build_match()
        self._relayout(self._compute_visible(), _NO_HINT)

    def set_text_filter(self, text: str) -> None:
        self.set_filter(self._filter.with_text(text))

    def refresh_clock(self, now: datetime | None = None) -> None:
        """Recompute relative times (and overdue marks when the date changed)."""
        previous_today = self._today
        self._tick_clock(now)
        if self._today != previous_today and self._filter.due_within_days is not None:
            self._match = self._build_match()
            self._relayout(self._compute_visible(), _NO_HINT)
        last = len(self._rows) - 1
        if last >= 0:
            for column in self._TIME_COLUMNS:
                self.dataChanged.emit(self.index(0, column), self.index(last, column))

    # -- internals ---------------------------------------------------------------------------

    def _tick_clock(self, now: datetime | None = None) -> None:
        self._now = now or self._clock()
        self._today = self._now.astimezone().date()

    def _build_search(self) -> dict[Any, str]:
        text_of = self.search_text
        return {key: text_of(row) for key, row in self._by_key.items()}

    def _build_match(self) -> Match | None:
        test = self.field_predicate(self._filter) if self._filter.has_fields else None
        self._field_test = test
        return build_match(self._filter.words, test, self._search)

    def _compute_visible(self) -> list[R]:
        """The rows passing the filter, in sort order.

        All keys in the current sort order are kept while rows change only in place (a
        progress update while sorted by due date): then showing more rows again (clearing
        the filter) filters that order instead of sorting everything anew.
        """
        spec = (self._sort_column, self._descending)
        ordered = self._ordered if self._ordered_spec == spec else None
        if ordered is not None:
            return select_rows(self._by_key, ordered, self._search, self._filter, self._field_test)
        rows = select_rows(self._by_key, self._by_key, self._search, self._filter, self._field_test)
        if self._sort_column >= 0:
            rows.sort(key=self.sort_key(self._sort_column), reverse=self._descending)
            if self._match is None:
                self._ordered, self._ordered_spec = list(map(self._KEY, rows)), spec
        return rows

    def _passes(self, key: Any, row: R) -> bool:
        return self._match is None or self._match(key, row)

    def _upsert(self, row: R) -> None:
        key = self._KEY(row)
        old = self._by_key.get(key)
        self._by_key[key] = row
        if self._ordered is not None:
            ordered_by = self.sort_key(self._ordered_spec[0])
            if old is None or ordered_by(old) != ordered_by(row):
                self._ordered = None
        if self._search is not None:
            self._search[key] = self.search_text(row)
        shown = self._passes(key, row)
        number = None if old is None else self._position_of(key)
        if number is None:
            if shown:
                self._insert_at(self._bisect(row), key, row)
            return
        if not shown:
            self._remove_at(number, key)
            return
        if old == row:
            return
        if self._sort_column >= 0:
            sort_value = self.sort_key(self._sort_column)
            if sort_value(old) != sort_value(row):  # type: ignore[arg-type]
                target = self._bisect(row, skip=number)
                if target != number:
                    self._move(number, target, key)
                    number = target
        self._rows[number] = row
        self.dataChanged.emit(self.index(number, 0), self.index(number, len(self._HEADERS) - 1))

    def _bisect(self, row: R, skip: int = -1) -> int:
        """Where ``row`` goes in the shown rows (after equals), ignoring row number ``skip``."""
        if self._sort_column < 0:
            return len(self._rows) - (1 if skip >= 0 else 0)
        return sorted_position(
            self._rows, row, self.sort_key(self._sort_column), self._descending, skip
        )
