"""Bench: how long the GUI thread spends showing a fresh read of stops in the Stops dock.

The dock re-reads its list whenever the change feed brings ``downtime_stops`` (and redraws
its minutes every minute); the read runs on the runner's reads lane, but filling the table
happens in the GUI thread. This fills the real ``StopsDock`` (offscreen) with N constructed
stops (a quarter open, half unexplained) and prints the median and worst time of
``set_stops`` and of the minute tick (``refresh_clock``), and of the "only unexplained"
filter, each with the repaint of the visible rows, for a day of a small plant (50), a busy
plant (500) and a pathological one (5,000).

Target: a busy plant's refresh well under 50 ms (one frame budget of a live view).

    python bench/stops_dock.py [--repeat 7]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication

from leanops_desktop.core.enums import Role
from leanops_desktop.core.quality import ReasonCategory
from leanops_desktop.qt.stops.stops_dock import StopsDock
from leanops_desktop.services.downtime.stops import StopRow

NOW = datetime(2026, 12, 5, 14, 0, tzinfo=UTC)


def stops(count: int) -> list[StopRow]:
    made = []
    for number in range(count):
        started = NOW - timedelta(minutes=3 * number + 25)
        classified = number % 2 == 1
        made.append(
            StopRow(
                id=uuid.uuid4(),
                station_id=f"ST-{number % 60:02d}",
                line=f"Line {'ABCD'[number % 4]}",
                started_at=started,
                ended_at=None if number % 4 == 0 else started + timedelta(minutes=22),
                reason_id="maintenance/spindle" if classified else None,
                reason_name="Spindle fault" if classified else None,
                category=ReasonCategory.UNPLANNED_STOP if classified else None,
                classified_by="sam@plant.test" if classified else None,
                quiet_minutes=20,
            )
        )
    return made


def timed(work: Callable[[], object], repeat: int) -> tuple[float, float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), max(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    app = QApplication.instance() or QApplication(sys.argv)
    dock = StopsDock(Role.SUPERVISOR, UTC, lambda: NOW)
    dock.resize(900, 400)
    dock.show()
    app.processEvents()
    paint = dock.table.viewport().repaint  # what the user sees, painted now
    titles = ("stops", "set_stops ms (median / worst)", "minute tick", "filter")
    print(f"{titles[0]:>6}  {titles[1]:>30}  {titles[2]:>16}  {titles[3]:>16}")
    for count in (50, 500, 5000):
        rows = stops(count)

        def fill(rows: list[StopRow] = rows) -> None:
            dock.set_stops(rows)
            paint()

        def tick() -> None:
            dock.refresh_clock()
            paint()

        def toggle() -> None:
            dock.only_unexplained.setChecked(not dock.only_unexplained.isChecked())
            paint()

        filled, ticked, flt = (timed(work, args.repeat) for work in (fill, tick, toggle))
        dock.only_unexplained.setChecked(False)
        print(
            f"{count:>6}  {filled[0]:>17.1f} / {filled[1]:>8.1f}"
            f"  {ticked[0]:>7.1f} / {ticked[1]:>6.1f}"
            f"  {flt[0]:>7.1f} / {flt[1]:>6.1f}"
        )
    dock.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
