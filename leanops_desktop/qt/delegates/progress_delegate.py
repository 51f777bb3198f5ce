"""ProgressBarDelegate: paints ``qty_done / qty_total`` as a bar with "123 / 500" on it.

It reads ``(done, total)`` from the model's progress role; cells without it are painted as
usual. Over-reported work (done beyond total) fills the bar in a different colour and adds
the percentage to the text, so it stands out.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPalette
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from leanops_desktop.qt.models.presentation import progress_text
from leanops_desktop.qt.models.row_table_model import PROGRESS_ROLE
from leanops_desktop.qt.models.status_colors import (
    COMPLETED_HEX,
    OVER_TARGET_HEX,
    PROGRESS_HEX,
)

_MARGIN_X = 4
_MARGIN_Y = 3
_RADIUS = 3.0


def progress_label(done: int, total: int) -> str:
    """The text on the bar: ``"123 / 500"``, plus the percentage when over the target."""
    text = progress_text(done, total)
    if total and done > total:
        text += f"  ({done * 100 // total} %)"
    return text


class ProgressBarDelegate(QStyledItemDelegate):
    """A bar for cells whose model gives ``(done, total)`` in ``PROGRESS_ROLE``."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.fill = QColor(PROGRESS_HEX)
        self.complete = QColor(COMPLETED_HEX)
        self.over = QColor(OVER_TARGET_HEX)

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        value = index.data(PROGRESS_ROLE)
        if not isinstance(value, tuple) or len(value) != 2:
            super().paint(painter, option, index)
            return
        done, total = int(value[0]), int(value[1])
        self.initStyleOption(option, index)
        option.text = ""
        style = option.widget.style() if option.widget is not None else None
        painter.save()
        if style is not None:  # background and selection as for any cell
            style.drawPrimitive(
                QStyle.PrimitiveElement.PE_PanelItemViewItem, option, painter, option.widget
            )
        rect = QRectF(option.rect).adjusted(_MARGIN_X, _MARGIN_Y, -_MARGIN_X, -_MARGIN_Y)
        palette = option.palette
        track = QColor(palette.color(QPalette.ColorRole.Mid))
        track.setAlpha(70)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(track)
        painter.drawRoundedRect(rect, _RADIUS, _RADIUS)
        fraction = done / total if total else 0.0
        over = total > 0 and done > total
        if fraction > 0:
            filled = QRectF(rect)
            filled.setWidth(rect.width() * min(fraction, 1.0))
            color = self.over if over else (self.complete if done == total else self.fill)
            fill = QColor(color)
            fill.setAlpha(235 if over else 190)
            painter.setBrush(fill)
            painter.drawRoundedRect(filled, _RADIUS, _RADIUS)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        text_role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        painter.setPen(palette.color(text_role))
        font = option.font
        if over:
            font.setBold(True)
        painter.setFont(font)
        painter.drawText(rect, int(Qt.AlignmentFlag.AlignCenter), progress_label(done, total))
        painter.restore()

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        hint = super().sizeHint(option, index)
        value = index.data(PROGRESS_ROLE)
        if isinstance(value, tuple) and len(value) == 2:
            width = option.fontMetrics.horizontalAdvance(progress_label(*value))
            hint.setWidth(max(hint.width(), width + 4 * _MARGIN_X + 24))
        return hint
