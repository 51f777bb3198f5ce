"""Menu bar, toolbar and context menus, all built from the one action registry."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QDockWidget, QMainWindow, QMenu, QToolBar

from leanops_desktop.qt.actions import ActionRegistry

MENUS: tuple[tuple[str, tuple[str | None, ...]], ...] = (
    ("&File", ("import_jobs", None, "export_csv", "export_xlsx", "shift_report", None,
               "switch_user", "sign_out",
               None, "quit")),
    ("&Jobs", ("new_job", "edit_job", None, "assign_job", "unassign_job", "move_job", None,
               "complete_job", None, "print_travelers", "save_travelers_pdf")),
    ("&Stations", ("new_station", "edit_station", None, "block_station", "unblock_station", None,
                   "activate_station", "deactivate_station")),
    ("&View", ("refresh", None, "reset_layout")),
    ("&Admin", ("users", None, "downtime_reasons", "shift_calendar", "stop_detection")),
    ("&Help", ("shortcuts", None, "about")),
)  # fmt: skip

TOOLBAR: tuple[str | None, ...] = (
    "new_job", "edit_job", None, "assign_job", "unassign_job", "move_job", "complete_job", None,
    "block_station", "unblock_station", None, "export_csv", "refresh",
)  # fmt: skip

STATION_MENU: tuple[str | None, ...] = (
    "edit_station", None, "assign_job", "unassign_job", "move_job", "complete_job", None,
    "block_station", "unblock_station", None, "activate_station", "deactivate_station",
)  # fmt: skip

JOB_MENU: tuple[str | None, ...] = (
    "edit_job", "assign_job", "complete_job", None, "new_job", None, "print_travelers",
    "save_travelers_pdf",
)  # fmt: skip


def build_menu_bar(
    window: QMainWindow, registry: ActionRegistry, docks: Sequence[QDockWidget]
) -> dict[str, QMenu]:
    """The window's menus; the View menu also lists every dock (to show or hide it)."""
    bar = window.menuBar()
    menus: dict[str, QMenu] = {}
    for title, names in MENUS:
        menu = bar.addMenu(title)
        menu.setToolTipsVisible(True)
        menus[title.replace("&", "")] = menu
        if title == "&View":
            for number, dock in enumerate(docks, start=1):
                toggle = dock.toggleViewAction()
                toggle.setShortcut(f"Alt+{number}")
                toggle.setStatusTip(f"Show or hide the {dock.windowTitle()} panel")
                menu.addAction(toggle)
            menu.addSeparator()
        _fill(menu, registry, names, only_permitted=False)
    return menus


def build_toolbar(window: QMainWindow, registry: ActionRegistry) -> QToolBar:
    """The main toolbar, holding only the actions the signed-in role may take."""
    toolbar = QToolBar("Main toolbar", window)
    toolbar.setObjectName("MainToolbar")
    toolbar.setMovable(False)
    toolbar.setIconSize(QSize(18, 18))
    toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
    previous_was_action = False
    for name in TOOLBAR:
        if name is None:
            if previous_was_action:
                toolbar.addSeparator()
            previous_was_action = False
        elif registry.permitted(name):
            toolbar.addAction(registry[name])
            previous_was_action = True
    window.addToolBar(Qt.ToolBarArea.TopToolBarArea, toolbar)
    return toolbar


def context_menu(
    registry: ActionRegistry, names: Sequence[str | None], parent: QMainWindow
) -> QMenu:
    """A context menu of the permitted actions among ``names``."""
    menu = QMenu(parent)
    menu.setToolTipsVisible(True)
    _fill(menu, registry, names, only_permitted=True)
    return menu


def _fill(
    menu: QMenu, registry: ActionRegistry, names: Sequence[str | None], *, only_permitted: bool
) -> None:
    pending_separator = False
    for name in names:
        if name is None:
            pending_separator = not menu.isEmpty()
            continue
        if only_permitted and not registry.permitted(name):
            continue
        if pending_separator:
            menu.addSeparator()
            pending_separator = False
        menu.addAction(registry[name])
