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
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtCore import QEventLoop
from PySide6.QtWidgets import QApplication

import bench.oee as oee_bench
from leanops_desktop.db.engine import Database
from leanops_desktop.qt.db_runner import DbRunner
from leanops_desktop.qt.performance import performance_reads as reads
from leanops_desktop.qt.performance.oee_panel import OeeGroups, OeePanel, group_rows
from leanops_desktop.services.analytics_scope import GroupBy, Scope

DB_NAME = "leanops_bench_oee_view"


Read = Callable[[], OeeGroups]


def view_reads(db: Database, work: reads.LoadRequest) -> dict[str, Read]:
    """The ways the OEE tab's figures are read: alone; after the range's key figures on the
    same lane, each reading its status timeline (before); the view's one read sharing it."""

    def alone() -> OeeGroups:
        return group_rows(reads.read_oee(db, oee_bench.SUPERVISOR, work, oee_bench.TZ))

    def two_timelines() -> OeeGroups:
        reads.read_figures(db, oee_bench.SUPERVISOR, work, oee_bench.TZ)
        return alone()

    def shared() -> OeeGroups:
        _figures, rows = reads.read_figures_and_oee(db, oee_bench.SUPERVISOR, work, oee_bench.TZ)
        return group_rows(rows)

    return {
        "OEE read alone": alone,
        "key figures, then OEE with its own timeline (before)": two_timelines,
        "key figures and OEE sharing the timeline (the view now)": shared,
    }


def one_pass(runner: DbRunner, panel: OeePanel, read: Read) -> tuple[float, float, float]:
    """(read on the runner until back in the GUI thread, table filled, painted) in ms."""
    loop = QEventLoop()
    arrived: list[OeeGroups] = []

    def done(rows: OeeGroups) -> None:
        arrived.append(rows)
        loop.quit()

    started = time.perf_counter()
    runner.submit(
        read,
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


Passes = dict[str, list[tuple[float, float, float]]]


def measure(url: str, repeat: int) -> tuple[Passes, str]:
    """Each way of :func:`view_reads`, ``repeat`` times alternating, on the database at
    ``url`` (a plant with scrap and ideal cycle times); and what the panel showed."""
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
        ways = view_reads(db, request)
        passes: Passes = {name: [] for name in ways}
        for read in ways.values():
            one_pass(runner, panel, read)  # warm the caches once
        for _ in range(repeat):  # the ways alternate: the same load for each
            for name, read in ways.items():
                passes[name].append(one_pass(runner, panel, read))
    finally:
        runner.close()
        db.dispose()
    return passes, f"{panel.table.rowCount()} table rows (per station); {panel.summary.text()}"


def print_passes(passes: Passes) -> None:
    parts = (
        "read and grouped (runner lane, off the GUI)",
        "  table filled (GUI thread)",
        "  painted (GUI thread)",
    )
    for way, samples in passes.items():
        print(way)
        for index, name in enumerate(parts):
            print(oee_bench.line("  " + name, [sample[index] for sample in samples]))
        print(oee_bench.line("  whole path to a painted view", [sum(s) for s in samples]))
    print(f"target: {oee_bench.TARGET_MS:.0f} ms to a painted view")


def main() -> int:
    args = oee_bench.plant_arguments(rows=10_000_000, repeat=7)
    app = QApplication.instance() or QApplication(sys.argv)
    with oee_bench.quality_plant(args, DB_NAME) as url:
        passes, shown = measure(url, args.repeat)
    print(f"\n{args.rows:,} logs, {args.stations} stations, {args.days} days; {shown}")
    print_passes(passes)
    del app
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
