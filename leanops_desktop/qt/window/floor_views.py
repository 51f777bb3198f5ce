"""How the main window uses the table models and docks: build, arrange, load, export.

Everything the window needs from ``qt/models`` and ``qt/docks`` goes through this module.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QMainWindow, QToolBar

from leanops_desktop.core.enums import JobStatus
from leanops_desktop.qt.db_runner import DbRunner
from leanops_desktop.qt.docks import (
    AssignmentsDock,
    EventsDock,
    JobsDock,
    StationsDock,
    TableDock,
)
from leanops_desktop.qt.models import (
    AssignmentTableModel,
    EventTableModel,
    FloorModels,
    JobTableModel,
    RowTableModel,
    StationTableModel,
)
from leanops_desktop.services.reads import history, queries, table_pages

if TYPE_CHECKING:
    from leanops_desktop.db.engine import Database

#: The jobs the queue shows first (its default filter): the first page is read among them.
OPEN_JOBS = (JobStatus.WAITING, JobStatus.RUNNING)

#: How many events the Events dock loads (newest first); live changes add to them.
EVENTS_LOADED = 2000


def make_models(parent: QObject) -> FloorModels:
    return FloorModels(
        stations=StationTableModel(parent),
        jobs=JobTableModel(parent),
        assignments=AssignmentTableModel(parent),
        events=EventTableModel(parent),
    )


def make_docks(window: QMainWindow, models: FloorModels) -> dict[str, TableDock]:
    """The four docks, in the order of the View menu (Alt+1 ... Alt+4)."""
    return {
        "stations": StationsDock(models.stations, window),
        "jobs": JobsDock(models.jobs, window),
        "assignments": AssignmentsDock(models.assignments, window),
        "events": EventsDock(models.events, window),
    }


#: Narrower windows keep the job queue with the other tables below the overview, so the
#: overview gets the full width (the queue's filter bar needs ~650 px on the right).
WIDE_WINDOW = 1500
#: The queue's share of a wide window's width: at 1920 px the overview keeps six columns.
JOBS_WIDTH = 0.30
#: The tables' share of the height below the overview: enough for about eight rows at
#: 1080 px (wide) and six at 720 px (narrow, the queue among them).
BELOW_SHARE_WIDE = 0.30
BELOW_SHARE_NARROW = 0.38


def arrange_docks(window: QMainWindow, docks: Mapping[str, TableDock]) -> None:
    """The default layout: the queue on the right; assignments, stations, events below."""
    right = Qt.DockWidgetArea.RightDockWidgetArea
    bottom = Qt.DockWidgetArea.BottomDockWidgetArea
    window.addDockWidget(right, docks["jobs"])
    window.addDockWidget(bottom, docks["assignments"])
    window.tabifyDockWidget(docks["assignments"], docks["stations"])
    window.tabifyDockWidget(docks["stations"], docks["events"])
    docks["assignments"].raise_()
    fit_docks(window, docks)


def fit_docks(
    window: QMainWindow,
    docks: Mapping[str, TableDock],
    overview_height: Callable[[int], int] | None = None,
) -> None:
    """Place and size the docks for the window's size: on a wide window the queue sits on
    the right (30 % of the width), on a narrower one it is the first tab below; the tables
    below take 30 % of the height (38 % when the queue is among them). The overview keeps
    the rest, and its tiles grow to fill it."""
    width, height = window.width(), window.height()
    jobs, assignments = docks["jobs"], docks["assignments"]
    right = Qt.DockWidgetArea.RightDockWidgetArea
    if width >= WIDE_WINDOW:
        if window.dockWidgetArea(jobs) != right:
            window.addDockWidget(right, jobs)
        window.resizeDocks([jobs], [max(400, int(width * JOBS_WIDTH))], Qt.Orientation.Horizontal)
        assignments.raise_()
        share = BELOW_SHARE_WIDE
    else:
        if window.dockWidgetArea(jobs) == right:
            window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, jobs)
            for name in ("assignments", "stations", "events"):  # the queue as the first tab
                window.tabifyDockWidget(jobs, docks[name])
        jobs.raise_()
        share = BELOW_SHARE_NARROW
    below = int(height * share)
    if overview_height is not None:
        # Tiles that cannot grow any taller leave the rest to the tables (up to 45 %).
        side = jobs.width() if window.dockWidgetArea(jobs) == right else 0
        tiles = overview_height(max(0, width - side - 40))
        if tiles > 0:  # (0: no stations read yet)
            spare = _central_room(window) - tiles - CENTRAL_CHROME - below
            below = min(int(height * 0.45), below + max(0, spare))
    window.resizeDocks([assignments], [max(180, below)], Qt.Orientation.Vertical)


#: The central area's own height above and around the overview: tab bar and margins.
CENTRAL_CHROME = 48


def _central_room(window: QMainWindow) -> int:
    """The height the overview and the tables below it share: the window without its bars."""
    used = 0
    for bar in (window.menuBar(), window.statusBar()):
        used += bar.sizeHint().height() if bar is not None and bar.isVisible() else 0
    for toolbar in window.findChildren(QToolBar):
        if toolbar.isVisible() and window.toolBarArea(toolbar) in (
            Qt.ToolBarArea.TopToolBarArea,
            Qt.ToolBarArea.BottomToolBarArea,
        ):
            used += toolbar.sizeHint().height()
    return window.height() - used


def load_all(
    db: Database,
    docks: Mapping[str, TableDock],
    runner: DbRunner,
    on_error: Callable[[BaseException], None],
    on_loaded: Callable[[], None] | None = None,
) -> None:
    """Full reload of the four tables, each read off the GUI thread in its own session;
    ``on_loaded()`` once all four are in their models."""
    waiting = {"count": len(docks)}

    def one_loaded() -> None:
        waiting["count"] -= 1
        if waiting["count"] == 0 and on_loaded is not None:
            on_loaded()

    def reader(fetch: Callable[[Any], list[Any]]) -> Callable[[], list[Any]]:
        def read() -> list[Any]:
            with db.session() as session:
                return fetch(session)

        return read

    fetches: dict[str, Callable[[Any], list[Any]]] = {
        "stations": queries.list_stations,
        "assignments": queries.list_assignments,
        "events": lambda session: history.list_events(session, limit=EVENTS_LOADED),
    }
    for name, fetch in fetches.items():
        docks[name].load(runner, reader(fetch), on_error=on_error, on_loaded=one_loaded)
    events = docks["events"].model
    if isinstance(events, EventTableModel):  # "latest 2,000 of 13,261 events"

        def count_events() -> int:
            with db.session() as session:
                return history.count_events(session)

        runner.submit(count_events, events.set_stored_total, on_error, group="events-count")
    # Jobs can number 100,000: paint the first page at once, read the rest in plain chunks.
    docks["jobs"].load(
        runner,
        reader(table_pages.all_jobs),
        first_page=reader(lambda session: table_pages.first_jobs(session, statuses=OPEN_JOBS)),
        on_error=on_error,
        on_loaded=one_loaded,
    )


def rows_of(model: RowTableModel[Any]) -> list[Any]:
    """Every row of a model, shown or filtered out."""
    return model.all_rows()
