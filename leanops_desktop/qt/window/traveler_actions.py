"""Jobs ▸ Print travelers… and Save travelers as PDF…: one page per selected job.

The jobs are read on the runner's ``reads`` lane (fresh from the database, all or none), the
PDF is painted and written on the ``files`` lane; only the print dialog and the printer's
own painting (the printer belongs to the GUI thread) run on the GUI thread.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QLocale
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QDialog, QWidget

from leanops_desktop.core.errors import LeanOpsError
from leanops_desktop.core.rows import JobRow
from leanops_desktop.qt.db_runner import FILES, READS, failure_text
from leanops_desktop.qt.docks.jobs_dock import JobsDock
from leanops_desktop.qt.travelers.traveler_output import paint_pages, write_pdf
from leanops_desktop.qt.window.export_action import SavePathChooser, choose_save_path
from leanops_desktop.services.reads.travelers import traveler_jobs

if TYPE_CHECKING:
    from leanops_desktop.qt.main_window import MainWindow

#: (parent, printer) -> whether to print. Tests replace it.
PrinterChooser = Callable[[QWidget, QPrinter], bool]
NOTHING_SELECTED = "Select one or more jobs in the Jobs panel first."


def choose_printer(parent: QWidget, printer: QPrinter) -> bool:
    """The platform's print dialog."""
    return QPrintDialog(printer, parent).exec() == QDialog.DialogCode.Accepted


def local_paper() -> str:
    """Letter where the locale measures in US units, else A4."""
    us = QLocale().measurementSystem() == QLocale.MeasurementSystem.ImperialUSSystem
    return "letter" if us else "a4"


def selected_job_ids(window: MainWindow) -> list[str]:
    """The jobs selected in the Jobs panel, else the job picked anywhere in the window."""
    dock = window.docks["jobs"]
    ids = dock.selected_keys() if isinstance(dock, JobsDock) else []
    if not ids:
        job = window.selected_job()
        ids = [job.id] if job is not None else []
    return ids


def _read_then(window: MainWindow, ids: list[str], then: Callable[[list[JobRow]], None]) -> None:
    db, actor = window.db, window.actor

    def read() -> list[JobRow]:
        with db.session() as session:
            return traveler_jobs(session, actor, ids)

    window.runner.submit(read, then, lambda error: _failed(window, error), lane=READS)


def _failed(window: MainWindow, error: BaseException) -> None:
    if isinstance(error, LeanOpsError):
        window.messages.refused(error, source=window)
    else:
        window.messages.error(failure_text(error), source=window)


def save_travelers_pdf(
    window: MainWindow, choose: SavePathChooser = choose_save_path, paper: str | None = None
) -> None:
    """Ask where, then write a traveler for each selected job to that PDF file."""
    ids = selected_job_ids(window)
    if not ids:
        window.messages.info(NOTHING_SELECTED, source=window)
        return
    name = ids[0] if len(ids) == 1 else f"{len(ids)}-jobs"
    suggested = Path.home() / f"travelers-{name}-{date.today():%Y-%m-%d}.pdf"
    chosen = choose(window, "Save travelers as PDF", str(suggested), "PDF files (*.pdf)")
    if not chosen:
        return
    path = Path(chosen)
    if path.suffix.lower() != ".pdf":
        path = path.with_name(path.name + ".pdf")
    size = paper or local_paper()

    def write(jobs: list[JobRow]) -> None:
        window.runner.submit(
            lambda: write_pdf(jobs, path, paper=size),
            lambda pages: window.messages.info(
                f"Saved {pages} traveler{'s' if pages != 1 else ''} to {path}.", source=window
            ),
            lambda error: _failed(window, error),
            lane=FILES,
        )

    _read_then(window, ids, write)


def print_travelers(window: MainWindow, choose: PrinterChooser = choose_printer) -> None:
    """Read the selected jobs, ask for a printer, print a traveler for each."""
    ids = selected_job_ids(window)
    if not ids:
        window.messages.info(NOTHING_SELECTED, source=window)
        return

    def print_them(jobs: list[JobRow]) -> None:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setDocName(f"LeanOps travelers ({len(jobs)})")
        if not choose(window, printer):
            return
        try:
            paint_pages(printer, jobs)
        except LeanOpsError as error:
            _failed(window, error)
            return
        window.messages.info(
            f"Sent {len(jobs)} traveler{'s' if len(jobs) != 1 else ''} to the printer.",
            source=window,
        )

    _read_then(window, ids, print_them)
