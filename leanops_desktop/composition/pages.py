"""Printed pages made by commands (travelers, the shift report): Qt paints them, so a command
gets a GUI application of its own, offscreen (no screen needed), for the painting."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from PySide6.QtGui import QGuiApplication

if TYPE_CHECKING:
    from leanops_desktop.core.rows import JobRow
    from leanops_desktop.services.oee.shift_report import ShiftReport

T = TypeVar("T")


def _offscreen(paint: Callable[[], T]) -> T:
    app = QGuiApplication.instance() or QGuiApplication(["leanops", "-platform", "offscreen"])
    try:
        return paint()
    finally:
        del app


def write_travelers_pdf(jobs: list[JobRow], out: Path, paper: str) -> int:
    """One traveler page per job into ``out``; the number of pages."""
    from leanops_desktop.qt.travelers.traveler_output import write_pdf

    return _offscreen(lambda: write_pdf(jobs, out, paper=paper))


def write_shift_report_pdf(report: ShiftReport, out: Path, paper: str) -> None:
    """The shift report's one page into ``out``."""
    from leanops_desktop.qt.reports.shift_report_output import write_shift_pdf

    _offscreen(lambda: write_shift_pdf(report, out, paper=paper))
