"""Startup measurement: with ``LEANOPS_STARTUP_PROBE=1`` the app exits when its first window shows.

``bench/startup.py`` starts the app (frozen or from source) with this variable set and reads
the line printed on stderr::

    leanops-startup-probe shown <unix time> <window title>

The time is taken when Qt first exposes a top-level window (it is on screen), so the figure
covers interpreter start, imports, the QApplication, the theme and building the first window.
Without the variable :func:`install_startup_probe` does nothing.
"""

from __future__ import annotations

import os
import sys
import time

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QWindow
from PySide6.QtWidgets import QApplication

PROBE_ENV = "LEANOPS_STARTUP_PROBE"
PROBE_PREFIX = "leanops-startup-probe shown"


class _FirstExposeFilter(QObject):
    """Watches every object's events for the first exposed top-level window."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.Expose
            and isinstance(watched, QWindow)
            and watched.isExposed()
            and watched.parent() is None
        ):
            shown = time.time()
            for stream in (sys.stdout, sys.stderr):  # None in a windowed Windows build
                if stream is not None:
                    stream.flush()
            if sys.stderr is not None:
                sys.stderr.write(f"{PROBE_PREFIX} {shown:.6f} {watched.title()}\n")
                sys.stderr.flush()
            os._exit(0)  # nothing else to do: the measurement is taken
        return False


def probe_requested() -> bool:
    """Whether this process was started to measure its startup."""
    return os.environ.get(PROBE_ENV, "") not in ("", "0")


def install_startup_probe(app: QApplication) -> None:
    """Exit right after the first window shows if ``LEANOPS_STARTUP_PROBE`` is set."""
    if not probe_requested():
        return
    probe = _FirstExposeFilter(app)
    app.installEventFilter(probe)
