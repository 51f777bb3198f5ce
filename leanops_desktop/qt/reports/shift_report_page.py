"""The shift report on one page: the shift's figures, a table of each station's units and
OEE factors, and a table of each station's top stops and jobs worked.

Sizes are in millimetres and points of the device (a PDF writer's or an image's pixels);
the whole page is scaled down when its stations would not fit, so it stays one page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor, QPainter

from leanops_desktop.qt.travelers.traveler_page import PageMetrics
from leanops_desktop.services.oee.figures import OeeFigures
from leanops_desktop.services.oee.shift_report import ShiftReport, StationShift

_INK = QColor(0, 0, 0)
_MUTED = QColor(90, 90, 90)
_RULE = QColor(170, 170, 170)
_SHADE = QColor(235, 238, 242)
_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
MAX_JOB_LINES = 3
#: Heights in mm at full size: heading, a figures row, the notes under the figures, the gap
#: before the details, a reasons/jobs text line and the padding of a station's details.
HEADING_MM, ROW_MM, NOTES_MM, GAP_MM, LINE_MM, PAD_MM = 32.0, 5.5, 11.5, 5.0, 3.6, 1.6
FIGURE_COLUMNS = (
    ("Station", 0.12, _LEFT), ("Line", 0.11, _LEFT), ("Plan", 0.08, _RIGHT),
    ("Run", 0.08, _RIGHT), ("Good", 0.08, _RIGHT), ("Scrap", 0.07, _RIGHT),
    ("Total", 0.08, _RIGHT), ("Avail.", 0.095, _RIGHT), ("Perf.", 0.095, _RIGHT),
    ("Quality", 0.095, _RIGHT), ("OEE", 0.095, _RIGHT),
)


def percent(value: float | None) -> str:
    """``85.7 %``; a figure without a value (nothing planned, no units) is a dash."""
    return "–" if value is None else f"{value * 100:.1f} %"


def figure_cells(name: str, line: str, figures: OeeFigures) -> list[str]:
    over = " !" if figures.performance_over_100 else ""
    return [
        name, line, f"{figures.planned_s / 60:.0f}", f"{figures.run_s / 60:.0f}",
        f"{figures.good:,}", f"{figures.scrap:,}", f"{figures.total:,}",
        percent(figures.availability), percent(figures.performance) + over,
        percent(figures.quality), percent(figures.oee),
    ]


def stop_lines(station: StationShift) -> list[str]:
    return [f"{r.label} · {r.category.replace('_', ' ')} · {r.seconds / 60:.0f} min"
            for r in station.reasons] or ["no stops"]


def job_lines(station: StationShift) -> list[str]:
    lines = [f"{j.job_id}: {j.good:,} good, {j.scrap:,} scrap" for j in station.jobs]
    if len(lines) > MAX_JOB_LINES:
        lines = [*lines[: MAX_JOB_LINES - 1], f"+ {len(lines) - MAX_JOB_LINES + 1} more jobs"]
    return lines or ["no units"]


@dataclass(frozen=True)
class _Page:
    painter: QPainter
    area: QRect
    metrics: PageMetrics
    scale: float

    def mm(self, value: float) -> int:
        return self.metrics.mm(value * self.scale)

    def text(self, box: QRect, flags: object, value: str, points: float, *,
             bold: bool = False, color: QColor = _INK) -> None:
        self.painter.setFont(self.metrics.font(points * self.scale, bold=bold))
        self.painter.setPen(color)
        elided = self.painter.fontMetrics().elidedText(
            value, Qt.TextElideMode.ElideRight, box.width()
        )
        self.painter.drawText(box, flags, elided)  # type: ignore[call-overload]


def page_scale(report: ShiftReport, area_height_mm: float) -> float:
    """1, or less when the stations' rows would run past the page's printable height."""
    details = sum(
        LINE_MM * max(len(stop_lines(s)), len(job_lines(s))) + PAD_MM for s in report.stations
    )
    figures = ROW_MM * (len(report.stations) + 2) + NOTES_MM
    needed = HEADING_MM + figures + GAP_MM + ROW_MM + details
    return min(1.0, area_height_mm / needed)


def paint_shift_report(
    painter: QPainter, area: QRect, report: ShiftReport, dpi: float, printed_at: datetime
) -> None:
    """Paint ``report`` into ``area`` (device pixels) of a device of ``dpi``."""
    metrics = PageMetrics(dpi)
    scale = page_scale(report, area.height() * 25.4 / dpi)
    page = _Page(painter, area, metrics, scale)
    painter.save()
    top = _paint_heading(page, report, printed_at)
    top = _paint_figures(page, top, report)
    _paint_details(page, top + page.mm(GAP_MM), report.stations)
    painter.restore()


def _paint_heading(page: _Page, report: ShiftReport, printed_at: datetime) -> int:
    area = page.area
    start, end = report.start.astimezone(report.tz), report.end.astimezone(report.tz)
    title = (f"Shift report · {report.day.isoformat()} · shift {report.shift_id}"
             f" ({report.shift_name})")
    page.text(QRect(area.left(), area.top(), area.width(), page.mm(10)), _LEFT, title, 17,
              bold=True)
    scope = report.line or "all lines"
    sub = (f"{scope} · {start:%Y-%m-%d %H:%M} – {end:%H:%M} · "
           f"printed {printed_at:%Y-%m-%d %H:%M} · LeanOps")
    page.text(QRect(area.left(), area.top() + page.mm(10), area.width(), page.mm(6)), _LEFT,
              sub, 9, color=_MUTED)
    total = report.total
    boxes = (("OEE", percent(total.oee)), ("Availability", percent(total.availability)),
             ("Performance", percent(total.performance)), ("Quality", percent(total.quality)),
             ("Good / scrap", f"{total.good:,} / {total.scrap:,}"))
    width = area.width() // len(boxes)
    top = area.top() + page.mm(16.5)
    for index, (label, value) in enumerate(boxes):
        box = QRect(area.left() + index * width, top, width - page.mm(3), page.mm(14))
        page.painter.setPen(_RULE)
        page.painter.setBrush(_SHADE if index == 0 else Qt.BrushStyle.NoBrush)
        page.painter.drawRect(box)
        inner = box.adjusted(page.mm(2), page.mm(1), -page.mm(2), -page.mm(1))
        page.text(QRect(inner.left(), inner.top(), inner.width(), page.mm(4.5)), _LEFT, label,
                  8, color=_MUTED)
        page.text(QRect(inner.left(), inner.top() + page.mm(4.5), inner.width(), page.mm(8)),
                  _LEFT, value, 12, bold=True)
    return area.top() + page.mm(HEADING_MM)


def _paint_row(page: _Page, top: int, cells: Sequence[str], *, bold: bool = False,
               shade: bool = False) -> int:
    area, height = page.area, page.mm(ROW_MM)
    if shade:
        page.painter.fillRect(QRect(area.left(), top, area.width(), height), _SHADE)
    left = area.left()
    for (_, share, flags), value in zip(FIGURE_COLUMNS, cells, strict=True):
        width = round(area.width() * share)
        page.text(QRect(left + page.mm(1), top, width - page.mm(2), height), flags, value, 9,
                  bold=bold)
        left += width
    page.painter.setPen(_RULE)
    page.painter.drawLine(area.left(), top + height, area.right(), top + height)
    return top + height


def _paint_figures(page: _Page, top: int, report: ShiftReport) -> int:
    top = _paint_row(page, top, [name for name, _, _ in FIGURE_COLUMNS], bold=True,
                     shade=True)
    for station in report.stations:
        top = _paint_row(page, top, figure_cells(station.station_id, station.line,
                                                 station.figures))
    totals = figure_cells("Shift", report.line or "all lines", report.total)
    top = _paint_row(page, top, totals, bold=True)
    notes = ("Plan = shift − breaks − planned stops; run = plan − unplanned stops "
             "(both in minutes).",
             "A = run / plan; P = ideal time of the units / run; Q = good / total; "
             "OEE = A × P × Q (docs/oee.md).",
             "! = performance over 100 % (check the ideal cycle time); – = no planned time or "
             "no units.")
    for index, note in enumerate(notes):
        box = QRect(page.area.left(), top + page.mm(0.5 + 3.5 * index), page.area.width(),
                    page.mm(3.5))
        page.text(box, _LEFT, note, 7, color=_MUTED)
    return top + page.mm(NOTES_MM)


def _paint_details(page: _Page, top: int, stations: Sequence[StationShift]) -> None:
    area = page.area
    columns = ((0.16, "Station"), (0.48, "Top downtime reasons"), (0.36, "Jobs worked"))
    header = QRect(area.left(), top, area.width(), page.mm(ROW_MM))
    page.painter.fillRect(header, _SHADE)
    left = area.left()
    for share, name in columns:
        width = round(area.width() * share)
        page.text(QRect(left + page.mm(1), top, width, header.height()), _LEFT, name, 9,
                  bold=True)
        left += width
    top += header.height()
    for station in stations:
        blocks = ([station.station_id], stop_lines(station), job_lines(station))
        lines = max(len(block) for block in blocks)
        left = area.left()
        for (share, _), block in zip(columns, blocks, strict=True):
            width = round(area.width() * share)
            for index, value in enumerate(block):
                box = QRect(left + page.mm(1), top + page.mm(PAD_MM / 2 + LINE_MM * index),
                            width - page.mm(2), page.mm(LINE_MM))
                page.text(box, _LEFT, value, 8, bold=block[0] == station.station_id)
            left += width
        top += page.mm(LINE_MM * lines + PAD_MM)
        page.painter.setPen(_RULE)
        page.painter.drawLine(area.left(), top, area.right(), top)
