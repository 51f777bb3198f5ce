"""One station as a large tile: id, status, current job and its progress, readable from afar.

The tile paints itself (a coloured status band, big id, status chip, job line and a progress
bar) so it stays legible at two metres. It accepts drops of job ids (to assign the job to
this station) and reports clicks, double-clicks and context-menu requests.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from PySide6.QtCore import QEvent, QMimeData, QPoint, QRect, QRectF, QSize, Qt, Signal
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

from leanops_desktop.core.enums import Priority, StationStatus
from leanops_desktop.core.rows import StationRow
from leanops_desktop.qt.models.job_mime import job_id_from_mime
from leanops_desktop.qt.models.status_colors import (
    HIGH_PRIORITY_COLOR,
    OVERDUE_COLOR,
    readable_on,
    station_color,
    station_state,
    station_state_label,
)
from leanops_desktop.qt.models.time_text import local
from leanops_desktop.qt.plant_overview.tile_text import (
    HIGH_PRIORITY,
    LATE,
    blocked_since_text,
    job_flags,
    late_text,
)

_RADIUS = 8.0
_BAND = 8
_PAD_Y = 8
#: Type sizes tried, largest first: tiles with room write bigger (read from afar).
_SCALES = (1.3, 1.15, 1.0, 0.92, 0.84)
_MAX_SCALE = _SCALES[0]
#: The richest arrangement: flags, part name and blocked time each on a line of their own.
_RICHEST = 3


@dataclass(frozen=True, slots=True)
class TileLine:
    """One line of a tile: what it is, its text, its font, and words shown beside it."""

    kind: str  # header, name, blocked, since, job, part, flags, idle, progress
    text: str
    font: QFont
    extra: tuple[str, ...] = ()
    height: int = -1
    gap: int = 0

    def __post_init__(self) -> None:
        if self.height < 0:
            object.__setattr__(self, "height", self.metrics.height() + self.gap)

    @property
    def metrics(self) -> QFontMetrics:
        return metrics_of(self.font)

    def spaced(self, gap: int) -> TileLine:
        """This line with ``gap`` pixels of space below it."""
        return TileLine(
            self.kind, self.text, self.font, self.extra, self.metrics.height() + gap, gap
        )


def _flag_word(flag: str, *, short: bool) -> str:
    """``"High priority"``, or ``"HIGH"`` where the pill shares the job's line."""
    return flag.split(" ")[0].upper() if short else flag


def _flag_color(flag: str) -> QColor:
    return OVERDUE_COLOR if flag.startswith(LATE) else HIGH_PRIORITY_COLOR


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
        self.scale_cap = _MAX_SCALE
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
        return _font(self._base_font_key, self.font(), points * scale, bold=bold)

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
        return self._choose(_MAX_SCALE)[0]

    def set_scale_cap(self, cap: float) -> None:
        """Write no larger than ``cap`` (the same for every tile of the overview)."""
        if cap != self.scale_cap:
            self.scale_cap = cap
            self.update()

    def _layout(self) -> tuple[float, list[TileLine]]:
        cap = min(self.scale_cap, 1.0 if self.compact else _MAX_SCALE)
        return self._choose(cap)

    def _choose(self, cap: float) -> tuple[float, list[TileLine]]:
        """The first arrangement, largest and richest first, whose lines fit the tile
        (each line uncut; failing that, at least the height), for the size, row and minute."""
        now = self.now()
        key = (self.width(), self.height(), self.row, cap, now.replace(second=0, microsecond=0))
        cached = self._layouts.get(key)
        if cached is not None:
            return cached
        available = max(0, self.height() - 2 * _PAD_Y)
        width = self._text_width()
        candidates = [(scale, _RICHEST) for scale in _SCALES if scale > 1.0] + [
            (scale, rich) for scale in _SCALES if scale <= 1.0 for rich in range(_RICHEST, -1, -1)
        ]
        chosen: tuple[float, list[TileLine]] | None = None
        tall_enough: tuple[float, list[TileLine]] | None = None
        last: tuple[float, list[TileLine]] | None = None
        for scale, rich in candidates:
            if scale > cap:
                continue
            lines = self._lines(scale, rich, width)
            last = (scale, lines)
            if sum(line.height for line in lines) > available:
                continue
            if all(self._line_width(line, scale) <= width for line in lines):
                chosen = last
                break
            tall_enough = tall_enough or last
        result = chosen or tall_enough or last
        assert result is not None
        if len(self._layouts) > 8:
            self._layouts.clear()
        self._layouts[key] = result
        return result

    def _line_width(self, line: TileLine, scale: float) -> int:
        """How wide ``line`` is when written in full (0 for lines that always fit)."""
        if line.kind == "header":  # the id, and the status word in its smaller size
            chip = metrics_of(self._font(9.0, bold=True, scale=min(scale, 1.0)))
            words = status_label(self.row).upper()
            return (
                line.metrics.horizontalAdvance(self.row.id) + 8 + chip.horizontalAdvance(words) + 16
            )
        if line.kind in ("progress", "idle", "name"):
            return 0
        if line.kind == "since":  # the full words, "Blocked since ..."
            return line.metrics.horizontalAdvance(line.extra[0])
        if line.kind == "flags":
            return self._flags_width(line.extra, scale, short=False)
        width = line.metrics.horizontalAdvance(line.text)
        if line.extra and line.kind == "job":
            width += self._flags_width(line.extra, scale, short=True)
        return width

    def _text_width(self) -> int:
        return max(40, self.width() - 3 - _BAND - 24)

    def _lines(self, scale: float, rich: int, width: int) -> list[TileLine]:
        """The tile's lines at ``scale``; ``rich`` 3 keeps flags, the part name and the
        blocked time on lines of their own, lower values fold them into fewer lines."""
        row = self.row
        gap = round(6 * scale)
        lines = [TileLine("header", row.id, self._font(19, bold=True, scale=min(scale, 1.15)))]
        name_font = self._font(11, scale=scale)
        reason = row.blocked_reason or ""
        since = self.blocked_since()
        reason_font = self._font(11, bold=True, scale=scale)
        if reason and since and rich == 0:
            folded = f"{reason} · {since.removeprefix('Blocked ')}"
            lines.append(TileLine("blocked", folded, reason_font))
        elif reason:
            lines.append(TileLine("blocked", reason, reason_font, (row.name,)))
        else:
            lines.append(TileLine("name", row.name, name_font))
        if since and (rich >= 1 or not reason):
            since_font = self._font(10.5, scale=scale)
            shown = since
            if metrics_of(since_font).horizontalAdvance(since) > width:
                shown = since.replace("Blocked since", "Since")  # the chip says "blocked"
            lines.append(TileLine("since", shown, since_font, (since,)))
        lines[-1] = lines[-1].spaced(gap)
        job_font = self._font(12, bold=True, scale=scale)
        if not row.current_job_id:
            lines.append(TileLine("idle", "No job" if row.is_active else "Not in use", job_font))
            return lines
        part = row.current_part_name or ""
        flags = tuple(self.flags())
        job_metrics = metrics_of(job_font)
        together = f"{row.current_job_id}  {part}"
        fits_together = job_metrics.horizontalAdvance(together) <= width
        if rich >= 2 and not fits_together:
            lines.append(TileLine("job", row.current_job_id, job_font))
            lines.append(TileLine("part", part, self._font(11.5, scale=scale)))
        else:
            lines.append(TileLine("job", together, job_font))
        if flags and rich >= 3:
            lines.append(TileLine("flags", "", self._font(10, bold=True, scale=scale), flags))
        elif flags:  # as short pills at the end of the job's line
            at = next(i for i, line in enumerate(lines) if line.kind == "job")
            job = lines[at]
            lines[at] = TileLine(job.kind, job.text, job.font, flags)
        bar = round(22 * scale) if scale >= 1.0 else 18
        lines.append(TileLine("progress", "", job_font, height=bar + round(6 * scale)))
        return lines

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
        scale, lines = self._layout()
        content = sum(line.height for line in lines)
        y = int(outer.top() + max(float(_PAD_Y), (outer.height() - content) / 2))
        for line in lines:
            area = QRect(left, y, width_px, line.metrics.height())
            painter.setFont(line.font)
            if line.kind == "header":
                id_width = line.metrics.horizontalAdvance(row.id)
                painter.setPen(text if row.is_active else muted)
                painter.drawText(area, _LEFT_V, row.id)
                chip = QRect(left + id_width + 8, y, width_px - id_width - 8, area.height())
                self._paint_chip(painter, chip, color, scale)
            elif line.kind in ("blocked", "since"):
                painter.setPen(self._warning_pen(background, color))
                shown = line.metrics.elidedText(line.text, _ELIDE, width_px)
                painter.drawText(area, _LEFT_V, shown)
                if line.extra and line.kind == "blocked":  # the station name after the reason
                    used = line.metrics.horizontalAdvance(shown)
                    name_font = self._font(11, scale=scale)
                    painter.setFont(name_font)
                    painter.setPen(muted)
                    rest = area.adjusted(used, 0, 0, 0)
                    name = metrics_of(name_font).elidedText(
                        f"  ·  {line.extra[0]}", _ELIDE, rest.width()
                    )
                    painter.drawText(rest, _LEFT_V, name)
            elif line.kind == "progress":
                bar = round(line.height - 6 * scale)
                self._paint_progress(
                    painter, QRect(left, y + (line.height - bar) // 2, width_px, bar), color, scale
                )
            elif line.kind == "flags":
                self._paint_flags(painter, area, line, scale)
            else:
                painter.setPen(muted if line.kind in ("name", "idle") else text)
                text_area = area
                if line.extra and line.kind == "job":  # flags folded into the job line
                    used = self._paint_flags(painter, area, line, scale, align_right=True)
                    text_area = area.adjusted(0, 0, -used, 0)
                    painter.setFont(line.font)
                    painter.setPen(text)
                shown = line.metrics.elidedText(line.text, _ELIDE, text_area.width())
                painter.drawText(text_area, _LEFT_V, shown)
            y += line.height
        painter.end()

    def _flag_font(self, scale: float, *, short: bool) -> QFont:
        return self._font(9.5 if short else 10, bold=True, scale=scale)

    def _flags_width(self, flags: tuple[str, ...], scale: float, *, short: bool) -> int:
        metrics = metrics_of(self._flag_font(scale, short=short))
        widths = [metrics.horizontalAdvance(_flag_word(flag, short=short)) + 12 for flag in flags]
        return int(sum(widths) + 6 * (len(widths) - 1) + (8 if short else 0))

    def _warning_pen(self, background: QColor, color: QColor) -> QColor:
        """The status colour as text: darker on light themes, lighter on dark ones."""
        shade = color.darker(115) if background.lightness() >= 128 else color.lighter(140)
        return readable_on(background, shade)

    def _paint_flags(
        self,
        painter: QPainter,
        area: QRect,
        line: TileLine,
        scale: float,
        *,
        align_right: bool = False,
    ) -> int:
        """The job's flags as small pills; returns the width they took."""
        font = self._flag_font(scale, short=align_right)
        metrics = metrics_of(font)
        height = min(area.height(), metrics.height() + 4)
        words = [(_flag_word(flag, short=align_right), _flag_color(flag)) for flag in line.extra]
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

    def _paint_chip(self, painter: QPainter, area: QRect, color: QColor, scale: float) -> None:
        """The status word in a pill at the right of ``area``; a dot when it cannot fit."""
        words = status_label(self.row).upper()
        for points in (10.5, 9.0):
            font = self._font(points, bold=True, scale=min(scale, 1.0))
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

    def _paint_progress(self, painter: QPainter, area: QRect, color: QColor, scale: float) -> None:
        """A full-width bar with "done / total · percent" written across it."""
        row = self.row
        total = max(row.job_qty_total, 0)
        fraction = min(row.job_qty_done / total, 1.0) if total else 0.0
        bar = QRectF(area)
        radius = bar.height() / 2
        track, on_track, on_fill = self.progress_colors(color)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(track)
        painter.drawRoundedRect(bar, radius, radius)
        fill = QRectF(bar.left(), bar.top(), bar.width() * fraction, bar.height())
        if fraction > 0:
            painter.save()
            painter.setClipRect(fill)
            painter.setBrush(color)
            painter.drawRoundedRect(bar, radius, radius)
            painter.restore()
        percent = f"{row.job_qty_done / total if total else 0:.0%}"
        font = self._font(10.5, bold=True, scale=scale)
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


_LEFT_V = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
_ELIDE = Qt.TextElideMode.ElideRight


#: Fonts made for tiles, by (base font, size, bold), and their metrics by the font's id: the
#: fonts stay alive in ``_FONTS`` until both are cleared together, so an id is never reused.
_FONTS: dict[tuple[str, float, bool], QFont] = {}
_METRICS: dict[int, QFontMetrics] = {}


def metrics_of(font: QFont) -> QFontMetrics:
    """The metrics of ``font``, made once per tile font (a layout measures many lines)."""
    metrics = _METRICS.get(id(font))
    return metrics if metrics is not None else QFontMetrics(font)


def _font(base_key: str, base: QFont, points: float, *, bold: bool = False) -> QFont:
    key = (base_key, round(points, 2), bold)
    font = _FONTS.get(key)
    if font is None:
        if len(_FONTS) > 256:
            _FONTS.clear()
            _METRICS.clear()
        font = _FONTS[key] = QFont(base)
        font.setPointSizeF(points)
        font.setBold(bold)
        _METRICS[id(font)] = QFontMetrics(font)
    return font


def _on(color: QColor) -> QColor:
    """Black or white, whichever reads better on ``color``."""
    luminance = 0.299 * color.redF() + 0.587 * color.greenF() + 0.114 * color.blueF()
    return QColor("#111111") if luminance > 0.6 else QColor("#ffffff")


def status_label(row: StationRow) -> str:
    """``"Running"``, ``"Idle"``, ``"Blocked"`` or ``"Not in use"``."""
    return station_state_label(station_state(row))
