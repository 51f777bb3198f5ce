"""One station as a large tile: id, status, current job and its progress, readable from afar.

The tile paints itself (a coloured status band, big id, status chip, job line and a progress
bar) so it stays legible at two metres. It accepts drops of job ids (to assign the job to
this station) and reports clicks, double-clicks and context-menu requests.
"""

from __future__ import annotations

from PySide6.QtCore import QMimeData, QPoint, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QContextMenuEvent,
    QDragEnterEvent,
    QDragLeaveEvent,
    QDragMoveEvent,
    QDropEvent,
    QFocusEvent,
    QFont,
    QFontMetrics,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPalette,
    QPen,
)
from PySide6.QtWidgets import QWidget

from leanops_desktop.core.rows import StationRow
from leanops_desktop.qt.models.job_mime import job_id_from_mime
from leanops_desktop.qt.models.status_colors import (
    station_color,
    station_state,
    station_state_label,
)

_RADIUS = 8.0
_BAND = 8


class StationTile(QWidget):
    """A station tile; :meth:`set_row` updates it in place."""

    clicked = Signal(str)  # station id
    activated = Signal(str)  # double-click or Enter
    context_menu_requested = Signal(str, QPoint)  # station id, global position
    job_dropped = Signal(str, str)  # job id, station id

    def __init__(self, row: StationRow, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.row = row
        self.selected = False
        self.compact = False
        self._drop_hover = False
        self.setAcceptDrops(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAttribute(Qt.WidgetAttribute.WA_Hover)
        self._refresh_texts()

    @property
    def station_id(self) -> str:
        return self.row.id

    def set_row(self, row: StationRow) -> None:
        if row != self.row:
            self.row = row
            self._refresh_texts()
            self.update()

    def set_selected(self, selected: bool) -> None:
        if selected != self.selected:
            self.selected = selected
            self.update()

    def set_compact(self, compact: bool) -> None:
        """Smaller type for tight spaces (the overview decides)."""
        if compact != self.compact:
            self.compact = compact
            self.update()

    def _content_height(self) -> int:
        """Height of the painted lines (the block is centred vertically in the tile)."""
        compact = self.compact
        lines = [
            QFontMetrics(self._font(19, bold=True)).height(),
            QFontMetrics(self._font(11)).height() + (3 if compact else 6),
            QFontMetrics(self._font(12, bold=True)).height(),
        ]
        if self.row.current_job_id:
            lines.append((2 if compact else 4) + 2 + (18 if compact else 22))
        return sum(lines)

    def _font(self, points: float, *, bold: bool = False) -> QFont:
        return _font(self.font(), points * (0.84 if self.compact else 1.0), bold=bold)

    def sizeHint(self) -> QSize:
        return QSize(260, 100 if self.compact else 132)

    def _refresh_texts(self) -> None:
        row = self.row
        parts = [f"{row.id} {row.name}", status_label(row)]
        if row.current_job_id:
            parts.append(
                f"job {row.current_job_id} {row.current_part_name or ''}, "
                f"{row.job_qty_done} of {row.job_qty_total} made"
            )
        if row.blocked_reason:
            parts.append(f"reason: {row.blocked_reason}")
        self.setAccessibleName(f"Station {row.id}")
        self.setAccessibleDescription("; ".join(parts))
        self.setToolTip(self._tooltip())

    def _tooltip(self) -> str:
        row = self.row
        lines = [f"<b>{row.id}</b> — {row.name} ({row.line})", f"Status: {status_label(row)}"]
        if row.blocked_reason:
            lines.append(f"Reason: {row.blocked_reason}")
        if row.current_job_id:
            lines.append(f"Job: {row.current_job_id} — {row.current_part_name or ''}")
            lines.append(
                f"Job progress: {row.job_qty_done:,} of {row.job_qty_total:,}; "
                f"made here: {row.assignment_qty_done:,}"
            )
        else:
            lines.append("No job: drop a job here to assign it")
        return "<br>".join(lines)

    # -- painting ------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        row = self.row
        pal = self.palette()
        color = QColor(station_color(row))
        outer = QRectF(self.rect()).adjusted(1.5, 1.5, -1.5, -1.5)
        path = QPainterPath()
        path.addRoundedRect(outer, _RADIUS, _RADIUS)
        background = QColor(pal.color(QPalette.ColorRole.Base))
        tint = QColor(color)
        tint.setAlphaF(0.10 if row.is_active else 0.04)
        painter.fillPath(path, background)
        painter.fillPath(path, tint)
        painter.save()
        painter.setClipPath(path)
        painter.fillRect(QRectF(outer.left(), outer.top(), _BAND, outer.height()), color)
        painter.restore()
        border = QColor(pal.color(QPalette.ColorRole.Mid))
        width = 1.0
        if self.selected or self._drop_hover:
            border = QColor(pal.color(QPalette.ColorRole.Highlight))
            width = 3.0
        painter.setPen(QPen(border, width))
        painter.drawPath(path)

        text = pal.color(QPalette.ColorRole.Text)
        muted = pal.color(QPalette.ColorRole.PlaceholderText)
        left = int(outer.left()) + _BAND + 12
        right = int(outer.right()) - 12
        width_px = right - left
        content = self._content_height()
        top = int(outer.top() + max(4.0, (outer.height() - content) / 2))

        # Line 1: id (big, never shortened) and the status chip (smaller, or a dot, if tight).
        id_font = self._font(19, bold=True)
        id_metrics = QFontMetrics(id_font)
        id_width = id_metrics.horizontalAdvance(row.id)
        painter.setFont(id_font)
        painter.setPen(text if row.is_active else muted)
        painter.drawText(QRect(left, top, id_width + 2, id_metrics.height()), _LEFT_V, row.id)
        chip_area = QRect(
            left + id_width + 8, top, right - left - id_width - 8, id_metrics.height()
        )
        self._paint_chip(painter, chip_area, color)
        y = top + id_metrics.height()

        # Line 2: name, after the block reason when there is one.
        name_font = self._font(11)
        name_metrics = QFontMetrics(name_font)
        line2 = QRect(left, y, width_px, name_metrics.height())
        if row.blocked_reason:
            reason_font = self._font(11, bold=True)
            reason_metrics = QFontMetrics(reason_font)
            reason = reason_metrics.elidedText(row.blocked_reason, _ELIDE, width_px)
            painter.setFont(reason_font)
            painter.setPen(color.darker(115))
            painter.drawText(line2, _LEFT_V, reason)
            used = reason_metrics.horizontalAdvance(reason)
            line2 = line2.adjusted(used, 0, 0, 0)
            name = f"  ·  {row.name}"
        else:
            name = row.name
        painter.setFont(name_font)
        painter.setPen(muted)
        painter.drawText(line2, _LEFT_V, name_metrics.elidedText(name, _ELIDE, line2.width()))
        y += name_metrics.height() + (3 if self.compact else 6)

        # Line 3: job, Line 4: progress.
        job_font = self._font(12, bold=True)
        job_metrics = QFontMetrics(job_font)
        painter.setFont(job_font)
        if row.current_job_id:
            painter.setPen(text)
            job = f"{row.current_job_id}  {row.current_part_name or ''}"
            painter.drawText(
                QRect(left, y, width_px, job_metrics.height()),
                _LEFT_V,
                job_metrics.elidedText(job, _ELIDE, width_px),
            )
            y += job_metrics.height() + (2 if self.compact else 4)
            bar_height = 18 if self.compact else 22
            self._paint_progress(painter, QRect(left, y + 2, width_px, bar_height), color)
        else:
            painter.setPen(muted)
            idle = "Not in use" if not row.is_active else "No job"
            painter.drawText(QRect(left, y, width_px, job_metrics.height()), _LEFT_V, idle)
        painter.end()

    def _paint_chip(self, painter: QPainter, area: QRect, color: QColor) -> None:
        """The status word in a pill at the right of ``area``; a dot when it cannot fit."""
        words = status_label(self.row).upper()
        for points in (10.5, 9.0):
            font = self._font(points, bold=True)
            metrics = QFontMetrics(font)
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

    def _paint_progress(self, painter: QPainter, area: QRect, color: QColor) -> None:
        """A full-width bar with "done / total · percent" written across it."""
        row = self.row
        total = max(row.job_qty_total, 0)
        fraction = min(row.job_qty_done / total, 1.0) if total else 0.0
        bar = QRectF(area)
        radius = bar.height() / 2
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(self.palette().color(QPalette.ColorRole.Mid)))
        painter.drawRoundedRect(bar, radius, radius)
        fill = QRectF(bar.left(), bar.top(), bar.width() * fraction, bar.height())
        if fraction > 0:
            painter.save()
            painter.setClipRect(fill)
            painter.setBrush(color)
            painter.drawRoundedRect(bar, radius, radius)
            painter.restore()
        percent = f"{row.job_qty_done / total if total else 0:.0%}"
        font = self._font(10.5, bold=True)
        metrics = QFontMetrics(font)
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
            (QRectF(fill.right(), bar.top(), bar.width() - fill.width(), bar.height()), None),
            (fill, _on(color)),
        ):
            painter.save()
            painter.setClipRect(clip)
            painter.setPen(pen or self.palette().color(QPalette.ColorRole.Text))
            painter.drawText(bar, Qt.AlignmentFlag.AlignCenter, label)
            painter.restore()

    # -- input ---------------------------------------------------------------------------

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.setFocus(Qt.FocusReason.MouseFocusReason)
            self.clicked.emit(self.row.id)
        super().mousePressEvent(event)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.activated.emit(self.row.id)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.activated.emit(self.row.id)
            return
        if event.key() == Qt.Key.Key_Space:
            self.clicked.emit(self.row.id)
            return
        super().keyPressEvent(event)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        self.clicked.emit(self.row.id)
        self.context_menu_requested.emit(self.row.id, event.globalPos())

    def focusInEvent(self, event: QFocusEvent) -> None:
        self.update()
        super().focusInEvent(event)

    def focusOutEvent(self, event: QFocusEvent) -> None:
        self.update()
        super().focusOutEvent(event)

    def _accepts(self, mime: QMimeData | None) -> bool:
        return job_id_from_mime(mime) is not None

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self._accepts(event.mimeData()):
            event.acceptProposedAction()
            self._drop_hover = True
            self.update()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if self._accepts(event.mimeData()):
            event.acceptProposedAction()

    def dragLeaveEvent(self, event: QDragLeaveEvent) -> None:
        self._drop_hover = False
        self.update()

    def dropEvent(self, event: QDropEvent) -> None:
        self._drop_hover = False
        self.update()
        job_id = job_id_from_mime(event.mimeData())
        if job_id is not None:
            event.acceptProposedAction()
            self.job_dropped.emit(job_id, self.row.id)


_LEFT_V = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
_ELIDE = Qt.TextElideMode.ElideRight


def _font(base: QFont, points: float, *, bold: bool = False) -> QFont:
    font = QFont(base)
    font.setPointSizeF(points)
    font.setBold(bold)
    return font


def _on(color: QColor) -> QColor:
    """Black or white, whichever reads better on ``color``."""
    luminance = 0.299 * color.redF() + 0.587 * color.greenF() + 0.114 * color.blueF()
    return QColor("#111111") if luminance > 0.6 else QColor("#ffffff")


def status_label(row: StationRow) -> str:
    """``"Running"``, ``"Idle"``, ``"Blocked"`` or ``"Not in use"``."""
    return station_state_label(station_state(row))
