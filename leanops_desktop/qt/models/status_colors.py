"""The one status palette of the floor views: tables, station tiles and plots share it.

Colours are given as hex strings (for stylesheets and plots) and as :class:`QColor`
(for models and painters). They read on the light, dark and high-contrast themes alike:
they are used for dots, bars, chips and short emphasised text, never as large text fields.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from types import MappingProxyType

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap, QPolygonF

from leanops_desktop.core.enums import JobStatus, StationStatus
from leanops_desktop.core.rows import StationRow

RUNNING_HEX = "#2e9d57"
IDLE_HEX = "#e0a21b"
BLOCKED_HEX = "#d64541"
INACTIVE_HEX = "#8d96a0"
WAITING_HEX = "#5b8def"
COMPLETED_HEX = "#6c7a89"
HIGH_PRIORITY_HEX = "#e8590c"
OVERDUE_HEX = "#d64541"
OVER_TARGET_HEX = "#8e44ad"
PROGRESS_HEX = "#2e9d57"

#: The station states the floor shows: the three statuses plus "inactive" (not in use).
INACTIVE = "inactive"
STATION_STATES: tuple[str, ...] = (
    StationStatus.RUNNING.value,
    StationStatus.IDLE.value,
    StationStatus.BLOCKED.value,
    INACTIVE,
)

STATION_STATE_HEX: Mapping[str, str] = MappingProxyType(
    {
        StationStatus.RUNNING.value: RUNNING_HEX,
        StationStatus.IDLE.value: IDLE_HEX,
        StationStatus.BLOCKED.value: BLOCKED_HEX,
        INACTIVE: INACTIVE_HEX,
    }
)
JOB_STATUS_HEX: Mapping[str, str] = MappingProxyType(
    {
        JobStatus.WAITING.value: WAITING_HEX,
        JobStatus.RUNNING.value: RUNNING_HEX,
        JobStatus.COMPLETED.value: COMPLETED_HEX,
    }
)
_STATE_LABELS = {INACTIVE: "Not in use"}

# Shared colour objects: treat them as read-only (copy before changing one).
STATION_STATE_COLORS: Mapping[str, QColor] = MappingProxyType(
    {state: QColor(hex_) for state, hex_ in STATION_STATE_HEX.items()}
)
JOB_STATUS_COLORS: Mapping[str, QColor] = MappingProxyType(
    {status: QColor(hex_) for status, hex_ in JOB_STATUS_HEX.items()}
)
HIGH_PRIORITY_COLOR = QColor(HIGH_PRIORITY_HEX)
OVERDUE_COLOR = QColor(OVERDUE_HEX)
OVER_TARGET_COLOR = QColor(OVER_TARGET_HEX)
PROGRESS_COLOR = QColor(PROGRESS_HEX)


def station_state(row: StationRow) -> str:
    """``"running"``, ``"idle"``, ``"blocked"`` or ``"inactive"`` (not in use wins)."""
    return row.status.value if row.is_active else INACTIVE


def station_state_label(state: str) -> str:
    """``"Running"``, ``"Idle"``, ``"Blocked"`` or ``"Not in use"``."""
    return _STATE_LABELS.get(state, state.capitalize())


def station_color(row: StationRow) -> QColor:
    """The colour of a station's state (a shared object: do not modify it)."""
    return STATION_STATE_COLORS[station_state(row)]


def tint(color: QColor, alpha: int) -> QColor:
    """A translucent copy of ``color`` (row backgrounds that work on light and dark themes)."""
    tinted = QColor(color)
    tinted.setAlpha(alpha)
    return tinted


@cache
def status_dot(hex_color: str, size: int = 12) -> QIcon:
    """A filled circle icon of ``hex_color`` (needs a QGuiApplication; cached per colour)."""
    pixmap = QPixmap(size * 2, size * 2)
    pixmap.setDevicePixelRatio(2.0)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(hex_color))
    painter.drawEllipse(QRectF(1.0, 1.0, size - 2.0, size - 2.0))
    painter.end()
    return QIcon(pixmap)


@cache
def priority_marker(size: int = 12) -> QIcon:
    """An upward triangle in the high-priority colour (cached)."""
    pixmap = QPixmap(size * 2, size * 2)
    pixmap.setDevicePixelRatio(2.0)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(HIGH_PRIORITY_COLOR)
    corners = [QPointF(size / 2, 1.0), QPointF(size - 1.0, size - 2.0), QPointF(1.0, size - 2.0)]
    painter.drawPolygon(QPolygonF(corners))
    painter.end()
    return QIcon(pixmap)


def _relative_luminance(color: QColor) -> float:
    def channel(value: float) -> float:
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    return (
        0.2126 * channel(color.redF())
        + 0.7152 * channel(color.greenF())
        + 0.0722 * channel(color.blueF())
    )


def contrast_ratio(first: QColor, second: QColor) -> float:
    """The WCAG contrast ratio of two opaque colours (1.0 to 21.0)."""
    light, dark = sorted((_relative_luminance(first), _relative_luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


#: Text at least this far from its background reads (WCAG AA for normal text).
READABLE_CONTRAST = 4.5


def readable_on(background: QColor, preferred: QColor | None = None) -> QColor:
    """``preferred`` when it reads on ``background``, else near-black or white, whichever
    reads better (text written across a coloured bar or chip, in every theme)."""
    if preferred is not None and contrast_ratio(preferred, background) >= READABLE_CONTRAST:
        return QColor(preferred)
    black, white = QColor("#111111"), QColor("#ffffff")
    if contrast_ratio(black, background) >= contrast_ratio(white, background):
        return black
    return white
