"""One station as a large tile: id, status, current job and its progress, readable from afar.

The tile paints itself (a coloured status band, big id, status chip, job line and a progress
bar) so it stays legible at two metres: :mod:`.tile_lines` chooses what it writes and how
large, :mod:`.tile_painting` paints it. It accepts drops of job ids (to assign the job to
this station) and reports clicks, double-clicks and context-menu requests.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from PySide6.QtCore import QEvent, QMimeData, QPoint, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QContextMenuEvent,
    QDragEnterEvent,
    QDragLeaveEvent,
    QDragMoveEvent,
    QDropEvent,
    QFocusEvent,
    QFont,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
)
from PySide6.QtWidgets import QWidget

from leanops_desktop.core.enums import Priority, StationStatus
from leanops_desktop.core.rows import StationRow
from leanops_desktop.qt.models.job_mime import job_id_from_mime
from leanops_desktop.qt.models.status_colors import (
    readable_on,
    station_color,
)
from leanops_desktop.qt.models.time_text import local
from leanops_desktop.qt.plant_overview.tile_lines import (
    MAX_SCALE,
    TileLine,
    TileWords,
    choose_lines,
    status_label,
    tile_font,
)
from leanops_desktop.qt.plant_overview.tile_oee import oee_text
from leanops_desktop.qt.plant_overview.tile_painting import (
    BAND,
    TileBrush,
    paint_frame,
    paint_lines,
)
from leanops_desktop.qt.plant_overview.tile_text import (
    HIGH_PRIORITY,
    blocked_since_text,
    job_flags,
    late_text,
)


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
        #: "Now" for the blocked time and "late" (tests set a fixed clock).
        self.clock: Callable[[], datetime] = lambda: datetime.now(UTC)
        self.scale_cap = MAX_SCALE
        #: The OEE of the current shift (None: no figure, or not read).
        self.oee: float | None = None
        self._layouts: dict[object, tuple[float, list[TileLine]]] = {}
        self._base_font_key: str | None = None
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

    def set_oee(self, oee: float | None) -> None:
        """The current shift's OEE, written small in the tile's bottom right corner."""
        if oee != self.oee:
            self.oee = oee
            self._refresh_texts()
            self.update()

    def oee_text(self) -> str:
        return oee_text(self.oee)

    def set_selected(self, selected: bool) -> None:
        if selected != self.selected:
            self.selected = selected
            self.update()

    def set_compact(self, compact: bool) -> None:
        """Smaller type for tight spaces (the overview decides)."""
        if compact != self.compact:
            self.compact = compact
            self.update()

    def _font(self, points: float, *, bold: bool = False, scale: float = 1.0) -> QFont:
        if self._base_font_key is None:
            self._base_font_key = self.font().key()
        return tile_font(self._base_font_key, self.font(), points * scale, bold=bold)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.FontChange:
            self._base_font_key = None
            self._layouts.clear()
        super().changeEvent(event)

    def sizeHint(self) -> QSize:
        return QSize(260, 100 if self.compact else 132)

    # -- what the tile says --------------------------------------------------------------

    def now(self) -> datetime:
        return self.clock()

    def flags(self) -> list[str]:
        """``["High priority", "Late (due 3 Dec)"]`` for the current job (may be empty)."""
        return job_flags(self.row, local(self.now()).date())

    def blocked_since(self) -> str | None:
        """``"Blocked since 10:42 (1 h 20 min)"`` while blocked (when the time is known)."""
        row = self.row
        if row.status != StationStatus.BLOCKED or row.blocked_since is None:
            return None
        return blocked_since_text(row.blocked_since, self.now())

    def layout_lines(self) -> list[TileLine]:
        """The lines the tile shows at its size now: the richest arrangement that fits."""
        return self._layout()[1]

    def shown_texts(self) -> list[str]:
        """Every text the tile shows at its size now (lines, chip and flags)."""
        texts = [status_label(self.row)]
        for line in self.layout_lines():
            texts.append(line.text)
            if line.kind != "since":
                texts.extend(line.extra)
        return [text for text in texts if text]

    def best_scale(self) -> float:
        """The largest type size at which this tile shows everything without cutting it
        (the overview uses the smallest over all tiles, so every tile writes alike)."""
        return self._choose(MAX_SCALE)[0]

    def set_scale_cap(self, cap: float) -> None:
        """Write no larger than ``cap`` (the same for every tile of the overview)."""
        if cap != self.scale_cap:
            self.scale_cap = cap
            self.update()

    def _layout(self) -> tuple[float, list[TileLine]]:
        cap = min(self.scale_cap, 1.0 if self.compact else MAX_SCALE)
        return self._choose(cap)

    def _choose(self, cap: float) -> tuple[float, list[TileLine]]:
        """The first arrangement, largest and richest first, whose lines fit the tile
        (each line uncut; failing that, at least the height), for the size, row and minute."""
        now = self.now()
        key = (self.width(), self.height(), self.row, cap, now.replace(second=0, microsecond=0))
        cached = self._layouts.get(key)
        if cached is not None:
            return cached
        words = TileWords(self.row, self.blocked_since(), tuple(self.flags()))
        result = choose_lines(words, self._font, cap, self._text_width(), self.height())
        if len(self._layouts) > 8:
            self._layouts.clear()
        self._layouts[key] = result
        return result

    def _text_width(self) -> int:
        return max(40, self.width() - 3 - BAND - 24)

    def _refresh_texts(self) -> None:
        row = self.row
        parts = [f"{row.id} {row.name}", status_label(row)]
        if row.blocked_reason:
            parts.append(f"reason: {row.blocked_reason}")
        since = self.blocked_since()
        if since:
            parts.append(since.lower())
        if row.current_job_id:
            parts.append(
                f"job {row.current_job_id} {row.current_part_name or ''}, "
                f"{row.job_qty_done} of {row.job_qty_total} made"
            )
            parts.extend(flag.lower() for flag in self.flags())
        if self.oee is not None:
            parts.append(f"{self.oee_text()} this shift")
        self.setAccessibleName(f"Station {row.id}")
        self.setAccessibleDescription("; ".join(parts))
        self.setToolTip(self._tooltip())

    def refresh_clock(self) -> None:
        """Time passed: the blocked time and "late" may read differently now."""
        if self.row.blocked_since is not None or self.row.job_due_date is not None:
            self._refresh_texts()
            self.update()

    def _tooltip(self) -> str:
        row = self.row
        lines = [f"<b>{row.id}</b> — {row.name} ({row.line})", f"Status: {status_label(row)}"]
        if row.blocked_reason:
            lines.append(f"Reason: {row.blocked_reason}")
        since = self.blocked_since()
        if since:
            lines.append(since)
        if row.current_job_id:
            lines.append(f"Job: {row.current_job_id} — {row.current_part_name or ''}")
            lines.append(
                f"Job progress: {row.job_qty_done:,} of {row.job_qty_total:,}; "
                f"made here: {row.assignment_qty_done:,}"
            )
            if row.job_due_date is not None:
                lines.append(f"Due {row.job_due_date:%A} {row.job_due_date.isoformat()}")
            if row.job_priority == Priority.HIGH:
                lines.append(HIGH_PRIORITY)
            today = local(self.now()).date()
            if row.job_due_date is not None and row.job_is_late(today):
                lines.append(late_text(row.job_due_date, today))
        else:
            lines.append("No job: drop a job here to assign it")
        if self.oee is not None:
            lines.append(f"{self.oee_text()} this shift")
        return "<br>".join(lines)

    # -- painting ------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        row = self.row
        pal = self.palette()
        color = QColor(station_color(row))
        outer, background = paint_frame(
            painter,
            self.rect(),
            pal,
            color,
            active=row.is_active,
            highlighted=self.selected or self._drop_hover,
        )
        scale, lines = self._layout()
        brush = TileBrush(
            painter,
            row,
            self._font,
            color,
            background,
            pal.color(QPalette.ColorRole.Text),
            pal.color(QPalette.ColorRole.PlaceholderText),
            scale,
            self.progress_colors(color),
        )
        paint_lines(brush, outer, lines, self.oee_text() if self.oee is not None else None)
        painter.end()

    def progress_colors(self, fill: QColor) -> tuple[QColor, QColor, QColor]:
        """The bar's track, the text over the track and the text over the ``fill``: each
        text reads on what it is written across, in every theme (the high-contrast theme's
        track is white, like its text)."""
        pal = self.palette()
        track = QColor(pal.color(QPalette.ColorRole.Mid))
        return (
            track,
            readable_on(track, pal.color(QPalette.ColorRole.Text)),
            readable_on(fill, QColor("#ffffff")),
        )

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
