"""Keystrokes from a barcode scanner (a keyboard that types a job id and Enter)."""

from __future__ import annotations

import time
from collections.abc import Callable

#: A scanner types a code in milliseconds; older half-typed input is thrown away.
STALE_AFTER_S = 3.0
MAX_LENGTH = 64


class BarcodeBuffer:
    """Collects typed characters; :meth:`enter` returns the code typed since the last Enter."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._chars: list[str] = []
        self._last = 0.0

    def type(self, text: str) -> None:
        now = self._clock()
        if now - self._last > STALE_AFTER_S:
            self._chars.clear()
        self._last = now
        for char in text:
            if char.isprintable() and len(self._chars) < MAX_LENGTH:
                self._chars.append(char)

    def enter(self) -> str:
        """The code (trimmed), or "" when nothing fresh was typed."""
        stale = self._clock() - self._last > STALE_AFTER_S
        code = "" if stale else "".join(self._chars).strip()
        self._chars.clear()
        return code

    def peek(self) -> str:
        """What was typed since the last Enter, without taking it."""
        return "" if self._clock() - self._last > STALE_AFTER_S else "".join(self._chars)

    def clear(self) -> None:
        self._chars.clear()
