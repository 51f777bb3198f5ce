"""The jobs waiting for this station: high priority and earliest due first.

Rows are plain text (starting a job is a supervisor's "Start next job" button); as many
rows are shown as fit, so the panel never pushes the buttons off a 1024x768 screen. A row
too long for the panel ends in "…" (its full text is its tooltip); what an operator needs to
pick the next job (priority, id, due date) comes first, so the part name is what gets cut.
A job whose due date has passed says "late" and shows in the warning colour.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QFrame, QLabel, QSizePolicy, QVBoxLayout, QWidget

from leanops_desktop.core.enums import Priority
from leanops_desktop.core.rows import JobRow
from leanops_desktop.qt.kiosk.snapshot import is_past_due
from leanops_desktop.qt.kiosk.style import set_role
from leanops_desktop.qt.kiosk.widgets import styled_label

MAX_ROWS = 6


def queue_text(job: JobRow, today: date) -> str:
    flag = "HIGH · " if job.priority == Priority.HIGH else ""
    late = is_past_due(job.due_date, today)
    due = ("late, due " if late else "due ") + job.due_date.strftime("%d %b")
    return f"{flag}{job.id} · {due} · {job.qty_total:,} × {job.part_name}"


class QueuePanel(QFrame):
    """The next waiting jobs, one line each."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setProperty("role", "panel")
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Ignored)
        self.heading = styled_label("Next jobs", "heading", self)
        self.heading.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.rows: list[QLabel] = []
        self._jobs: list[JobRow] = []
        self._today = date.today()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 6, 14, 8)
        layout.setSpacing(4)
        layout.addWidget(self.heading)
        layout.setSizeConstraint(QVBoxLayout.SizeConstraint.SetNoConstraint)
        for _ in range(MAX_ROWS):
            row = styled_label("", "", self)
            row.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
            row.hide()
            layout.addWidget(row)
            self.rows.append(row)
        layout.addStretch(1)

    def show_queue(self, jobs: Sequence[JobRow], today: date) -> None:
        """``jobs`` in order; ``today`` (local) decides which are late."""
        self._jobs = list(jobs)
        self._today = today
        self._fill()

    def visible_texts(self) -> list[str]:
        return [row.text() for row in self.rows if not row.isHidden()]

    def _fill(self) -> None:
        if not self._jobs:
            self.heading.setText("Next jobs: none waiting")
        else:
            self.heading.setText(f"Next jobs ({len(self._jobs)} waiting)")
        line = max(self.rows[0].sizeHint().height(), 1) + 4
        heading = self.heading.sizeHint().height()
        # Squeezed (a stop notice above): the next job rather than a half-cut heading.
        self.heading.setVisible(self.height() <= 0 or self.height() - 18 >= heading + line)
        room = self.height() - (heading if self.heading.isVisibleTo(self) else 0) - 18
        fit = max(1, min(MAX_ROWS, room // line)) if self.height() > 0 else MAX_ROWS
        width = max(self.contentsRect().width() - 28, 1)  # the layout's side margins
        for index, row in enumerate(self.rows):
            job = self._jobs[index] if index < len(self._jobs) else None
            late = job is not None and is_past_due(job.due_date, self._today)
            set_role(row, "late" if late else "")  # first: bold type is wider
            text = queue_text(job, self._today) if job else ""
            row.setText(row.fontMetrics().elidedText(text, Qt.TextElideMode.ElideRight, width))
            row.setToolTip(text)
            row.setVisible(job is not None and index < fit)

    def minimumSizeHint(self) -> QSize:
        """Room for the heading and one row; more rows show when there is space."""
        line = self.rows[0].sizeHint().height()
        return QSize(100, self.heading.sizeHint().height() + line + 22)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fill()
