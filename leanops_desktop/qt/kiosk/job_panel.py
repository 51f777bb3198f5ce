"""The current job in large type: id, part, priority, due date, progress, rate and finish."""

from __future__ import annotations

from datetime import date, datetime

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from leanops_desktop.core.enums import Priority
from leanops_desktop.qt.kiosk.snapshot import (
    KioskSnapshot,
    due_deadline,
    estimate_finish,
    is_past_due,
)
from leanops_desktop.qt.kiosk.style import restyle, set_role
from leanops_desktop.qt.kiosk.widgets import styled_label


def when_text(moment: datetime, now: datetime) -> str:
    """``14:35`` today, ``Thu 16 May 10:20`` otherwise (local time)."""
    local, today = moment.astimezone(), now.astimezone()
    if local.date() == today.date():
        return local.strftime("%H:%M today")
    return local.strftime("%a %d %b %H:%M")


def lateness_text(finish: datetime, deadline: datetime) -> str:
    """``5 h late``, ``1 day late``, ``3 days late``."""
    hours = (finish - deadline).total_seconds() / 3600
    if hours < 1:
        return "less than 1 h late"
    if hours < 24:
        return f"{hours:.0f} h late"
    days = round(hours / 24)
    return f"{days} day late" if days == 1 else f"{days} days late"


class JobPanel(QFrame):
    """What the station is working on now (or that it has no job)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setProperty("role", "panel")
        self.job_label = styled_label("", "huge", self)
        self.priority_label = QLabel("HIGH", self)
        self.priority_label.setObjectName("Priority")
        self.part_label = styled_label("", "", self)
        self.good_label = styled_label("", "", self)
        self.scrap_label = styled_label("", "muted", self)
        self.due_label = styled_label("", "", self)
        self.progress = QProgressBar(self)
        self.progress.setTextVisible(True)
        self.here_label = styled_label("", "muted", self)
        self.rate_label = styled_label("", "", self)
        self.rate_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.finish_label = styled_label("", "", self)
        self.part_label.setWordWrap(True)
        # Texts that change with every count never ask for width: the keypad beside the
        # panel keeps its place when "+22 not sent yet" appears.
        for label in (self.part_label, self.finish_label, self.here_label):
            label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        # The part has a line of its own: beside the id, the HIGH chip and the due date it
        # had no room at 1024x768 ("Control cabinet door" was cut to "Co").
        top = QHBoxLayout()
        top.setSpacing(14)
        top.addWidget(self.job_label)
        top.addWidget(self.priority_label)
        top.addStretch(1)
        top.addWidget(self.due_label)
        # The job's good units and its scrap side by side, right of the part, just above the
        # bar (which measures good units against the total).
        part_row = QHBoxLayout()
        part_row.setSpacing(8)
        part_row.addWidget(self.part_label, 1)
        part_row.addWidget(self.good_label)
        part_row.addWidget(self.scrap_label)
        figures = QHBoxLayout()
        figures.addWidget(self.here_label, 1)
        figures.addWidget(self.rate_label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 8, 16, 10)
        layout.setSpacing(4)
        layout.addLayout(top)
        layout.addLayout(part_row)
        layout.addWidget(self.progress)
        layout.addLayout(figures)
        layout.addWidget(self.finish_label)
        self.show_snapshot(None, 0)

    def show_snapshot(
        self, snapshot: KioskSnapshot | None, job_done: int, waiting: int = 0, scrap: int = 0
    ) -> None:
        """Show the job: ``job_done`` counts all good units, ``waiting`` of them not sent
        yet; ``scrap``: the job's scrapped units (those waiting included)."""
        assignment = snapshot.assignment if snapshot else None
        if snapshot is None or assignment is None:
            self.job_label.setText("No job")
            self.priority_label.hide()
            self.part_label.setText(
                "Nothing runs on this station. Scan a job label or ask your supervisor."
                if snapshot
                else "Sign in to see this station's job."
            )
            self._show_due(None, now=None)
            self.progress.hide()
            labels = (self.here_label, self.rate_label, self.finish_label)
            for label in (*labels, self.good_label, self.scrap_label):
                label.setText("")
            return
        now = snapshot.read_at
        self.job_label.setText(assignment.job_id)
        self.priority_label.setVisible(assignment.priority == Priority.HIGH)
        self.part_label.setText(assignment.part_name)
        self.good_label.setText(f"Good {job_done:,}  ·")
        self.scrap_label.setText(f"Scrap {scrap:,}")
        set_role(self.scrap_label, "late" if scrap > 0 else "muted")
        self._show_due(assignment.due_date, now)
        total = assignment.qty_total
        self.progress.show()
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(min(max(job_done, 0), total))
        self.progress.setFormat(f"{job_done:,} / {total:,}")
        self.progress.setProperty("over", "true" if job_done > total else "false")
        restyle(self.progress)
        since_read = job_done - assignment.job_qty_done  # sent or waiting since the last read
        here = f"here: {assignment.qty_done + since_read:,}"
        if waiting:
            here += f"  ·  {waiting:+,d} not sent yet"
        self.here_label.setText(here)
        rate = snapshot.rate
        self.rate_label.setText(f"{rate:,.0f} per hour" if rate is not None else "rate: —")
        self.rate_label.setProperty("role", "")
        self._show_finish(now, total - job_done, rate, due_deadline(assignment.due_date))

    def _show_due(self, due: date | None, now: datetime | None) -> None:
        """The due date; in the warning colour once it has passed."""
        late = due is not None and now is not None and is_past_due(due, now.astimezone().date())
        set_role(self.due_label, "late" if late else "")
        if due is None:
            self.due_label.setText("")
        elif late:  # the weekday helps to plan ahead, not to look back: room for "late"
            self.due_label.setText(f"late, due {due.strftime('%d %b')}")
        else:
            self.due_label.setText(f"due {due.strftime('%a %d %b')}")

    def _show_finish(
        self, now: datetime, remaining: int, rate: float | None, deadline: datetime
    ) -> None:
        finish = estimate_finish(now, remaining, rate)
        if remaining <= 0:
            self.finish_label.setText("all units done")
            role = "ontime"
        elif finish is None:
            self.finish_label.setText("finish: not enough data yet")
            role = "muted"
        elif finish <= deadline:
            self.finish_label.setText(f"finish ≈ {when_text(finish, now)} · on time")
            role = "ontime"
        else:
            self.finish_label.setText(
                f"finish ≈ {when_text(finish, now)} · {lateness_text(finish, deadline)}"
            )
            role = "late"
        set_role(self.finish_label, role)
