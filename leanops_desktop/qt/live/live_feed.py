"""LiveFeed: the change feed as Qt signals, coalesced, surviving a lost connection.

Life cycle::

    feed = LiveFeed(db, parent)
    feed.start()          # positions at the end of the feed: call BEFORE the views' first load
    window = MainWindow(signed_in, config, live_feed=feed)   # connects the two signals
    ...
    feed.stop()           # before disposing the database

Reads are throttled: the first change after a quiet spell is read and emitted at once, later
ones no sooner than ``min_interval_ms`` (50 ms) after the previous emission's handlers
returned (so at most ~20 ``changes_arrived`` a second), each emission covering every key
changed since the previous one. On PostgreSQL the feed is read once more ``trailing_ms``
(60 ms) after the last emission: the server notifies at most once per 10 ms (migration
0007), so a change that committed just after a read may have had no notification of its own.
When the connection goes, the feed says so once (``connection_state_changed(False, reason)``),
retries with growing delays, and on success checks that it can still catch up (else
``history_lost``: reload everything), reads what was missed and says
``connection_state_changed(True, "")``.
"""

from __future__ import annotations

import logging
import time

from PySide6.QtCore import QObject, Qt, QTimer, Signal

from leanops_desktop.db.change_feed import (
    Backoff,
    ChangeBatch,
    ChangeFeedReader,
    FeedConnectionLost,
    PgListener,
    prune_change_feed,
)
from leanops_desktop.db.engine import Database
from leanops_desktop.qt.live.pg_wakeup import PgWakeup
from leanops_desktop.qt.live.sqlite_wakeup import SqliteWakeup
from leanops_desktop.qt.live.threaded_call import call_in_thread

log = logging.getLogger(__name__)

_READ_BUDGET_S = 0.04
_FIRST_PRUNE_MS = 60_000


class LiveFeed(QObject):
    """Tells the views which rows changed, on every seat, at most ~20 times a second."""

    #: dict[str, set[str]]: table name -> keys of the rows that changed since the last emission.
    changes_arrived = Signal(object)
    #: (online, message): emitted when the state changes, never repeated while it holds.
    connection_state_changed = Signal(bool, str)
    #: The feed cannot say what was missed (offline longer than the feed keeps rows, or the
    #: database was replaced): reload every view.
    history_lost = Signal()

    def __init__(
        self,
        db: Database,
        parent: QObject | None = None,
        *,
        min_interval_ms: int = 50,
        trailing_ms: int = 60,
        sqlite_check_ms: int = 25,
        heartbeat_ms: int = 400,
        heartbeat_timeout_ms: int = 1000,
        prune_interval_s: float = 6 * 3600,
    ) -> None:
        super().__init__(parent)
        self._db = db
        self._reader = ChangeFeedReader(db.engine)
        self._wakeup: PgWakeup | SqliteWakeup
        if db.backend == "postgresql":
            self._wakeup = PgWakeup(
                PgListener.connect_kwargs(db.engine),
                heartbeat_ms=heartbeat_ms,
                heartbeat_timeout_ms=heartbeat_timeout_ms,
                parent=self,
            )
        else:
            self._wakeup = SqliteWakeup(
                db.engine.url.database or ":memory:", check_ms=sqlite_check_ms, parent=self
            )
        self._wakeup.woke.connect(self.request_read)
        self._wakeup.opened.connect(self._opened)
        self._wakeup.lost.connect(self._lost)
        self._min_interval = min_interval_ms / 1000
        self._pending = ChangeBatch()
        self._running = False
        self._open = False
        self._online: bool | None = None
        self._pumping = False
        self._last_pump = -1e9
        self._backoff = Backoff()
        self._pump_timer = _single_shot(self, self.request_read)
        self._pump_timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._trailing_timer = _single_shot(self, self.request_read)
        self._trailing_ms = trailing_ms if db.backend == "postgresql" else 0
        self._retry_timer = _single_shot(self, self._reconnect)
        self._prune_timer = QTimer(self)
        self._prune_timer.setInterval(int(prune_interval_s * 1000))
        self._prune_timer.timeout.connect(self.prune)
        self._first_prune = _single_shot(self, self.prune)
        #: How many times ``changes_arrived`` was emitted (for status and measurements).
        self.emissions = 0

    # -- public ------------------------------------------------------------------------------

    @property
    def online(self) -> bool:
        """Whether live updates currently arrive."""
        return bool(self._online)

    @property
    def running(self) -> bool:
        return self._running

    @property
    def last_seq(self) -> int | None:
        """The newest feed sequence read so far."""
        return self._reader.last_seq

    @property
    def wakeup(self) -> PgWakeup | SqliteWakeup:
        """The wake-up source (its ``listener`` gives the PostgreSQL backend pid in tests)."""
        return self._wakeup

    def start(self) -> None:
        """Remember where the feed ends now, then start listening.

        Call it before the views load their rows: whatever commits after this call arrives.
        """
        if self._running:
            return
        self._running = True
        try:
            self._reader.start()
        except FeedConnectionLost as exc:  # the first successful open positions it instead
            log.info("live feed: cannot read the feed position yet: %s", exc)
        self._wakeup.open()
        self._first_prune.start(_FIRST_PRUNE_MS)
        self._prune_timer.start()

    def stop(self) -> None:
        """Stop listening and close the listener connection (no signals afterwards)."""
        self._running = False
        self._open = False
        for timer in (
            self._pump_timer,
            self._trailing_timer,
            self._retry_timer,
            self._prune_timer,
            self._first_prune,
        ):
            timer.stop()
        self._wakeup.close()
        self._reader.close()
        self._pending.take()

    def request_read(self) -> None:
        """Read the feed now, or as soon as the emission rate allows."""
        if not (self._running and self._open):
            return
        wait = self._last_pump + self._min_interval - time.monotonic()
        if wait <= 0:
            self._pump()
        elif not self._pump_timer.isActive():
            self._pump_timer.start(max(1, round(wait * 1000)))

    def prune(self) -> None:
        """Delete feed rows older than 48 hours (in a background thread)."""
        db = self._db

        def work() -> int | str:
            try:
                return prune_change_feed(db)
            except Exception as exc:  # reported, never raised into the GUI
                return f"{type(exc).__name__}: {exc}"

        call_in_thread(work, _log_prune, name="leanops-feed-prune")

    # -- internals ---------------------------------------------------------------------------

    def _pump(self) -> None:
        if not (self._running and self._open) or self._pumping:
            return
        self._pumping = True
        started = time.monotonic()
        try:
            while True:
                self._pending.merge(self._reader.read())
                if self._reader.caught_up or time.monotonic() - started > _READ_BUDGET_S:
                    break
        except FeedConnectionLost as exc:
            self._lost(str(exc))
            return
        finally:
            self._pumping = False
        if self._pending:
            changes = self._pending.take()
            self.emissions += 1
            self.changes_arrived.emit(changes)
            if self._trailing_ms:  # one more look once the changes stop coming
                self._trailing_timer.start(self._trailing_ms)
            # The interval counts from the end of the handlers: the views get at least
            # min_interval of quiet between two updates, whatever an update costs. A read
            # that found nothing (a trailing read, a heartbeat's) does not hold back the next.
            self._last_pump = time.monotonic()
        if not self._reader.caught_up:
            self.request_read()

    def _opened(self) -> None:
        if not self._running:
            self._wakeup.close()
            return
        try:
            if self._reader.last_seq is None:
                self._reader.start()
                history_kept = False
            else:
                history_kept = self._reader.verify_position()
        except FeedConnectionLost as exc:
            self._lost(str(exc))
            return
        self._open = True
        self._backoff.reset()
        if not history_kept:
            self._pending.take()
            self.history_lost.emit()
        self._set_online(True, "")
        self.request_read()

    def _lost(self, reason: str) -> None:
        self._open = False
        self._pump_timer.stop()
        self._trailing_timer.stop()
        self._wakeup.close()
        self._reader.close()  # a fresh connection after the reconnect
        if not self._running:
            return
        self._set_online(False, f"{reason} — reconnecting")
        delay = self._backoff.next_delay()
        log.info("live feed offline (%s); next attempt in %.1f s", reason, delay)
        self._retry_timer.start(max(1, round(delay * 1000)))

    def _reconnect(self) -> None:
        if self._running and not self._open:
            self._wakeup.open()

    def _set_online(self, online: bool, message: str) -> None:
        if self._online == online:
            return
        self._online = online
        self.connection_state_changed.emit(online, message)


def _single_shot(parent: QObject, slot: object) -> QTimer:
    timer = QTimer(parent)
    timer.setSingleShot(True)
    timer.timeout.connect(slot)
    return timer


def _log_prune(result: int | str) -> None:
    if isinstance(result, str):
        log.warning("pruning the change feed failed: %s", result)
    else:
        log.info("pruned %d change feed rows", result)
