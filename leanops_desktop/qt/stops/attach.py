"""Giving the main window its Stops dock: tabbed with the tables below the overview, listed
in the View menu, live from the change feed, sweeping for quiet stations every minute."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt

from leanops_desktop.config import SiteConfig
from leanops_desktop.core.permissions import Action, allowed
from leanops_desktop.qt.stops.stops_controller import StopsController
from leanops_desktop.qt.stops.stops_dock import StopsDock
from leanops_desktop.services.analytics_time import local_zone

if TYPE_CHECKING:
    from leanops_desktop.qt.main_window import MainWindow

#: The View menu's shortcut of the dock (the four floor tables have Alt+1 ... Alt+4).
TOGGLE_SHORTCUT = "Alt+5"


def attach_stops(
    window: MainWindow,
    config: SiteConfig,
    *,
    sweeps: bool = True,
    clock: Callable[[], datetime] | None = None,
) -> StopsController | None:
    """The dock and its controller, for every role that sees the floor; None for others.

    ``sweeps=False``: list only (a screenshot). ``clock``: the moment to show and to sweep
    at (tests); by default the time now, and the service judges quiet stations itself."""
    if not allowed(window.actor.role, Action.VIEW_FLOOR):
        return None
    zone = local_zone()
    now = clock if clock is not None else _now
    dock = StopsDock(window.actor.role, zone, now, window)
    window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, dock)
    # Where the user left it when the saved layout knows; else a tab after the Events.
    restored = bool(getattr(window, "_layout_restored", False))
    events = window.docks.get("events")
    if not (restored and window.restoreDockWidget(dock)) and events is not None:
        window.tabifyDockWidget(events, dock)
    _list_in_view_menu(window, dock)
    controller = StopsController(
        window.db,
        window.actor,
        window.runner,
        dock,
        window.messages,
        tz=zone,
        shift_starts=config.shift_starts,
        sweeps=sweeps,
        saved=window.saved,
        status=window.statusBar(),
        clock=now,
        sweep_clock=clock,
    )
    window.live_feed.changes_arrived.connect(controller.changes)
    history_lost = getattr(window.live_feed, "history_lost", None)
    if history_lost is not None:
        history_lost.connect(controller.refresh)
    window.registry["refresh"].triggered.connect(lambda _checked=False: controller.refresh())
    controller.start()
    return controller


def _now() -> datetime:
    return datetime.now(UTC)


def _list_in_view_menu(window: MainWindow, dock: StopsDock) -> None:
    """After the floor tables' toggles, before the View menu's first separator."""
    menu = window.menus.get("View")
    if menu is None:
        return
    toggle = dock.toggleViewAction()
    toggle.setShortcut(TOGGLE_SHORTCUT)
    toggle.setStatusTip("Show or hide the Stops panel")
    separator = next((action for action in menu.actions() if action.isSeparator()), None)
    if separator is not None:
        menu.insertAction(separator, toggle)
    else:
        menu.addAction(toggle)
