"""Bench: live updates from commit to screen, PostgreSQL and SQLite side by side.

For each backend a plant of 20 stations, each running a job, is built, then two phases run,
each with an observer process (the real ``LiveFeed``, the real floor models kept current by
the window's ``FloorRefresher`` (rows re-read in its worker thread, large refreshes put in
one model per event-loop turn), and the four tables shown in views, offscreen) and writer
processes:

1. Latency: one writer commits ``--changes`` quantity reports for ST-01 through the real
   service (``production.report_quantity``), one every 60-90 ms (so every report is a "first
   change after a quiet spell"; faster streams are coalesced to <= 20 updates a second, which
   the burst phase measures). For each report: commit returned (writer) -> the floor models
   show it (observer, when the refresher says it has applied them) -> the assignments view
   has repainted it. The baseline in the same observer: a model that reloads its table every
   5 s.
2. Burst: ``--writers`` processes commit ``--burst-rate`` changes a second in total for
   ``--burst-seconds``. A change is a changed row; one report (a ``performance_logs`` row
   and its ``events_log`` row in one transaction, plus the assignment's ``qty_done`` and the
   job's ``qty_reported`` that the trigger updates) changes four (counted at the start; only
   the first two are in the change feed since migration 0007), so 1,000 changes/s are 250
   reports/s, round-robin over the 20 stations. Reports go in with
   plain SQL (the service's Python cost would cap the rate on a shared 2-core machine). The
   observer measures the GUI event loop's longest stall (a 5 ms timer's gaps), the resident
   memory before and after, and the commit -> model latency of ST-01's reports under load.

The clock is ``time.monotonic()`` (CLOCK_MONOTONIC, shared by all processes on Linux).
PostgreSQL comes from ``LEANOPS_TEST_DATABASE_URL`` (a superuser URL) or a throwaway cluster
started here (tests/pg_server.py).

    python bench/live_latency.py [--changes 1000] [--burst-seconds 30] [--burst-rate 1000]
        [--via-pgbouncer session|transaction ...]

``--via-pgbouncer MODE`` (repeatable) runs both phases once more through a throwaway PgBouncer
(tests/pg_bouncer.py, Debian's ``pgbouncer``) in that pool mode in front of the same server,
observer and writers connecting through it, and prints it beside the direct connection. In
transaction mode notifications cannot arrive: the observer finds out and reads on its timer.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psycopg
from sqlalchemy import select

from leanops_desktop.core.actor import Actor
from leanops_desktop.core.enums import Role
from leanops_desktop.db import migrate
from leanops_desktop.db.engine import open_database
from leanops_desktop.db.models import ChangeFeed, Job, StationAssignment
from leanops_desktop.services.floor import dispatch, jobs, stations
from leanops_desktop.services.reporting import production

STATIONS = 20
BASELINE_RELOAD_MS = 5000
STALL_TICK_MS = 5
SUPERVISOR = Actor(email="bench.supervisor@leanops.test", role=Role.SUPERVISOR)
OPERATOR = Actor(email="bench.operator@leanops.test", role=Role.OPERATOR)
TARGETS = {"postgresql": (20.0, 50.0), "sqlite": (150.0, None)}  # p95, p99 in ms
# Through PgBouncer: session mode as direct; transaction mode reads the feed on a timer.
TARGETS.update({"pgbouncer session": (20.0, 50.0), "pgbouncer transaction": (1000.0, None)})
SCRIPT = str(Path(__file__).resolve())


def station_id(number: int) -> str:
    return f"ST-{number:02d}"


def job_id(number: int) -> str:
    return f"JOB-{number:04d}"


# -- the database ---------------------------------------------------------------------------


def changes_per_report(url: str) -> int:
    """Rows one report changes: the feed rows it makes (its log and its event) plus the rows
    the count trigger updates that are not in the feed (its job's ``qty_reported`` and its
    assignment's ``qty_done``; readers re-read them for the log, migration 0007)."""
    db = open_database(url)

    def state() -> tuple[set[tuple[str, str]], dict[str, int]]:
        with db.session() as session:
            feed = {
                (t, k)
                for t, k in session.execute(select(ChangeFeed.table_name, ChangeFeed.row_key))
            }
            counters = {
                f"job {key}": qty for key, qty in session.execute(select(Job.id, Job.qty_reported))
            }
            counters.update(
                (f"assignment {key}", qty)
                for key, qty in session.execute(
                    select(StationAssignment.id, StationAssignment.qty_done)
                )
            )
        return feed, counters

    try:
        feed_before, counters_before = state()
        report, close = raw_reporter(url)
        report(STATIONS)
        close()
        feed_after, counters_after = state()
    finally:
        db.dispose()
    changed_counters = {k for k, v in counters_after.items() if counters_before.get(k) != v}
    return len(feed_after - feed_before) + len(changed_counters)


def build_plant(url: str) -> None:
    db = open_database(url)
    try:
        migrate.upgrade(db)
        with db.session() as session:
            for number in range(1, STATIONS + 1):
                stations.create_station(
                    session,
                    SUPERVISOR,
                    station_id=station_id(number),
                    name=f"Station {number}",
                    line=f"Line {'AB'[number % 2]}",
                )
                jobs.create_job(
                    session,
                    SUPERVISOR,
                    job_id=job_id(number),
                    part_name=f"Part {number}",
                    qty_total=10_000_000,
                    due_date="2030-01-01",
                )
                dispatch.assign_job(session, SUPERVISOR, job_id(number), station_id(number))
    finally:
        db.dispose()


# -- writer process -------------------------------------------------------------------------


def write_paced(url: str, count: int, out: Path) -> None:
    """Quantity reports for ST-01 through the service, one every 60-90 ms."""
    db = open_database(url)
    commits: list[float] = []
    with db.session() as session:
        for _ in range(count):
            time.sleep(random.uniform(0.060, 0.090))
            production.report_quantity(
                session,
                OPERATOR,
                station_id=station_id(1),
                job_id=job_id(1),
                qty=1,
                report_id=uuid.uuid4(),
            )
            commits.append(time.monotonic())
    db.dispose()
    out.write_text(json.dumps({"commits": commits}))


def raw_reporter(url: str) -> tuple[Callable[[int], None], Callable[[], None]]:
    """A function committing one report (its log row and its event) for a station, lean:
    one statement on PostgreSQL, plain sqlite3 on SQLite (the triggers do the rest)."""
    if "://" in url:
        # Through a transaction-mode pooler (``?pool_mode=transaction``, db/pooler.py) no
        # server-side prepared statements, as the app's engine does.
        plain, pooled = url.split("?pool_mode=")[0], url.endswith("?pool_mode=transaction")
        conn = psycopg.connect(plain, autocommit=True, prepare_threshold=None if pooled else 5)
        statement = (
            "WITH log AS (INSERT INTO performance_logs (id, station_id, job_id, qty_completed)"
            " VALUES (%(log)s, %(station)s, %(job)s, 1))"
            " INSERT INTO events_log (id, event_type, station_id, job_id, meta, actor)"
            " VALUES (%(event)s, 'qty_reported', %(station)s, %(job)s, %(meta)s, %(actor)s)"
        )

        def report(number: int) -> None:
            conn.execute(statement, values(number))

        return report, conn.close
    lite = sqlite3.connect(url, isolation_level=None, timeout=30)
    lite.execute("PRAGMA busy_timeout=30000")

    def report_sqlite(number: int) -> None:
        params = values(number)
        lite.execute("BEGIN IMMEDIATE")
        lite.execute(
            "INSERT INTO performance_logs (id, station_id, job_id, qty_completed)"
            " VALUES (:log, :station, :job, 1)",
            params,
        )
        lite.execute(
            "INSERT INTO events_log (id, event_type, station_id, job_id, meta, actor)"
            " VALUES (:event, 'qty_reported', :station, :job, :meta, :actor)",
            params,
        )
        lite.execute("COMMIT")

    return report_sqlite, lite.close


def values(number: int) -> dict[str, Any]:
    return {
        "log": str(uuid.uuid4()),
        "event": str(uuid.uuid4()),
        "station": station_id(number),
        "job": job_id(number),
        "meta": '{"new": {"qty": 1}}',
        "actor": OPERATOR.email,
    }


def write_burst(url: str, count: int, rate: float, offset: int, step: int, out: Path) -> None:
    """Reports number offset, offset + step, ... at ``rate`` reports a second in all;
    report n goes to station n % 20 + 1."""
    report, close = raw_reporter(url)
    commits: list[float] = []  # ST-01's reports only
    numbers = range(offset, count, step)
    started = time.monotonic()
    for index, number in enumerate(numbers):
        delay = started + index * step / rate - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        station = number % STATIONS + 1
        report(station)
        if station == 1:
            commits.append(time.monotonic())
    elapsed = time.monotonic() - started
    close()
    out.write_text(json.dumps({"commits": commits, "elapsed": elapsed, "count": len(numbers)}))


# -- observer process -----------------------------------------------------------------------


def rss_mb() -> float:
    with open("/proc/self/statm") as handle:
        pages = int(handle.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def observe(url: str, phase: str, expect_st01: int, expect_total: int, out: Path) -> None:
    from PySide6.QtCore import QAbstractItemModel, Qt, QTimer
    from PySide6.QtGui import QPaintEvent
    from PySide6.QtWidgets import QApplication, QGridLayout, QTableView, QWidget

    from leanops_desktop.qt.gc_pauses import freeze_long_lived
    from leanops_desktop.qt.live import LiveFeed
    from leanops_desktop.qt.live.floor_refresher import FloorRefresher
    from leanops_desktop.qt.models import (
        AssignmentTableModel,
        EventTableModel,
        FloorModels,
        JobTableModel,
        StationTableModel,
    )
    from leanops_desktop.services.reads import history, queries

    app = QApplication.instance() or QApplication([])
    db = open_database(url)
    feed = LiveFeed(db)
    feed.start()
    floor = FloorModels(
        stations=StationTableModel(),
        jobs=JobTableModel(),
        assignments=AssignmentTableModel(),
        events=EventTableModel(),
    )
    baseline = AssignmentTableModel()
    with db.session() as session:
        floor.stations.set_rows(queries.list_stations(session))
        floor.jobs.set_rows(queries.list_jobs(session))
        floor.assignments.set_rows(queries.list_assignments(session))
        floor.events.set_rows(history.list_events(session, limit=2000))
        baseline.set_rows(queries.list_assignments(session))
    freeze_long_lived()  # as the main window does after its full load

    def st01_qty(model: AssignmentTableModel) -> int:
        return sum(row.qty_done for row in model.all_rows() if row.station_id == station_id(1))

    start_qty = st01_qty(floor.assignments)
    start_total = sum(row.qty_done for row in floor.assignments.all_rows())
    shown: list[float] = []
    emitted: list[float] = []
    painted: list[float] = []
    reloaded: list[float] = []

    class PaintTimedView(QTableView):
        def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt override
            super().paintEvent(event)
            done = st01_qty(floor.assignments) - start_qty
            now = time.monotonic()
            while len(painted) < min(done, len(shown)):
                painted.append(now)

    window = QWidget()
    grid = QGridLayout(window)
    views: list[QTableView] = []
    shown_models: tuple[QAbstractItemModel, ...] = (
        floor.assignments,
        floor.stations,
        floor.jobs,
        floor.events,
    )
    for position, model in enumerate(shown_models):
        view = PaintTimedView() if position == 0 else QTableView()
        view.setModel(model)
        grid.addWidget(view, position // 2, position % 2)
        views.append(view)
    window.resize(1600, 900)
    window.show()

    refresher = FloorRefresher(db, floor)
    arrivals: list[float] = []

    def on_changes(changes: dict[str, set[str]]) -> None:
        arrivals.append(time.monotonic())
        refresher.submit(changes)

    def on_assignments_changed(*_args: object) -> None:
        # The moment the assignments model shows ST-01's new count (large refreshes put the
        # models in one per event-loop turn, so this is before the refresh has finished).
        now = time.monotonic()
        done = st01_qty(floor.assignments) - start_qty
        if len(shown) >= done:
            return
        arrived = arrivals[0] if arrivals else now  # the oldest emission not yet shown
        arrivals.clear()
        while len(shown) < done:
            shown.append(now)
            emitted.append(arrived)

    feed.changes_arrived.connect(on_changes)
    floor.assignments.dataChanged.connect(on_assignments_changed)

    def reload_baseline() -> None:
        with db.session() as session:
            baseline.set_rows(queries.list_assignments(session))
        now = time.monotonic()
        done = st01_qty(baseline) - start_qty
        while len(reloaded) < done:
            reloaded.append(now)

    reload_timer = QTimer()
    reload_timer.setInterval(BASELINE_RELOAD_MS)
    reload_timer.timeout.connect(reload_baseline)
    if phase == "latency":
        reload_timer.start()

    gaps: list[float] = []
    last_tick = [time.monotonic()]

    def tick() -> None:
        now = time.monotonic()
        gaps.append(now - last_tick[0])
        last_tick[0] = now

    stall_timer = QTimer()
    stall_timer.setTimerType(Qt.TimerType.PreciseTimer)
    stall_timer.setInterval(STALL_TICK_MS)
    stall_timer.timeout.connect(tick)

    deadline = time.monotonic() + 600
    finished = {"at": 0.0}
    rss = {"start": 0.0, "end": 0.0}

    def settled() -> bool:
        total = sum(row.qty_done for row in floor.assignments.all_rows()) - start_total
        if total < expect_total or len(painted) < expect_st01:
            return False
        return phase != "latency" or len(reloaded) >= expect_st01

    def check_done() -> None:
        if time.monotonic() > deadline:
            app.quit()
        elif not finished["at"] and settled():
            finished["at"] = time.monotonic()
            QTimer.singleShot(2000, finish)

    def finish() -> None:
        stall_timer.stop()
        gc.collect()
        rss["end"] = rss_mb()
        app.quit()

    def ready() -> None:
        gc.collect()
        rss["start"] = rss_mb()
        last_tick[0] = time.monotonic()
        stall_timer.start()
        print("ready", flush=True)

    watchdog = QTimer()
    watchdog.setInterval(100)
    watchdog.timeout.connect(check_done)
    watchdog.start()
    QTimer.singleShot(1500, ready)  # the views have painted, the feed is listening
    app.exec()
    feed.stop()
    refresher.stop()
    db.dispose()
    out.write_text(
        json.dumps(
            {
                "shown": shown,
                "emitted": emitted,
                "painted": painted,
                "reloaded": reloaded,
                "gaps": gaps,
                "rss": rss,
                "emissions": feed.emissions,
                "delivery": feed.delivery if db.backend == "postgresql" else "file check",
                "timed_out": not finished["at"],
            }
        )
    )


# -- orchestration --------------------------------------------------------------------------


def percentiles(values: list[float]) -> dict[str, float]:
    if not values:
        return {"p50": float("nan"), "p95": float("nan"), "p99": float("nan"), "max": 0.0}
    ordered = sorted(values)
    cut = statistics.quantiles(ordered, n=100, method="inclusive") if len(ordered) > 1 else []

    def pick(q: int) -> float:
        return cut[q - 1] if cut else ordered[0]

    return {"p50": pick(50), "p95": pick(95), "p99": pick(99), "max": ordered[-1]}


def latencies(commits: list[float], seen: list[float]) -> list[float]:
    return [(done - commit) * 1000 for commit, done in zip(commits, seen, strict=False)]


def spawn(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, SCRIPT, *args], stdout=subprocess.PIPE, text=True, cwd=os.getcwd()
    )


def wait_ready(observer: subprocess.Popen[str]) -> None:
    assert observer.stdout is not None
    line = observer.stdout.readline()
    if line.strip() != "ready":
        raise RuntimeError(f"the observer did not start (said {line!r})")


def run_latency(url: str, changes: int, work: Path) -> dict[str, Any]:
    observed, written = work / "latency-observer.json", work / "latency-writer.json"
    observer = spawn("observe", url, "latency", str(changes), str(changes), str(observed))
    wait_ready(observer)
    subprocess.run(
        [sys.executable, SCRIPT, "write-paced", url, str(changes), str(written)], check=True
    )
    observer.wait(timeout=900)
    seen = json.loads(observed.read_text())
    commits = json.loads(written.read_text())["commits"]
    return {
        "signal": percentiles(latencies(commits, seen["emitted"])),
        "model": percentiles(latencies(commits, seen["shown"])),
        "painted": percentiles(latencies(commits, seen["painted"])),
        "baseline": percentiles(latencies(commits, seen["reloaded"])),
        "delivery": seen["delivery"],
        "timed_out": seen["timed_out"],
    }


def run_burst(url: str, seconds: float, rate: float, writers: int, work: Path) -> dict[str, Any]:
    per_report = changes_per_report(url)
    rate = rate / per_report  # reports a second
    total = int(rate * seconds)
    st01 = len(range(0, total, STATIONS))
    observed = work / "burst-observer.json"
    observer = spawn("observe", url, "burst", str(st01), str(total), str(observed))
    wait_ready(observer)
    outs = [work / f"burst-writer-{n}.json" for n in range(writers)]
    procs = [
        spawn("write-burst", url, str(total), str(rate), str(n), str(writers), str(out))
        for n, out in enumerate(outs)
    ]
    for proc in procs:
        if proc.wait(timeout=900) != 0:
            raise RuntimeError("a burst writer failed")
    observer.wait(timeout=900)
    seen = json.loads(observed.read_text())
    written = [json.loads(out.read_text()) for out in outs]
    commits = sorted(t for w in written for t in w["commits"])
    elapsed = max(w["elapsed"] for w in written)
    stalls = [max(0.0, gap * 1000 - STALL_TICK_MS) for gap in seen["gaps"]]
    return {
        "achieved_rate": sum(w["count"] for w in written) / elapsed * per_report,
        "reports_per_s": sum(w["count"] for w in written) / elapsed,
        "per_report": per_report,
        "elapsed": elapsed,
        "stall": percentiles(stalls),
        "rss_start": seen["rss"]["start"],
        "rss_end": seen["rss"]["end"],
        "latency": percentiles(latencies(commits, seen["shown"])),
        "emissions_per_s": seen["emissions"] / elapsed,
        "timed_out": seen["timed_out"],
    }


def run_pooled(
    url: str, mode: str, args: argparse.Namespace, work: Path, stack: list[Any]
) -> dict[str, Any]:
    """Both phases again, every process connecting through PgBouncer in ``mode``."""
    from tests.pg_bouncer import ThrowawayBouncer

    bouncer = ThrowawayBouncer(url, pool_mode="session" if mode == "session" else "transaction")
    stack.append(bouncer.start())
    via = bouncer.url(url)
    print(f"pgbouncer {mode}: latency phase ({args.changes} reports) ...", flush=True)
    latency = run_latency(via, args.changes, work)
    print(f"pgbouncer {mode}: burst phase ({args.burst_seconds:.0f} s) ...", flush=True)
    burst = run_burst(via, args.burst_seconds, args.burst_rate, args.writers, work)
    return {"latency": latency, "burst": burst}


def postgres_url(stack: list[Any]) -> str:
    from tests.pg_server import ThrowawayCluster, create_database, drop_database

    server = os.environ.get("LEANOPS_TEST_DATABASE_URL")
    if not server:
        cluster = ThrowawayCluster().start()
        stack.append(cluster)
        server = cluster.url
    drop_database(server, "leanops_bench_live")
    return create_database(server, "leanops_bench_live")


def fmt(values: dict[str, float]) -> str:
    return " ".join(f"{values[k]:7.1f}" for k in ("p50", "p95", "p99", "max"))


def print_report(results: dict[str, dict[str, Any]], args: argparse.Namespace) -> None:
    names = list(results)
    head = "".join(f" | {name:^31}" for name in names)
    sub = "".join(" |     p50     p95     p99     max" for _ in names)
    print()
    print(f"Commit -> visible, ms ({args.changes} quantity reports, one every 60-90 ms)")
    print(f"{'':34}{head}")
    print(f"{'':34}{sub}")
    for label, key in (
        ("live feed -> changes_arrived", "signal"),
        ("live feed -> models updated", "model"),
        ("live feed -> view repainted", "painted"),
        (f"baseline: reload every {BASELINE_RELOAD_MS // 1000} s", "baseline"),
    ):
        print(f"{label:34}" + "".join(f" | {fmt(results[n]['latency'][key])}" for n in names))
    targets = []
    for name in names:
        p95, p99 = TARGETS[name]
        targets.append(f"{name}: p95 <= {p95:.0f}" + (f", p99 <= {p99:.0f}" if p99 else ""))
    print(f"{'targets (live -> models)':34} | " + "; ".join(targets))
    print(f"{'changes arrived by':34}" + "".join(
        f" | {results[n]['latency']['delivery']:^31}" for n in names))  # fmt: skip
    print()
    print(
        f"Burst: {args.burst_rate:.0f} changes/s for {args.burst_seconds:.0f} s"
        f" ({args.writers} writer processes, 20 stations; a change is a changed row)"
    )
    rows: list[tuple[str, Callable[[dict[str, Any]], str]]] = [
        ("achieved rate, changes/s", lambda b: f"{b['achieved_rate']:.0f}"),
        ("  = reports/s x changes per report", lambda b: (
            f"{b['reports_per_s']:.0f} x {b['per_report']}")),
        ("event loop stall max, ms (<= 50)", lambda b: f"{b['stall']['max']:.1f}"),
        ("event loop stall p99, ms", lambda b: f"{b['stall']['p99']:.1f}"),
        ("RSS start -> end, MB", lambda b: f"{b['rss_start']:.1f} -> {b['rss_end']:.1f}"),
        ("RSS change, MB (<= 10)", lambda b: f"{b['rss_end'] - b['rss_start']:+.1f}"),
        ("model updates per second", lambda b: f"{b['emissions_per_s']:.1f}"),
        ("commit -> models p50/p95/p99, ms", lambda b: "/".join(
            f"{b['latency'][k]:.0f}" for k in ("p50", "p95", "p99"))),
    ]  # fmt: skip
    print(f"{'':34}" + "".join(f" | {name:^31}" for name in names))
    for label, show in rows:
        print(f"{label:34}" + "".join(f" | {show(results[n]['burst']):^31}" for n in names))
    for name in names:
        for phase in ("latency", "burst"):
            if results[name][phase]["timed_out"]:
                print(f"WARNING: the {name} {phase} observer timed out (incomplete figures)")


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "observe":
        _, _, url, phase, st01, total, out = sys.argv
        observe(url, phase, int(st01), int(total), Path(out))
        return
    if len(sys.argv) > 1 and sys.argv[1] == "write-paced":
        _, _, url, count, out = sys.argv
        write_paced(url, int(count), Path(out))
        return
    if len(sys.argv) > 1 and sys.argv[1] == "write-burst":
        _, _, url, count, rate, offset, step, out = sys.argv
        write_burst(url, int(count), float(rate), int(offset), int(step), Path(out))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=1000)
    parser.add_argument("--burst-seconds", type=float, default=30.0)
    parser.add_argument("--burst-rate", type=float, default=1000.0)
    parser.add_argument("--writers", type=int, default=2)
    parser.add_argument("--backends", default="postgresql,sqlite")
    parser.add_argument(
        "--via-pgbouncer",
        action="append",
        default=[],
        choices=["session", "transaction"],
        help="also run the PostgreSQL phases through PgBouncer in this pool mode (repeatable)",
    )
    args = parser.parse_args()

    results: dict[str, dict[str, Any]] = {}
    stack: list[Any] = []
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="leanops-live-") as folder:
        work = Path(folder)
        try:
            for backend in args.backends.split(","):
                url = postgres_url(stack) if backend == "postgresql" else str(work / "live.db")
                print(f"{backend}: building the plant ...", flush=True)
                build_plant(url)
                print(f"{backend}: latency phase ({args.changes} reports) ...", flush=True)
                latency = run_latency(url, args.changes, work)
                print(f"{backend}: burst phase ({args.burst_seconds:.0f} s) ...", flush=True)
                burst = run_burst(url, args.burst_seconds, args.burst_rate, args.writers, work)
                results[backend] = {"latency": latency, "burst": burst}
                if backend == "postgresql":
                    for mode in args.via_pgbouncer:
                        results[f"pgbouncer {mode}"] = run_pooled(url, mode, args, work, stack)
        finally:
            for cluster in stack:
                cluster.cleanup()
    print_report(results, args)
    print(
        f"\nmachine: {os.cpu_count()} CPUs, load average (1 min) {load_before:.2f} at the start,"
        f" {os.getloadavg()[0]:.2f} at the end (other work on the machine inflates the figures)"
    )


if __name__ == "__main__":
    main()
