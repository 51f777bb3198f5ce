"""StationsDock: every station; job rows dropped on a station row ask to assign the job."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QAbstractItemView, QWidget

from leanops_desktop.core.rows import StationRow
from leanops_desktop.qt.docks.filter_bar import FilterOptions
from leanops_desktop.qt.docks.table_dock import FloorTableView, TableDock
from leanops_desktop.qt.models import station_table_model as cols
from leanops_desktop.qt.models.job_mime import job_id_from_mime
from leanops_desktop.qt.models.row_table_model import ROW_ROLE
from leanops_desktop.qt.models.station_table_model import StationTableModel
from leanops_desktop.qt.models.status_colors import STATION_STATES, station_state_label

STATION_STATUS_CHOICES = (
    ("Any status", None),
    *((station_state_label(state), state) for state in STATION_STATES),
)


class StationDropView(FloorTableView):
    """A station table that accepts dragged job ids on station rows."""

    job_dropped = Signal(str, str)  # job id, station id

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAcceptDrops(True)
        self.viewport().setAcceptDrops(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DropOnly)
        self.setDropIndicatorShown(True)

    def station_at(self, pos: QPoint) -> StationRow | None:
        index = self.indexAt(pos)
        row = index.data(ROW_ROLE) if index.isValid() else None
        return row if isinstance(row, StationRow) else None

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if job_id_from_mime(event.mimeData()) is not None:
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        pos = event.position().toPoint()
        if job_id_from_mime(event.mimeData()) and self.station_at(pos) is not None:
            self.setCurrentIndex(self.indexAt(pos))
            event.setDropAction(Qt.DropAction.CopyAction)
            event.accept()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        job_id = job_id_from_mime(event.mimeData())
        station = self.station_at(event.position().toPoint())
        if job_id is None or station is None:
            event.ignore()
            return
        event.setDropAction(Qt.DropAction.CopyAction)
        event.accept()
        self.job_dropped.emit(job_id, station.id)


class StationsDock(TableDock):
    """Stations by line with state, current job and progress; filters: line, status, text."""

    job_dropped_on_station = Signal(str, str)  # job id, station id
    noun = "stations"

    def __init__(self, model: StationTableModel, parent: QWidget | None = None) -> None:
        drop_view = StationDropView()
        super().__init__(
            "Stations",
            "StationsDock",
            model,
            FilterOptions(
                line=True,
                status=STATION_STATUS_CHOICES,
                placeholder="Search stations, jobs, reasons…",
            ),
            default_sort=(cols.COL_LINE, Qt.SortOrder.AscendingOrder),
            column_widths={
                cols.COL_ID: 70,
                cols.COL_NAME: 140,
                cols.COL_LINE: 70,
                cols.COL_STATUS: 105,
                cols.COL_JOB: 90,
                cols.COL_PART: 140,
                cols.COL_PROGRESS: 150,
            },
            progress_columns=(cols.COL_PROGRESS,),
            view=drop_view,
            parent=parent,
        )
        self.drop_view = drop_view
        self.station_model = model
        self.drop_view.job_dropped.connect(self.job_dropped_on_station)
        for signal in (model.modelReset, model.rowsInserted, model.dataChanged):
            signal.connect(self._update_lines)
        self._update_lines()

    def _update_lines(self, *_args: object) -> None:
        self.filter_bar.set_lines(self.station_model.lines())
