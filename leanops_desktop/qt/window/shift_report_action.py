"""File ▸ Shift report…: pick a day, a shift and a line, then save the report as PDF or CSV.

The calendar's shifts and the plant's lines are read on the ``reads`` lane; the report is
read and its file written on the ``files`` lane, so the window never waits on either.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QWidget,
)

from leanops_desktop.core.errors import LeanOpsError
from leanops_desktop.qt.db_runner import FILES, READS, failure_text
from leanops_desktop.qt.reports.shift_report_output import write_shift_pdf
from leanops_desktop.qt.window.export_action import SavePathChooser, choose_save_path
from leanops_desktop.qt.window.traveler_actions import local_paper
from leanops_desktop.services.analytics_time import local_zone
from leanops_desktop.services.oee.shift_report import ReportChoices, report_choices, shift_report
from leanops_desktop.services.oee.shift_report_csv import shift_report_csv

if TYPE_CHECKING:
    from leanops_desktop.qt.main_window import MainWindow

ALL_LINES = "All lines"
NO_SHIFTS = "The shift calendar has no shifts yet: an admin adds them first."


@dataclass(frozen=True, slots=True)
class ShiftReportChoice:
    day: date
    shift_id: str
    line: str | None  # None: all lines
    fmt: str  # "pdf" or "csv"


#: (parent, choices) -> what to report, or None when cancelled. Tests replace it.
ChoiceAsker = Callable[[QWidget, ReportChoices], ShiftReportChoice | None]


class ShiftReportDialog(QDialog):
    """Day, shift, line and format of a shift report."""

    def __init__(self, parent: QWidget | None, choices: ReportChoices) -> None:
        super().__init__(parent)
        self.setWindowTitle("Shift report")
        form = QFormLayout(self)
        self.day = QDateEdit(QDate.currentDate().addDays(-1))
        self.day.setCalendarPopup(True)
        self.day.setDisplayFormat("yyyy-MM-dd")
        self.shift = QComboBox()
        for shift_id, name in choices.shifts:
            self.shift.addItem(f"{shift_id} · {name}", shift_id)
        self.line = QComboBox()
        self.line.addItem(ALL_LINES, None)
        for line in choices.lines:
            self.line.addItem(line, line)
        self.fmt = QComboBox()
        self.fmt.addItem("PDF (one page)", "pdf")
        self.fmt.addItem("CSV", "csv")
        form.addRow("&Day the shift starts", self.day)
        form.addRow("&Shift", self.shift)
        form.addRow("&Line", self.line)
        form.addRow("&Format", self.fmt)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def choice(self) -> ShiftReportChoice:
        picked = self.day.date()
        return ShiftReportChoice(
            date(picked.year(), picked.month(), picked.day()),
            str(self.shift.currentData()),
            self.line.currentData(),
            str(self.fmt.currentData()),
        )


def ask_choice(parent: QWidget, choices: ReportChoices) -> ShiftReportChoice | None:
    dialog = ShiftReportDialog(parent, choices)
    return dialog.choice() if dialog.exec() == QDialog.DialogCode.Accepted else None


def _failed(window: MainWindow, error: BaseException) -> None:
    if isinstance(error, LeanOpsError):
        window.messages.refused(error, source=window)
    else:
        window.messages.error(failure_text(error), source=window)


def save_shift_report(
    window: MainWindow,
    ask: ChoiceAsker = ask_choice,
    choose: SavePathChooser = choose_save_path,
    paper: str | None = None,
) -> None:
    """Read the choices, ask what and where, then write the report on the files lane."""
    db, actor = window.db, window.actor

    def read() -> ReportChoices:
        with db.session() as session:
            return report_choices(session, actor)

    def asked(choices: ReportChoices) -> None:
        if not choices.shifts:
            window.messages.info(NO_SHIFTS, source=window)
            return
        choice = ask(window, choices)
        if choice is not None:
            _save(window, choice, choose, paper or local_paper())

    window.runner.submit(read, asked, lambda error: _failed(window, error), lane=READS)


def _save(window: MainWindow, choice: ShiftReportChoice, choose: SavePathChooser,
          paper: str) -> None:
    line = f"-{choice.line}" if choice.line else ""
    suffix = f".{choice.fmt}"
    suggested = Path.home() / f"shift-{choice.day:%Y-%m-%d}-{choice.shift_id}{line}{suffix}"
    file_filter = "PDF files (*.pdf)" if choice.fmt == "pdf" else "CSV files (*.csv)"
    chosen = choose(window, "Save shift report", str(suggested), file_filter)
    if not chosen:
        return
    path = Path(chosen)
    if path.suffix.lower() != suffix:
        path = path.with_name(path.name + suffix)
    db, actor, tz = window.db, window.actor, local_zone()

    def write() -> Path:
        with db.session() as session:
            report = shift_report(session, actor, choice.day, choice.shift_id, tz,
                                  line=choice.line)
        if choice.fmt == "pdf":
            write_shift_pdf(report, path, paper=paper)
        else:
            path.write_text(shift_report_csv(report), encoding="utf-8")
        return path

    window.runner.submit(
        write,
        lambda saved: window.messages.info(f"Saved the shift report to {saved}.", source=window),
        lambda error: _failed(window, error),
        lane=FILES,
    )
