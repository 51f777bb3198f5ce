"""ShownRowsModel: the rows a table shows, as a list plus a key -> row number index.

The base of :class:`RowTableModel`. It owns the shown rows and their keys, keeps persistent
indexes on their rows through layout changes, and makes single-row inserts, removes and
moves with exactly one signal each. The index is rebuilt lazily: after a layout change it
is built when the event loop is next idle (or at the first lookup, if sooner); inserts,
removes and moves only mark the rows after them as needing new numbers.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from typing import Any, ClassVar, Generic, Protocol, TypeVar

from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QTimer,
)


class KeyedRow(Protocol):
    """What the model needs of a row: a hashable key."""

    @property
    def key(self) -> Any: ...


R = TypeVar("R", bound=KeyedRow)
Index = QModelIndex | QPersistentModelIndex

_HINT_TYPE = QAbstractItemModel.LayoutChangeHint
_PARENTS = "QList<QPersistentModelIndex>"  # the layout signals' overload that carries a hint
_NO_PARENT = QModelIndex()
_NEAR = 32  # rows searched around a stale row number before the index is rebuilt


def sorted_position(
    rows: Sequence[Any], row: Any, sort_value: Callable[[Any], Any], descending: bool, skip: int
) -> int:
    """Where ``row`` goes among ``rows`` sorted by ``sort_value`` (after equals), ignoring
    the row number ``skip`` (the row's own old place; -1 for none)."""
    target = sort_value(row)
    low, high = 0, len(rows) - (1 if skip >= 0 else 0)
    while low < high:
        middle = (low + high) // 2
        value = sort_value(rows[middle + 1 if 0 <= skip <= middle else middle])
        if (target > value) if descending else (target < value):
            high = middle
        else:
            low = middle + 1
    return low


class ShownRowsModel(QAbstractTableModel, Generic[R]):
    """Shown rows in display order, found by key; one signal per single-row change."""

    #: How to read a row's key; concrete models use ``attrgetter("id")`` (faster than the property).
    _KEY: ClassVar[operator.attrgetter[Any]] = operator.attrgetter("key")

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[R] = []
        self._keys: list[Any] = []
        self._index: dict[Any, int] = {}
        self._index_valid_to = 0  # row numbers in _index are right below this row
        self._index_timer = QTimer(self)
        self._index_timer.setSingleShot(True)
        self._index_timer.setInterval(0)
        self._index_timer.timeout.connect(self._ensure_index)

    def rowCount(self, parent: Index = _NO_PARENT) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def row_at(self, index: int) -> R:
        """The row shown at row number ``index``."""
        return self._rows[index]

    def keys(self) -> list[Any]:
        """The keys of the shown rows, in display order."""
        return list(self._keys)

    def row_number(self, key: Any) -> int | None:
        """Where the row with this key is shown (None when absent or filtered out)."""
        return self._position_of(key)

    def index_for_key(self, key: Any, column: int = 0) -> QModelIndex:
        number = self._position_of(key)
        return QModelIndex() if number is None else self.index(number, column)

    # -- changing the shown rows ----------------------------------------------------------

    def _show(self, rows: list[R]) -> None:
        """Show ``rows``; the key -> row number index is rebuilt when idle or when needed."""
        self._rows = rows
        self._keys = list(map(self._KEY, rows))
        self._index = {}
        self._index_valid_to = 0
        self._index_timer.start()

    def _ensure_index(self) -> None:
        start = self._index_valid_to
        if start < len(self._keys):
            self._index.update(zip(self._keys[start:], range(start, len(self._keys)), strict=True))
            self._index_valid_to = len(self._keys)

    def _relayout(self, rows: list[R], hint: QAbstractItemModel.LayoutChangeHint) -> None:
        """Show ``rows`` instead, keeping persistent indexes (selection, current) on their rows."""
        about_to_change: Any = self.layoutAboutToBeChanged
        about_to_change[_PARENTS, _HINT_TYPE].emit([], hint)
        persistent = self.persistentIndexList()
        old_keys = self._keys
        remembered = [(old_keys[index.row()], index.column()) for index in persistent]
        self._show(rows)
        wanted = {key for key, _column in remembered}
        position = (
            {key: number for number, key in enumerate(self._keys) if key in wanted}
            if wanted
            else {}
        )
        moved = [
            self.index(position[key], column) if key in position else QModelIndex()
            for key, column in remembered
        ]
        if persistent:
            self.changePersistentIndexList(persistent, moved)
        changed: Any = self.layoutChanged
        changed[_PARENTS, _HINT_TYPE].emit([], hint)

    def _position_of(self, key: Any) -> int | None:
        """Row number of a shown key (None when not shown).

        Entries below ``_index_valid_to`` are exact; rows from there on may have shifted
        (inserts, removes, moves) or not be indexed yet, and are re-indexed on demand.
        """
        number = self._index.get(key)
        if number is not None and number < self._index_valid_to:
            return number
        if self._index_valid_to < len(self._keys):
            found = self._search_near(key, number)
            if found is not None:
                return found
            self._ensure_index()
            number = self._index.get(key)
        return number

    def _search_near(self, key: Any, hint: int | None) -> int | None:
        """Find a key without re-indexing: near its old row number (a few rows were inserted or
        removed before it) or among the last rows (the oldest events, about to be dropped)."""
        keys = self._keys
        count = len(keys)
        if hint is not None:
            for distance in range(_NEAR + 1):
                for position in (hint - distance, hint + distance):
                    if 0 <= position < count and keys[position] is key:
                        return position
        for position in range(count - 1, max(0, count - _NEAR) - 1, -1):
            if keys[position] is key:
                return position
        return None

    def _insert_at(self, number: int, key: Any, row: R) -> None:
        self.beginInsertRows(_NO_PARENT, number, number)
        self._rows.insert(number, row)
        self._keys.insert(number, key)
        self._index[key] = number
        self._index_valid_to = min(self._index_valid_to, number)
        self.endInsertRows()

    def _remove_at(self, number: int, key: Any) -> None:
        self.beginRemoveRows(_NO_PARENT, number, number)
        del self._rows[number]
        del self._keys[number]
        self._index.pop(key, None)
        self._index_valid_to = min(self._index_valid_to, number)
        self.endRemoveRows()

    def _move(self, number: int, target: int, key: Any) -> None:
        """Move a shown row to ``target`` (its row number once moved)."""
        destination = target + 1 if target > number else target
        self.beginMoveRows(_NO_PARENT, number, number, _NO_PARENT, destination)
        row = self._rows.pop(number)
        self._keys.pop(number)
        self._rows.insert(target, row)
        self._keys.insert(target, key)
        self._index[key] = target
        self._index_valid_to = min(self._index_valid_to, number, target)
        self.endMoveRows()
