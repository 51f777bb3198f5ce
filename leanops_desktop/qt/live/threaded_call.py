"""Run one blocking call off the GUI thread and get its result back in the GUI thread.

Used to open the PostgreSQL listener (connecting may block for the whole connect timeout when
the server is unreachable) and to prune the feed. The result travels through one long-lived
relay object, so a caller that is deleted meanwhile never receives a signal on a dead object;
:meth:`CallHandle.cancel` makes sure ``on_done`` is not called and hands the result to
``discard`` instead (to close a connection nobody wants any more).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal


class CallHandle:
    """One call in flight; :meth:`cancel` drops its result."""

    def __init__(
        self, on_done: Callable[[Any], None], discard: Callable[[Any], None] | None
    ) -> None:
        self.cancelled = False
        self.on_done = on_done
        self.discard = discard

    def cancel(self) -> None:
        self.cancelled = True


class _Relay(QObject):
    """Lives in the GUI thread for the whole process; delivers results there."""

    delivered = Signal(object, object)

    def __init__(self) -> None:
        super().__init__()
        self.delivered.connect(self._deliver)

    def _deliver(self, handle: CallHandle, result: Any) -> None:
        if handle.cancelled:
            if handle.discard is not None:
                handle.discard(result)
            return
        handle.on_done(result)


_relay: _Relay | None = None


def call_in_thread(
    work: Callable[[], Any],
    on_done: Callable[[Any], None],
    *,
    discard: Callable[[Any], None] | None = None,
    name: str = "leanops-background",
) -> CallHandle:
    """Run ``work()`` in a daemon thread; call ``on_done(result)`` later in this (GUI) thread.

    ``work`` must not raise: return the error as a value instead.
    """
    global _relay
    if _relay is None:
        _relay = _Relay()
    relay = _relay
    handle = CallHandle(on_done, discard)

    def run() -> None:
        result = work()
        relay.delivered.emit(handle, result)

    threading.Thread(target=run, name=name, daemon=True).start()
    return handle
