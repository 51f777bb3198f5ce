"""PostgreSQL wake-ups: a socket notifier on the LISTEN connection, plus a heartbeat.

The listener connection is opened on the runner's ``listen`` lane (connecting may block until
the connect timeout). Once open, everything runs in the GUI thread without blocking: a
``QSocketNotifier`` fires when notifications (or a heartbeat answer, or the server closing
the connection) arrive; a timer sends ``SELECT 1`` every ``heartbeat_ms`` and declares the
connection lost when an answer takes longer than ``heartbeat_timeout_ms`` (a silent network
is noticed within interval + timeout, under 2 s with the defaults).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import QObject, QSocketNotifier, QTimer, Signal

from leanops_desktop.db.change_feed import FeedConnectionLost
from leanops_desktop.db.feed_wakeup import PgListener
from leanops_desktop.qt.db_runner import LISTEN, DbRunner, Job


class PgWakeup(QObject):
    """Emits ``woke`` when the feed has news; ``opened`` / ``lost(reason)`` for the connection."""

    woke = Signal()
    opened = Signal()
    lost = Signal(str)

    def __init__(
        self,
        connect_kwargs: Mapping[str, Any],
        *,
        heartbeat_ms: int = 400,
        heartbeat_timeout_ms: int = 1000,
        connect_timeout_s: int = 3,
        runner: DbRunner,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._runner = runner
        self._connect_kwargs = dict(connect_kwargs)
        self._connect_timeout_s = connect_timeout_s
        self._heartbeat_timeout = heartbeat_timeout_ms / 1000
        self._held = _Held()
        self._notifier: QSocketNotifier | None = None
        self._heartbeat = QTimer(self)
        self._heartbeat.setInterval(heartbeat_ms)
        self._heartbeat.timeout.connect(self._beat)
        # Deleted without close() (its parent went away): still drop the connection.
        self.destroyed.connect(self._held.release)

    @property
    def listener(self) -> PgListener | None:
        """The open listener connection, if any."""
        return self._held.listener

    def open(self) -> None:
        """Start connecting; ``opened`` or ``lost`` follows."""
        if self._held.opening is not None or self._held.listener is not None:
            return
        kwargs, timeout = self._connect_kwargs, self._connect_timeout_s
        held = self._held

        def connect() -> PgListener | str:
            try:
                return PgListener.open(kwargs, timeout=timeout)
            except FeedConnectionLost as exc:
                return str(exc)

        def finished(result: PgListener | str) -> None:
            # The attempt was dropped meanwhile (closed, or the wake-up deleted): let go.
            if held.opening is not job:
                _close_listener(result)
                return
            self._open_finished(result)

        job: Job[PgListener | str] = self._runner.submit(connect, lane=LISTEN)
        held.opening = job
        job.then(finished)

    def close(self) -> None:
        """Drop the connection (and any attempt in flight); emits nothing."""
        self._heartbeat.stop()
        if self._notifier is not None:
            self._notifier.setEnabled(False)
            self._notifier.deleteLater()
            self._notifier = None
        self._held.release()

    def _open_finished(self, result: PgListener | str) -> None:
        self._held.opening = None
        if isinstance(result, str):
            self.lost.emit(result)
            return
        self._held.listener = result
        self._notifier = QSocketNotifier(result.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._readable)
        self._heartbeat.start()
        self.opened.emit()

    def _readable(self) -> None:
        listener = self._held.listener
        if listener is None:
            return
        try:
            count = listener.poll()
        except FeedConnectionLost as exc:
            self._drop(str(exc))
            return
        if count:
            self.woke.emit()

    def _beat(self) -> None:
        listener = self._held.listener
        if listener is None:
            return
        now = time.monotonic()
        age = listener.heartbeat_age(now)
        if age is not None and age > self._heartbeat_timeout:
            self._drop(f"no answer from the database for {age:.1f} s")
            return
        try:
            listener.send_heartbeat(now)
        except FeedConnectionLost as exc:
            self._drop(str(exc))

    def _drop(self, reason: str) -> None:
        self.close()
        self.lost.emit(reason)


def _close_listener(result: object) -> None:
    if isinstance(result, PgListener):
        result.close()


class _Held:
    """The connection and the attempt in flight, kept apart from the QObject."""

    def __init__(self) -> None:
        self.listener: PgListener | None = None
        self.opening: Job[PgListener | str] | None = None

    def release(self) -> None:
        self.opening = None  # its answer, when it comes, is closed
        if self.listener is not None:
            self.listener.close()
            self.listener = None
