"""Window geometry, dock layout, table columns, sort orders, filters and searches saved per
user (QSettings).

Only window state lives in QSettings; business settings live in the database.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, fields
from typing import Any, Protocol, cast

from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtWidgets import QMainWindow, QTabWidget

from leanops_desktop.qt.models.row_filter import RowFilter

LAYOUT_VERSION = 1


class ColumnState(Protocol):
    """A table whose columns (widths, order, hidden ones, sort) can be saved and restored."""

    def save_state(self) -> QByteArray: ...

    def restore_state(self, state: QByteArray | bytes | None) -> bool: ...


class FilterState(Protocol):
    """A table whose filters and search text can be saved and restored."""

    def row_filter(self) -> RowFilter: ...

    def set_row_filter(self, row_filter: RowFilter) -> None: ...


def filter_to_text(row_filter: RowFilter) -> str:
    """A filter as JSON text (for QSettings)."""
    return json.dumps(asdict(row_filter), sort_keys=True)


def filter_from_text(text: object) -> RowFilter | None:
    """The filter saved by :func:`filter_to_text`; None when the text is not one."""
    try:
        data = json.loads(str(text))
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    values: dict[str, Any] = {}
    for field in fields(RowFilter):
        value = data.get(field.name)
        if field.name == "text":
            values["text"] = value if isinstance(value, str) else ""
        elif field.name == "due_within_days":
            ok = isinstance(value, int) and not isinstance(value, bool)
            values[field.name] = value if ok else None
        else:
            values[field.name] = value if isinstance(value, str) else None
    return RowFilter(**values)


def user_key(email: str) -> str:
    """A QSettings-safe group name for a user (``sam@plant.test`` -> ``sam_plant.test``)."""
    return re.sub(r"[^A-Za-z0-9._-]", "_", email.lower()) or "anonymous"


class WindowLayoutMixin:
    """Mixed into the main window: save, restore and reset its layout for one user.

    The window provides :meth:`layout_user`, :meth:`layout_columns` (name -> a table whose
    columns and sort order are kept) and :meth:`layout_tabs` (the central tab widget).
    """

    _default_state: QByteArray | None = None
    pending_central_tab = ""
    _default_headers: dict[str, QByteArray] | None = None
    _default_filters: dict[str, RowFilter] | None = None

    def layout_user(self) -> str:
        raise NotImplementedError

    def layout_columns(self) -> dict[str, ColumnState]:
        return {}

    def layout_filters(self) -> dict[str, FilterState]:
        """Tables whose filters and search text are kept with the layout."""
        return {}

    def layout_tabs(self) -> QTabWidget | None:
        return None

    def _window(self) -> QMainWindow:
        return cast(QMainWindow, self)

    def _group(self) -> str:
        return f"layout/{user_key(self.layout_user())}"

    def remember_default_layout(self) -> None:
        """Keep the layout as built, for "Reset layout"."""
        self._default_state = self._window().saveState(LAYOUT_VERSION)
        self._default_headers = {
            name: table.save_state() for name, table in self.layout_columns().items()
        }
        self._default_filters = {
            name: table.row_filter() for name, table in self.layout_filters().items()
        }

    def save_layout(self) -> None:
        settings = QSettings()
        settings.beginGroup(self._group())
        window = self._window()
        settings.setValue("geometry", window.saveGeometry())
        settings.setValue("state", window.saveState(LAYOUT_VERSION))
        for name, table in self.layout_columns().items():
            settings.setValue(f"columns/{name}", table.save_state())
        for name, filtered in self.layout_filters().items():
            settings.setValue(f"filters/{name}", filter_to_text(filtered.row_filter()))
        tabs = self.layout_tabs()
        if tabs is not None:
            settings.setValue("central_tab", tabs.tabText(tabs.currentIndex()))
        settings.endGroup()
        settings.sync()

    def restore_layout(self) -> bool:
        """Apply the user's saved layout; False when there is none (defaults stay)."""
        settings = QSettings()
        settings.beginGroup(self._group())
        try:
            state = settings.value("state")
            if not isinstance(state, QByteArray):
                return False
            window = self._window()
            geometry = settings.value("geometry")
            if isinstance(geometry, QByteArray):
                window.restoreGeometry(geometry)
            window.restoreState(state, LAYOUT_VERSION)
            for name, table in self.layout_columns().items():
                columns = settings.value(f"columns/{name}")
                if isinstance(columns, QByteArray):
                    table.restore_state(columns)
            for name, filtered in self.layout_filters().items():
                saved = settings.value(f"filters/{name}")
                row_filter = filter_from_text(saved) if saved is not None else None
                if row_filter is not None:
                    filtered.set_row_filter(row_filter)
            self.pending_central_tab = str(settings.value("central_tab", "") or "")
            self.select_pending_tab()
            return True
        finally:
            settings.endGroup()

    def select_pending_tab(self) -> None:
        """Show the saved central tab once it exists (views may be added after restoring)."""
        tabs = self.layout_tabs()
        if tabs is None or not self.pending_central_tab:
            return
        for index in range(tabs.count()):
            if tabs.tabText(index) == self.pending_central_tab:
                tabs.setCurrentIndex(index)
                self.pending_central_tab = ""
                return

    def reset_layout(self) -> None:
        """Back to the layout as built: every dock shown in its place, default columns."""
        window = self._window()
        if self._default_state is not None:
            window.restoreState(self._default_state, LAYOUT_VERSION)
        for name, table in self.layout_columns().items():
            default = (self._default_headers or {}).get(name)
            if default is not None:
                table.restore_state(default)
        for name, filtered in self.layout_filters().items():
            default_filter = (self._default_filters or {}).get(name)
            if default_filter is not None:
                filtered.set_row_filter(default_filter)
        tabs = self.layout_tabs()
        if tabs is not None:
            tabs.setCurrentIndex(0)
