"""JobRiskTable: open jobs with progress, due date and forecast; jobs at risk first, in red."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import tzinfo

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from leanops_desktop.services.analytics import JobForecast

HEADERS = ("Job", "Part", "Done", "Due", "Forecast finish", "Risk")
RISK_COLOR = QColor("#d64541")


class JobRiskTable(QTableWidget):
    """A small read-only table; choosing a row emits ``job_chosen`` with the job id."""

    job_chosen = Signal(str)

    def __init__(self, tz: tzinfo, parent: QWidget | None = None) -> None:
        super().__init__(0, len(HEADERS), parent)
        self._tz = tz
        self._jobs: list[JobForecast] = []
        self.setHorizontalHeaderLabels(HEADERS)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.verticalHeader().hide()
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.itemSelectionChanged.connect(self._selection_changed)

    @property
    def jobs(self) -> list[JobForecast]:
        return list(self._jobs)

    def at_risk_ids(self) -> list[str]:
        return [job.job_id for job in self._jobs if job.at_risk]

    def set_jobs(self, jobs: Sequence[JobForecast], selected: str | None) -> None:
        self.blockSignals(True)
        try:
            self._jobs = list(jobs)
            self.setRowCount(len(self._jobs))
            for row, job in enumerate(self._jobs):
                finish = (
                    f"{job.forecast_finish.astimezone(self._tz):%a %d %b %H:%M}"
                    if job.forecast_finish is not None and job.remaining > 0
                    else ("done" if job.remaining == 0 else "no recent output")
                )
                texts = (
                    job.job_id,
                    job.part_name,
                    f"{job.qty_done} / {job.qty_total}",
                    f"{job.due_date:%a %d %b}",
                    finish,
                    job.risk or "on track",
                )
                for column, text in enumerate(texts):
                    item = QTableWidgetItem(text)
                    item.setData(Qt.ItemDataRole.UserRole, job.job_id)
                    if job.at_risk:
                        item.setForeground(QBrush(RISK_COLOR))
                    if column == 0 and job.at_risk:
                        item.setText(f"⚠ {job.job_id}")
                        item.setToolTip(job.risk)
                    self.setItem(row, column, item)
                if job.job_id == selected:
                    self.selectRow(row)
        finally:
            self.blockSignals(False)

    def _selection_changed(self) -> None:
        rows = self.selectionModel().selectedRows()
        if rows:
            item = self.item(rows[0].row(), 0)
            if item is not None:
                self.job_chosen.emit(str(item.data(Qt.ItemDataRole.UserRole)))
