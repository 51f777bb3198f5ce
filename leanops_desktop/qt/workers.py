"""Running slow work (loading a large table) off the GUI thread.

:class:`TaskRunner` runs a callable on a ``QThreadPool`` and hands its result, or the
exception it raised, back to callbacks that run in the GUI thread (the relay object lives
there, so the signal crosses threads as a queued call). Tasks of one ``group`` replace each
other: only the newest result of a group is delivered, so a reload supersedes a load still
under way. ``TaskRunner(inline=True)`` runs everything at once in the caller's thread, for
tests. The callable must not touch widgets or models; it opens its own database session.
"""

from __future__ import annotations

import gc
import itertools
import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

T = TypeVar("T")
ErrorCallback = Callable[[BaseException], None]

_log = logging.getLogger(__name__)


class Task(Generic[T]):
    """A handle on submitted work: cancel it to drop its result."""

    def __init__(
        self,
        group: str | None,
        on_result: Callable[[T], None],
        on_error: ErrorCallback | None,
    ) -> None:
        self.group = group
        self.on_result = on_result
        self.on_error = on_error
        self.cancelled = False
        self.done = False

    def cancel(self) -> None:
        """Do not deliver the result (the work itself runs to its end)."""
        self.cancelled = True


class _Signals(QObject):
    """Lives in the GUI thread; workers emit, queued slots deliver (task number, outcome)."""

    succeeded = Signal(int, object)
    failed = Signal(int, object)


class _Runnable(QRunnable):
    def __init__(self, number: int, work: Callable[[], Any], signals: _Signals) -> None:
        super().__init__()
        self.number = number
        self.work = work
        self.signals = signals
        self.setAutoDelete(True)

    def run(self) -> None:
        try:
            result = self.work()
        except BaseException as exc:  # every failure goes back to the GUI thread
            self.signals.failed.emit(self.number, exc)
        else:
            self.signals.succeeded.emit(self.number, result)


class TaskRunner(QObject):
    """Runs callables on a thread pool and calls back in the GUI thread.

    Keep the runner alive while its tasks run (the window owns it); :meth:`wait` blocks
    until the pool is idle.
    """

    busy_changed = Signal(bool)  # True when the first task starts, False when none is left
    error_occurred = Signal(object)  # an exception no on_error callback took

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        inline: bool = False,
        max_threads: int = 2,
    ) -> None:
        super().__init__(parent)
        self.inline = inline
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(max_threads)
        self._signals = _Signals(self)
        self._signals.succeeded.connect(self._deliver_result)
        self._signals.failed.connect(self._deliver_error)
        self._pending: dict[int, Task[Any]] = {}
        self._latest: dict[str, Task[Any]] = {}
        self._numbers = itertools.count(1)
        self._busy = False

    def submit(
        self,
        work: Callable[[], T],
        on_result: Callable[[T], None],
        on_error: ErrorCallback | None = None,
        *,
        group: str | None = None,
    ) -> Task[T]:
        """Run ``work()`` off the GUI thread; ``on_result(result)`` or ``on_error(exc)`` follow.

        With a ``group``, an older task of the same group still running is superseded: its
        result is dropped.
        """
        task: Task[T] = Task(group, on_result, on_error)
        if group is not None:
            previous = self._latest.get(group)
            if previous is not None:
                previous.cancel()
            self._latest[group] = task
        number = next(self._numbers)
        self._pending[number] = task
        if not self._busy:
            self._busy = True
            self.busy_changed.emit(True)
        runnable = _Runnable(number, work, self._signals)
        if self.inline:
            runnable.run()
        else:
            self.pool.start(runnable)
        return task

    def is_busy(self) -> bool:
        return bool(self._pending)

    def wait(self, timeout_ms: int = -1) -> bool:
        """Block until the pool's threads are done (results still arrive through events)."""
        return self.pool.waitForDone(timeout_ms)

    def report_unhandled(self, error: BaseException) -> None:
        _log.error("background task failed: %s", error, exc_info=error)
        self.error_occurred.emit(error)

    @Slot(int, object)
    def _deliver_result(self, number: int, result: object) -> None:
        task = self._finish(number)
        try:
            if task is not None:
                task.on_result(result)
        finally:
            self._settle()

    @Slot(int, object)
    def _deliver_error(self, number: int, error: object) -> None:
        task = self._finish(number)
        try:
            if task is None:
                return
            assert isinstance(error, BaseException)
            if task.on_error is not None:
                task.on_error(error)
            else:
                self.report_unhandled(error)
        finally:
            self._settle()

    def _finish(self, number: int) -> Task[Any] | None:
        """Forget a finished task; it is returned when its outcome should be delivered."""
        task = self._pending.pop(number, None)
        if task is None:
            return None
        task.done = True
        if task.group is not None and self._latest.get(task.group) is task:
            del self._latest[task.group]
        return None if task.cancelled else task

    def _settle(self) -> None:
        """After a callback: report "not busy" when no task is left (a callback may submit)."""
        if not self._pending and self._busy:
            self._busy = False
            self.busy_changed.emit(False)


_gc_lock = threading.Lock()
_gc_pauses = 0
_gc_was_enabled = False


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while a bulk load builds many objects.

    Building 100,000 rows otherwise triggers several full collections of 200-300 ms each,
    and a collection holds the GIL: the GUI thread freezes meanwhile. Paused, the load is
    also faster; one collection follows later. Nested and concurrent pauses are counted.
    """
    global _gc_pauses, _gc_was_enabled
    with _gc_lock:
        if _gc_pauses == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_pauses += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_pauses -= 1
            if _gc_pauses == 0 and _gc_was_enabled:
                gc.enable()


def load_into(
    runner: TaskRunner,
    model: Any,
    fetch: Callable[[], Any],
    *,
    first_page: Callable[[], Any] | None = None,
    on_loaded: Callable[[], None] | None = None,
    on_error: ErrorCallback | None = None,
) -> None:
    """Fill a ``RowTableModel`` from ``fetch()`` run off the GUI thread, in one reset.

    Rows and their search texts are computed in the worker (``prepare_rows``, with the
    garbage collector paused); the GUI thread only swaps them in. With ``first_page`` (a
    quick, small query) its rows are shown first, and the full ``fetch`` runs once they are
    on screen. A newer load of the same model supersedes one still running.
    """
    model_type = type(model)
    group = f"load-{id(model)}"

    def prepare(read: Callable[[], Any]) -> Any:
        with paused_gc():
            return model_type.prepare_rows(read())

    def loaded(prepared: Any) -> None:
        model.set_rows(prepared)
        if on_loaded is not None:
            on_loaded()

    def load_all() -> None:
        runner.submit(lambda: prepare(fetch), loaded, on_error, group=group)

    if first_page is None:
        load_all()
        return

    def first_loaded(prepared: Any) -> None:
        model.set_rows(prepared)
        load_all()

    runner.submit(lambda: prepare(first_page), first_loaded, on_error, group=group)
