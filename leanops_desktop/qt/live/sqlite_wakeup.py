"""SQLite wake-ups: a timer compares ``PRAGMA data_version`` (a few microseconds a check).

The feed is read only when another connection committed since the last check, so an idle
plant costs one tiny query per tick. A database file that disappears (a network share gone)
reports ``lost``; the live feed then retries with backoff.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal

from leanops_desktop.db.change_feed import FeedConnectionLost
from leanops_desktop.db.feed_wakeup import SqliteVersionWatch


class SqliteWakeup(QObject):
    """Emits ``woke`` when the file changed; ``opened`` / ``lost(reason)`` like PgWakeup."""

    woke = Signal()
    opened = Signal()
    lost = Signal(str)

    def __init__(self, path: str, *, check_ms: int = 25, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._watch = SqliteVersionWatch(path)
        self._timer = QTimer(self)
        self._timer.setInterval(check_ms)
        self._timer.timeout.connect(self._tick)

    def open(self) -> None:
        """Check the file once; emits ``opened`` or ``lost`` before returning."""
        try:
            self._watch.changed()
        except FeedConnectionLost as exc:
            self.lost.emit(str(exc))
            return
        self._timer.start()
        self.opened.emit()

    def close(self) -> None:
        self._timer.stop()
        self._watch.close()

    def _tick(self) -> None:
        try:
            moved = self._watch.changed()
        except FeedConnectionLost as exc:
            self.close()
            self.lost.emit(str(exc))
            return
        if moved:
            self.woke.emit()
