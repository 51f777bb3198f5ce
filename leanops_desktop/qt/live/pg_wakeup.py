"""PostgreSQL wake-ups: a socket notifier on the LISTEN connection, plus a heartbeat.

The listener connection is opened on the runner's ``listen`` lane (connecting may block until
the connect timeout). Once open, everything runs in the GUI thread without blocking: a
``QSocketNotifier`` fires when notifications (or a heartbeat answer, or the server closing
the connection) arrive; a timer sends ``SELECT 1`` every ``heartbeat_ms`` and declares the
connection lost when an answer takes longer than ``heartbeat_timeout_ms`` (a silent network
is noticed within interval + timeout, under 2 s with the defaults).

When notifications do not arrive (a transaction-mode pooler between the window and the
server, or a refused LISTEN), ``db/delivery_watch.py`` notices and the wake-up reads the feed
every ``poll_ms`` (1 s) instead, saying so with ``delivery_changed``; the listener keeps
listening, and a notification pushed by the server switches it back.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import QObject, QSocketNotifier, QTimer, Signal

from leanops_desktop.db.change_feed import FeedConnectionLost
from leanops_desktop.db.delivery_watch import TIMER, DeliveryWatch
from leanops_desktop.db.feed_wakeup import ListenerEvents, PgListener
from leanops_desktop.qt.db_runner import LISTEN, DbRunner, Job


class PgWakeup(QObject):
    """Emits ``woke`` when the feed has news; ``opened`` / ``lost(reason)`` for the connection."""

    woke = Signal()
    opened = Signal()
    lost = Signal(str)
    #: (mode, reason): ``delivery_watch.NOTIFICATIONS`` or ``TIMER`` (read every ``poll_ms``).
    delivery_changed = Signal(str, str)

    def __init__(
        self,
        connect_kwargs: Mapping[str, Any],
        *,
        heartbeat_ms: int = 400,
        heartbeat_timeout_ms: int = 1000,
        connect_timeout_s: int = 3,
        poll_ms: int = 1000,
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
        #: Decides whether notifications arrive (``db/delivery_watch.py``).
        self.watch = DeliveryWatch(poll_interval=poll_ms / 1000)
        self._poll_timer = QTimer(self)
        self._poll_timer.setInterval(poll_ms)
        self._poll_timer.timeout.connect(self.woke)
        # Deleted without close() (its parent went away): still drop the connection.
        self.destroyed.connect(self._held.release)

    @property
    def listener(self) -> PgListener | None:
        """The open listener connection, if any."""
        return self._held.listener

    @property
    def polling(self) -> bool:
        """Whether the feed is read on the timer (notifications do not arrive)."""
        return self._poll_timer.isActive()

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
        self._poll_timer.stop()
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
        self.watch.connected()
        if result.listen_error:
            self._note(self.watch.listen_failed(result.listen_error, time.monotonic()))
        else:
            self.watch.listen_succeeded()
        if self.watch.mode == TIMER:
            self._poll_timer.start()
        self.opened.emit()

    def _readable(self) -> None:
        listener = self._held.listener
        if listener is None:
            return
        try:
            events = listener.poll_events()
        except FeedConnectionLost as exc:
            self._drop(str(exc))
            return
        self._judge(events)
        if events.notifications or events.grew:
            self.woke.emit()

    def _judge(self, events: ListenerEvents) -> None:
        """Tell the watch what the listener saw; follow its mode."""
        watch = self.watch
        if events.listen_result is True:
            watch.listen_succeeded()
        elif isinstance(events.listen_result, str):
            self._note(watch.listen_failed(events.listen_result, time.monotonic()))
        if events.notifications:
            self._note(watch.notified(idle=events.idle_notifications > 0))
        if events.newest is not None:
            self._note(watch.heartbeat(events.newest))

    def _note(self, changed: bool) -> None:
        if not changed:
            return
        if self.watch.mode == TIMER:
            self._poll_timer.start()
        else:
            self._poll_timer.stop()
        self.delivery_changed.emit(self.watch.mode, self.watch.reason)

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
            if age is None and self.watch.relisten_due(now):
                listener.send_listen(now)
            else:
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
