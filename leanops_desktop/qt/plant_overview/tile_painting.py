"""How a station tile paints itself: a coloured status band, big id, status chip, job line
and a progress bar, legible at two metres in every theme."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QRect, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPalette, QPen

from leanops_desktop.core.rows import StationRow
from leanops_desktop.qt.models.status_colors import (
    HIGH_PRIORITY_COLOR,
    OVERDUE_COLOR,
    readable_on,
)
from leanops_desktop.qt.plant_overview.tile_lines import (
    PAD_Y,
    FontFor,
    TileLine,
    flag_font,
    flag_word,
    metrics_of,
    status_label,
)
from leanops_desktop.qt.plant_overview.tile_text import LATE

RADIUS = 8.0
BAND = 8
_LEFT_V = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
_ELIDE = Qt.TextElideMode.ElideRight


@dataclass(frozen=True, slots=True)
class TileBrush:
    """What one paint of a tile writes with: the painter, the row, fonts and colours."""

    painter: QPainter
    row: StationRow
    font_for: FontFor
    color: QColor  # the status colour
    background: QColor
    text: QColor
    muted: QColor
    scale: float
    #: The progress bar's track, text over the track, text over the fill.
    progress: tuple[QColor, QColor, QColor]


def paint_frame(
    painter: QPainter,
    rect: QRect,
    palette: QPalette,
    color: QColor,
    *,
    active: bool,
    highlighted: bool,
) -> tuple[QRectF, QColor]:
    """The rounded tile, tinted, with its status band and border; its outline and base."""
    outer = QRectF(rect).adjusted(1.5, 1.5, -1.5, -1.5)
    path = QPainterPath()
    path.addRoundedRect(outer, RADIUS, RADIUS)
    background = QColor(palette.color(QPalette.ColorRole.Base))
    tint = QColor(color)
    tint.setAlphaF(0.10 if active else 0.04)
    painter.fillPath(path, background)
    painter.fillPath(path, tint)
    painter.save()
    painter.setClipPath(path)
    painter.fillRect(QRectF(outer.left(), outer.top(), BAND, outer.height()), color)
    painter.restore()
    border = QColor(palette.color(QPalette.ColorRole.Mid))
    width = 1.0
    if highlighted:
        border = QColor(palette.color(QPalette.ColorRole.Highlight))
        width = 3.0
    painter.setPen(QPen(border, width))
    painter.drawPath(path)
    return outer, background


def paint_lines(
    brush: TileBrush, outer: QRectF, lines: list[TileLine], corner: str | None = None
) -> None:
    """The lines inside ``outer``, centred vertically (at least ``PAD_Y`` from the top).
    ``corner`` (the current shift's OEE) goes right of the progress bar, which gives it room,
    or, on a tile without a bar, in the bottom right corner."""
    left = int(outer.left()) + BAND + 12
    width_px = int(outer.right()) - 12 - left
    content = sum(line.height for line in lines)
    y = int(outer.top() + max(float(PAD_Y), (outer.height() - content) / 2))
    for line in lines:
        area = QRect(left, y, width_px, line.metrics.height())
        if corner is not None and line.kind == "progress":
            beside = QRect(area.left(), area.top(), area.width(), line.height)  # the bar's row
            area = area.adjusted(0, 0, -(_paint_beside(brush, beside, corner) + 8), 0)
            corner = None
        _paint_line(brush, line, area, line.height)
        y += line.height
    if corner is not None:
        paint_corner_text(brush, outer, corner)


def _paint_beside(brush: TileBrush, area: QRect, text: str) -> int:
    """``text`` small and muted at the right end of ``area``; returns the width it takes."""
    font = brush.font_for(9, scale=1.0)
    brush.painter.setFont(font)
    brush.painter.setPen(brush.muted)
    width = metrics_of(font).horizontalAdvance(text)
    brush.painter.drawText(area, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, text)
    return width


def paint_corner_text(brush: TileBrush, outer: QRectF, text: str) -> None:
    """A small muted figure in the bottom right corner (the current shift's OEE)."""
    font = brush.font_for(9, scale=1.0)
    brush.painter.setFont(font)
    brush.painter.setPen(brush.muted)
    height = metrics_of(font).height()
    area = QRect(
        int(outer.left()) + BAND,
        int(outer.bottom()) - height - 3,
        int(outer.width()) - BAND - 8,
        height,
    )
    brush.painter.drawText(area, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, text)


def _paint_line(brush: TileBrush, line: TileLine, area: QRect, height: int) -> None:
    painter, row, scale = brush.painter, brush.row, brush.scale
    painter.setFont(line.font)
    if line.kind == "header":
        id_width = line.metrics.horizontalAdvance(row.id)
        painter.setPen(brush.text if row.is_active else brush.muted)
        painter.drawText(area, _LEFT_V, row.id)
        left, y, width_px = area.left(), area.top(), area.width()
        paint_chip(brush, QRect(left + id_width + 8, y, width_px - id_width - 8, area.height()))
    elif line.kind in ("blocked", "since"):
        painter.setPen(warning_pen(brush.background, brush.color))
        shown = line.metrics.elidedText(line.text, _ELIDE, area.width())
        painter.drawText(area, _LEFT_V, shown)
        if line.extra and line.kind == "blocked":  # the station name after the reason
            used = line.metrics.horizontalAdvance(shown)
            name_font = brush.font_for(11, scale=scale)
            painter.setFont(name_font)
            painter.setPen(brush.muted)
            rest = area.adjusted(used, 0, 0, 0)
            name = metrics_of(name_font).elidedText(f"  ·  {line.extra[0]}", _ELIDE, rest.width())
            painter.drawText(rest, _LEFT_V, name)
    elif line.kind == "progress":
        bar = round(height - 6 * scale)
        paint_progress(
            brush, QRect(area.left(), area.top() + (height - bar) // 2, area.width(), bar)
        )
    elif line.kind == "flags":
        paint_flags(brush, area, line)
    else:
        painter.setPen(brush.muted if line.kind in ("name", "idle") else brush.text)
        text_area = area
        if line.extra and line.kind == "job":  # flags folded into the job line
            used = paint_flags(brush, area, line, align_right=True)
            text_area = area.adjusted(0, 0, -used, 0)
            painter.setFont(line.font)
            painter.setPen(brush.text)
        shown = line.metrics.elidedText(line.text, _ELIDE, text_area.width())
        painter.drawText(text_area, _LEFT_V, shown)


def warning_pen(background: QColor, color: QColor) -> QColor:
    """The status colour as text: darker on light themes, lighter on dark ones."""
    shade = color.darker(115) if background.lightness() >= 128 else color.lighter(140)
    return readable_on(background, shade)


def _flag_color(flag: str) -> QColor:
    return OVERDUE_COLOR if flag.startswith(LATE) else HIGH_PRIORITY_COLOR


def paint_flags(brush: TileBrush, area: QRect, line: TileLine, *, align_right: bool = False) -> int:
    """The job's flags as small pills; returns the width they took."""
    painter = brush.painter
    font = flag_font(brush.font_for, brush.scale, short=align_right)
    metrics = metrics_of(font)
    height = min(area.height(), metrics.height() + 4)
    words = [(flag_word(flag, short=align_right), _flag_color(flag)) for flag in line.extra]
    widths = [metrics.horizontalAdvance(word) + 12 for word, _ in words]
    total = sum(widths) + 6 * (len(words) - 1) + (8 if align_right else 0)
    x = area.right() - total + 8 if align_right else area.left()
    painter.setFont(font)
    for (word, color), width in zip(words, widths, strict=True):
        pill = QRectF(x, area.top() + (area.height() - height) / 2, width, height)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(color)
        painter.drawRoundedRect(pill, height / 2, height / 2)
        painter.setPen(readable_on(color, QColor("#ffffff")))
        painter.drawText(pill, Qt.AlignmentFlag.AlignCenter, word)
        x += width + 6
    return total


def paint_chip(brush: TileBrush, area: QRect) -> None:
    """The status word in a pill at the right of ``area``; a dot when it cannot fit."""
    painter, color = brush.painter, brush.color
    words = status_label(brush.row).upper()
    for points in (10.5, 9.0):
        font = brush.font_for(points, bold=True, scale=min(brush.scale, 1.0))
        metrics = metrics_of(font)
        chip_w = metrics.horizontalAdvance(words) + 16
        if chip_w <= area.width():
            chip_h = metrics.height() + 6
            chip = QRectF(
                area.right() - chip_w, area.top() + (area.height() - chip_h) / 2, chip_w, chip_h
            )
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(color)
            painter.drawRoundedRect(chip, chip_h / 2, chip_h / 2)
            painter.setFont(font)
            painter.setPen(_on(color))
            painter.drawText(chip, Qt.AlignmentFlag.AlignCenter, words)
            return
    size = 14
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(color)
    painter.drawEllipse(
        QRectF(area.right() - size, area.top() + (area.height() - size) / 2, size, size)
    )


def paint_progress(brush: TileBrush, area: QRect) -> None:
    """A full-width bar with "done / total · percent" written across it."""
    painter, row = brush.painter, brush.row
    total = max(row.job_qty_total, 0)
    fraction = min(row.job_qty_done / total, 1.0) if total else 0.0
    bar = QRectF(area)
    radius = bar.height() / 2
    track, on_track, on_fill = brush.progress
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(track)
    painter.drawRoundedRect(bar, radius, radius)
    fill = QRectF(bar.left(), bar.top(), bar.width() * fraction, bar.height())
    if fraction > 0:
        painter.save()
        painter.setClipRect(fill)
        painter.setBrush(brush.color)
        painter.drawRoundedRect(bar, radius, radius)
        painter.restore()
    percent = f"{row.job_qty_done / total if total else 0:.0%}"
    font = brush.font_for(10.5, bold=True, scale=brush.scale)
    metrics = metrics_of(font)
    label = percent
    for candidate in (
        f"{row.job_qty_done:,} / {total:,}   {percent}",
        f"{row.job_qty_done:,} / {total:,}",
    ):
        if metrics.horizontalAdvance(candidate) + 16 <= bar.width():
            label = candidate
            break
    painter.setFont(font)
    for clip, pen in (
        (QRectF(fill.right(), bar.top(), bar.width() - fill.width(), bar.height()), on_track),
        (fill, on_fill),
    ):
        painter.save()
        painter.setClipRect(clip)
        painter.setPen(pen)
        painter.drawText(bar, Qt.AlignmentFlag.AlignCenter, label)
        painter.restore()


def _on(color: QColor) -> QColor:
    """Black or white, whichever reads better on ``color``."""
    luminance = 0.299 * color.redF() + 0.587 * color.greenF() + 0.114 * color.blueF()
    return QColor("#111111") if luminance > 0.6 else QColor("#ffffff")
