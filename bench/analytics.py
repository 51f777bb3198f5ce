"""Bench: performance analytics on a large PostgreSQL database, against the naive way.

Builds (or reuses) a PostgreSQL database with ``--rows`` performance logs (default 10,000,000)
for ``--stations`` stations over ``--days`` days, generated with ``generate_series`` in SQL,
then measures and prints:

1. choosing "30 days, all stations" in the performance view until the plot is painted
   (offscreen): whole quarter hours summed from the throughput rollup and the range's edges
   from the logs, against the naive way (select every raw report of the 30 days, plot one
   curve per station) and against buckets summed from the raw logs in the database (the
   path before the rollup);
2. the whole view for that choice (throughput, key figures, timeline, jobs at risk);
3. a live update of the visible plot per new report: the GUI thread's part (the window's
   floor refresher reads new reports in its worker thread; the view adds them to their
   buckets and repaints), and the same with the read done by the view itself;
4. zooming a curve of 1,000,000 points with peak downsampling and clip-to-view, against
   the same curve drawn without them.

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
TARGET_MS = {"plot": 300.0, "live": 16.0, "zoom": 50.0}
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


def bench_view(db: Database, repeat: int) -> tuple[dict[str, list[float]], PerformanceView]:
    """Choosing "30 days, all stations" in the view, to a painted plot; and the naive way."""
    import pyqtgraph as pg
    from PySide6.QtWidgets import QApplication

    from leanops_desktop.qt.performance.performance_view import PerformanceView
    from leanops_desktop.services import analytics
    from leanops_desktop.services.analytics_time import RangePreset, preset_range

    app = QApplication.instance() or QApplication(sys.argv)
    view = PerformanceView(db, SUPERVISOR, SiteConfig(), tz=TZ)
    view.resize(1400, 850)
    view.range_bar.set_preset(RangePreset.TODAY)
    view.show()
    app.processEvents()
    assert view.panels is not None
    plot = view.panels.throughput
    results: dict[str, list[float]] = {
        "plot": [],
        "plot_raw": [],
        "view": [],
        "view_all": [],
        "naive": [],
        "naive_rows": [],
    }

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

    shown: list[float] = []
    view.throughput_shown.connect(lambda: shown.append(time.perf_counter()))

    def choose_30_days_in_view() -> None:
        shown.clear()
        started = time.perf_counter()
        view.range_bar.set_preset(RangePreset.LAST_30_DAYS)  # plot painted, then figures
        finished = time.perf_counter()
        results["view"].append((shown[0] - started) * 1000)
        results["view_all"].append((finished - started) * 1000)

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

    view.range_bar.set_preset(RangePreset.LAST_30_DAYS)  # warm caches and the plan
    for _ in range(repeat):
        view.range_bar.set_preset(RangePreset.TODAY)
        choose_30_days_in_view()
        view.range_bar.set_preset(RangePreset.TODAY)
        results["plot"].append(timed(choose_30_days_plot_only))
        view.range_bar.set_preset(RangePreset.TODAY)
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
    3. the view reading the report by key itself first (``apply_changes``).
    """
    from PySide6.QtWidgets import QApplication

    from leanops_desktop.services.analytics_time import RangePreset
    from leanops_desktop.services.reads import history

    view.range_bar.set_preset(RangePreset.THIS_SHIFT)
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
            view.apply_changes(changes)
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
            log("timing 30 days, all stations")
            view, widget = bench_view(db, args.repeat)
            log("timing live updates")
            live = bench_live(db, widget, args.reports)
        finally:
            db.dispose()
        log("timing zoom on 1,000,000 points")
        zoom = bench_zoom(args.points, 30)
    finally:
        if cluster is not None:
            cluster.cleanup()
    report(args, view, live, zoom)
    return 0


def report(
    args: argparse.Namespace,
    view: dict[str, list[float]],
    live: tuple[list[float], list[float], list[float]],
    zoom: dict[str, list[float]],
) -> None:
    naive_rows = int(view["naive_rows"][0]) if view["naive_rows"] else 0
    lines = [
        ("30 days, all stations: chosen in the view, plot painted", view["view"], "plot"),
        ("  the same, rollup + edges in SQL, plot alone", view["plot"], "plot"),
        ("  the same, buckets from raw logs in SQL (before the rollup)", view["plot_raw"], None),
        ("  the same, until figures, timeline, jobs are shown too", view["view_all"], None),
        (f"30 days, naive: {naive_rows:,} raw rows, plotted", view["naive"], None),
        ("live: one new report (rows read off the GUI), whole plot repainted", live[0], "live"),
        ("  the same, Qt's own repaint", live[1], "live"),
        ("  the same, the view reading the report by key itself", live[2], None),
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
