"""Painting one station's line of the production board: big type, read from 5 metres.

Sizes are for 1080 pixels of height and scale with the board (``scale``).
"""

from __future__ import annotations

from datetime import tzinfo

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPalette

from leanops_desktop.core.rows import StationRow
from leanops_desktop.qt.models.status_colors import BLOCKED_HEX, IDLE_HEX, RUNNING_HEX
from leanops_desktop.services.board.board_reads import BoardStation, Light, blocked_text

LIGHT_HEX = {
    Light.GREEN: RUNNING_HEX,
    Light.AMBER: IDLE_HEX,
    Light.RED: BLOCKED_HEX,
    Light.OFF: "#8d96a0",
}
#: Height of one station's line at 1080 pixels.
ROW_HEIGHT = 150
HEADER_HEIGHT = 110
BANNER_HEIGHT = 80
#: Column starts as shares of the width: station, progress, hour, shift, state.
COLUMNS = (0.0, 0.28, 0.47, 0.61, 0.75)


def font(pixels: float, *, bold: bool = False) -> QFont:
    result = QFont()
    result.setPixelSize(max(int(pixels), 8))
    result.setBold(bold)
    return result


def light_color(light: Light) -> QColor:
    return QColor(LIGHT_HEX[light])


def _text(
    painter: QPainter,
    rect: QRectF,
    text: str,
    pixels: float,
    *,
    bold: bool = False,
    color: QColor | None = None,
    align: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignLeft,
    shrink: bool = False,
) -> None:
    """``text`` in ``rect``: cut with "…" when too wide, or with ``shrink`` (figures, which
    a cut would falsify) set in a smaller type, down to 60 %, until it fits."""
    painter.setFont(font(pixels, bold=bold))
    if shrink:
        smallest = pixels * 0.6
        while pixels > smallest and painter.fontMetrics().horizontalAdvance(text) > rect.width():
            pixels -= 2
            painter.setFont(font(pixels, bold=bold))
    if color is not None:
        painter.setPen(color)
    flags = align | Qt.AlignmentFlag.AlignVCenter
    metrics = painter.fontMetrics()
    shown = metrics.elidedText(text, Qt.TextElideMode.ElideRight, int(rect.width()))
    painter.drawText(rect, int(flags), shown)


def figure_text(done: int, target: int | None) -> str:
    """``"42 / 50"``, or just ``"42"`` without a target."""
    return f"{done:,} / {target:,}" if target is not None else f"{done:,}"


def paint_station(
    painter: QPainter,
    rect: QRectF,
    item: BoardStation,
    palette: QPalette,
    scale: float,
    tz: tzinfo,
    *,
    with_line: bool = False,
) -> None:
    """One station's line inside ``rect`` (naming its production line when ``with_line``)."""
    text_color = palette.color(QPalette.ColorRole.WindowText)
    light = light_color(item.light)
    pad = 14 * scale
    painter.fillRect(QRectF(rect.x(), rect.y() + pad / 2, 28 * scale, rect.height() - pad), light)
    width = rect.width() - 48 * scale
    left = rect.x() + 48 * scale

    def column(index: int) -> QRectF:
        start = COLUMNS[index]
        end = COLUMNS[index + 1] if index + 1 < len(COLUMNS) else 1.0
        return QRectF(left + start * width, rect.y(), (end - start) * width - pad, rect.height())

    _paint_name(painter, column(0), item.station, palette, scale, with_line)
    _paint_progress(painter, column(1), item, palette, scale)
    _paint_figure(painter, column(2), "this hour", item.hour_done, item.hour_target, palette, scale)
    _paint_figure(
        painter, column(3), "this shift", item.shift_done, item.shift_target, palette, scale
    )
    _paint_state(painter, column(4), item, scale, tz, text_color)


def _paint_name(
    painter: QPainter,
    box: QRectF,
    row: StationRow,
    palette: QPalette,
    scale: float,
    with_line: bool,
) -> None:
    """The station's name (and its line when several share the page) over its job."""
    muted = palette.color(QPalette.ColorRole.PlaceholderText)
    half = box.height() / 2
    name_width = box.width() * (0.84 if with_line else 1.0)
    if with_line:
        corner = QRectF(box.x() + name_width, box.y(), box.width() - name_width, half)
        _text(painter, corner, row.line, 24 * scale, color=muted, align=Qt.AlignmentFlag.AlignRight)
    name_box = QRectF(box.x(), box.y(), name_width, half)
    _text(
        painter,
        name_box,
        row.name,
        48 * scale,
        bold=True,
        color=palette.color(QPalette.ColorRole.WindowText),
    )
    job = f"{row.current_job_id} · {row.current_part_name}" if row.current_job_id else "no job"
    job_box = QRectF(box.x(), box.y() + half, box.width(), half * 0.8)
    _text(painter, job_box, job, 34 * scale, color=muted)


def _paint_figure(
    painter: QPainter,
    box: QRectF,
    label: str,
    done: int,
    target: int | None,
    palette: QPalette,
    scale: float,
) -> None:
    """``this hour`` over ``42 / 50``."""
    half = box.height() / 2
    top = QRectF(box.x(), box.y() + 8 * scale, box.width(), half)
    _text(painter, top, label, 26 * scale, color=palette.color(QPalette.ColorRole.PlaceholderText))
    bottom = QRectF(box.x(), box.y() + half - 8 * scale, box.width(), half)
    _text(
        painter,
        bottom,
        figure_text(done, target),
        56 * scale,
        bold=True,
        shrink=True,
        color=palette.color(QPalette.ColorRole.WindowText),
    )


def _paint_progress(
    painter: QPainter, box: QRectF, item: BoardStation, palette: QPalette, scale: float
) -> None:
    row = item.station
    if row.current_job_id is None:
        return
    bar = QRectF(box.x(), box.y() + box.height() * 0.22, box.width(), 44 * scale)
    painter.fillRect(bar, palette.color(QPalette.ColorRole.Mid))
    filled = QRectF(bar.x(), bar.y(), bar.width() * min(item.progress, 1.0), bar.height())
    painter.fillRect(filled, QColor(RUNNING_HEX))
    text = f"{row.job_qty_done:,} / {row.job_qty_total:,} · {item.progress:.0%}"
    _text(
        painter,
        QRectF(box.x(), bar.bottom() + 6 * scale, box.width(), 50 * scale),
        text,
        34 * scale,
        bold=True,
        shrink=True,
        color=palette.color(QPalette.ColorRole.WindowText),
    )


def state_lines(item: BoardStation, tz: tzinfo) -> list[tuple[str, bool]]:
    """The state column: ``(text, alarming)`` lines, e.g. LATE, blocked since 10:42, why."""
    lines: list[tuple[str, bool]] = []
    if item.late:
        lines.append(("LATE", True))
    row = item.station
    if blocked_text(row, tz) is not None:
        since = f" since {row.blocked_since.astimezone(tz):%H:%M}" if row.blocked_since else ""
        lines.append((f"blocked{since}", True))
        if row.blocked_reason:
            lines.append((f"({row.blocked_reason})", True))
    elif not item.late:
        lines.append((row.status.value, False))
    return lines


def _paint_state(
    painter: QPainter,
    box: QRectF,
    item: BoardStation,
    scale: float,
    tz: tzinfo,
    text_color: QColor,
) -> None:
    lines = state_lines(item, tz)
    height = box.height() / 3
    top = box.y() + (box.height() - height * len(lines)) / 2
    for number, (text, alarming) in enumerate(lines):
        rect = QRectF(box.x(), top + number * height, box.width(), height)
        size = 44 if text == "LATE" else 34 if number == 0 or text.startswith("blocked") else 30
        color = QColor(BLOCKED_HEX) if alarming else text_color
        _text(painter, rect, text, size * scale, bold=True, color=color)
