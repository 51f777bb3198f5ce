"""One traveler page: the job's id, part, quantity, due date, priority and creation time, a
Code 128 barcode and a QR code of its id (what a kiosk's scanner reads).

Painted in the device's own pixels (a PDF writer's, a printer's or an image's), so bars and
modules fall on whole device pixels and scan cleanly at any resolution.
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QRect, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter

from leanops_desktop.core.enums import Priority
from leanops_desktop.core.rows import JobRow
from leanops_desktop.services.symbols import (
    CODE128_QUIET_MODULES,
    QR_QUIET_MODULES,
    Barcode,
    QrCode,
    code128,
    qr_code,
)

MM_PER_INCH = 25.4
QR_SIDE_MM = 45.0
BARCODE_HEIGHT_MM = 22.0
#: The widest a Code 128 module is drawn (wider bars only waste label width).
MAX_MODULE_MM = 0.5
_INK = QColor(0, 0, 0)
_MUTED = QColor(90, 90, 90)


class PageMetrics:
    """Millimetres and points in the pixels of a device of ``dpi`` dots per inch."""

    def __init__(self, dpi: float) -> None:
        self.dpi = dpi

    def mm(self, value: float) -> int:
        return round(value * self.dpi / MM_PER_INCH)

    def font(self, points: float, *, bold: bool = False) -> QFont:
        font = QFont("DejaVu Sans")
        font.setStyleHint(QFont.StyleHint.SansSerif)
        font.setPixelSize(max(1, round(points * self.dpi / 72)))
        font.setBold(bold)
        return font


def paint_traveler(
    painter: QPainter, area: QRect, job: JobRow, dpi: float, printed_at: datetime
) -> None:
    """Paint ``job``'s traveler into ``area`` (device pixels) of a device of ``dpi``."""
    metrics = PageMetrics(dpi)
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
    top = _paint_heading(painter, area, job, metrics)
    top = _paint_fields(painter, area, top, job, metrics)
    _paint_barcode(painter, area, top + metrics.mm(12), code128(job.id), metrics)
    painter.setPen(_MUTED)
    painter.setFont(metrics.font(8))
    footer = QRect(area.left(), area.bottom() - metrics.mm(6), area.width(), metrics.mm(6))
    painter.drawText(
        footer,
        Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
        f"LeanOps job traveler · printed {printed_at:%Y-%m-%d %H:%M}",
    )
    painter.restore()


def _paint_heading(painter: QPainter, area: QRect, job: JobRow, metrics: PageMetrics) -> int:
    """The job id, its part and the QR code beside them; returns the y below them."""
    side = metrics.mm(QR_SIDE_MM)
    qr_box = QRect(area.right() - side, area.top(), side, side)
    paint_qr(painter, qr_box, qr_code(job.id))
    text_width = area.width() - side - metrics.mm(8)
    painter.setPen(_MUTED)
    painter.setFont(metrics.font(10))
    label = QRect(area.left(), area.top(), text_width, metrics.mm(6))
    painter.drawText(label, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, "JOB")
    painter.setPen(_INK)
    id_box = QRect(area.left(), label.bottom(), text_width, metrics.mm(16))
    id_flags = (
        Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter | Qt.TextFlag.TextWrapAnywhere
    )
    painter.setFont(fitting_font(painter, metrics, id_box, id_flags, job.id, 34, bold=True))
    painter.drawText(id_box, id_flags, job.id)
    part_box = QRect(area.left(), id_box.bottom() + metrics.mm(2), text_width, metrics.mm(20))
    part_flags = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap
    painter.setFont(fitting_font(painter, metrics, part_box, part_flags, job.part_name, 18))
    painter.drawText(part_box, part_flags, job.part_name)
    return max(qr_box.bottom(), part_box.bottom()) + metrics.mm(8)


def fitting_font(
    painter: QPainter,
    metrics: PageMetrics,
    box: QRect,
    flags: int,
    text: str,
    points: float,
    *,
    bold: bool = False,
) -> QFont:
    """The largest font from ``points`` down to 8 pt in which ``text`` fits ``box``."""
    size = points
    while True:
        font = metrics.font(size, bold=bold)
        painter.setFont(font)
        bounds = painter.boundingRect(box, flags, text)
        if size <= 8 or (bounds.height() <= box.height() and bounds.width() <= box.width()):
            return font
        size -= 1


def _paint_fields(
    painter: QPainter, area: QRect, top: int, job: JobRow, metrics: PageMetrics
) -> int:
    """Quantity, due date, priority, created: label above value, in a row of boxes."""
    created = job.created_at.astimezone()
    fields = (
        ("QUANTITY", f"{job.qty_total:,}"),
        ("DUE DATE", f"{job.due_date:%Y-%m-%d}"),
        ("PRIORITY", job.priority.value.upper()),
        ("CREATED", f"{created:%Y-%m-%d %H:%M}"),
    )
    width = area.width() // len(fields)
    height = metrics.mm(22)
    for index, (label, value) in enumerate(fields):
        box = QRect(area.left() + index * width, top, width - metrics.mm(3), height)
        high = label == "PRIORITY" and job.priority == Priority.HIGH
        painter.setPen(_INK)
        painter.setBrush(_INK if high else Qt.BrushStyle.NoBrush)
        painter.drawRect(box)
        inner = box.adjusted(metrics.mm(3), metrics.mm(2), -metrics.mm(2), -metrics.mm(2))
        painter.setPen(QColor(255, 255, 255) if high else _MUTED)
        painter.setFont(metrics.font(8))
        painter.drawText(inner, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop, label)
        painter.setPen(QColor(255, 255, 255) if high else _INK)
        painter.setFont(metrics.font(15 if label != "CREATED" else 11, bold=True))
        flags = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom
        painter.drawText(inner, flags | Qt.TextFlag.TextWordWrap, value)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    return top + height


def _paint_barcode(
    painter: QPainter, area: QRect, top: int, barcode: Barcode, metrics: PageMetrics
) -> None:
    """The Code 128 symbol, bars on whole pixels, with its text below."""
    total = len(barcode.modules) + 2 * CODE128_QUIET_MODULES
    module = max(1, min(area.width() // total, metrics.mm(MAX_MODULE_MM)))
    left = area.left() + (area.width() - total * module) // 2 + CODE128_QUIET_MODULES * module
    height = metrics.mm(BARCODE_HEIGHT_MM)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(_INK)
    for index, bar in enumerate(barcode.modules):
        if bar:
            painter.drawRect(QRect(left + index * module, top, module, height))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.setPen(_INK)
    painter.setFont(metrics.font(12))
    text_box = QRectF(area.left(), top + height + metrics.mm(1), area.width(), metrics.mm(7))
    painter.drawText(
        text_box, Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop, barcode.text
    )


def paint_qr(painter: QPainter, box: QRect, symbol: QrCode) -> None:
    """The QR code, modules on whole pixels, centred in ``box`` with its quiet zone."""
    total = symbol.size + 2 * QR_QUIET_MODULES
    module = max(1, min(box.width(), box.height()) // total)
    side = total * module
    left = box.left() + (box.width() - side) // 2 + QR_QUIET_MODULES * module
    top = box.top() + (box.height() - side) // 2 + QR_QUIET_MODULES * module
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(_INK)
    for y, row in enumerate(symbol.rows):
        for x, dark in enumerate(row):
            if dark:
                painter.drawRect(QRect(left + x * module, top + y * module, module, module))
    painter.setBrush(Qt.BrushStyle.NoBrush)
