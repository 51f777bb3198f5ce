"""Bench: the jobs table with 100,000 jobs, LeanOps models against Qt's SQL model + proxy.

Builds (or reuses) a SQLite file with ``--jobs`` jobs (default 100,000, bulk-inserted with
SQLAlchemy Core after the migrations) and some production history, then measures each
contender in its own process (so the memory figures do not mix) and prints them side by side:

* LeanOps: ``JobsDock`` over ``JobTableModel``; the first page (``first_jobs``) then the whole
  table (``all_jobs``: the rows of ``queries.list_jobs``) load in a ``DbRunner`` worker;
  sorting and filtering happen in the model (a sorted Python list, precomputed search texts).
* Qt: ``QSqlTableModel`` (QSQLITE driver, same file) behind a ``QSortFilterProxyModel``, in a
  ``QTableView``; rows arrive 256 at a time (``fetchMore``).

Measured: time to first paint, time to full load, RSS added, one-row update (model only, and
re-read from the database by key), sort by due date, text filter, each until the viewport has
been repainted. The LeanOps run also reports the longest stall of the GUI thread while the
table loads (a 10 ms timer's longest gap).

    python bench/table_models.py [--jobs 100000] [--db /tmp/leanops-bench-jobs.db]
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert

from leanops_desktop.db import migrate
from leanops_desktop.db.engine import open_database
from leanops_desktop.db.models import Job, PerformanceLog

TARGETS_MS = {"first_paint": 250.0, "update": 2.0, "sort": 150.0, "filter": 150.0}
TARGET_MB = 80.0
PARTS = (
    "Mounting bracket",
    "Hinge plate",
    "Motor housing",
    "Drive shaft",
    "Gear blank",
    "Valve body",
    "Side panel",
    "Cover lid",
    "Flange ring",
    "Pump impeller",
)
SEARCH = "hinge"
UPDATES = 200


def rss_mb() -> float:
    """Resident memory of this process in MB (Linux /proc; else the peak from getrusage)."""
    try:
        with open("/proc/self/statm") as handle:
            pages = int(handle.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def ms(seconds: float) -> float:
    return seconds * 1000.0


# -- the database ---------------------------------------------------------------------------


def build_database(path: Path, jobs: int) -> None:
    """Migrate a new SQLite file and bulk-insert ``jobs`` jobs plus production history."""
    db = open_database(str(path))
    try:
        migrate.upgrade(db)
        rnd = random.Random(2024)
        today = date.today()
        now = datetime.now(UTC)
        rows = []
        for number in range(jobs):
            due = today + timedelta(days=rnd.randint(-30, 120))
            rows.append(
                {
                    "id": f"JOB-{number + 1:06d}",
                    "part_name": f"{rnd.choice(PARTS)} {rnd.randint(1, 400)}",
                    "qty_total": rnd.randint(10, 2000),
                    "due_date": due,
                    "priority": "high" if rnd.random() < 0.1 else "normal",
                    "status": "completed" if due < today and rnd.random() < 0.8 else "waiting",
                    "created_at": now - timedelta(minutes=number),
                }
            )
        logs = [
            {
                "id": uuid.uuid4(),
                "station_id": None,
                "job_id": rows[rnd.randrange(jobs)]["id"],
                "qty_completed": rnd.randint(1, 40),
                "timestamp": now - timedelta(minutes=rnd.randint(0, 20_000)),
            }
            for _ in range(jobs // 4)
        ]
        with db.engine.begin() as connection:
            for start in range(0, len(rows), 10_000):
                connection.execute(insert(Job), rows[start : start + 10_000])
            for start in range(0, len(logs), 10_000):
                connection.execute(insert(PerformanceLog), logs[start : start + 10_000])
    finally:
        db.dispose()


# -- shared measuring helpers ---------------------------------------------------------------


def process_until(app: Any, done: Callable[[], bool], timeout: float = 120.0) -> None:
    deadline = time.perf_counter() + timeout
    while not done():
        app.processEvents()
        if time.perf_counter() > deadline:
            raise TimeoutError("the load did not finish in time")
        time.sleep(0.001)


def timed_paint(view: Any, action: Callable[[], object]) -> float:
    """Milliseconds for ``action()`` plus the repaint of the view's visible rows."""
    start = time.perf_counter()
    action()
    view.viewport().repaint()
    return ms(time.perf_counter() - start)


# -- LeanOps --------------------------------------------------------------------------------


def run_leanops(path: Path) -> dict[str, float]:
    from PySide6.QtCore import Qt, QTimer
    from PySide6.QtWidgets import QApplication

    from leanops_desktop.qt.db_runner import DbRunner
    from leanops_desktop.qt.docks import JobsDock
    from leanops_desktop.qt.models import JobTableModel
    from leanops_desktop.qt.models import job_table_model as cols
    from leanops_desktop.services.reads import queries
    from leanops_desktop.services.reads.table_pages import all_jobs, first_jobs

    app = QApplication.instance() or QApplication([])
    db = open_database(str(path))
    model = JobTableModel()
    dock = JobsDock(model)
    dock.resize(1200, 700)
    dock.show()
    app.processEvents()
    runner = DbRunner()
    gc.collect()
    base = rss_mb()
    result: dict[str, float] = {}
    gaps: list[float] = []
    last_tick = [time.perf_counter()]

    def tick() -> None:
        now = time.perf_counter()
        gaps.append(now - last_tick[0])
        last_tick[0] = now

    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(tick)

    def fetch_all() -> list[Any]:
        with db.session() as session:
            return all_jobs(session)

    def fetch_first() -> list[Any]:
        with db.session() as session:
            return first_jobs(session, limit=200)

    start = time.perf_counter()
    first_shown: list[float] = []

    def on_reset() -> None:
        if not first_shown:
            dock.view.viewport().repaint()
            first_shown.append(time.perf_counter() - start)
            last_tick[0] = time.perf_counter()
            timer.start()

    model.modelReset.connect(on_reset)
    dock.load(runner, fetch_all, first_page=fetch_first)
    process_until(app, lambda: not runner.is_busy() and bool(first_shown))
    dock.view.viewport().repaint()
    result["full_load_ms"] = ms(time.perf_counter() - start)
    timer.stop()
    result["first_paint_ms"] = ms(first_shown[0])
    result["gui_stall_ms"] = ms(max(gaps)) if gaps else 0.0
    result["rows"] = float(model.rowCount())
    gc.collect()
    result["memory_mb"] = rss_mb() - base

    rnd = random.Random(7)
    keys = rnd.sample(model.keys(), UPDATES)
    rows = [model.row_for_key(key) for key in keys]
    changed = [dataclasses.replace(row, qty_done=row.qty_done + 1) for row in rows]
    start = time.perf_counter()
    for row in changed:
        model.upsert_rows([row])
    result["update_ms"] = ms(time.perf_counter() - start) / UPDATES
    start = time.perf_counter()
    with db.session() as session:
        for key in keys[:50]:
            model.upsert_rows(queries.jobs_by_keys(session, [key]))
    result["reread_update_ms"] = ms(time.perf_counter() - start) / 50

    view = dock.view
    result["sort_ms"] = timed_paint(
        view, lambda: view.sortByColumn(cols.COL_DUE, Qt.SortOrder.AscendingOrder)
    )
    result["sort_desc_ms"] = timed_paint(
        view, lambda: view.sortByColumn(cols.COL_DUE, Qt.SortOrder.DescendingOrder)
    )
    result["filter_ms"] = timed_paint(view, lambda: model.set_text_filter(SEARCH))
    result["filtered_rows"] = float(model.rowCount())
    result["unfilter_ms"] = timed_paint(view, lambda: model.set_text_filter(""))
    runner.wait()
    db.dispose()
    return result


# -- Qt's SQL model behind a sort/filter proxy ------------------------------------------------


def run_qt(path: Path) -> dict[str, float]:
    from PySide6.QtCore import QSortFilterProxyModel, Qt
    from PySide6.QtSql import QSqlDatabase, QSqlTableModel
    from PySide6.QtWidgets import QApplication, QTableView

    app = QApplication.instance() or QApplication([])
    connection = QSqlDatabase.addDatabase("QSQLITE", "bench")
    connection.setDatabaseName(str(path))
    if not connection.open():
        raise RuntimeError(connection.lastError().text())
    view = QTableView()
    view.resize(1200, 700)
    view.show()
    app.processEvents()
    gc.collect()
    base = rss_mb()
    result: dict[str, float] = {}

    start = time.perf_counter()
    source = QSqlTableModel(None, connection)
    source.setTable("jobs")
    source.setEditStrategy(QSqlTableModel.EditStrategy.OnManualSubmit)
    source.select()
    proxy = QSortFilterProxyModel()
    proxy.setSourceModel(source)
    proxy.setFilterKeyColumn(-1)
    proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    view.setModel(proxy)
    view.viewport().repaint()
    result["first_paint_ms"] = ms(time.perf_counter() - start)
    while source.canFetchMore():
        source.fetchMore()
    view.viewport().repaint()
    result["full_load_ms"] = ms(time.perf_counter() - start)
    result["rows"] = float(proxy.rowCount())
    gc.collect()
    result["memory_mb"] = rss_mb() - base

    due = source.fieldIndex("due_date")
    qty = source.fieldIndex("qty_total")
    rnd = random.Random(7)
    numbers = rnd.sample(range(source.rowCount()), UPDATES)
    start = time.perf_counter()
    for number in numbers:
        index = source.index(number, qty)
        source.setData(index, int(source.data(index)) + 1)
    result["update_ms"] = ms(time.perf_counter() - start) / UPDATES
    source.revertAll()
    start = time.perf_counter()
    for number in numbers[:50]:
        source.selectRow(number)
    result["reread_update_ms"] = ms(time.perf_counter() - start) / 50

    result["sort_ms"] = timed_paint(view, lambda: proxy.sort(due, Qt.SortOrder.AscendingOrder))
    result["sort_desc_ms"] = timed_paint(
        view, lambda: proxy.sort(due, Qt.SortOrder.DescendingOrder)
    )
    result["filter_ms"] = timed_paint(view, lambda: proxy.setFilterFixedString(SEARCH))
    result["filtered_rows"] = float(proxy.rowCount())
    result["unfilter_ms"] = timed_paint(view, lambda: proxy.setFilterFixedString(""))
    return result


# -- the report -------------------------------------------------------------------------------


ROWS: tuple[tuple[str, str, str, float | None], ...] = (
    # key, label, unit, target
    ("first_paint_ms", "time to first paint", "ms", TARGETS_MS["first_paint"]),
    ("full_load_ms", "time to full load", "ms", None),
    ("gui_stall_ms", "longest GUI stall while loading", "ms", None),
    ("memory_mb", "memory added (RSS)", "MB", TARGET_MB),
    ("update_ms", "one-row update (model)", "ms", TARGETS_MS["update"]),
    ("reread_update_ms", "one-row update incl. re-read by key", "ms", None),
    ("sort_ms", "sort by due date (ascending)", "ms", TARGETS_MS["sort"]),
    ("sort_desc_ms", "sort by due date (descending)", "ms", TARGETS_MS["sort"]),
    ("filter_ms", f"text filter {SEARCH!r}", "ms", TARGETS_MS["filter"]),
    ("unfilter_ms", "clear the filter", "ms", TARGETS_MS["filter"]),
)


def measure_in_subprocess(contender: str, path: Path) -> dict[str, float]:
    command = [sys.executable, __file__, "--contender", contender, "--db", str(path)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{contender} run failed:\n{done.stderr}")
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    return dict(json.loads(lines[-1]))


def print_report(jobs: int, ours: dict[str, float], qt: dict[str, float]) -> None:
    def cell(values: dict[str, float], key: str, unit: str) -> str:
        if key not in values:
            return "—"
        return f"{values[key]:,.2f} {unit}" if values[key] < 10 else f"{values[key]:,.0f} {unit}"

    print(f"\nJobs table, {jobs:,} jobs (SQLite file), offscreen, Python {sys.version.split()[0]}")
    header = f"{'':38} {'LeanOps models':>16} {'QSqlTableModel+proxy':>22} {'target':>9}  ok"
    print(header)
    print("-" * len(header))
    for key, title, unit, target in ROWS:
        goal = f"<= {target:g}" if target is not None else ""
        ok = "" if target is None else ("yes" if ours.get(key, float("inf")) <= target else "NO")
        print(f"{title:38} {cell(ours, key, unit):>16} {cell(qt, key, unit):>22} {goal:>9}  {ok}")
    print(
        f"\nrows shown: {ours['rows']:,.0f} vs {qt['rows']:,.0f}; "
        f"filter {SEARCH!r} keeps {ours['filtered_rows']:,.0f} vs {qt['filtered_rows']:,.0f}"
    )
    print(
        "Notes: first paint = first page query + model + repaint (LeanOps: 200 rows in list_jobs"
        " order, then all_jobs in a worker;\nQt: select() fetches 256 rows, unsorted)."
        " LeanOps rows carry progress (sum of logs) and stations; the Qt model shows the raw"
        " jobs table.\n'one-row update (model)' = upsert of a changed row / setData on a cell;"
        " 're-read by key' = jobs_by_keys + upsert / QSqlTableModel.selectRow."
    )


def _at_head(path: Path) -> bool:
    db = open_database(str(path))
    try:
        return migrate.current_revision(db) == migrate.head_revision()
    finally:
        db.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=100_000)
    parser.add_argument("--db", type=Path, default=None, help="SQLite file (built if missing)")
    parser.add_argument("--contender", choices=("leanops", "qt"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.contender:
        path = args.db
        run = run_leanops if args.contender == "leanops" else run_qt
        print(json.dumps(run(path)))
        return 0
    path = args.db or Path(tempfile.gettempdir()) / f"leanops-bench-jobs-{args.jobs}.db"
    if path.exists() and not _at_head(path):
        print(f"{path} has an older schema: building it again")
        path.unlink()
    if not path.exists():
        started = time.perf_counter()
        build_database(path, args.jobs)
        print(f"built {path} in {time.perf_counter() - started:.1f} s")
    else:
        print(f"reusing {path}")
    ours = measure_in_subprocess("leanops", path)
    qt = measure_in_subprocess("qt", path)
    print_report(args.jobs, ours, qt)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
