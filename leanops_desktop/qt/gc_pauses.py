"""Keeping Python's garbage collector from pausing the window during a burst of changes.

A full collection (the oldest generation) walks every object the process holds: the modules
of Qt, SQLAlchemy and numpy and every row on screen. On a floor of 20 stations that takes
50 to 75 ms, and during a burst of live changes one comes every half minute or so: the
longest stall of the event loop. Objects that live as long as the window (modules, the rows
just loaded) are taken out of the collector's walk with :func:`gc.freeze` once a full load has
finished, so later collections only walk what was made since. Rows are plain acyclic values:
a frozen row that is replaced later is still freed at once by reference counting. The main
window freezes after every full load, the kiosk once, after its first view of the station
(40 to 60 ms per full collection otherwise, measured: a stall an operator's tap can meet).
"""

from __future__ import annotations

import gc


def freeze_long_lived() -> None:
    """Collect what is garbage now, then exempt everything alive from future collections."""
    gc.collect()
    gc.freeze()
