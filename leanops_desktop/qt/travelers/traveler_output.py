"""Travelers to a PDF file, a printer or an image: one job per page, A4 or Letter."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QMarginsF, QRect
from PySide6.QtGui import QImage, QPagedPaintDevice, QPageLayout, QPageSize, QPainter, QPdfWriter

from leanops_desktop.core.errors import LeanOpsError
from leanops_desktop.core.rows import JobRow
from leanops_desktop.qt.travelers.traveler_page import MM_PER_INCH, paint_traveler

PAPERS = {"a4": QPageSize.PageSizeId.A4, "letter": QPageSize.PageSizeId.Letter}
PDF_DPI = 600
MARGIN_MM = 15.0


class TravelerError(LeanOpsError):
    """The travelers could not be written (paper, file)."""


def page_layout(paper: str) -> QPageLayout:
    """Portrait ``paper`` (``a4`` or ``letter``) with the travelers' margins."""
    if paper not in PAPERS:
        raise TravelerError(f"paper {paper!r} is not one of: {', '.join(PAPERS)}")
    return QPageLayout(
        QPageSize(PAPERS[paper]),
        QPageLayout.Orientation.Portrait,
        QMarginsF(MARGIN_MM, MARGIN_MM, MARGIN_MM, MARGIN_MM),
        QPageLayout.Unit.Millimeter,
    )


def paint_pages(
    device: QPagedPaintDevice, jobs: Sequence[JobRow], printed_at: datetime | None = None
) -> None:
    """One traveler per page of ``device`` (a PDF writer or a printer, laid out already)."""
    when = printed_at or datetime.now().astimezone()
    dpi = device.logicalDpiX()
    area = device.pageLayout().paintRectPixels(dpi)
    painter = QPainter()
    if not painter.begin(device):
        raise TravelerError("could not start painting the travelers (is the file writable?)")
    try:
        for index, job in enumerate(jobs):
            if index:
                device.newPage()
            paint_traveler(painter, QRect(0, 0, area.width(), area.height()), job, dpi, when)
    finally:
        painter.end()


def write_pdf(
    jobs: Sequence[JobRow], path: Path, *, paper: str = "a4", printed_at: datetime | None = None
) -> int:
    """Write one traveler per page to ``path``; returns the number of pages."""
    if not jobs:
        raise TravelerError("no jobs to print")
    layout = page_layout(paper)
    if path.exists() and path.is_dir():
        raise TravelerError(f"{path} is a folder, not a file")
    writer = QPdfWriter(str(path))
    writer.setResolution(PDF_DPI)
    writer.setPageLayout(layout)
    writer.setTitle(f"LeanOps travelers: {', '.join(job.id for job in jobs[:5])}")
    writer.setCreator("LeanOps")
    paint_pages(writer, jobs, printed_at)
    del writer  # the file is complete once the writer is gone
    if not path.is_file() or path.stat().st_size == 0:
        raise TravelerError(f"could not write {path}")
    return len(jobs)


def render_page(
    job: JobRow, *, paper: str = "a4", dpi: int = 200, printed_at: datetime | None = None
) -> QImage:
    """One traveler page as a white image of ``dpi`` (previews, screenshots, tests)."""
    layout = page_layout(paper)
    full = layout.fullRectPixels(dpi)
    paint = layout.paintRectPixels(dpi)
    image = QImage(full.width(), full.height(), QImage.Format.Format_RGB32)
    dots_per_metre = round(dpi / MM_PER_INCH * 1000)
    image.setDotsPerMeterX(dots_per_metre)
    image.setDotsPerMeterY(dots_per_metre)
    image.fill(0xFFFFFF)
    painter = QPainter(image)
    try:
        paint_traveler(painter, paint, job, dpi, printed_at or datetime.now().astimezone())
    finally:
        painter.end()
    return image
