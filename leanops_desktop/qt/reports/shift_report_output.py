"""The shift report to a one-page PDF (A4 or Letter) or an image of that page."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QRect
from PySide6.QtGui import QImage, QPainter, QPdfWriter

from leanops_desktop.qt.reports.shift_report_page import paint_shift_report
from leanops_desktop.qt.travelers.traveler_output import PDF_DPI, TravelerError, page_layout
from leanops_desktop.qt.travelers.traveler_page import MM_PER_INCH
from leanops_desktop.services.oee.shift_report import ShiftReport


def write_shift_pdf(
    report: ShiftReport, path: Path, *, paper: str = "a4", printed_at: datetime | None = None
) -> None:
    """Write ``report`` as one page to ``path``."""
    layout = page_layout(paper)
    if path.is_dir():
        raise TravelerError(f"{path} is a folder, not a file")
    writer = QPdfWriter(str(path))
    writer.setResolution(PDF_DPI)
    writer.setPageLayout(layout)
    writer.setTitle(f"LeanOps shift report {report.day.isoformat()} shift {report.shift_id}")
    writer.setCreator("LeanOps")
    area = layout.paintRectPixels(PDF_DPI)
    painter = QPainter()
    if not painter.begin(writer):
        raise TravelerError(f"could not write {path} (is the folder writable?)")
    try:
        paint_shift_report(painter, QRect(0, 0, area.width(), area.height()), report, PDF_DPI,
                           printed_at or datetime.now().astimezone())
    finally:
        painter.end()
    del writer  # the file is complete once the writer is gone
    if not path.is_file() or path.stat().st_size == 0:
        raise TravelerError(f"could not write {path}")


def render_shift_page(
    report: ShiftReport, *, paper: str = "a4", dpi: int = 150,
    printed_at: datetime | None = None,
) -> QImage:
    """The report's page as a white image of ``dpi`` (previews, screenshots, tests)."""
    layout = page_layout(paper)
    full = layout.fullRectPixels(dpi)
    image = QImage(full.width(), full.height(), QImage.Format.Format_RGB32)
    dots_per_metre = round(dpi / MM_PER_INCH * 1000)
    image.setDotsPerMeterX(dots_per_metre)
    image.setDotsPerMeterY(dots_per_metre)
    image.fill(0xFFFFFF)
    painter = QPainter(image)
    try:
        paint_shift_report(painter, layout.paintRectPixels(dpi), report, dpi,
                           printed_at or datetime.now().astimezone())
    finally:
        painter.end()
    return image
