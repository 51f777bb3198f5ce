"""AssignmentsDock: what runs where now, with live progress."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from leanops_desktop.qt.docks.filter_bar import FilterOptions
from leanops_desktop.qt.docks.table_dock import TableDock
from leanops_desktop.qt.models import assignment_table_model as cols
from leanops_desktop.qt.models.assignment_table_model import AssignmentTableModel


class AssignmentsDock(TableDock):
    """Running assignments by line; filters: line, priority, due, text."""

    noun = "assignments"

    def __init__(self, model: AssignmentTableModel, parent: QWidget | None = None) -> None:
        super().__init__(
            "Assignments",
            "AssignmentsDock",
            model,
            FilterOptions(
                line=True,
                priority=True,
                due=True,
                placeholder="Search stations, jobs, parts…",
            ),
            default_sort=(cols.COL_LINE, Qt.SortOrder.AscendingOrder),
            column_widths={
                cols.COL_STATION: 70,
                cols.COL_LINE: 70,
                cols.COL_JOB: 90,
                cols.COL_PART: 140,
                cols.COL_PRIORITY: 80,
                cols.COL_DUE: 95,
                cols.COL_DONE_HERE: 80,
                cols.COL_JOB_PROGRESS: 150,
                cols.COL_STARTED: 110,
            },
            progress_columns=(cols.COL_JOB_PROGRESS,),
            parent=parent,
        )
        self.assignment_model = model
        for signal in (model.modelReset, model.rowsInserted, model.dataChanged):
            signal.connect(self._update_lines)
        self._update_lines()

    def _update_lines(self, *_args: object) -> None:
        self.filter_bar.set_lines(self.assignment_model.lines())
