"""The production board's and the andon checks' reads: how long one refresh takes.

The board reads every station, this hour's and this shift's output and the targets in one
transaction on the runner's reads lane each time the floor moves (and every 30 s); the andon
checks read the floor facts as often. Both must stay well under the feed's 50 ms coalescing
interval so that a busy floor never queues reads. Measured on a fresh demo plant (SQLite)::

    python bench/board.py [--runs 50]

Target: median <= 20 ms each on the demo plant.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from leanops_desktop.cli.demo_commands import prepare_demo_database  # noqa: E402
from leanops_desktop.config import DEFAULT_SHIFT_STARTS  # noqa: E402
from leanops_desktop.db.engine import open_database  # noqa: E402
from leanops_desktop.services.analytics_time import local_zone  # noqa: E402
from leanops_desktop.services.andon.andon_store import read_floor_facts  # noqa: E402
from leanops_desktop.services.board.board_reads import read_board  # noqa: E402


def _median_ms(work: object, runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()  # type: ignore[operator]
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    url = prepare_demo_database(Path(tempfile.mkdtemp(prefix="leanops-bench-")) / "demo.db")
    db = open_database(url)
    zone = local_zone()

    def board() -> None:
        with db.session() as session:
            read_board(session, datetime.now(UTC), zone, DEFAULT_SHIFT_STARTS)

    def andon() -> None:
        with db.session() as session:
            read_floor_facts(session, datetime.now(UTC), zone)

    with db.session() as session:
        stations = len(read_board(session, datetime.now(UTC), zone, DEFAULT_SHIFT_STARTS).stations)
    board_ms = _median_ms(board, args.runs)
    andon_ms = _median_ms(andon, args.runs)
    db.dispose()
    print(f"demo plant: {stations} active stations, {args.runs} runs each (SQLite)")
    print(f"board refresh  median {board_ms:6.1f} ms   target <= 20 ms")
    print(f"andon facts    median {andon_ms:6.1f} ms   target <= 20 ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
