"""The longest GUI-thread stall: the largest gap between two ticks of a 1 ms timer."""

from __future__ import annotations

import time

TICK_MS = 1


class StallMeter:
    """The longest gap between two ticks of a 1 ms timer in the GUI thread."""

    def __init__(self) -> None:
        from PySide6.QtCore import Qt, QTimer

        self.longest = 0.0
        self._last = time.perf_counter()
        self._timer = QTimer()
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self._tick)

    def start(self) -> None:
        self.longest = 0.0
        self._last = time.perf_counter()
        self._timer.start()

    def _tick(self) -> None:
        now = time.perf_counter()
        self.longest = max(self.longest, now - self._last)
        self._last = now

    def stop(self) -> float:
        """Stop measuring; the longest gap in milliseconds (the last one counted too)."""
        self._timer.stop()
        self._tick()
        return self.longest * 1000
