"""Keeps the production board current: reads on the runner's ``reads`` lane when the change
feed says the floor moved (and every half minute, for the clock and the hour's turn), shows
the outage banner while the database is away and clears it by itself once a read succeeds,
and turns the pages every ``cycle_seconds``."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, time, tzinfo
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer

from leanops_desktop.core.errors import LeanOpsError
from leanops_desktop.qt.board.board_view import BoardView
from leanops_desktop.qt.db_runner import READS, DbRunner, is_connection_error
from leanops_desktop.qt.live import LiveFeed
from leanops_desktop.services.board.board_reads import BoardSnapshot, read_board

if TYPE_CHECKING:
    from leanops_desktop.db.engine import Database

#: Tables whose changes move the board.
BOARD_TABLES = frozenset(
    {"stations", "jobs", "station_assignments", "performance_logs", "events_log"}
)
REFRESH_MS = 30_000
#: While the database is away, how often the board tries to read again.
RETRY_MS = 5_000


log = logging.getLogger(__name__)

#: SQLSTATE -> what the board says (never the driver's own text).
_PROBLEMS = {
    "42501": "this login may not read the floor (enrol the board again: leanops board enroll)",
    "42P01": "no LeanOps tables here (run leanops db upgrade, or check the database URL)",
}


def problem_text(error: BaseException) -> str:
    """Why a read was refused, in plain words."""
    if isinstance(error, LeanOpsError):
        return error.message
    state = getattr(getattr(error, "orig", None), "sqlstate", None)
    return _PROBLEMS.get(state or "", "the database answered with an error (see the log)")


def utc_now() -> datetime:
    return datetime.now(UTC)


class BoardController(QObject):
    """Feeds a :class:`BoardView` from the database; never waits on it in the GUI thread."""

    def __init__(
        self,
        db: Database,
        view: BoardView,
        runner: DbRunner,
        *,
        tz: tzinfo,
        shift_starts: tuple[time, ...],
        cycle_seconds: int,
        line: str | None = None,
        feed: LiveFeed | None = None,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        super().__init__(view)
        self._db = db
        self._view = view
        self._runner = runner
        self._tz = tz
        self._shift_starts = shift_starts
        self._line = line
        self._clock = clock
        self._loading = False
        self._again = False
        #: How many snapshots were shown (tests, measurements).
        self.loads = 0
        self.cycle_timer = QTimer(self)
        self.cycle_timer.setInterval(cycle_seconds * 1000)
        self.cycle_timer.timeout.connect(view.next_page)
        self.refresh_timer = QTimer(self)
        self.refresh_timer.setInterval(REFRESH_MS)
        self.refresh_timer.timeout.connect(self.reload)
        self._retry = QTimer(self)
        self._retry.setSingleShot(True)
        self._retry.setInterval(RETRY_MS)
        self._retry.timeout.connect(self.reload)
        self._feed = feed
        if feed is not None:
            feed.changes_arrived.connect(self._changed)
            feed.connection_state_changed.connect(self._connection)
            feed.history_lost.connect(self.reload)

    def start(self) -> None:
        self.cycle_timer.start()
        self.refresh_timer.start()
        self.reload()

    def stop(self) -> None:
        for timer in (self.cycle_timer, self.refresh_timer, self._retry):
            timer.stop()

    def reload(self) -> None:
        """Read the board again (one read at a time; a change meanwhile reads once more)."""
        if self._loading:
            self._again = True
            return
        self._loading = True
        db, now, tz, line = self._db, self._clock(), self._tz, self._line
        starts = self._shift_starts

        def work() -> BoardSnapshot:
            with db.session() as session:
                return read_board(session, now, tz, starts, line)

        self._runner.submit(work, self._loaded, self._failed, lane=READS)

    def _loaded(self, snapshot: BoardSnapshot) -> None:
        self.loads += 1
        self._view.set_problem(None)
        self._view.set_snapshot(snapshot)
        if self._feed is None or self._feed.online:
            self._view.set_offline(False)
        self._done()

    def _failed(self, error: BaseException) -> None:
        if is_connection_error(error):
            self._view.set_offline(True)
        else:  # refused, or not a LeanOps database: say why, in plain words, and retry
            log.warning("the board could not be read: %s", error)
            self._view.set_problem(f"The board cannot be read: {problem_text(error)}")
        self._retry.start()
        self._done()

    def _done(self) -> None:
        self._loading = False
        if self._again:
            self._again = False
            self.reload()

    def _changed(self, changes: Mapping[str, object]) -> None:
        if BOARD_TABLES.intersection(changes):
            self.reload()

    def _connection(self, online: bool, _message: str) -> None:
        if online:
            self.reload()
        else:
            self._view.set_offline(True)
