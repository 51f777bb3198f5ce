"""Run the kiosk's database calls on one background thread and deliver results in the GUI.

Connecting to an unreachable server can take the full connect timeout (5 s); the kiosk
must stay responsive meanwhile, so every read and every block/resume/complete/start goes
through :class:`DbWorker`. Tasks run one at a time, in the order submitted.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Signal

T = TypeVar("T")


class DbWorker(QObject):
    """A single background thread; ``on_done``/``on_error`` run on the GUI thread."""

    _delivered = Signal(object)  # a callable to run on the GUI thread
    busy_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="leanops-kiosk-db")
        self._in_flight = 0
        self._closed = False
        self._delivered.connect(self._deliver)

    @property
    def busy(self) -> bool:
        return self._in_flight > 0

    def submit(
        self,
        task: Callable[[], T],
        on_done: Callable[[T], None],
        on_error: Callable[[Exception], None],
    ) -> None:
        """Run ``task`` in the background; then ``on_done(result)`` or ``on_error(exc)``."""
        if self._closed:
            return
        self._in_flight += 1
        if self._in_flight == 1:
            self.busy_changed.emit(True)

        def run() -> None:
            outcome: Callable[[], Any]
            try:
                value = task()
            except Exception as exc:  # delivered to the GUI, which shows a readable message

                def outcome(exc: Exception = exc) -> None:
                    on_error(exc)

            else:

                def outcome(value: T = value) -> None:
                    on_done(value)

            if not self._closed:
                self._delivered.emit(outcome)

        self._executor.submit(run)

    def _deliver(self, outcome: Callable[[], None]) -> None:
        self._in_flight -= 1
        if self._in_flight == 0:
            self.busy_changed.emit(False)
        if not self._closed:
            outcome()

    def close(self) -> None:
        """Drop queued tasks; a task already running finishes in the background."""
        self._closed = True
        self._executor.shutdown(wait=False, cancel_futures=True)
