"""The main window's status bar: database, signed-in user, connection, last change seen."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QSize, Qt, QTimer
from PySide6.QtGui import QPainter, QPaintEvent
from PySide6.QtWidgets import QLabel, QStatusBar, QWidget

from leanops_desktop.core.actor import Actor

REFRESH_MS = 15_000


def ago(then: datetime, now: datetime) -> str:
    """``"just now"``, ``"42 s ago"``, ``"5 min ago"``, ``"2 h ago"``."""
    seconds = max(0, int((now - then).total_seconds()))
    if seconds < 5:
        return "just now"
    if seconds < 60:
        return f"{seconds} s ago"
    if seconds < 3600:
        return f"{seconds // 60} min ago"
    return f"{seconds // 3600} h ago"


#: How the window hears of other seats' changes (:meth:`FloorStatusBar.set_live_mode`).
POSTGRESQL = "postgresql"
SQLITE = "sqlite"
NOT_LIVE = "not live"


def polled_texts(poll_ms: int, reason: str = "") -> tuple[str, str]:
    """PostgreSQL without notifications: the feed read every ``poll_ms``."""
    every = f"{poll_ms / 1000:g} s"
    tip = (
        "Notifications from the database do not reach this window (a connection pooler in"
        f" transaction mode, or LISTEN refused): it reads the changes every {every} instead,"
        " and goes back to notifications by itself when they arrive again."
    )
    return f"Live updates: every {every} (no notifications)", (
        f"{reason[:1].upper()}{reason[1:]}. {tip}" if reason else tip
    )


def live_short_text(mode: str, online: bool | None, check_ms: int | None = None) -> str:
    """The same in fewer words, for a narrow window."""
    if mode == NOT_LIVE:
        return "Not live: refresh with F5"
    if online is False:
        return "Offline: reconnecting…"
    if online is None:
        return "Live: connecting…"
    if mode == POSTGRESQL:
        return "Live: within a second (PostgreSQL)"
    text = live_texts(mode, online, check_ms)[0]
    return text.replace("this PC's database, ", "")


def live_texts(
    mode: str, online: bool | None, check_ms: int | None = None, reason: str = ""
) -> tuple[str, str]:
    """The status bar's plain words on how live the window is, and their tooltip."""
    if mode == NOT_LIVE:
        return (
            "Not live: views refresh after your changes and on Refresh (F5)",
            "Changes made at other seats appear after your own changes or on Refresh (F5)",
        )
    if online is False:
        tip = "The views show what was read last; changes made meanwhile arrive once the "
        tip += "connection is back, none are lost."
        return "Offline: reconnecting…", (f"{reason}. {tip}" if reason else tip)
    if online is None:
        return "Live: connecting…", "Connecting to the database to hear of changes"
    if mode == POSTGRESQL:
        return (
            "Live: changes from other seats appear within a second (PostgreSQL notifications)",
            "The database notifies this window of every change the moment it is saved",
        )
    per_second = max(1, round(1000 / check_ms)) if check_ms else 0
    how_often = f"checked {per_second}× a second" if per_second else "checked continuously"
    return (
        f"Live: this PC's database, {how_often}",
        "This window checks the database file for changes saved by other windows on it",
    )


class ElidedLabel(QLabel):
    """A one-line label that gives way when the window is narrow: it shows "…" in place of
    what does not fit (the full text stays in the tooltip) instead of widening the window."""

    def __init__(self, text: str = "", parent: QWidget | None = None, *, keep: int = 80) -> None:
        super().__init__(text, parent)
        self._keep = keep
        self.short_text = ""

    def set_texts(self, text: str, short: str = "") -> None:
        """``text``, or ``short`` where ``text`` does not fit."""
        self.short_text = short
        self.setText(text)

    def shown_text(self) -> str:
        """What the label shows at its width now."""
        metrics = self.fontMetrics()
        room = self.contentsRect().width()
        for candidate in (self.text(), self.short_text):
            if candidate and metrics.horizontalAdvance(candidate) <= room:
                return candidate
        last = self.short_text or self.text()
        return metrics.elidedText(last, Qt.TextElideMode.ElideMiddle, room)

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        return QSize(min(hint.width(), self._keep), hint.height())

    def paintEvent(self, event: QPaintEvent) -> None:
        shown = self.shown_text()
        if shown == self.text():
            super().paintEvent(event)
            return
        painter = QPainter(self)
        painter.setPen(self.palette().color(self.foregroundRole()))
        painter.drawText(self.contentsRect(), int(self.alignment()), shown)


class FloorStatusBar(QStatusBar):
    """Four permanent fields on the right; temporary messages on the left."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizeGripEnabled(False)
        self.database_label = ElidedLabel(parent=self, keep=60)
        self.user_label = QLabel(self)
        self.connection_label = ElidedLabel(parent=self, keep=240)
        self.change_label = QLabel("No change seen yet", self)
        for label in (self.change_label, self.connection_label, self.user_label):
            self.addPermanentWidget(label)
        self.addPermanentWidget(self.database_label)
        self.last_change: datetime | None = None
        self.online = True
        self._timer = QTimer(self)
        self._timer.setInterval(REFRESH_MS)
        self._timer.timeout.connect(self._show_last_change)
        self.live_mode = NOT_LIVE
        self.check_ms: int | None = None
        self.offline_reason = ""
        #: Set while notifications do not arrive: the feed is read every ``poll_ms``.
        self.poll_ms: int | None = None
        self.poll_reason = ""
        self.connection_state: bool | None = None
        self._show_connection(None)

    def set_database(self, description: str) -> None:
        """Where the data lives, e.g. ``"SQLite C:/…/leanops.db"``."""
        self.database_label.setText(description)
        self.database_label.setToolTip(f"Database: {description}")

    def set_user(self, actor: Actor) -> None:
        self.user_label.setText(f"{actor.email} ({actor.role.value})")
        self.user_label.setToolTip(f"Signed in as {actor.email}, role {actor.role.value}")

    def set_live_mode(self, mode: str, *, check_ms: int | None = None) -> None:
        """How changes from other seats arrive: :data:`POSTGRESQL` (notifications),
        :data:`SQLITE` (the file checked every ``check_ms``) or :data:`NOT_LIVE` (only after
        own changes and Refresh). The connection starts as "connecting" until told."""
        self.live_mode = mode
        self.check_ms = check_ms
        self._show_connection(None if mode != NOT_LIVE else True)

    def set_connection(self, online: bool, message: str) -> None:
        """Show whether live updates arrive (``message`` explains an offline state)."""
        self.offline_reason = "" if online else message
        self._show_connection(online)

    def set_delivery(self, polled_every_ms: int | None, reason: str = "") -> None:
        """PostgreSQL: notifications arrive (None), or the feed is read every
        ``polled_every_ms`` because they do not (``reason`` says why)."""
        self.poll_ms, self.poll_reason = polled_every_ms, reason
        self._show_connection(self.connection_state)

    def _show_connection(self, online: bool | None) -> None:
        self.online = online is not False
        self.connection_state = online
        text, tip = live_texts(self.live_mode, online, self.check_ms, self.offline_reason)
        short = live_short_text(self.live_mode, online, self.check_ms)
        if online and self.live_mode == POSTGRESQL and self.poll_ms:
            text, tip = polled_texts(self.poll_ms, self.poll_reason)
            short = f"Live: every {self.poll_ms / 1000:g} s"
        self.connection_label.set_texts(text, short)
        self.connection_label.setToolTip(f"{text}\n{tip}")
        name = "ConnectionOffline" if online is False else "ConnectionOnline"
        self.connection_label.setObjectName(
            "ConnectionNotLive" if self.live_mode == NOT_LIVE else name
        )
        style = self.connection_label.style()
        style.unpolish(self.connection_label)
        style.polish(self.connection_label)

    def note_change(self, when: datetime | None = None) -> None:
        """A change was seen (by the live feed or after an own action)."""
        self.last_change = when or datetime.now().astimezone()
        self._show_last_change()
        self._timer.start()

    def _show_last_change(self) -> None:
        if self.last_change is None:
            return
        local = self.last_change.astimezone()
        now = datetime.now().astimezone()
        self.change_label.setText(f"Last change {local:%H:%M:%S} ({ago(local, now)})")
        self.change_label.setToolTip(f"Last change seen at {local:%Y-%m-%d %H:%M:%S %Z}")
