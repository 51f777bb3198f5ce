"""Bench: ``leanops db backup`` of a SQLite plant while a seat writes.

A demo plant (its months of history) is grown to ``--stations`` extra stations' worth of
writes, then backed up with :func:`leanops_desktop.db.sqlite_backup.backup_file` (online backup
API in one step, then ``integrity_check`` and the schema version) while a writer thread adds a
station with its event, one transaction after the other, as a seat does. Printed:

* the database size, the backup's wall time and its throughput;
* how many transactions the writer committed during the backup, and its longest single
  commit during the backup against the same figure without a backup (the seat must not stall:
  in WAL mode the copy holds only a read snapshot).

Target: the writer's longest commit during the backup <= 250 ms (a tap on the kiosk stays
under the time people notice), the backup of the demo plant in under 5 s.

    python bench/sqlite_backup.py [--runs 3]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from leanops_desktop.cli.demo_commands import prepare_demo_database
from leanops_desktop.core.actor import Actor
from leanops_desktop.db.engine import Database, open_database
from leanops_desktop.db.sqlite_backup import backup_file
from tests.factories import make_station


class Seat:
    """A writer thread: one station (and its event) per transaction, timing each commit."""

    def __init__(self, db: Database, tag: str) -> None:
        self.db = db
        self.tag = tag
        self.commits: list[tuple[float, float]] = []  # (start, seconds)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"bench-seat-{tag}")

    def _run(self) -> None:
        index = 0
        while not self._stop.is_set():
            started = time.perf_counter()
            make_station(self.db, Actor.system(), f"B{self.tag}-{index:05d}")
            self.commits.append((started, time.perf_counter() - started))
            index += 1

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def longest(self, start: float, end: float) -> tuple[int, float]:
        inside = [seconds for began, seconds in self.commits if start <= began <= end]
        return len(inside), max(inside, default=0.0)


def one_run(folder: Path, run: int) -> tuple[float, float, int, float, float]:
    database = folder / f"plant-{run}.db"
    url = prepare_demo_database(database)
    db = open_database(url)
    seat = Seat(db, str(run))
    seat.start()
    try:
        time.sleep(1.0)  # the seat's commits without a backup
        quiet_end = time.perf_counter()
        started = time.perf_counter()
        backup_file(database, folder / f"copy-{run}.db")
        seconds = time.perf_counter() - started
        time.sleep(0.2)
    finally:
        seat.stop()
        db.dispose()
    first = seat.commits[0][0] if seat.commits else quiet_end
    _count, quiet_longest = seat.longest(first, quiet_end)
    during, longest = seat.longest(started, started + seconds)
    size = database.stat().st_size / 1e6
    return size, seconds, during, longest, quiet_longest


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="leanops-bench-backup-") as folder:
        print("run  size MB  backup s  MB/s  commits during  longest commit ms (without backup)")
        for run in range(args.runs):
            size, seconds, during, longest, quiet = one_run(Path(folder), run)
            print(
                f"{run:>3}  {size:7.1f}  {seconds:8.3f}  {size / seconds:4.0f}  {during:14d}"
                f"  {longest * 1000:17.1f} ({quiet * 1000:.1f})"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
