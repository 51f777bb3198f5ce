"""The rows of a floor table model: kept by key, sorted and filtered in the model itself.

The model keeps every row in a dict key -> row, and the rows it shows (those passing the
filter, in sort order) in a list plus a dict key -> row number (``ShownRowsModel``). Live
changes go through :meth:`KeyedRowsModel.upsert_rows` and :meth:`KeyedRowsModel.remove_keys`,
which emit exactly one ``dataChanged``, insert or remove per changed row (a row whose sort
value changed is also moved, with one ``rowsMoved``); a full reset happens only in
:meth:`KeyedRowsModel.set_rows`. What the cells show is :class:`RowTableModel`'s.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, ClassVar, Generic

from PySide6.QtCore import QAbstractItemModel, QObject, Qt

from leanops_desktop.qt.models.row_filter import Match, RowFilter, build_match, select_rows
from leanops_desktop.qt.models.shown_rows_model import R, ShownRowsModel, sorted_position

Clock = Callable[[], datetime]

_DESCENDING = Qt.SortOrder.DescendingOrder
_ASCENDING = Qt.SortOrder.AscendingOrder
_SORT_HINT = QAbstractItemModel.LayoutChangeHint.VerticalSortHint
_NO_HINT = QAbstractItemModel.LayoutChangeHint.NoLayoutChangeHint


def utc_now() -> datetime:
    """The default clock of the models."""
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class PreparedRows(Generic[R]):
    """Rows with their search texts, computed off the GUI thread by ``prepare_rows``."""

    rows: list[R]
    search: dict[Any, str]


class KeyedRowsModel(ShownRowsModel[R]):
    """Immutable rows addressed by key, sorted and filtered (the cells: a subclass's)."""

    _HEADERS: ClassVar[tuple[str, ...]] = ()
    #: Columns whose text depends on the clock (refreshed by :meth:`refresh_clock`).
    _TIME_COLUMNS: ClassVar[tuple[int, ...]] = ()

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

    # -- what rows are sorted and searched by ----------------------------------------------

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

    # -- reading -----------------------------------------------------------------------------

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
