"""FloorRefresher: live changes into the floor models without reading in the GUI thread.

The change feed says which rows changed; re-reading them costs a few database round trips
and the ORM's Python work, tens of milliseconds on a busy floor. Done in the GUI thread,
that is a stall the supervisor feels on every update during a burst. Here the reads run in
one long-lived worker thread with its own sessions, and only the cheap parts stay in the GUI
thread: planning which keys to read (with what the models show now) and putting the rows
read into the models (``qt.models.refresh``).

A large refresh is put into the models one model per turn of the event loop (a 1 ms timer
between the steps): each view repaints between two steps, so the longest time the loop is
busy is one model's update plus one view's repaint, not all four at once. Small refreshes
(one report: its station, job, assignment and event) go in at once, for the lowest latency.

One read is in flight at a time. Changes that arrive meanwhile are merged and read together
next, so the models receive the results in the order the database produced them, and never
an older read after a newer one. A read that fails (the database went away) keeps its
changes and is retried with the next submission, or after ``retry_ms`` when none comes.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections import deque
from collections.abc import Callable, Iterable, Mapping

from PySide6.QtCore import QObject, QTimer, Signal

from leanops_desktop.core.errors import LeanOpsError
from leanops_desktop.db.engine import Database
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

log = logging.getLogger(__name__)

_STOP = object()

#: Refreshes of more rows than this are applied one model per event-loop turn.
STEP_ABOVE_ROWS = 4


class FloorRefresher(QObject):
    """Keeps the floor models current from change batches, reading off the GUI thread."""

    #: FloorRows: a refresh was put into the models (after the models' listeners ran).
    applied = Signal(object)
    #: Exception: a read failed; its changes are kept and read again later.
    failed = Signal(object)
    _delivered = Signal(object)

    def __init__(
        self,
        db: Database,
        models: FloorModels,
        parent: QObject | None = None,
        *,
        retry_ms: int = 2000,
    ) -> None:
        super().__init__(parent)
        self._db = db
        self._models = models
        self._pending: dict[str, set[str]] = {}
        self._in_flight: RefreshPlan | None = None
        self._steps: deque[Callable[[], None]] = deque()
        self._applying: FloorRows | None = None
        self._jobs: queue.SimpleQueue[object] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._stopped = False
        self._delivered.connect(self._deliver)
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

    def refresh_now(self, changes: Mapping[str, Iterable[str]]) -> None:
        """Update the models for ``changes`` before returning when nothing is in flight (right
        after one's own action: the user sees the result at once); else like :meth:`submit`.

        Raises what the read raises (a :class:`LeanOpsError` when the database is gone).
        """
        if self._stopped:
            return
        if self.busy:
            self.submit(changes)
            return
        rows = read_refresh(self._db, plan_refresh(self._models, changes))
        self._apply(rows, at_once=True)

    def stop(self) -> None:
        """End the worker thread (a read under way finishes; its result is dropped)."""
        self._stopped = True
        self._retry.stop()
        self._step_timer.stop()
        self._steps.clear()
        self._applying = None
        self._pending.clear()
        if self._thread is not None:
            self._jobs.put(_STOP)
            self._thread.join(timeout=5)
            self._thread = None

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
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._work, name="leanops-floor-refresh", daemon=True
            )
            self._thread.start()
        self._jobs.put(plan)

    def _work(self) -> None:
        """The worker thread: read each plan, hand the rows (or the error) to the GUI."""
        while True:
            plan = self._jobs.get()
            if plan is _STOP:
                return
            assert isinstance(plan, RefreshPlan)
            result: FloorRows | Exception
            try:
                result = read_refresh(self._db, plan)
            except Exception as exc:  # delivered to the GUI thread, never raised here
                result = exc
            self._delivered.emit(result)

    def _deliver(self, result: FloorRows | Exception) -> None:
        plan, self._in_flight = self._in_flight, None
        if self._stopped or plan is None:
            return
        if isinstance(result, Exception):
            # Read it again later, together with whatever arrives meanwhile.
            merged = plan.changes
            merge_changes(merged, self._pending)
            self._pending = merged
            if not isinstance(result, LeanOpsError):
                log.warning("reading changed rows failed: %s", result)
            self.failed.emit(result)
            self._retry.start()
            return
        self._apply(result, at_once=row_count(result) <= STEP_ABOVE_ROWS)

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
