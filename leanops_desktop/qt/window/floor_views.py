"""How the main window uses the table models and docks: build, arrange, load, export.

Everything the window needs from ``qt/models`` and ``qt/docks`` goes through this module.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QMainWindow

from leanops_desktop.db.engine import Database
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


def fit_docks(window: QMainWindow, docks: Mapping[str, TableDock]) -> None:
    """Place and size the docks for the window's size: on a wide window the queue sits on
    the right (a third of the width), on a narrower one it is the first tab below; the tables
    below take about 28 % of the height (a third when the queue is among them)."""
    width, height = window.width(), window.height()
    jobs, assignments = docks["jobs"], docks["assignments"]
    right = Qt.DockWidgetArea.RightDockWidgetArea
    if width >= WIDE_WINDOW:
        if window.dockWidgetArea(jobs) != right:
            window.addDockWidget(right, jobs)
        window.resizeDocks([jobs], [max(400, int(width * 0.33))], Qt.Orientation.Horizontal)
        assignments.raise_()
        share = 0.28
    else:
        if window.dockWidgetArea(jobs) == right:
            window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, jobs)
            for name in ("assignments", "stations", "events"):  # the queue as the first tab
                window.tabifyDockWidget(jobs, docks[name])
        jobs.raise_()
        share = 0.33
    window.resizeDocks([assignments], [max(180, int(height * share))], Qt.Orientation.Vertical)


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
    # Jobs can number 100,000: paint the first page at once, read the rest in plain chunks.
    docks["jobs"].load(
        runner,
        reader(table_pages.all_jobs),
        first_page=reader(table_pages.first_jobs),
        on_error=on_error,
        on_loaded=one_loaded,
    )


def rows_of(model: RowTableModel[Any]) -> list[Any]:
    """Every row of a model, shown or filtered out."""
    return model.all_rows()
