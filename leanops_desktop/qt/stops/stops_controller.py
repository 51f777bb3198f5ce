"""Runs the Stops dock for the main window: reads the stops on the runner's reads lane (again
whenever the change feed brings ``downtime_stops``), sweeps for quiet stations on the writes
lane every ``SWEEP_MS`` and at start, and classifies a stop through the reason picker.

A failed sweep is quiet (a line in the status bar), never a dialog: the next tick tries again.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime, time, tzinfo
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtWidgets import QStatusBar, QWidget

from leanops_desktop.core.actor import Actor
from leanops_desktop.core.errors import LeanOpsError
from leanops_desktop.qt.db_runner import (
    READS,
    WRITES,
    DbRunner,
    Job,
    is_connection_error,
)
from leanops_desktop.qt.messages import MessageService
from leanops_desktop.qt.stops.reason_picker import (
    ReasonPicker,
    classify_failure_text,
    picker_subtitle,
)
from leanops_desktop.qt.stops.stop_text import (
    OPEN,
    StopLike,
    clock_text,
    period_start,
    stop_minutes,
)
from leanops_desktop.qt.stops.stops_dock import StopsDock
from leanops_desktop.services.downtime import stops as stop_service
from leanops_desktop.services.quality import reasons

if TYPE_CHECKING:
    from leanops_desktop.db.engine import Database
    from leanops_desktop.services.quality.reasons import ReasonRow

SWEEP_MS = 60_000
STOP_TABLES = frozenset({"downtime_stops", "downtime_reasons", "stations"})
SWEEP_FAILED = "Stop check: the database does not answer; trying again in a minute."
SWEEP_REFUSED = "Stop check failed; trying again in a minute."
READ_UNREACHABLE = "Stops: the database does not answer."
READ_FAILED = "Could not read the stops; they are read again at the next change."
STATUS_MS = 15_000


class StopsController(QObject):
    """Reads, sweeps and classifies for one :class:`StopsDock`."""

    def __init__(
        self,
        db: Database,
        actor: Actor,
        runner: DbRunner,
        dock: StopsDock,
        messages: MessageService,
        *,
        tz: tzinfo,
        shift_starts: tuple[time, ...],
        sweeps: bool,
        saved: Callable[[], None] = lambda: None,
        status: QStatusBar | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        sweep_clock: Callable[[], datetime] | None = None,
    ) -> None:
        super().__init__(dock)
        self._db, self._actor, self._runner, self._dock = db, actor, runner, dock
        self._messages, self._tz, self._starts = messages, tz, shift_starts
        self._saved, self._status, self._clock = saved, status, clock
        self._sweeps = sweeps
        #: The moment a sweep judges at (None: the service's own clock, as in production).
        self._sweep_clock = sweep_clock
        self._sweeping = False
        self.picker: ReasonPicker | None = None
        self.timer = QTimer(self)
        self.timer.setInterval(SWEEP_MS)
        self.timer.timeout.connect(self.tick)
        dock.period_changed.connect(lambda _period: self.refresh())
        dock.classify_requested.connect(self.classify)

    def start(self) -> None:
        """Read now, sweep now (roles that sweep), then every ``SWEEP_MS``."""
        self.refresh()
        self.timer.start()
        if self._sweeps:
            self.sweep()

    def stop(self) -> None:
        self.timer.stop()

    def tick(self) -> None:
        self._dock.refresh_clock()
        if self._sweeps:
            self.sweep()

    def changes(self, changes: Mapping[str, object]) -> None:
        if STOP_TABLES.intersection(changes):
            self.refresh()

    # -- reading -------------------------------------------------------------------------

    def refresh(self) -> Job[list[Any]]:
        db, actor = self._db, self._actor
        since = period_start(self._dock.period(), self._clock(), self._tz, self._starts)

        def read() -> list[Any]:
            with db.session() as session:
                return list(stop_service.list_stops(session, actor, since=since))

        return self._runner.submit(
            read, self._dock.set_stops, self._read_failed, lane=READS, group="stops-list"
        )

    def _read_failed(self, error: BaseException) -> None:
        if is_connection_error(error):
            self._dock.say(READ_UNREACHABLE)
        else:  # a refusal in the service's words; never the driver's text
            self._dock.say(error.message if isinstance(error, LeanOpsError) else READ_FAILED)

    # -- sweeping ------------------------------------------------------------------------

    def sweep(self) -> Job[list[Any]] | None:
        """Open the stops of quiet stations (on the writes lane); one sweep at a time."""
        if self._sweeping:
            return None
        self._sweeping = True
        db, actor = self._db, self._actor
        at = self._sweep_clock() if self._sweep_clock is not None else None

        def run() -> list[Any]:
            with db.session() as session:
                return list(stop_service.sweep_quiet_stations(session, actor, at))

        return self._runner.submit(run, self._swept, self._sweep_failed, lane=WRITES)

    def _swept(self, opened: list[Any]) -> None:
        self._sweeping = False
        if opened:
            self._saved()  # the feed reads now and brings the new stops
            self.refresh()

    def _sweep_failed(self, error: BaseException) -> None:
        self._sweeping = False
        if self._status is not None:
            text = SWEEP_FAILED if is_connection_error(error) else SWEEP_REFUSED
            self._status.showMessage(text, STATUS_MS)

    # -- classifying ---------------------------------------------------------------------

    def classify(self, stop: StopLike) -> None:
        """Read the reason tree, then ask for the stop's reason."""
        db = self._db

        def read() -> list[ReasonRow]:
            with db.session() as session:
                return reasons.list_reasons(session)

        self._runner.submit(
            read,
            lambda rows: self._open_picker(stop, rows),
            lambda error: self._dock.say(classify_failure_text(error)),
            lane=READS,
        )

    def _open_picker(self, stop: StopLike, rows: list[ReasonRow]) -> None:
        now = self._clock()
        end = OPEN if stop.ended_at is None else clock_text(stop.ended_at, now, self._tz)
        times = f"{clock_text(stop.started_at, now, self._tz)}–{end}"
        times += f", {stop_minutes(stop, now):.0f} min"
        parent = self._dock.window() if isinstance(self._dock.window(), QWidget) else None
        picker = ReasonPicker(
            self._messages,
            stop,
            rows,
            lambda reason_id: self.save_reason(stop, reason_id),
            subtitle=picker_subtitle(stop, times),
            parent=parent,
        )
        picker.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.picker = picker
        picker.open()

    def save_reason(self, stop: StopLike, reason_id: str) -> Job[bool]:
        db, actor = self._db, self._actor
        stop_id = stop.id

        def write() -> bool:
            with db.session() as session:
                return bool(stop_service.classify_stop(session, actor, stop_id, reason_id))

        def done(_changed: bool) -> None:
            self._saved()
            self.refresh()

        # The picker says why a classification was refused; the list is read again (the
        # stop may have been withdrawn or classified by someone else meanwhile).
        return self._runner.submit(write, done, self._read_again, lane=WRITES)

    def _read_again(self, _error: BaseException) -> None:
        self.refresh()
