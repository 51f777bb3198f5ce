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
Every read of the feed runs on the runner's ``reads`` lane (``qt/db_runner.py``), after the
loads and refreshes submitted before it; the GUI thread never waits on the network. A window
that has just committed calls :meth:`LiveFeed.read_now`: its own change then arrives through
``changes_arrived`` like anyone else's. A feed started with ``listen=False`` (SQLite without
a listener, tests) has no wake-ups: it reads only when asked.

When the connection goes, the feed says so once (``connection_state_changed(False, reason)``),
retries with growing delays, and on success checks that it can still catch up (else
``history_lost``: reload everything), reads what was missed and says
``connection_state_changed(True, "")``.

On PostgreSQL, when notifications do not arrive (a transaction-mode pooler, a refused
LISTEN), the wake-up reads the feed every ``poll_ms`` (1 s) instead and the feed says so with
``delivery_changed("timer", reason)``; ``delivery_changed("notifications", "")`` when they
arrive again (``db/delivery_watch.py``).
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QTimer, Signal

from leanops_desktop.db.change_feed import ChangeBatch, ChangeFeedReader, prune_change_feed
from leanops_desktop.db.delivery_watch import NOTIFICATIONS
from leanops_desktop.db.feed_wakeup import Backoff, PgListener
from leanops_desktop.qt.db_runner import HOUSEKEEPING, READS, DbRunner
from leanops_desktop.qt.live.pg_wakeup import PgWakeup
from leanops_desktop.qt.live.sqlite_wakeup import SqliteWakeup

if TYPE_CHECKING:
    from leanops_desktop.db.engine import Database

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
    #: (mode, reason): how other seats' changes reach this one on PostgreSQL,
    #: ``"notifications"`` or ``"timer"`` (the feed read every ``poll_ms``; ``reason`` says why).
    delivery_changed = Signal(str, str)

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
        poll_ms: int = 1000,
        prune_interval_s: float = 6 * 3600,
        runner: DbRunner | None = None,
        lane: str = READS,
    ) -> None:
        super().__init__(parent)
        self._db = db
        self._own_runner = runner is None
        self._runner = runner if runner is not None else DbRunner(self)
        self._lane = lane
        self._reader = ChangeFeedReader(db.engine, keep_connection=db.seat.keep_feed_connection)
        #: ``"postgresql"`` (woken by notifications) or ``"sqlite"`` (a file checked every
        #: ``sqlite_check_ms``): what the status bar tells the user about how live it is.
        self.backend = db.backend
        self.sqlite_check_ms = sqlite_check_ms
        #: How often the feed is read when notifications do not arrive (PostgreSQL).
        self.poll_ms = poll_ms
        #: ``"notifications"`` or ``"timer"`` (PostgreSQL; see ``delivery_changed``).
        self.delivery = NOTIFICATIONS
        self.delivery_reason = ""
        self._wakeup = self._make_wakeup(db, sqlite_check_ms, heartbeat_ms, heartbeat_timeout_ms)
        if isinstance(self._wakeup, PgWakeup):
            self._wakeup.delivery_changed.connect(self._delivery_changed)
        self._wakeup.woke.connect(self.request_read)
        self._wakeup.opened.connect(self._opened)
        self._wakeup.lost.connect(self._lost)
        self._min_interval = min_interval_ms / 1000
        self._pending = ChangeBatch()
        self._running = False
        self._listening = True
        self._open = False
        self._online: bool | None = None
        self._pumping = False
        self._again = False
        self._opening = False
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

    def _make_wakeup(
        self, db: Database, sqlite_check_ms: int, heartbeat_ms: int, heartbeat_timeout_ms: int
    ) -> PgWakeup | SqliteWakeup:
        """PostgreSQL's notifications (with a heartbeat), else the SQLite file checked."""
        if db.backend == "postgresql":
            # The listener counts in the seat's connections under the seat's name.
            connect_kwargs = PgListener.connect_kwargs(db.engine)
            connect_kwargs["application_name"] = db.seat.application_name
            return PgWakeup(
                connect_kwargs,
                heartbeat_ms=heartbeat_ms,
                heartbeat_timeout_ms=heartbeat_timeout_ms,
                poll_ms=self.poll_ms,
                runner=self._runner,
                parent=self,
            )
        return SqliteWakeup(
            db.engine.url.database or ":memory:", check_ms=sqlite_check_ms, parent=self
        )

    # -- public ------------------------------------------------------------------------------

    @property
    def online(self) -> bool:
        """Whether live updates currently arrive."""
        return bool(self._online)

    @property
    def listening(self) -> bool | None:
        """True when it listens for other seats' changes, False when it reads only when
        asked, None before :meth:`start`; with :attr:`online` (None: not connected yet)."""
        return self._listening if self._running else None

    @property
    def state(self) -> bool | None:
        """Connected (True), offline (False) or not connected yet (None)."""
        return self._online

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

    @property
    def reading(self) -> bool:
        """Whether a read of the feed is under way (submitted, its answer not yet here)."""
        return self._pumping

    def start(self, *, listen: bool = True) -> None:
        """Remember where the feed ends now, then start listening (unless ``listen`` is False:
        then the feed reads only when asked, :meth:`read_now`).

        Call it before the views load their rows, with the same runner: the position is
        taken on the ``reads`` lane before their loads, so whatever commits later arrives.
        """
        if self._running:
            return
        self._running = True
        self._listening = listen
        reader = self._reader
        self._runner.submit(reader.start, None, _position_unknown, lane=self._lane)
        if not listen:
            return
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
        self._close_reader()
        self._pending.take()
        if self._own_runner:
            self._runner.close()

    def read_now(self) -> None:
        """Read the feed now (after one's own commit): the change then arrives through
        ``changes_arrived`` like any other seat's. A person's own saves come at a person's
        pace, so this read does not wait for the emission interval."""
        self._pump_timer.stop()
        self._pump()

    def request_read(self) -> None:
        """Read the feed now, or as soon as the emission rate allows."""
        if not self._running or (self._listening and not self._open):
            return
        wait = self._last_pump + self._min_interval - time.monotonic()
        if wait <= 0:
            self._pump()
        elif not self._pump_timer.isActive():
            self._pump_timer.start(max(1, round(wait * 1000)))

    def prune(self) -> None:
        """Delete feed rows older than 48 hours (on the runner's housekeeping lane)."""
        db = self._db
        self._runner.submit(
            lambda: prune_change_feed(db), _log_prune, _log_prune_failed, lane=HOUSEKEEPING
        )

    # -- internals ---------------------------------------------------------------------------

    def _pump(self) -> None:
        if not self._running or (self._listening and not self._open):
            return
        if self._pumping:
            self._again = True  # read once more when the answer is in
            return
        self._pumping = True
        reader = self._reader

        def read() -> ChangeBatch:
            batch = ChangeBatch()
            started = time.monotonic()
            while True:
                batch.merge(reader.read())
                if reader.caught_up or time.monotonic() - started > _READ_BUDGET_S:
                    return batch

        self._runner.submit(read, self._read, self._read_failed, lane=self._lane)

    def _read(self, batch: ChangeBatch) -> None:
        self._pumping = False
        if not self._running:
            return
        if not self._listening:
            self._backoff.reset()
        self._pending.merge(batch)
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
        if not self._reader.caught_up or self._again:
            self._again = False
            self.request_read()

    def _read_failed(self, error: BaseException) -> None:
        self._pumping = False
        self._again = False
        if not self._running:
            return
        if self._listening:
            self._lost(str(error))
            return
        # No listener to reconnect: read again after a while (the reader has dropped its
        # broken connection; what was not read is still in the feed).
        delay = self._backoff.next_delay()
        log.warning("live feed: reading the feed failed (%s); again in %.1f s", error, delay)
        self._retry_timer.start(max(1, round(delay * 1000)))

    def _opened(self) -> None:
        if not self._running:
            self._wakeup.close()
            return
        reader = self._reader

        def position() -> bool:
            if reader.last_seq is None:
                reader.start()
                return False
            return reader.verify_position()

        self._runner.submit(position, self._positioned, self._position_failed, lane=self._lane)

    def _positioned(self, history_kept: bool) -> None:
        if not self._running:
            return
        self._open = True
        self._backoff.reset()
        if not history_kept:
            self._pending.take()
            self.history_lost.emit()
        self._set_online(True, "")
        self.request_read()

    def _position_failed(self, error: BaseException) -> None:
        if self._running:
            self._lost(str(error))

    def _close_reader(self) -> None:
        """Give back the reader's connection after any read in flight (same lane)."""
        self._runner.submit(self._reader.close, None, _log_close_failed, lane=self._lane)

    def _lost(self, reason: str) -> None:
        self._open = False
        self._pump_timer.stop()
        self._trailing_timer.stop()
        self._wakeup.close()
        self._close_reader()  # a fresh connection after the reconnect
        if not self._running:
            return
        self._set_online(False, f"{reason} — reconnecting")
        delay = self._backoff.next_delay()
        log.info("live feed offline (%s); next attempt in %.1f s", reason, delay)
        self._retry_timer.start(max(1, round(delay * 1000)))

    def _reconnect(self) -> None:
        if not self._running:
            return
        if not self._listening:
            self._pump()
        elif not self._open:
            self._wakeup.open()

    def _delivery_changed(self, mode: str, reason: str) -> None:
        self.delivery, self.delivery_reason = mode, reason
        log.info("live feed: changes arrive by %s%s", mode, f" ({reason})" if reason else "")
        if self._running:
            self.delivery_changed.emit(mode, reason)

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


def _log_prune(result: int) -> None:
    log.info("pruned %d change feed rows", result)


def _log_prune_failed(error: BaseException) -> None:
    log.warning("pruning the change feed failed: %s: %s", type(error).__name__, error)


def _position_unknown(error: BaseException) -> None:
    # The first successful open positions the reader instead.
    log.info("live feed: cannot read the feed position yet: %s", error)


def _log_close_failed(error: BaseException) -> None:
    log.debug("live feed: closing the reader failed: %s", error)
