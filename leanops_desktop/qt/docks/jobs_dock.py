"""JobsDock: the job queue; rows can be dragged onto stations to assign them."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QDrag
from PySide6.QtWidgets import QAbstractItemView, QWidget

from leanops_desktop.core.enums import JobStatus
from leanops_desktop.qt.docks.filter_bar import FilterOptions
from leanops_desktop.qt.docks.table_dock import FloorTableView, TableDock
from leanops_desktop.qt.models import job_table_model as cols
from leanops_desktop.qt.models.job_table_model import JobTableModel
from leanops_desktop.qt.models.row_filter import RowFilter

JOB_STATUS_CHOICES = (
    ("Any status", None),
    ("Open (not completed)", cols.OPEN_STATUS),
    *((status.value.capitalize(), status.value) for status in JobStatus),
)


class JobQueueView(FloorTableView):
    """Several jobs may be selected (travelers for a batch), but a drag carries the one job
    the mouse pressed: a station takes one job, and it must be the one the person dragged."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)

    def startDrag(self, supported_actions: Qt.DropAction) -> None:
        index = self.currentIndex()
        model = self.model()
        if not index.isValid() or model is None:
            return
        drag = QDrag(self)
        drag.setMimeData(model.mimeData([index]))
        drag.exec(supported_actions, self.defaultDropAction())


#: What the queue shows until the user chooses otherwise: open jobs (waiting or running).
DEFAULT_FILTER = RowFilter(status=cols.OPEN_STATUS)


class JobsDock(TableDock):
    """Open jobs, earliest due first; filters: status, priority, due, text."""

    noun = "jobs"

    def __init__(self, model: JobTableModel, parent: QWidget | None = None) -> None:
        super().__init__(
            "Jobs",
            "JobsDock",
            model,
            FilterOptions(
                status=JOB_STATUS_CHOICES,
                priority=True,
                due=True,
                placeholder="Search jobs, parts, stations…",
            ),
            default_sort=(cols.COL_DUE, Qt.SortOrder.AscendingOrder),
            column_widths={
                cols.COL_ID: 95,
                cols.COL_PART: 160,
                cols.COL_PRIORITY: 80,
                cols.COL_STATUS: 100,
                cols.COL_DUE: 95,
                cols.COL_PROGRESS: 150,
                cols.COL_STATIONS: 100,
            },
            progress_columns=(cols.COL_PROGRESS,),
            view=JobQueueView(),
            parent=parent,
        )
        # The queue: what is still to make, soonest due first (completed jobs one choice away).
        self.set_row_filter(DEFAULT_FILTER)
        self.view.setDragEnabled(True)
        self.view.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.view.setDefaultDropAction(Qt.DropAction.CopyAction)

    def selected_keys(self) -> list[str]:
        """The ids of the selected jobs, top to bottom as shown."""
        indexes = sorted(self.view.selectionModel().selectedRows(), key=lambda index: index.row())
        keys = (self.key_at(index) for index in indexes)
        return [str(key) for key in keys if key is not None]
