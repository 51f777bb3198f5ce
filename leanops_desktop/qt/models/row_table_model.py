"""The base of the floor table models: what the cells of rows kept by key show.

Rows are immutable dataclasses (``core.rows``) with a ``key``; :class:`KeyedRowsModel` keeps
them, sorted and filtered, and applies live changes one row at a time. This class answers
Qt's questions about the cells (text, colours, alignment, sort value, progress, export).

Sorting and filtering run in the model rather than in a ``QSortFilterProxyModel``: a proxy
compares rows through ``data()`` calls back into Python (16 s to sort 100,000 rows), while
sorting the Python list by a key function takes a few tens of milliseconds. Filtering
compares precomputed lowercase search texts. Concrete models give the columns (``COL_*``
constants and ``_HEADERS``), a sort key per column, the search text and the presentation
hooks.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, ClassVar

from PySide6.QtCore import QAbstractItemModel, QModelIndex, Qt

from leanops_desktop.qt.models.keyed_rows_model import KeyedRowsModel
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
from leanops_desktop.qt.models.shown_rows_model import Index, R

__all__ = [
    "EXPORT_ROLE",
    "PROGRESS_ROLE",
    "ROW_ROLE",
    "SORT_ROLE",
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


class RowTableModel(KeyedRowsModel[R]):
    """A table of immutable rows addressed by key, sorted and filtered in the model."""

    SortRole: ClassVar[int] = SORT_ROLE
    RowRole: ClassVar[int] = ROW_ROLE
    ProgressRole: ClassVar[int] = PROGRESS_ROLE
    ExportRole: ClassVar[int] = EXPORT_ROLE

    _HEADER_TIPS: ClassVar[dict[int, str]] = {}
    _RIGHT_ALIGNED: ClassVar[frozenset[int]] = frozenset()
    #: Progress columns shown as "done / total", exported as two number columns (headers).
    _SPLIT_EXPORT: ClassVar[dict[int, tuple[str, str]]] = {}

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

    # -- hooks for concrete models -----------------------------------------------------------

    def display_text(self, row: R, column: int) -> str | None:
        raise NotImplementedError

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
