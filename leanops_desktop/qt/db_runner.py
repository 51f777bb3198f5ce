"""The one way Qt code runs database work: off the GUI thread, answers by signal.

Every service call a window, dialog, dock, live feed or kiosk makes goes through a
:class:`DbRunner`. Work is submitted to a named *lane*; each lane is one background thread
that runs its jobs one at a time in the order submitted, so work whose order matters
shares a lane and slow work on one lane never holds up another:

* ``"writes"`` (:data:`WRITES`): the window's saves, in the order the user made them;
* ``"reads"`` (:data:`READS`): the feed position, table loads, feed reads and row refreshes
  (a newer read never overtakes an older one; a load never lands after a refresh it missed);
* ``"kiosk"`` (:data:`KIOSK`): everything the kiosk asks the server;
* ``"housekeeping"`` (:data:`HOUSEKEEPING`): pruning the feed, closing connections;
* ``"listen"`` (:data:`LISTEN`): opening the live feed's listener connection (may take the
  whole connect timeout while the server is away);
* ``"files"`` (:data:`FILES`): writing exports to disk (a slow share never delays a read).

The result of ``work()`` (or the exception it raised) comes back to ``on_done`` /
``on_error`` in the GUI thread: the runner's relay lives there, and the worker emits a
signal that Qt delivers as a queued call. ``DbRunner(inline=True)`` runs each job at once in
the caller's thread and calls back before :meth:`DbRunner.submit` returns: tests use it, and
it is exactly the behaviour before the runner (the GUI thread waits on the network), which
``bench/gui_stall.py`` measures side by side.

``work`` must not touch widgets or models; it opens its own database session.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import queue
import threading
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QObject, Signal

from leanops_desktop.core.errors import LeanOpsError
from leanops_desktop.services.reporting.report_sender import ErrorKind, classify

T = TypeVar("T")
ErrorCallback = Callable[[BaseException], None]

WRITES = "writes"
READS = "reads"
KIOSK = "kiosk"
HOUSEKEEPING = "housekeeping"
LISTEN = "listen"
FILES = "files"

#: What a save that could not reach the database says (dialogs, the window's message bar).
UNREACHABLE = "Not saved: the database does not answer. Try again when the connection is back."

#: Prefix of every thread the runner starts (the tests' dangling-thread check looks for it).
THREAD_PREFIX = "leanops-db-"

_log = logging.getLogger(__name__)
_STOP = object()


def is_connection_error(error: BaseException) -> bool:
    """Whether ``error`` means the database could not be reached (not a refusal)."""
    return classify(error) == ErrorKind.CONNECTION


def failure_text(error: BaseException, *, unreachable: str = UNREACHABLE) -> str:
    """What to tell the user about a failed database call, in plain words."""
    if is_connection_error(error):
        return unreachable
    if isinstance(error, LeanOpsError):
        return error.message
    return f"Not saved: {type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"


class Job(Generic[T]):
    """One submitted piece of work. :meth:`cancel` drops its outcome (the work still runs).

    More callbacks can be added with :meth:`then`; when the job has already finished (an
    inline runner), they are called at once.
    """

    def __init__(self, lane: str, group: str | None) -> None:
        self.lane = lane
        self.group = group
        self.cancelled = False
        self.done = False
        self._on_done: list[Callable[[T], None]] = []
        self._on_error: list[ErrorCallback] = []
        self._outcome: tuple[bool, Any] | None = None

    def cancel(self) -> None:
        self.cancelled = True

    @property
    def failed(self) -> bool:
        return self._outcome is not None and not self._outcome[0]

    def then(
        self, on_done: Callable[[T], None] | None = None, on_error: ErrorCallback | None = None
    ) -> Job[T]:
        """Also call ``on_done(result)`` / ``on_error(exc)`` (in the GUI thread)."""
        if self._outcome is not None:
            ok, value = self._outcome
            if ok and on_done is not None:
                on_done(value)
            elif not ok and on_error is not None:
                on_error(value)
            return self
        if on_done is not None:
            self._on_done.append(on_done)
        if on_error is not None:
            self._on_error.append(on_error)
        return self

    def _settle(self, ok: bool, value: Any) -> bool:
        """Call the callbacks; False when an error found no taker."""
        self._outcome = (ok, value)
        self.done = True
        if ok:
            for callback in self._on_done:
                callback(value)
            return True
        for on_error in self._on_error:
            on_error(value)
        return bool(self._on_error)


class _Relay(QObject):
    """Lives in the GUI thread, owned by Python (no Qt parent): the lanes keep it alive, so a
    worker finishing after the runner is gone still has something to emit on."""

    delivered = Signal(object)  # a callable to run in the GUI thread

    def __init__(self) -> None:
        super().__init__()
        self.delivered.connect(self._run)

    @staticmethod
    def _run(call: Callable[[], None]) -> None:
        call()


class _Lane:
    """One thread, one queue: jobs run one at a time in the order submitted."""

    def __init__(self, name: str, relay: _Relay) -> None:
        self.name = name
        self._relay = relay
        self._queue: queue.SimpleQueue[object] = queue.SimpleQueue()
        self.thread = threading.Thread(target=self._loop, name=THREAD_PREFIX + name, daemon=True)
        self.thread.start()

    def put(self, run: Callable[[], Callable[[], None]]) -> None:
        self._queue.put(run)

    def stop(self) -> None:
        self._queue.put(_STOP)

    def _loop(self) -> None:
        while True:
            item = self._queue.get()
            if item is _STOP:
                return
            assert callable(item)
            deliver = item()
            try:
                self._relay.delivered.emit(deliver)
            except RuntimeError:  # the application is being torn down
                return


class DbRunner(QObject):
    """Runs database work on serial lanes and calls back in the GUI thread.

    The window (or kiosk) owns its runner and calls :meth:`close` when it closes: the lanes'
    threads end after the job in hand, and outcomes still to come are dropped.
    """

    busy_changed = Signal(bool)  # True when the first job starts, False when none is left
    error_occurred = Signal(object)  # an exception no on_error callback took

    def __init__(self, parent: QObject | None = None, *, inline: bool = False) -> None:
        super().__init__(parent)
        #: Run jobs at once in the caller's thread (tests; the "before" mode of the bench).
        self.inline = inline
        self._relay = _Relay()
        self._lanes: dict[str, _Lane] = {}
        self._pending: dict[int, Job[Any]] = {}
        self._latest: dict[str, Job[Any]] = {}
        self._numbers = itertools.count(1)
        self._busy = False
        self._closed = False
        self._idle = threading.Condition()
        self._running = 0  # jobs handed to lanes and not yet delivered (any thread reads it)

    # -- submitting ------------------------------------------------------------------------

    def submit(
        self,
        work: Callable[[], T],
        on_done: Callable[[T], None] | None = None,
        on_error: ErrorCallback | None = None,
        *,
        lane: str = READS,
        group: str | None = None,
    ) -> Job[T]:
        """Run ``work()`` on ``lane``; then ``on_done(result)`` or ``on_error(exc)`` here.

        With a ``group``, an older job of the same group not yet delivered is superseded: its
        outcome is dropped. An error nobody takes is logged and sent as ``error_occurred``.
        """
        job: Job[T] = Job(lane, group)
        job.then(on_done, on_error)
        if self._closed:
            job.cancel()
            return job
        if group is not None:
            previous = self._latest.get(group)
            if previous is not None:
                previous.cancel()
            self._latest[group] = job
        number = next(self._numbers)
        self._pending[number] = job
        if not self._busy:
            self._busy = True
            self.busy_changed.emit(True)
        if self.inline:
            self._finish(number, *_attempt(work))
            return job
        with self._idle:
            self._running += 1

        def run() -> Callable[[], None]:
            ok, value = _attempt(work)
            with self._idle:
                self._running -= 1
                self._idle.notify_all()
            return lambda: self._finish(number, ok, value)

        self._lane(lane).put(run)
        return job

    def post(self, call: Callable[[], None]) -> None:
        """Run ``call()`` in the GUI thread soon (safe from any thread; dropped once closed)."""

        def guarded() -> None:
            if not self._closed:
                call()

        with contextlib.suppress(RuntimeError):  # torn down
            self._relay.delivered.emit(guarded)

    # -- state -----------------------------------------------------------------------------

    def is_busy(self) -> bool:
        """Whether a job's outcome is still to be delivered."""
        return bool(self._pending)

    def wait(self, timeout_ms: int = -1) -> bool:
        """Block until no job is running (tests and benches only; outcomes still arrive
        through the event loop). False on timeout."""
        timeout = None if timeout_ms < 0 else timeout_ms / 1000
        with self._idle:
            return self._idle.wait_for(lambda: self._running == 0, timeout)

    @property
    def closed(self) -> bool:
        return self._closed

    def close(self) -> None:
        """Stop the lanes (each ends after its job in hand); outcomes still due are dropped."""
        self._closed = True
        for lane in self._lanes.values():
            lane.stop()
        self._lanes.clear()
        self._pending.clear()
        self._latest.clear()

    def threads(self) -> list[threading.Thread]:
        """The lanes' threads (for tests)."""
        return [lane.thread for lane in self._lanes.values()]

    def report_unhandled(self, error: BaseException) -> None:
        if isinstance(error, LeanOpsError):
            _log.warning("background task failed: %s", error)
        else:
            _log.error("background task failed: %s", error, exc_info=error)
        self.error_occurred.emit(error)

    # -- internals -------------------------------------------------------------------------

    def _lane(self, name: str) -> _Lane:
        lane = self._lanes.get(name)
        if lane is None:
            lane = self._lanes[name] = _Lane(name, self._relay)
        return lane

    def _finish(self, number: int, ok: bool, value: Any) -> None:
        if self._closed:
            return
        job = self._pending.pop(number, None)
        try:
            if job is None:
                return
            if job.group is not None and self._latest.get(job.group) is job:
                del self._latest[job.group]
            if job.cancelled:
                job.done = True
                return
            if not job._settle(ok, value):
                self.report_unhandled(value)
        finally:
            if not self._pending and self._busy and not self._closed:
                self._busy = False
                self.busy_changed.emit(False)


def _attempt(work: Callable[[], Any]) -> tuple[bool, Any]:
    try:
        return True, work()
    except Exception as exc:  # every failure goes back to the GUI thread
        return False, exc
