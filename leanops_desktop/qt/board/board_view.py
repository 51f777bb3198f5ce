"""The production board's widget: a header (line, page, shift, clock), an outage banner and
as many station lines as fit. Whole production lines share a page while they fit; a line
with more stations than fit is split into pages of its own; the
plant at a time, which :meth:`BoardView.next_page` cycles through."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, tzinfo

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import (
    QCloseEvent,
    QColor,
    QKeySequence,
    QPainter,
    QPaintEvent,
    QPalette,
    QResizeEvent,
    QShortcut,
)
from PySide6.QtWidgets import QWidget

from leanops_desktop.qt.board.board_painting import (
    BANNER_HEIGHT,
    HEADER_HEIGHT,
    ROW_HEIGHT,
    font,
    paint_station,
)
from leanops_desktop.qt.models.status_colors import BLOCKED_HEX
from leanops_desktop.services.board.board_reads import BoardSnapshot, BoardStation


class BoardPage:
    """The stations shown together: whole lines that fit, or one part of a long line."""

    def __init__(
        self, lines: list[str], stations: list[BoardStation], number: int = 1, of: int = 1
    ) -> None:
        self.lines = lines
        self.stations = stations
        self.number = number
        self.of = of

    @property
    def line(self) -> str:
        return self.lines[0]

    @property
    def title(self) -> str:
        names = " · ".join(self.lines)
        return names if self.of == 1 else f"{names} ({self.number}/{self.of})"


def split_pages(snapshot: BoardSnapshot, per_page: int) -> list[BoardPage]:
    """Whole lines packed onto pages of at most ``per_page`` stations, in order; a line
    longer than that in pages of its own."""
    pages: list[BoardPage] = []
    per_page = max(per_page, 1)
    packed: BoardPage | None = None
    for line in snapshot.lines():
        stations = [item for item in snapshot.stations if item.station.line == line]
        if len(stations) > per_page:
            packed = None
            chunks = [stations[i : i + per_page] for i in range(0, len(stations), per_page)]
            pages.extend(
                BoardPage([line], chunk, n + 1, len(chunks)) for n, chunk in enumerate(chunks)
            )
        elif packed is not None and len(packed.stations) + len(stations) <= per_page:
            packed.lines.append(line)
            packed.stations.extend(stations)
        else:
            packed = BoardPage([line], list(stations))
            pages.append(packed)
    return pages


class BoardView(QWidget):
    """Paints the board; fed snapshots and the connection state by its controller."""

    def __init__(self, tz: tzinfo, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ProductionBoard")
        self.setAutoFillBackground(True)
        self._tz = tz
        self._snapshot: BoardSnapshot | None = None
        self._pages: list[BoardPage] = []
        self._page = 0
        #: When offline: the time of the data shown (None while the connection holds).
        self.offline_since: datetime | None = None
        self.offline = False
        #: Why the database refused the board's read (not an outage), shown in the banner.
        self.problem: str | None = None
        self.message = "Loading…"
        #: Called once when the board closes (its controller, feed and runner stop).
        self.on_close: list[Callable[[], None]] = []
        # A TV has no close button: the kiosk's key closes the board too.
        QShortcut(QKeySequence("Ctrl+Shift+Q"), self, self.close)

    # -- state -----------------------------------------------------------------------------

    @property
    def scale(self) -> float:
        return max(self.height(), 240) / 1080

    @property
    def per_page(self) -> int:
        banner = BANNER_HEIGHT if self.banner_text() is not None else 0
        free = self.height() - (HEADER_HEIGHT + banner) * self.scale
        return max(int(free // (ROW_HEIGHT * self.scale)), 1)

    @property
    def pages(self) -> list[BoardPage]:
        return self._pages

    @property
    def page_index(self) -> int:
        return self._page

    @property
    def current_page(self) -> BoardPage | None:
        return self._pages[self._page] if self._pages else None

    def shown_station_ids(self) -> list[str]:
        page = self.current_page
        return [item.station.id for item in page.stations] if page else []

    def banner_text(self) -> str | None:
        """``"Connection lost — showing data from 10:42"`` while offline, the problem when
        the database refuses the read, else None."""
        if not self.offline:
            return self.problem
        if self._snapshot is None:
            return "Connection lost — no data yet; reconnecting…"
        shown = self._snapshot.read_at.astimezone(self._tz)
        return f"Connection lost — showing data from {shown:%H:%M}"

    def set_snapshot(self, snapshot: BoardSnapshot) -> None:
        line = self.current_page.line if self.current_page else None
        self._snapshot = snapshot
        self.message = "" if snapshot.stations else "No active stations"
        self._repage(keep_line=line)

    def set_problem(self, problem: str | None) -> None:
        if problem != self.problem:
            self.problem = problem
            self._repage(keep_line=self.current_page.line if self.current_page else None)

    def set_offline(self, offline: bool) -> None:
        if offline != self.offline:
            self.offline = offline
            self._repage(keep_line=self.current_page.line if self.current_page else None)

    def next_page(self) -> None:
        if self._pages:
            self._page = (self._page + 1) % len(self._pages)
            self.update()

    def _repage(self, keep_line: str | None) -> None:
        old = self._page
        self._pages = split_pages(self._snapshot, self.per_page) if self._snapshot else []
        self._page = min(old, len(self._pages) - 1) if self._pages else 0
        if keep_line and self.current_page and keep_line not in self.current_page.lines:
            same = [i for i, page in enumerate(self._pages) if keep_line in page.lines]
            self._page = same[0] if same else 0
        self.update()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._repage(keep_line=self.current_page.line if self.current_page else None)

    def closeEvent(self, event: QCloseEvent) -> None:
        calls, self.on_close = self.on_close, []
        for call in calls:
            call()
        super().closeEvent(event)

    # -- painting --------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        scale = self.scale
        painter.fillRect(self.rect(), palette.color(QPalette.ColorRole.Window))
        top = self._paint_header(painter, scale)
        banner = self.banner_text()
        if banner is not None:
            rect = QRectF(0, top, self.width(), BANNER_HEIGHT * scale)
            painter.fillRect(rect, QColor(BLOCKED_HEX))
            painter.setPen(QColor("white"))
            painter.setFont(font(44 * scale, bold=True))
            painter.drawText(rect, int(Qt.AlignmentFlag.AlignCenter), banner)
            top += BANNER_HEIGHT * scale
        page = self.current_page
        if page is None:
            painter.setPen(palette.color(QPalette.ColorRole.WindowText))
            painter.setFont(font(56 * scale))
            rest = QRectF(0, top, self.width(), self.height() - top)
            painter.drawText(rest, int(Qt.AlignmentFlag.AlignCenter), self.message)
            return
        height = ROW_HEIGHT * scale
        for number, item in enumerate(page.stations):
            rect = QRectF(20 * scale, top + number * height, self.width() - 40 * scale, height)
            if number % 2:
                painter.fillRect(rect, palette.color(QPalette.ColorRole.AlternateBase))
            paint_station(
                painter, rect, item, palette, scale, self._tz, with_line=len(page.lines) > 1
            )
        painter.end()

    def _paint_header(self, painter: QPainter, scale: float) -> float:
        height = HEADER_HEIGHT * scale
        rect = QRectF(30 * scale, 0, self.width() - 60 * scale, height)
        painter.fillRect(
            QRectF(0, 0, self.width(), height), self.palette().color(QPalette.ColorRole.Base)
        )
        painter.setPen(self.palette().color(QPalette.ColorRole.WindowText))
        page = self.current_page
        painter.setFont(font(64 * scale, bold=True))
        title = page.title if page else "Production board"
        painter.drawText(
            rect, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), title
        )
        if self._snapshot is not None:
            clock = self._snapshot.read_at.astimezone(self._tz)
            painter.setFont(font(48 * scale, bold=True))
            text = f"shift {self._snapshot.shift.name}    {clock:%H:%M}"
            painter.drawText(
                rect, int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter), text
            )
        if len(self._pages) > 1:
            painter.setFont(font(36 * scale))
            painter.drawText(
                rect,
                int(Qt.AlignmentFlag.AlignCenter),
                f"page {self._page + 1} of {len(self._pages)}",
            )
        return height
