"""Window geometry, dock layout, table columns and sort orders saved per user (QSettings).

Only window state lives in QSettings; business settings live in the database.
"""

from __future__ import annotations

import re
from typing import Protocol, cast

from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtWidgets import QMainWindow, QTabWidget

LAYOUT_VERSION = 1


class ColumnState(Protocol):
    """A table whose columns (widths, order, hidden ones, sort) can be saved and restored."""

    def save_state(self) -> QByteArray: ...

    def restore_state(self, state: QByteArray | bytes | None) -> bool: ...


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

    def layout_user(self) -> str:
        raise NotImplementedError

    def layout_columns(self) -> dict[str, ColumnState]:
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

    def save_layout(self) -> None:
        settings = QSettings()
        settings.beginGroup(self._group())
        window = self._window()
        settings.setValue("geometry", window.saveGeometry())
        settings.setValue("state", window.saveState(LAYOUT_VERSION))
        for name, table in self.layout_columns().items():
            settings.setValue(f"columns/{name}", table.save_state())
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
        tabs = self.layout_tabs()
        if tabs is not None:
            tabs.setCurrentIndex(0)
