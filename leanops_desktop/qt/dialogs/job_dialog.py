"""New job / edit job: id, part, quantity, due date and priority, checked as you type."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import date, timedelta

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QComboBox, QDateEdit, QLineEdit, QSpinBox, QWidget

from leanops_desktop.core.enums import Priority
from leanops_desktop.core.errors import ValidationError
from leanops_desktop.core.rows import JobRow
from leanops_desktop.core.validation import MAX_QTY_TOTAL, check_id, check_text
from leanops_desktop.qt.dialogs.form_dialog import FormDialog, Note, Problem
from leanops_desktop.qt.messages import MessageService
from leanops_desktop.services.quality.ideal_rate import check_ideal_cycle

IDEAL_LABEL = "Ideal cycle time (s per unit)"


@dataclass(frozen=True, slots=True)
class JobValues:
    """What the job form holds."""

    job_id: str
    part_name: str
    qty_total: int
    due_date: date
    priority: Priority
    ideal_cycle_s: float | None = None


def next_job_id(taken: Collection[str], prefix: str = "JOB-", start: int = 1001) -> str:
    """The next free ``JOB-nnnn`` after the highest number in use."""
    numbers = [
        int(match.group(1))
        for key in taken
        if (match := re.fullmatch(re.escape(prefix) + r"(\d+)", key))
    ]
    return f"{prefix}{max([start - 1, *numbers]) + 1}"


class JobDialog(FormDialog):
    """Create a job (``job=None``) or edit one; ``submit`` receives the :class:`JobValues`."""

    def __init__(
        self,
        messages: MessageService,
        submit: Callable[[JobValues], object],
        *,
        job: JobRow | None = None,
        taken_ids: Collection[str] = (),
        today: date | None = None,
        ideal_cycle_s: float | None = None,
        parent: QWidget | None = None,
    ) -> None:
        editing = job is not None
        super().__init__(
            messages,
            title=f"Edit job {job.id}" if job else "New job",
            subtitle=(
                f"{job.status.value.capitalize()}, {job.qty_done:,} of {job.qty_total:,} made"
                if job
                else "The job joins the queue as waiting."
            ),
            submit_text="Save" if editing else "Create job",
            parent=parent,
        )
        self._job = job
        self._taken = frozenset(taken_ids)
        self._today = today or date.today()

        self.id_edit = QLineEdit(self)
        self.id_edit.setPlaceholderText("e.g. JOB-1042")
        self.id_edit.setText(job.id if job else next_job_id(self._taken))
        self.id_edit.setReadOnly(editing)
        self.part_edit = QLineEdit(self)
        self.part_edit.setPlaceholderText("part or product name")
        self.qty_spin = QSpinBox(self)
        self.qty_spin.setRange(1, MAX_QTY_TOTAL)
        self.qty_spin.setGroupSeparatorShown(True)
        self.qty_spin.setSuffix(" units")
        self.due_edit = QDateEdit(self)
        self.due_edit.setCalendarPopup(True)
        self.due_edit.setDisplayFormat("yyyy-MM-dd")
        self.priority_combo = QComboBox(self)
        for level in Priority:
            self.priority_combo.addItem(level.value.capitalize(), level.value)

        self.ideal_edit = self._ideal_edit(ideal_cycle_s, editing=editing)
        self._fill_in(job)
        self.add_field("Job id", self.id_edit, self._check_id)
        self.add_field("Part", self.part_edit, lambda: check_text("part", self.part_edit.text()))
        self.add_field("Quantity", self.qty_spin, self._check_qty)
        self.add_field("Due date", self.due_edit, self._check_due)
        self.add_field("Priority", self.priority_combo)
        self.add_field(IDEAL_LABEL, self.ideal_edit, self.ideal_cycle)
        self.watch(self.ideal_edit, self.ideal_edit.textEdited)
        self.watch(self.id_edit, self.id_edit.textEdited)
        self.watch(self.part_edit, self.part_edit.textEdited)
        self.watch(self.qty_spin, self.qty_spin.valueChanged)
        self.watch(self.due_edit, self.due_edit.dateChanged)
        self.set_submit(lambda: submit(self.values()))
        self.revalidate()
        (self.part_edit if editing or self.id_edit.text() else self.id_edit).setFocus()

    def _ideal_edit(self, ideal_cycle_s: float | None, *, editing: bool) -> QLineEdit:
        edit = QLineEdit(self)
        edit.setPlaceholderText("unknown" if editing else "empty: the part's last known ideal")
        if ideal_cycle_s is not None:
            edit.setText(f"{ideal_cycle_s:g}")
        return edit

    def _fill_in(self, job: JobRow | None) -> None:
        """The job's part, quantity, due date and priority; a week from today for a new one."""
        due = job.due_date if job else self._today + timedelta(days=7)
        self.due_edit.setDate(QDate(due.year, due.month, due.day))
        if job:
            self.part_edit.setText(job.part_name)
            self.qty_spin.setValue(job.qty_total)
            self.priority_combo.setCurrentIndex(self.priority_combo.findData(job.priority.value))
        else:
            self.qty_spin.setValue(100)

    def values(self) -> JobValues:
        return JobValues(
            job_id=self.id_edit.text().strip(),
            part_name=self.part_edit.text().strip(),
            qty_total=self.qty_spin.value(),
            due_date=_as_date(self.due_edit.date()),
            priority=Priority(self.priority_combo.currentData()),
            ideal_cycle_s=self.ideal_cycle(),
        )

    def ideal_cycle(self) -> float | None:
        """The ideal cycle time typed (seconds per unit), None when left empty."""
        text = self.ideal_edit.text().strip().replace(",", ".")
        if not text:
            return None
        try:
            seconds = float(text)
        except ValueError:
            raise ValidationError("ideal cycle", "must be a number of seconds") from None
        return check_ideal_cycle(seconds)

    def _check_id(self) -> object:
        key = check_id("job id", self.id_edit.text())
        if self._job is None and key in self._taken:
            return Problem(f"{key} already exists: choose another id")
        return None

    def _check_qty(self) -> object:
        if self._job and self.qty_spin.value() < self._job.qty_done:
            return Note(f"less than the {self._job.qty_done:,} already made")
        return None

    def _check_due(self) -> object:
        due = _as_date(self.due_edit.date())
        if due < self._today:
            return Note("this date is in the past: the job will show as overdue")
        return None


def _as_date(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())
