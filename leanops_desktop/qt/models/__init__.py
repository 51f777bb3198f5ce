"""Table models of the floor views (stations, jobs, assignments, events) and their refresh.

Models sort and filter their rows themselves (no proxy model); ``refresh.apply_changes``
re-reads changed rows by key; ``status_colors`` is the palette every floor view shares.
"""

from leanops_desktop.qt.models.assignment_table_model import AssignmentTableModel
from leanops_desktop.qt.models.event_table_model import EventTableModel
from leanops_desktop.qt.models.job_table_model import JobTableModel
from leanops_desktop.qt.models.keyed_rows_model import PreparedRows
from leanops_desktop.qt.models.refresh import FloorModels, apply_changes
from leanops_desktop.qt.models.row_filter import RowFilter
from leanops_desktop.qt.models.row_table_model import RowTableModel
from leanops_desktop.qt.models.station_table_model import StationTableModel

__all__ = [
    "AssignmentTableModel",
    "EventTableModel",
    "FloorModels",
    "JobTableModel",
    "PreparedRows",
    "RowFilter",
    "RowTableModel",
    "StationTableModel",
    "apply_changes",
]
