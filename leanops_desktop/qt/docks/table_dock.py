"""TableDock: a dock with a filter bar over a table view of one floor model.

The dock reports rows by key, never by row number: ``row_activated(key)`` on double-click
or Enter, ``current_key_changed(key)``, ``context_menu_requested(key, global_pos)`` (key
None on empty space). ``save_state`` / ``restore_state`` keep column widths, order,
hidden columns and the sort order. ``load`` fills the model off the GUI thread and keeps
the selected row across the reload.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QByteArray, QModelIndex, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDockWidget,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QProgressBar,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from leanops_desktop.qt.db_runner import DbRunner, ErrorCallback
from leanops_desktop.qt.delegates.progress_delegate import ProgressBarDelegate
from leanops_desktop.qt.docks.filter_bar import FilterBar, FilterOptions
from leanops_desktop.qt.loading import load_into
from leanops_desktop.qt.models.row_filter import RowFilter
from leanops_desktop.qt.models.row_table_model import ROW_ROLE, RowTableModel

CLOCK_INTERVAL_MS = 30_000
_ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


class FloorTableView(QTableView):
    """A table tuned for large models: fixed row heights, no word wrap; Enter activates."""

    enter_pressed = Signal(QModelIndex)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.setShowGrid(False)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        vertical = self.verticalHeader()
        vertical.hide()
        vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vertical.setDefaultSectionSize(self.fontMetrics().height() + 12)
        header = self.horizontalHeader()
        header.setStretchLastSection(True)
        header.setSectionsMovable(True)
        header.setHighlightSections(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setSortIndicatorShown(True)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in _ENTER_KEYS and self.currentIndex().isValid():
            self.enter_pressed.emit(self.currentIndex())
            event.accept()
            return
        super().keyPressEvent(event)


class TableDock(QDockWidget):
    """A floor table in a dock: filter bar, count, busy indicator, the table itself."""

    row_activated = Signal(object)  # key of the double-clicked / Enter-pressed row
    current_key_changed = Signal(object)  # key of the current row, or None
    context_menu_requested = Signal(object, QPoint)  # key under the mouse (or None), global pos

    #: What the count label calls the rows ("stations", "jobs", ...).
    noun = "rows"

    def __init__(
        self,
        title: str,
        object_name: str,
        model: RowTableModel[Any],
        options: FilterOptions,
        *,
        default_sort: tuple[int, Qt.SortOrder] = (0, Qt.SortOrder.AscendingOrder),
        column_widths: dict[int, int] | None = None,
        progress_columns: tuple[int, ...] = (),
        view: FloorTableView | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(title, parent)
        self.setObjectName(object_name)
        self.model = model
        self.filter_bar = FilterBar(options, self)
        self.count_label = QLabel(self)
        self.count_label.setObjectName("rowCount")
        self.busy = QProgressBar(self)
        self.busy.setObjectName("busy")
        self.busy.setRange(0, 0)
        self.busy.setMaximumWidth(90)
        self.busy.setMaximumHeight(12)
        self.busy.setTextVisible(False)
        self.busy.hide()
        self.view = view or FloorTableView(self)
        self.view.setModel(model)
        self.progress_delegate = ProgressBarDelegate(self.view)
        for column in progress_columns:
            self.view.setItemDelegateForColumn(column, self.progress_delegate)
        header = self.view.horizontalHeader()
        for column, width in (column_widths or {}).items():
            header.resizeSection(column, width)
        header.setSortIndicator(*default_sort)
        self.view.setSortingEnabled(True)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._header_menu)

        self._lay_out()

        self.filter_bar.filter_changed.connect(self.model.set_filter)
        self.view.doubleClicked.connect(self._activated)
        self.view.enter_pressed.connect(self._activated)
        self.view.customContextMenuRequested.connect(self._context_menu)
        selection = self.view.selectionModel()
        selection.currentRowChanged.connect(self._current_changed)
        for signal in (model.rowsInserted, model.rowsRemoved, model.modelReset):
            signal.connect(self._update_count)
        model.layoutChanged.connect(self._update_count)
        model.modelAboutToBeReset.connect(self._remember_current)
        model.modelReset.connect(self._restore_current)
        self._kept_key: Any = None
        self._clock = QTimer(self)
        self._clock.setInterval(CLOCK_INTERVAL_MS)
        self._clock.timeout.connect(self.model.refresh_clock)
        self._clock.start()
        self._update_count()

    def _lay_out(self) -> None:
        """The filter bar, busy indicator and count above the table."""
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.setSpacing(8)
        top.addWidget(self.filter_bar, 1)
        top.addWidget(self.busy)
        top.addWidget(self.count_label)
        body = QWidget(self)
        column_layout = QVBoxLayout(body)
        column_layout.setContentsMargins(6, 4, 6, 6)
        column_layout.setSpacing(4)
        column_layout.addLayout(top)
        column_layout.addWidget(self.view, 1)
        self.setWidget(body)

    # -- keys and selection ----------------------------------------------------------------

    def key_at(self, index: QModelIndex) -> Any:
        row = index.data(ROW_ROLE) if index.isValid() else None
        return None if row is None else row.key

    def current_key(self) -> Any:
        """Key of the current (selected) row, or None."""
        return self.key_at(self.view.currentIndex())

    def select_key(self, key: Any) -> bool:
        """Make the row with ``key`` current and scroll to it; False when it is not shown."""
        index = self.model.index_for_key(key)
        if not index.isValid():
            return False
        self.view.setCurrentIndex(index)
        self.view.scrollTo(index)
        return True

    # -- filters ---------------------------------------------------------------------------

    def row_filter(self) -> RowFilter:
        return self.model.row_filter()

    def set_row_filter(self, row_filter: RowFilter) -> None:
        """Apply ``row_filter`` and show it in the filter bar."""
        self.filter_bar.set_row_filter(row_filter)

    def focus_search(self) -> None:
        self.filter_bar.search.setFocus()
        self.filter_bar.search.selectAll()

    # -- saved state -----------------------------------------------------------------------

    def save_state(self) -> QByteArray:
        """Column widths, order, hidden columns and sort order (for QSettings)."""
        return self.view.horizontalHeader().saveState()

    def restore_state(self, state: QByteArray | bytes | None) -> bool:
        """Apply a state from :meth:`save_state` and sort the model accordingly."""
        if not state:
            return False
        header = self.view.horizontalHeader()
        if not header.restoreState(QByteArray(state)):
            return False
        if header.count() != self.model.columnCount():
            return False
        self.model.sort(header.sortIndicatorSection(), header.sortIndicatorOrder())
        return True

    # -- loading ---------------------------------------------------------------------------

    def set_busy(self, busy: bool) -> None:
        self.busy.setVisible(busy)

    def load(
        self,
        runner: DbRunner,
        fetch: Callable[[], Any],
        *,
        first_page: Callable[[], Any] | None = None,
        on_error: ErrorCallback | None = None,
        on_loaded: Callable[[], None] | None = None,
    ) -> None:
        """Fill the model from ``fetch()`` run off the GUI thread (busy indicator meanwhile);
        ``on_loaded()`` once every row is in the model."""
        self.set_busy(True)

        def loaded() -> None:
            self.set_busy(False)
            if on_loaded is not None:
                on_loaded()

        def failed(error: BaseException) -> None:
            self.set_busy(False)
            if on_error is not None:
                on_error(error)
            else:
                runner.report_unhandled(error)

        load_into(
            runner,
            self.model,
            fetch,
            first_page=first_page,
            on_loaded=loaded,
            on_error=failed,
        )

    # -- internals -------------------------------------------------------------------------

    def _activated(self, index: QModelIndex) -> None:
        key = self.key_at(index)
        if key is not None:
            self.row_activated.emit(key)

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self.current_key_changed.emit(self.key_at(current))

    def _context_menu(self, pos: QPoint) -> None:
        index = self.view.indexAt(pos)
        if index.isValid():
            self.view.setCurrentIndex(index)
        viewport = self.view.viewport()
        self.context_menu_requested.emit(self.key_at(index), viewport.mapToGlobal(pos))

    def _remember_current(self) -> None:
        self._kept_key = self.current_key()

    def _restore_current(self) -> None:
        if self._kept_key is not None:
            index = self.model.index_for_key(self._kept_key)
            if index.isValid():
                self.view.setCurrentIndex(index)
        self._kept_key = None

    def _update_count(self, *_args: object) -> None:
        shown, total = self.model.rowCount(), self.model.total_count()
        if shown == total:
            self.count_label.setText(f"{total:,} {self.noun}")
        else:
            self.count_label.setText(f"{shown:,} of {total:,} {self.noun}")

    def _header_menu(self, pos: QPoint) -> None:
        header = self.view.horizontalHeader()
        menu = QMenu(self)
        for logical in range(header.count()):
            title = self.model.headerData(logical, Qt.Orientation.Horizontal)
            action = QAction(str(title), menu)
            action.setCheckable(True)
            action.setChecked(not header.isSectionHidden(logical))
            action.toggled.connect(
                lambda shown, column=logical: self.set_column_visible(column, shown)
            )
            menu.addAction(action)
        menu.popup(header.mapToGlobal(pos))

    def set_column_visible(self, column: int, visible: bool) -> None:
        """Show or hide a column (the last visible column cannot be hidden)."""
        header = self.view.horizontalHeader()
        shown = [c for c in range(header.count()) if not header.isSectionHidden(c)]
        if not visible and shown == [column]:
            return
        header.setSectionHidden(column, not visible)
