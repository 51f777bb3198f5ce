"""Bench: performance analytics on a large PostgreSQL database, against the naive way.

Builds (or reuses) a PostgreSQL database with ``--rows`` performance logs (default 10,000,000)
for ``--stations`` stations over ``--days`` days, generated with ``generate_series`` in SQL,
then measures and prints:

1. choosing "30 days, all stations" in the performance view, in both modes of the view's
   ``DbRunner``: ``inline (before)`` runs every read at once in the GUI thread, as the view
   did before the runner; ``background (now)`` runs them on the runner's lanes and puts the
   results on screen one panel per event-loop turn. For each: the time until the whole view
   is ready (throughput, key figures of range and shift, status timeline, Pareto, jobs at
   risk, the job curve: the view's ``loaded`` signal), the time until the throughput is
   painted, and the longest GUI-thread stall meanwhile (the largest gap between two ticks
   of a 1 ms timer in the GUI thread, from the choice until the view is ready);
2. the status timeline of those 30 days: bands computed in SQL against the former way (the
   range's events read and replayed in Python);
3. the throughput plot alone: whole quarter hours summed from the throughput rollup and the
   range's edges from the logs, against the naive way (select every raw report of the 30
   days, plot one curve per station) and against buckets summed from the raw logs in the
   database (the path before the rollup);
4. a live update of the visible plot per new report: the GUI thread's part (the window's
   floor refresher reads new reports in its worker thread; the view adds them to their
   buckets and repaints), and the same with the view reading the report itself (on the
   runner);
5. zooming a curve of 1,000,000 points with peak downsampling and clip-to-view, against
   the same curve drawn without them;
6. the OEE tab, 30 days x all stations, to a painted table (``bench/oee_view.py``'s
   measurement on this database, after adding scrap beside one report in ten and ideal
   cycle times as ``bench/oee.py`` does): the OEE read alone, after the key figures each
   reading its own status timeline (before), and sharing it (the view now). ``--no-oee``
   leaves it out.

On this bench's 2-core machine the 10,000,000 logs build in about two minutes.

The server is ``LEANOPS_TEST_DATABASE_URL`` (a superuser URL) or a throwaway cluster started
here. Loading switches the logs' and events' triggers off in the bench database only
(``ALTER TABLE ... DISABLE TRIGGER ALL`` as superuser: the feed, count, rollup and foreign-key
triggers; the generated rows are valid) and on again before measuring; the rollup is then
built with the back-fill of migration 0005, as an upgrade of a database with logs does.

    python bench/analytics.py --rows 2000000
"""

from __future__ import annotations

import argparse
import importlib
import os
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np
import psycopg
from sqlalchemy import text

from bench.stall_meter import StallMeter
from leanops_desktop.config import SiteConfig
from leanops_desktop.core.actor import Actor
from leanops_desktop.core.enums import Role
from leanops_desktop.db import migrate
from leanops_desktop.db.engine import Database, open_database
from tests.pg_server import ThrowawayCluster, create_database, drop_database

if TYPE_CHECKING:
    from leanops_desktop.qt.performance.performance_view import PerformanceView

DB_NAME = "leanops_bench_analytics"
TZ = ZoneInfo("Europe/Berlin")
SUPERVISOR = Actor(email="bench@leanops.test", role=Role.SUPERVISOR)
TARGET_MS = {"plot": 300.0, "live": 16.0, "zoom": 50.0, "ready": 150.0, "stall": 16.0}
MODES = ("inline", "background")
MODE_NAMES = {"inline": "inline (before)", "background": "background (now)"}
CHUNK = 1_000_000
ROLLUP_MIGRATION = "leanops_desktop.db.migrations.versions.0005_throughput_rollup"


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


# -- building the database ---------------------------------------------------------------


def build(server_url: str, rows: int, stations: int, days: int) -> str:
    """A fresh migrated database filled with generated data; returns its URL."""
    drop_database(server_url, DB_NAME)
    url = create_database(server_url, DB_NAME)
    db = open_database(url)
    try:
        migrate.upgrade(db)
    finally:
        db.dispose()
    started = time.perf_counter()
    with psycopg.connect(url.replace("postgresql+psycopg", "postgresql"), autocommit=True) as conn:
        conn.execute("SET maintenance_work_mem = '1GB'")
        conn.execute("SET max_parallel_maintenance_workers = 2")
        span = days * 86400.0
        per_job = max(rows // stations // (days * 2), 1)  # about two jobs per station-day
        conn.execute(
            f"""
            INSERT INTO stations (id, name, line, status, is_active, created_at)
            SELECT format('ST-%s', lpad(s::text, 3, '0')), format('Station %s', s),
                   format('Line %s', chr(65 + (s - 1) % 5)), 'running', true,
                   now() - make_interval(days => {days} + 1)
            FROM generate_series(1, {stations}) AS s
            """
        )
        jobs = rows // stations // per_job + 2
        conn.execute(
            f"""
            INSERT INTO jobs (id, part_name, qty_total, due_date, priority, status, created_at)
            SELECT format('JOB-%s', j), 'Bench part', 1000000,
                   (now() - make_interval(days => {days}) + j * interval '12 hours')::date + 2,
                   'normal', CASE WHEN j >= {jobs - 2} THEN 'running' ELSE 'completed' END,
                   now() - make_interval(days => {days} + 1)
            FROM generate_series(0, {jobs}) AS j
            """
        )
        found = conn.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'performance_logs'"
            " AND indexname <> 'pk_performance_logs'"
        ).fetchall()
        indexes = [definition for _name, definition in found]
        for name, _definition in found:
            conn.execute(f"DROP INDEX {name}")
        conn.execute("ALTER TABLE performance_logs DISABLE TRIGGER ALL")
        conn.execute("ALTER TABLE events_log DISABLE TRIGGER ALL")
        try:
            for first in range(0, rows, CHUNK):
                last = min(first + CHUNK, rows) - 1
                conn.execute(
                    f"""
                    INSERT INTO performance_logs
                        (id, station_id, job_id, qty_completed, "timestamp")
                    SELECT gen_random_uuid(),
                           format('ST-%s', lpad((n % {stations} + 1)::text, 3, '0')),
                           format('JOB-%s', n / {stations} / {per_job}),
                           1 + (n * 7919) % 10,
                           now() - make_interval(secs => {span} - n * {span / rows})
                    FROM generate_series({first}::bigint, {last}::bigint) AS n
                    """
                )
                log(f"  {last + 1:,} of {rows:,} logs")
            # Status events: per station and day three blocks of 20-60 minutes with a reason.
            conn.execute(
                f"""
                INSERT INTO events_log
                    (id, event_type, station_id, job_id, meta, "timestamp", actor)
                SELECT gen_random_uuid(), kind, station, NULL,
                       CASE WHEN kind = 'station_blocked'
                            THEN jsonb_build_object('reason', (ARRAY['changeover', 'material',
                                 'maintenance', 'quality', 'tooling'])[1 + (d * 7 + s + b) % 5])
                            ELSE '{{}}'::jsonb END,
                       at, 'bench'
                FROM generate_series(0, {days - 1}) AS d,
                     generate_series(1, {stations}) AS s,
                     generate_series(0, 2) AS b,
                     LATERAL (SELECT format('ST-%s', lpad(s::text, 3, '0')) AS station,
                                     now() - make_interval(days => {days} - d)
                                       + make_interval(hours => 2 + b * 8 + s % 5) AS t0,
                                     make_interval(mins => 20 + (d + s * 3 + b * 11) % 41) AS dur
                             ) AS base,
                     LATERAL (VALUES ('station_blocked', base.t0),
                                     ('station_unblocked', base.t0 + base.dur)) AS e(kind, at)
                WHERE at < now()
                """
            )
            conn.execute(
                f"""
                INSERT INTO events_log
                    (id, event_type, station_id, job_id, meta, "timestamp", actor)
                SELECT gen_random_uuid(), 'job_assigned',
                       format('ST-%s', lpad(s::text, 3, '0')), 'JOB-0', '{{}}'::jsonb,
                       now() - make_interval(days => {days}), 'bench'
                FROM generate_series(1, {stations}) AS s
                """
            )
        finally:
            conn.execute("ALTER TABLE performance_logs ENABLE TRIGGER ALL")
            conn.execute("ALTER TABLE events_log ENABLE TRIGGER ALL")
        log(f"  loaded in {time.perf_counter() - started:.0f} s; summing the rollup")
        rollup_started = time.perf_counter()
        conn.execute("SET work_mem = '256MB'")
        conn.execute(importlib.import_module(ROLLUP_MIGRATION).backfill_sql("postgresql"))
        log(f"  rollup built in {time.perf_counter() - rollup_started:.0f} s; indexing")
        for definition in indexes:
            conn.execute(definition)
        conn.execute("VACUUM ANALYZE performance_logs")
        conn.execute("VACUUM ANALYZE throughput_rollup")
        conn.execute("VACUUM ANALYZE events_log")
        conn.execute("ANALYZE")
    log(f"database ready in {time.perf_counter() - started:.0f} s")
    return url


def count_logs(url: str) -> int:
    """Logs in a database worth reusing (-1 when it is missing or has no rollup yet)."""
    try:
        with psycopg.connect(url.replace("postgresql+psycopg", "postgresql")) as conn:
            summed = conn.execute("SELECT count(*) FROM throughput_rollup").fetchone()
            row = conn.execute("SELECT count(*) FROM performance_logs").fetchone()
            return int(row[0]) if row and summed and summed[0] else -1
    except psycopg.Error:
        return -1


# -- measuring ---------------------------------------------------------------------------


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return (time.perf_counter() - started) * 1000


def summary(samples: list[float]) -> tuple[float, float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered), p95, ordered[0]


def run_loop(ms: int) -> None:
    """Let the event loop run for ``ms`` milliseconds."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def make_view(db: Database, mode: str) -> PerformanceView:
    from PySide6.QtWidgets import QApplication

    from leanops_desktop.qt.db_runner import DbRunner
    from leanops_desktop.qt.performance.performance_view import PerformanceView
    from leanops_desktop.services.analytics_time import RangePreset

    QApplication.instance() or QApplication(sys.argv)
    view = PerformanceView(
        db, SUPERVISOR, SiteConfig(), tz=TZ, runner=DbRunner(inline=mode == "inline")
    )
    view.resize(1400, 850)
    view.range_bar.set_preset(RangePreset.TODAY)
    view.show()
    wait_loaded(view)
    return view


def wait_loaded(view: PerformanceView, cap_ms: int = 30_000) -> None:
    """Run the event loop until the view's current choice is on screen."""
    from PySide6.QtCore import QEventLoop, QTimer

    if not view.loading:
        return
    loop = QEventLoop()
    view.loaded.connect(loop.quit)
    view.load_failed.connect(loop.quit)
    QTimer.singleShot(cap_ms, loop.quit)
    loop.exec()
    view.loaded.disconnect(loop.quit)
    view.load_failed.disconnect(loop.quit)
    if view.loading:
        raise RuntimeError(f"the view did not load: {view.status.text()}")


def choose_timed(view: PerformanceView, preset: Any) -> tuple[float, float, float]:
    """Choose ``preset`` from inside the event loop: (ms until ready, ms until the throughput
    is painted, longest GUI stall in ms from the choice until ready)."""
    from PySide6.QtCore import QEventLoop, QTimer

    meter = StallMeter()
    marks: dict[str, float] = {}
    loop = QEventLoop()

    def shown() -> None:
        marks.setdefault("shown", time.perf_counter())

    def ready() -> None:
        marks["ready"] = time.perf_counter()
        marks["stall"] = meter.stop()
        QTimer.singleShot(0, loop.quit)

    def choose() -> None:
        marks["start"] = time.perf_counter()
        view.range_bar.set_preset(preset)

    view.throughput_shown.connect(shown)
    view.loaded.connect(ready)
    view.load_failed.connect(loop.quit)
    meter.start()
    QTimer.singleShot(20, choose)  # the meter ticks for a moment before the choice
    QTimer.singleShot(30_000, loop.quit)
    loop.exec()
    view.throughput_shown.disconnect(shown)
    view.loaded.disconnect(ready)
    view.load_failed.disconnect(loop.quit)
    if "ready" not in marks:
        raise RuntimeError(f"the view did not load: {view.status.text()}")
    return (
        (marks["ready"] - marks["start"]) * 1000,
        (marks.get("shown", marks["ready"]) - marks["start"]) * 1000,
        marks["stall"],
    )


def bench_modes(db: Database, repeat: int) -> dict[str, list[float]]:
    """ "30 days, all stations" in the view: inline (before) and background (now)."""
    from leanops_desktop.services.analytics_time import RangePreset

    results: dict[str, list[float]] = {}
    for mode in MODES:
        view = make_view(db, mode)
        for key in ("ready", "shown", "stall"):
            results[f"{mode}_{key}"] = []
        choose_timed(view, RangePreset.LAST_30_DAYS)  # warm caches and plans
        for _ in range(repeat):
            view.range_bar.set_preset(RangePreset.TODAY)
            wait_loaded(view)
            run_loop(100)
            ready, shown, stall = choose_timed(view, RangePreset.LAST_30_DAYS)
            results[f"{mode}_ready"].append(ready)
            results[f"{mode}_shown"].append(shown)
            results[f"{mode}_stall"].append(stall)
        view.stop_timers()
        view.runner.wait(10_000)
        view.runner.close()
        view.close()
        view.deleteLater()
        run_loop(50)
    return results


def bench_timeline(db: Database, repeat: int) -> dict[str, list[float]]:
    """The 30 days' status timeline: bands in SQL against the range's events replayed."""
    from leanops_desktop.services import analytics
    from leanops_desktop.services.analytics_time import RangePreset, preset_range

    now = datetime.now(UTC)
    start, end = preset_range(RangePreset.LAST_30_DAYS, now, TZ, SiteConfig().shift_starts)
    results: dict[str, list[float]] = {"bands_sql": [], "bands_python": []}
    with db.session() as session:
        for _ in range(repeat + 1):
            for key, in_sql in (("bands_sql", True), ("bands_python", False)):
                results[key].append(
                    timed(
                        lambda in_sql=in_sql: analytics.status_timeline(
                            session, SUPERVISOR, start, end, now=now, in_sql=in_sql
                        )
                    )
                )
    return {key: samples[1:] for key, samples in results.items()}  # the first one warms up


def bench_view(db: Database, repeat: int) -> tuple[dict[str, list[float]], PerformanceView]:
    """The throughput plot alone for "30 days, all stations", and the naive way."""
    import pyqtgraph as pg
    from PySide6.QtWidgets import QApplication

    from leanops_desktop.services import analytics
    from leanops_desktop.services.analytics_time import RangePreset, preset_range

    app = QApplication.instance() or QApplication(sys.argv)
    view = make_view(db, "background")
    app.processEvents()
    assert view.panels is not None
    plot = view.panels.throughput
    results: dict[str, list[float]] = {"plot": [], "plot_raw": [], "naive": [], "naive_rows": []}

    def choose_30_days_plot_only(use_rollup: bool = True) -> None:
        start, end = preset_range(
            RangePreset.LAST_30_DAYS, datetime.now(UTC), TZ, SiteConfig().shift_starts
        )
        with db.session() as session:
            data = analytics.throughput(
                session, SUPERVISOR, start, end, tz=TZ, use_rollup=use_rollup
            )
        plot.set_data(data, end.timestamp())
        plot.plot.viewport().repaint()

    naive_widget = pg.PlotWidget(axisItems={"bottom": pg.DateAxisItem()})
    naive_widget.resize(1400, 700)
    naive_widget.show()

    def naive() -> None:
        start, _end = preset_range(RangePreset.LAST_30_DAYS, datetime.now(UTC), TZ, ())
        with db.engine.connect() as conn:
            rows = conn.execute(
                text(
                    'SELECT extract(epoch FROM "timestamp"), station_id, qty_completed'
                    ' FROM performance_logs WHERE "timestamp" >= :start ORDER BY "timestamp"'
                ),
                {"start": start},
            ).all()
        results["naive_rows"].append(float(len(rows)))
        x = np.array([float(row[0]) for row in rows], dtype=np.float64)
        stations = np.array([row[1] for row in rows])
        qty = np.array([row[2] for row in rows], dtype=np.float64)
        naive_widget.getPlotItem().clear()
        for station in np.unique(stations):
            mask = stations == station
            naive_widget.getPlotItem().plot(x[mask], qty[mask])
        naive_widget.viewport().repaint()

    choose_30_days_plot_only()  # warm caches and the plan
    for _ in range(repeat):
        results["plot"].append(timed(choose_30_days_plot_only))
        results["plot_raw"].append(timed(lambda: choose_30_days_plot_only(use_rollup=False)))
    for _ in range(max(2, repeat // 2)):
        results["naive"].append(timed(naive))
    naive_widget.close()
    return results, view


def bench_live(
    db: Database, view: PerformanceView, reports: int
) -> tuple[list[float], list[float], list[float]]:
    """One new report on a visible plot, three ways.

    1. what the window's GUI thread does: the floor refresher has read the report in its
       worker thread; the view adds it to its bucket (``apply_rows``) and the whole plot is
       repainted;
    2. the same, repainted as Qt does it (only what changed, in the event loop);
    3. the view reading the report by key itself first (``apply_changes``, on the runner),
       until it is on screen.
    """
    from PySide6.QtCore import QEventLoop
    from PySide6.QtWidgets import QApplication

    from leanops_desktop.services.analytics_time import RangePreset
    from leanops_desktop.services.reads import history

    view.range_bar.set_preset(RangePreset.THIS_SHIFT)
    wait_loaded(view)
    QApplication.processEvents()
    assert view.panels is not None
    plot = view.panels.throughput.plot
    # The key figures reload a moment after live reports; keep that out of the timings.
    view._figures_timer.setInterval(3_600_000)
    with db.engine.begin() as conn:
        station_ids = [row[0] for row in conn.execute(text("SELECT id FROM stations ORDER BY id"))]

    def new_report(number: int) -> dict[str, set[str]]:
        log_id = uuid.uuid4()
        with db.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO performance_logs (id, station_id, job_id, qty_completed)"
                    " VALUES (:id, :station, 'JOB-0', 5)"
                ),
                {"id": log_id, "station": station_ids[number % len(station_ids)]},
            )
        return {"performance_logs": {str(log_id)}}

    def read(changes: dict[str, set[str]]) -> list[Any]:
        with db.session() as session:
            keys = [uuid.UUID(key) for key in changes["performance_logs"]]
            return history.performance_by_keys(session, keys)

    gui: list[float] = []
    settled: list[float] = []
    with_read: list[float] = []
    for number in range(reports):
        changes = new_report(number)
        rows = read(changes)

        def update(changes: dict[str, set[str]] = changes, rows: list[Any] = rows) -> None:
            view.apply_rows(changes, rows, [])
            plot.viewport().repaint()

        gui.append(timed(update))
        changes = new_report(number)
        rows = read(changes)

        def update_as_qt_does(
            changes: dict[str, set[str]] = changes, rows: list[Any] = rows
        ) -> None:
            view.apply_rows(changes, rows, [])
            QApplication.processEvents()  # Qt repaints only what changed

        settled.append(timed(update_as_qt_does))
        changes = new_report(number)

        def read_and_update(changes: dict[str, set[str]] = changes) -> None:
            job = view.apply_changes(changes)  # read on the runner, applied when it answers
            assert job is not None
            while not job.done:
                QApplication.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents, 5)
            plot.viewport().repaint()

        with_read.append(timed(read_and_update))
    view.stop_timers()
    return gui, settled, with_read


def bench_zoom(points: int, zooms: int) -> dict[str, list[float]]:
    """Zooming one curve of ``points`` points, with and without downsampling + clipping."""
    import pyqtgraph as pg
    from PySide6.QtWidgets import QApplication

    rng = np.random.default_rng(7)
    x = 1.7e9 + np.arange(points, dtype=np.float64) * 3.0
    y = np.cumsum(rng.normal(size=points))
    results: dict[str, list[float]] = {}
    for name, smart in (("zoom_fast", True), ("zoom_plain", False)):
        widget: pg.PlotWidget = pg.PlotWidget(axisItems={"bottom": pg.DateAxisItem()})
        widget.resize(1400, 700)
        widget.show()
        curve = widget.getPlotItem().plot(x, y)
        if smart:
            curve.setDownsampling(auto=True, method="peak")
            curve.setClipToView(True)
        QApplication.processEvents()
        samples = []
        spans = np.geomspace(x[-1] - x[0], (x[-1] - x[0]) / 1000, zooms)
        for number, span in enumerate(spans):
            centre = x[0] + (x[-1] - x[0]) * (0.3 + 0.4 * (number % 5) / 4)

            def zoom(
                centre: float = centre, span: float = span, widget: pg.PlotWidget = widget
            ) -> None:
                widget.setXRange(centre - span / 2, centre + span / 2, padding=0)
                widget.viewport().repaint()

            samples.append(timed(zoom))
        results[name] = samples
        widget.close()
    return results


# -- main --------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--stations", type=int, default=50)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--reports", type=int, default=50, help="live reports to time")
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--reuse", action="store_true", help="keep a database of --rows logs")
    parser.add_argument("--no-oee", action="store_true", help="leave out the OEE tab's timing")
    args = parser.parse_args()

    server = os.environ.get("LEANOPS_TEST_DATABASE_URL")
    cluster = None
    if not server:
        log("starting a throwaway PostgreSQL cluster")
        cluster = ThrowawayCluster().start()
        server = cluster.url
    try:
        url = server.rsplit("/", 1)[0] + f"/{DB_NAME}"
        if not (args.reuse and count_logs(url) >= args.rows):
            log(f"generating {args.rows:,} logs, {args.stations} stations, {args.days} days")
            url = build(server, args.rows, args.stations, args.days)
        db = open_database(url)
        try:
            migrate.upgrade(db)  # a reused database gets this version's indexes
            log("timing 30 days, all stations: the whole view, inline and background")
            modes = bench_modes(db, args.repeat)
            log("timing the status timeline: bands in SQL and in Python")
            timeline = bench_timeline(db, args.repeat)
            log("timing 30 days, all stations: the throughput plot")
            view, widget = bench_view(db, args.repeat)
            view.update(modes)
            view.update(timeline)
            log("timing live updates")
            live = bench_live(db, widget, args.reports)
            widget.runner.wait(10_000)
            widget.runner.close()
        finally:
            db.dispose()
        log("timing zoom on 1,000,000 points")
        zoom = bench_zoom(args.points, 30)
        oee = None if args.no_oee else bench_oee(url, args.repeat)
    finally:
        if cluster is not None:
            cluster.cleanup()
    report(args, view, live, zoom)
    if oee is not None:
        print_oee(*oee)
    return 0


def bench_oee(url: str, repeat: int) -> tuple[Any, str]:
    """The OEE tab's path to a painted table (bench/oee_view.py) on this database, with scrap
    and ideal cycle times added once (a reused database keeps them)."""
    import bench.oee as oee_bench  # imports this module: loaded here, not at the top
    import bench.oee_view as oee_view

    with psycopg.connect(url.replace("postgresql+psycopg", "postgresql")) as conn:
        row = conn.execute("SELECT EXISTS (SELECT 1 FROM scrap_logs)").fetchone()
    if not (row and row[0]):
        log("adding scrap and ideal cycle times for the OEE")
        oee_bench.add_quality(url)
    log("timing the OEE tab, 30 days, all stations")
    return oee_view.measure(url, max(repeat, 5))


def print_oee(passes: Any, shown: str) -> None:
    import bench.oee_view as oee_view

    print(f"\nThe OEE tab, 30 days, all stations, to a painted table: {shown}")
    oee_view.print_passes(passes)


def report(
    args: argparse.Namespace,
    view: dict[str, list[float]],
    live: tuple[list[float], list[float], list[float]],
    zoom: dict[str, list[float]],
) -> None:
    naive_rows = int(view["naive_rows"][0]) if view["naive_rows"] else 0
    lines = [
        (
            "30 days, all stations: whole view ready, background (now)",
            view["background_ready"],
            "ready",
        ),
        ("  the same, inline (before)", view["inline_ready"], None),
        ("  longest GUI stall meanwhile, background (now)", view["background_stall"], "stall"),
        ("  longest GUI stall meanwhile, inline (before)", view["inline_stall"], None),
        ("  throughput painted, background (now)", view["background_shown"], "plot"),
        ("  throughput painted, inline (before)", view["inline_shown"], None),
        ("status timeline, 30 days: bands in SQL", view["bands_sql"], None),
        ("  the same, events replayed in Python (before)", view["bands_python"], None),
        ("throughput plot alone: rollup + edges in SQL", view["plot"], "plot"),
        ("  the same, buckets from raw logs in SQL (before the rollup)", view["plot_raw"], None),
        (f"30 days, naive: {naive_rows:,} raw rows, plotted", view["naive"], None),
        ("live: one new report (rows read off the GUI), whole plot repainted", live[0], "live"),
        ("  the same, Qt's own repaint", live[1], "live"),
        ("  the same, the view reading the report by key itself (runner)", live[2], None),
        (f"zoom {args.points:,} points, peak downsampling + clip", zoom["zoom_fast"], "zoom"),
        (f"zoom {args.points:,} points, plain (baseline)", zoom["zoom_plain"], None),
    ]
    print()
    print(
        f"LeanOps analytics bench: {args.rows:,} performance logs, {args.stations} stations, "
        f"{args.days} days (PostgreSQL, offscreen Qt)"
    )
    header = f"{'measurement':<70} {'median ms':>10} {'p95 ms':>9} {'best ms':>9} {'target':>8}"
    print(header)
    print("-" * len(header))
    for name, samples, target in lines:
        median, p95, best = summary(samples)
        goal = f"<= {TARGET_MS[target]:.0f}" if target else ""
        verdict = "" if not target else (" ok" if median <= TARGET_MS[target] else " MISSED")
        print(f"{name:<70} {median:>10.1f} {p95:>9.1f} {best:>9.1f} {goal:>8}{verdict}")
    print("\n30 days, all stations, the whole view (ms, median of each)")
    print(f"{'':<28}{'ready':>10}{'throughput':>12}{'longest stall':>15}")
    for mode in MODES:
        ready, shown, stall = (
            summary(view[f"{mode}_{key}"])[0] for key in ("ready", "shown", "stall")
        )
        print(f"{MODE_NAMES[mode]:<28}{ready:>10.1f}{shown:>12.1f}{stall:>15.1f}")
    print("\n30 days, all stations, to a painted plot (ms)")
    columns = (("rollup + edges", "plot"), ("raw buckets in SQL", "plot_raw"), ("naive", "naive"))
    print(f"{'':<8}" + "".join(f"{name:>22}" for name, _key in columns))
    for position, label in enumerate(("median", "p95", "best")):
        values = "".join(f"{summary(view[key])[position]:>22.1f}" for _name, key in columns)
        print(f"{label:<8}{values}")
    rollup = max(summary(view["plot"])[0], 1e-9)
    print(
        f"rollup vs naive: {summary(view['naive'])[0] / rollup:.0f}x faster; "
        f"vs raw buckets: {summary(view['plot_raw'])[0] / rollup:.1f}x faster"
    )


if __name__ == "__main__":
    sys.exit(main())
