"""Bench: OEE for 50 stations × 30 days on 10 million logs, to a painted view.

The whole path of the performance view's OEE tab: the read submitted on a
:class:`~leanops_desktop.qt.db_runner.DbRunner` lane (``performance_reads.read_oee``, off
the GUI thread) and grouped per station, line, shift and day on the same lane, handed back
to the GUI thread and written into the
:class:`~leanops_desktop.qt.performance.oee_panel.OeePanel` table, and the panel painted
(``repaint``). The database is built as ``bench/oee.py`` builds it (its own database name).
Prints median and p95 in ms of each part and of the whole, beside the 300 ms target.

    QT_QPA_PLATFORM=offscreen python bench/oee_view.py --rows 10000000
"""

from __future__ import annotations

import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtCore import QEventLoop
from PySide6.QtWidgets import QApplication

import bench.oee as oee_bench
from leanops_desktop.qt.db_runner import DbRunner
from leanops_desktop.qt.performance import performance_reads as reads
from leanops_desktop.qt.performance.oee_panel import OeeGroups, OeePanel, group_rows
from leanops_desktop.services.analytics_scope import GroupBy, Scope

DB_NAME = "leanops_bench_oee_view"


def one_pass(
    runner: DbRunner, panel: OeePanel, work: reads.LoadRequest, db: object
) -> tuple[float, float, float]:
    """(read on the runner until back in the GUI thread, table filled, painted) in ms."""
    loop = QEventLoop()
    arrived: list[OeeGroups] = []

    def done(rows: OeeGroups) -> None:
        arrived.append(rows)
        loop.quit()

    started = time.perf_counter()
    runner.submit(
        lambda: group_rows(reads.read_oee(db, oee_bench.SUPERVISOR, work, oee_bench.TZ)),  # type: ignore[arg-type]
        done,
        lambda error: (print(error), loop.quit()),
    )
    loop.exec()
    read_at = time.perf_counter()
    panel.set_groups(arrived[0])
    filled_at = time.perf_counter()
    panel.repaint()
    painted_at = time.perf_counter()
    return (
        (read_at - started) * 1000,
        (filled_at - read_at) * 1000,
        (painted_at - filled_at) * 1000,
    )


def main() -> int:
    args = oee_bench.plant_arguments(rows=10_000_000, repeat=7)
    app = QApplication.instance() or QApplication(sys.argv)
    with oee_bench.quality_plant(args, DB_NAME) as url:
        db = oee_bench.open_database(url)
        runner = DbRunner()
        panel = OeePanel()
        panel.resize(1300, 700)
        panel.show()
        try:
            now = datetime.now(UTC)
            today = now.astimezone(oee_bench.TZ).date()
            start = datetime.combine(today - timedelta(days=29), datetime.min.time(), oee_bench.TZ)
            request = reads.LoadRequest(
                start=start.astimezone(UTC),
                end=now,
                now=now,
                scope=Scope(),
                group_by=GroupBy.STATION,
                chosen_job=None,
                keep_view=False,
            )
            one_pass(runner, panel, request, db)  # warm the caches once
            passes = [one_pass(runner, panel, request, db) for _ in range(args.repeat)]
        finally:
            runner.close()
            db.dispose()
    print(
        f"\n{args.rows:,} logs, {args.stations} stations, {args.days} days;"
        f" {panel.table.rowCount()} table rows (per station); {panel.summary.text()}"
    )
    names = (
        "read and grouped on the runner lane (off the GUI thread)",
        "  table filled (GUI thread)",
        "  painted (GUI thread)",
    )
    for index, name in enumerate(names):
        print(oee_bench.line(name, [sample[index] for sample in passes]))
    print(oee_bench.line("whole path to a painted view", [sum(sample) for sample in passes]))
    print(f"target: {oee_bench.TARGET_MS:.0f} ms to a painted view")
    del app
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
