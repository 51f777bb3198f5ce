"""FloorRefresher: live changes into the floor models without reading in the GUI thread.

The change feed says which rows changed; re-reading them costs a few database round trips
and the ORM's Python work, tens of milliseconds on a busy floor. Done in the GUI thread,
that is a stall the supervisor feels on every update during a burst. Here the reads run on
the :class:`~leanops_desktop.qt.db_runner.DbRunner`'s ``reads`` lane with their own sessions,
and only the cheap parts stay in the GUI thread: planning which keys to read (with what the
models show now) and putting the rows read into the models (``qt.models.refresh``). The
window's own changes come here too, through the live feed, like everyone else's.

A large refresh is put into the models one model per turn of the event loop (a 1 ms timer
between the steps): each view repaints between two steps, so the longest time the loop is
busy is one model's update plus one view's repaint, not all four at once. Small refreshes
(one report: its station, job, assignment and event) go in at once, for the lowest latency;
with an inline runner (tests) every refresh goes in at once.

One read is in flight at a time. Changes that arrive meanwhile are merged and read together
next, so the models receive the results in the order the database produced them, and never
an older read after a newer one. A read that fails (the database went away) keeps its
changes and is retried with the next submission, or after ``retry_ms`` when none comes.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal

from leanops_desktop.core.errors import LeanOpsError
from leanops_desktop.qt.db_runner import READS, DbRunner
from leanops_desktop.qt.models.refresh import (
    FloorModels,
    FloorRows,
    RefreshPlan,
    apply_steps,
    merge_changes,
    plan_refresh,
    read_refresh,
    row_count,
)

if TYPE_CHECKING:
    from leanops_desktop.db.engine import Database

log = logging.getLogger(__name__)

#: Refreshes of more rows than this are applied one model per event-loop turn.
STEP_ABOVE_ROWS = 4


class FloorRefresher(QObject):
    """Keeps the floor models current from change batches, reading off the GUI thread."""

    #: FloorRows: a refresh was put into the models (after the models' listeners ran).
    applied = Signal(object)
    #: Exception: a read failed; its changes are kept and read again later.
    failed = Signal(object)

    def __init__(
        self,
        db: Database,
        models: FloorModels,
        parent: QObject | None = None,
        *,
        runner: DbRunner | None = None,
        retry_ms: int = 2000,
    ) -> None:
        super().__init__(parent)
        self._own_runner = runner is None
        self._runner = runner if runner is not None else DbRunner(self)
        self._db = db
        self._models = models
        self._pending: dict[str, set[str]] = {}
        self._in_flight: RefreshPlan | None = None
        self._steps: deque[Callable[[], None]] = deque()
        self._applying: FloorRows | None = None
        self._stopped = False
        #: How many reads were started (tests count them: one per change).
        self.reads = 0
        self._retry = QTimer(self)
        self._retry.setSingleShot(True)
        self._retry.setInterval(retry_ms)
        self._retry.timeout.connect(self._start_next)
        self._step_timer = QTimer(self)
        self._step_timer.setSingleShot(True)
        self._step_timer.setInterval(1)  # a timer, not a posted call: repaints go first
        self._step_timer.timeout.connect(self._run_steps)

    # -- public ------------------------------------------------------------------------------

    @property
    def busy(self) -> bool:
        """Whether a read is under way or changes wait to be read."""
        return self._working or bool(self._pending)

    def submit(self, changes: Mapping[str, Iterable[str]]) -> None:
        """Read the rows named in ``changes`` in the worker, then update the models."""
        if self._stopped:
            return
        merge_changes(self._pending, changes)
        self._start_next()

    def stop(self) -> None:
        """Stop refreshing (a read under way finishes; its result is dropped)."""
        self._stopped = True
        self._retry.stop()
        self._step_timer.stop()
        self._steps.clear()
        self._applying = None
        self._pending.clear()
        if self._own_runner:
            self._runner.close()

    # -- internals ---------------------------------------------------------------------------

    @property
    def _working(self) -> bool:
        """A read is under way, or its rows are still being put into the models."""
        return self._in_flight is not None or self._applying is not None

    def _start_next(self) -> None:
        if self._stopped or self._working or not self._pending:
            return
        self._retry.stop()
        changes, self._pending = self._pending, {}
        plan = plan_refresh(self._models, changes)
        self._in_flight = plan
        self.reads += 1
        db = self._db
        self._runner.submit(
            lambda: read_refresh(db, plan), self._deliver, self._deliver, lane=READS
        )

    def _deliver(self, result: FloorRows | BaseException) -> None:
        plan, self._in_flight = self._in_flight, None
        if self._stopped or plan is None:
            return
        if isinstance(result, BaseException):
            # Read it again later, together with whatever arrives meanwhile.
            merged = plan.changes
            merge_changes(merged, self._pending)
            self._pending = merged
            if not isinstance(result, LeanOpsError):
                log.warning("reading changed rows failed: %s", result)
            self.failed.emit(result)
            self._retry.start()
            return
        self._apply(result, at_once=self._runner.inline or row_count(result) <= STEP_ABOVE_ROWS)

    def _apply(self, rows: FloorRows, *, at_once: bool) -> None:
        self._applying = rows
        self._steps.extend(apply_steps(self._models, rows))
        if at_once:
            while self._steps:
                self._steps.popleft()()
            self._finish()
        else:
            self._run_steps()

    def _run_steps(self) -> None:
        if self._applying is None:
            return
        self._steps.popleft()()
        if self._steps:
            self._step_timer.start()
        else:
            self._finish()

    def _finish(self) -> None:
        rows, self._applying = self._applying, None
        if rows is None:
            return
        self.applied.emit(rows)
        self._start_next()
