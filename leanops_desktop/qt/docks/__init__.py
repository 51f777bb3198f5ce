"""The docked floor tables: stations, jobs, assignments and events."""

from leanops_desktop.qt.docks.assignments_dock import AssignmentsDock
from leanops_desktop.qt.docks.events_dock import EventsDock
from leanops_desktop.qt.docks.filter_bar import FilterBar, FilterOptions
from leanops_desktop.qt.docks.jobs_dock import JobsDock
from leanops_desktop.qt.docks.stations_dock import StationsDock
from leanops_desktop.qt.docks.table_dock import FloorTableView, TableDock

__all__ = [
    "AssignmentsDock",
    "EventsDock",
    "FilterBar",
    "FilterOptions",
    "FloorTableView",
    "JobsDock",
    "StationsDock",
    "TableDock",
]
