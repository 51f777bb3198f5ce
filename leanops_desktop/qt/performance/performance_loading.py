"""The performance view's loads: reads that supersede older ones, and panels put on screen.

A load submits its reads on the window's :class:`~leanops_desktop.qt.db_runner.DbRunner`;
a newer submission of the same kind supersedes an older one still under way (the runner's
``group``; work not yet started is skipped) and its outcome is dropped. Once every read of
a load is in (or ``HOLD_MS`` after the first: put on screen while readers still run, each
panel would share the GIL with them and take twice as long) its panels go on screen one per
turn of the event loop, so the window never waits for more than one panel. With an inline
runner everything happens at once.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import Any, TypeVar

from PySide6.QtCore import QObject, QTimer

from leanops_desktop.core.errors import LeanOpsError
from leanops_desktop.qt.db_runner import DbRunner, Job, is_connection_error

#: Between two panels put on screen: a timer, not a posted call, so repaints go first.
STEP_MS = 1
#: How long results that arrived wait for the rest of their load before going on screen.
HOLD_MS = 250
UNREACHABLE_TEXT = (
    "The performance figures could not be read: the database does not answer. "
    "They load again when the connection is back."
)

T = TypeVar("T")


def failure_text(error: BaseException) -> str:
    """What the view says when a read failed with ``error``."""
    if is_connection_error(error):
        return UNREACHABLE_TEXT
    if isinstance(error, LeanOpsError):
        return str(error)
    first = str(error).splitlines()[0] if str(error) else ""
    return f"The performance figures could not be read: {type(error).__name__}: {first}"


class PanelLoads(QObject):
    """The reads of one view under way (by kind) and the panels still to put on screen.

    ``on_failure(error, kind)`` is called when a read that still counts failed;
    ``on_loaded()`` when nothing is awaited, held or queued and no read failed.
    """

    def __init__(
        self,
        runner: DbRunner,
        group: str,
        parent: QObject,
        *,
        on_failure: Callable[[BaseException, str], None],
        on_loaded: Callable[[], None],
    ) -> None:
        super().__init__(parent)
        self._runner = runner
        self._group = group
        self._on_failure = on_failure
        self._on_loaded = on_loaded
        # The parts of the current load still to come, the panels still to put on screen,
        # and one token per kind of read (a newer submission makes older work moot).
        self._tokens: dict[str, int] = {}
        self._jobs: dict[str, Job[Any]] = {}
        self.waiting: set[str] = set()
        self.steps: deque[Callable[[], None]] = deque()
        self.failures: set[str] = set()  # reads whose last attempt failed
        self._step_timer = QTimer(self)
        self._step_timer.setSingleShot(True)
        self._step_timer.setInterval(STEP_MS)
        self._step_timer.timeout.connect(self._run_step)
        # Panels go on screen once every read of a load is in (the readers' Python work
        # would otherwise slow the GUI thread's, sharing the GIL), or HOLD_MS after the first.
        self.held: list[Callable[[], None]] = []
        self._hold_timer = QTimer(self)
        self._hold_timer.setSingleShot(True)
        self._hold_timer.setInterval(HOLD_MS)
        self._hold_timer.timeout.connect(self.release)

    @property
    def busy(self) -> bool:
        """Whether reads are under way or panels still to come."""
        return bool(self.waiting or self.held or self.steps)

    def submit(
        self,
        kind: str,
        work: Callable[[], T],
        on_done: Callable[[T], None],
        *,
        lane: str,
    ) -> Job[T]:
        """Run ``work`` on ``lane``; a newer submission of the same ``kind`` supersedes it:
        its outcome is dropped (the runner's group) and, not yet started, it does nothing."""
        token = self._tokens.get(kind, 0) + 1
        self._tokens[kind] = token
        tokens = self._tokens

        def run() -> T | None:
            if tokens.get(kind) != token:
                return None  # superseded before it started: its outcome is dropped anyway
            return work()

        def done(result: T | None) -> None:
            if tokens.get(kind) == token:
                on_done(result)  # type: ignore[arg-type]

        def failed(error: BaseException) -> None:
            if tokens.get(kind) == token:
                self._on_failure(error, kind)

        job: Job[Any] = self._runner.submit(
            run, done, failed, lane=lane, group=f"{self._group}:{kind}"
        )
        self._jobs[kind] = job
        return job

    def cancel(self, kind: str) -> None:
        """Drop the outcome of the read of ``kind`` under way (if any)."""
        self._tokens[kind] = self._tokens.get(kind, 0) + 1
        job = self._jobs.pop(kind, None)
        if job is not None:
            job.cancel()

    def start(self, parts: set[str]) -> None:
        """Await ``parts`` of a load."""
        self.waiting |= parts

    def succeeded(self, part: str) -> None:
        """A part of a load arrived (a failure of it before is over)."""
        self.waiting.discard(part)
        self.failures.discard(part)

    def failed(self, part: str | None) -> None:
        """A read failed: counted as failed, no longer awaited."""
        self.failures.add(part or "rows")
        self.waiting.discard(part or "")

    def release_arrived(self) -> None:
        """After a failure: what did arrive goes on screen when nothing else is awaited."""
        if self.held and not self.waiting:
            self.release()

    def clear(self) -> None:
        """Forget the panels of an older choice and what it awaited."""
        self.steps.clear()
        self.held.clear()
        self._hold_timer.stop()
        self.waiting.clear()

    def defer(self, step: Callable[[], None]) -> bool:
        """Run ``step`` after the panels still to come, if any (whether there were)."""
        if not (self.held or self.steps):
            return False
        (self.held if self.held else self.steps).append(step)
        return True

    def queue(self, *steps: Callable[[], None]) -> None:
        """Put panels on screen once the rest of the load is in (or ``HOLD_MS`` later), one
        per turn of the event loop (all at once when inline)."""
        self.held.extend(steps)
        if self._runner.inline or not self.waiting:
            self.release()
        elif not self._hold_timer.isActive():
            self._hold_timer.start()

    def release(self) -> None:
        self._hold_timer.stop()
        self.steps.extend(self.held)
        self.held.clear()
        if self._runner.inline:
            while self.steps:
                self.steps.popleft()()
            self._check_loaded()
        elif not self.steps:
            self._check_loaded()
        elif not self._step_timer.isActive():
            self._step_timer.start()

    def _run_step(self) -> None:
        if self.steps:
            self.steps.popleft()()
        if self.steps:
            self._step_timer.start()
        else:
            self._check_loaded()

    def _check_loaded(self) -> None:
        if self.waiting or self.held or self.steps or self.failures:
            return
        self._on_loaded()
