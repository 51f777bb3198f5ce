"""Bench: OEE for every station over 30 days on a large PostgreSQL database.

Builds a database like ``bench/analytics.py`` (``--rows`` logs for ``--stations`` stations
over ``--days`` days, three blocks a station-day with reasons; its own database name), adds
scrap beside one report in ten, an ideal cycle time per job and two automatic stops a
station-day, then times ``services.oee.compute.oee_rows`` for the last 30 days of all
stations, split into its parts (the status timeline, the stops), with the stops and with
none, against the same units summed from the raw logs and scrap logs per shift (the way
without the rollup). It prints median and p95 in ms beside the target (300 ms to a painted
view; this is the computation alone, off the GUI thread).

    python bench/oee.py --rows 2000000
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psycopg
from sqlalchemy import text

import bench.analytics as analytics
from leanops_desktop.core.actor import Actor
from leanops_desktop.core.enums import Role
from leanops_desktop.db.engine import Database, open_database
from leanops_desktop.services.analytics_status import status_timeline
from leanops_desktop.services.analytics_stops import read_stop_spans
from leanops_desktop.services.oee.compute import oee_rows
from leanops_desktop.services.oee.figures import group
from tests.pg_server import ThrowawayCluster

DB_NAME = "leanops_bench_oee"
TZ = ZoneInfo("Europe/Berlin")
SUPERVISOR = Actor(email="bench@leanops.test", role=Role.SUPERVISOR)
TARGET_MS = 300.0


def add_quality(url: str) -> None:
    """Scrap beside one report in ten (a tenth of its units), and ideal cycle times."""
    with psycopg.connect(url.replace("postgresql+psycopg", "postgresql"), autocommit=True) as c:
        # Ideal: about 60 % of the seconds each unit took over the scheduled week.
        c.execute(
            "UPDATE jobs SET ideal_cycle_s = 0.6 * (SELECT (extract(epoch FROM max(timestamp)"
            " - min(timestamp)) * 5 / 7 * count(DISTINCT station_id)) / sum(qty_completed)"
            " FROM performance_logs)"
        )
        # Loaded with the triggers off (one call a row took minutes for millions), then
        # summed into the rollup as the trigger would have.
        c.execute("ALTER TABLE scrap_logs DISABLE TRIGGER ALL")
        try:
            c.execute(
                "INSERT INTO scrap_logs (id, station_id, job_id, qty_scrapped, reason_id,"
                " timestamp) SELECT gen_random_uuid(), station_id, job_id, 1, 'quality/surface',"
                " timestamp FROM performance_logs TABLESAMPLE BERNOULLI (10)"
            )
        finally:
            c.execute("ALTER TABLE scrap_logs ENABLE TRIGGER ALL")
        c.execute(
            "INSERT INTO throughput_rollup AS r (slot_start, station_id, job_id, units,"
            " scrap_units) SELECT date_bin('15 minutes', timestamp,"
            " TIMESTAMPTZ '2000-01-01 00:00:00+00'), station_id, job_id, 0, sum(qty_scrapped)"
            " FROM scrap_logs GROUP BY 1, 2, 3 ON CONFLICT (slot_start, station_id, job_id)"
            " DO UPDATE SET scrap_units = r.scrap_units + EXCLUDED.scrap_units"
        )
        c.execute("VACUUM ANALYZE scrap_logs")
        c.execute("VACUUM ANALYZE throughput_rollup")
        add_stops(c)


def add_stops(c: psycopg.Connection[tuple[object, ...]]) -> None:
    """Two automatic stops a station-day (35 and 50 minutes), the first classified."""
    c.execute(
        "INSERT INTO downtime_stops (id, station_id, started_at, ended_at, reason_id,"
        " classified_by, classified_at, quiet_minutes, detected_at)"
        " SELECT gen_random_uuid(), s.id, d + make_interval(hours => 9 + 6 * n),"
        " d + make_interval(hours => 9 + 6 * n, mins => 35 + 15 * n),"
        " CASE WHEN n = 0 THEN 'tooling' END, CASE WHEN n = 0 THEN 'bench' END,"
        " CASE WHEN n = 0 THEN d + interval '1 day' END, 20,"
        " d + make_interval(hours => 9 + 6 * n, mins => 20)"
        " FROM stations s, generate_series(0, 1) n, generate_series(date_trunc('day',"
        " (SELECT min(timestamp) FROM performance_logs)), now() - interval '1 day',"
        " interval '1 day') d"
    )
    c.execute("VACUUM ANALYZE downtime_stops")


def timed(action: Callable[[], object], repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def raw_units(db: Database, start: datetime, end: datetime) -> None:
    """The way without the rollup: good and scrap summed from the logs per station and hour."""
    with db.engine.connect() as conn:
        for table, column in (("performance_logs", "qty_completed"),
                              ("scrap_logs", "qty_scrapped")):
            conn.execute(
                text(
                    f"SELECT station_id, job_id, date_trunc('hour', timestamp), sum({column})"
                    f" FROM {table} WHERE timestamp >= :s AND timestamp < :e GROUP BY 1, 2, 3"
                ),
                {"s": start, "e": end},
            ).all()


def with_and_without_stops(
    db: Database, compute: Callable[[], None], repeat: int
) -> dict[str, list[float]]:
    """``compute`` with the stops and with none, taking turns (a shared machine's load
    then weighs on both alike); the stops are put back each time."""
    samples: dict[str, list[float]] = {"OEE with the stops": [], "OEE with no stops": []}
    with db.engine.connect() as conn:
        conn.execute(text("CREATE TEMP TABLE kept_stops AS SELECT * FROM downtime_stops"))
        conn.commit()
        for _ in range(repeat):
            samples["OEE with the stops"] += timed(compute, 1)
            conn.execute(text("DELETE FROM downtime_stops"))
            conn.commit()
            samples["OEE with no stops"] += timed(compute, 1)
            conn.execute(text("INSERT INTO downtime_stops SELECT * FROM kept_stops"))
            conn.commit()
    return samples


def line(name: str, samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return f"{name:<44} median {statistics.median(samples):8.1f} ms   p95 {p95:8.1f} ms"


def plant_arguments(rows: int, repeat: int) -> argparse.Namespace:
    """--rows, --stations, --days and --repeat of an OEE bench (defaults given)."""
    summary = (sys.modules["__main__"].__doc__ or "").split("\n")[0]
    parser = argparse.ArgumentParser(description=summary)
    parser.add_argument("--rows", type=int, default=rows)
    parser.add_argument("--stations", type=int, default=50)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=repeat)
    return parser.parse_args()


@contextmanager
def quality_plant(args: argparse.Namespace, db_name: str) -> Iterator[str]:
    """The URL of a generated plant with scrap and ideal cycle times, in a database of its
    own on ``LEANOPS_TEST_DATABASE_URL`` or a throwaway cluster (removed afterwards)."""
    server = os.environ.get("LEANOPS_TEST_DATABASE_URL")
    cluster = None
    if not server:
        analytics.log("starting a throwaway PostgreSQL cluster")
        cluster = ThrowawayCluster().start()
        server = cluster.url
    try:
        analytics.DB_NAME = db_name
        analytics.log(f"generating {args.rows:,} logs, {args.stations} stations, {args.days} days")
        url = analytics.build(server, args.rows, args.stations, args.days)
        add_quality(url)
        analytics.log("scrap and ideal cycle times added")
        yield url
    finally:
        if cluster is not None:
            cluster.cleanup()


def main() -> int:
    args = plant_arguments(rows=10_000_000, repeat=5)
    with quality_plant(args, DB_NAME) as url:
        db = open_database(url)
        try:
            today = datetime.now(TZ).date()
            first = today - timedelta(days=29)
            now = datetime.now(UTC)
            start = datetime.combine(first, datetime.min.time(), TZ).astimezone(UTC)

            def compute() -> None:
                with db.session() as session:
                    rows = oee_rows(session, SUPERVISOR, first, today, TZ, now=now)
                group(rows, lambda row: (row.day, row.line))

            def timeline() -> None:
                with db.session() as session:
                    status_timeline(session, SUPERVISOR, start, now, now=now)

            def stops() -> None:
                with db.session() as session:
                    stations = list(session.scalars(text("SELECT id FROM stations")))
                    read_stop_spans(session, stations, start, now)

            compute()  # warm the caches once
            results = {
                "OEE, 30 days x all stations (oee_rows)": timed(compute, args.repeat),
                "  of which the status timeline": timed(timeline, args.repeat),
                "  of which the stops (2 a station-day)": timed(stops, args.repeat),
                "units from the raw logs (no rollup)": timed(
                    lambda: raw_units(db, start, now), args.repeat
                ),
            }
            with db.session() as session:
                rows = oee_rows(session, SUPERVISOR, first, today, TZ, now=now)
            results.update(with_and_without_stops(db, compute, args.repeat))
        finally:
            db.dispose()
    plant = group(rows, lambda row: "plant")["plant"]
    print(f"\n{args.rows:,} logs, {args.stations} stations, {len(rows):,} station-shift rows;"
          f" plant OEE {plant.oee or 0:.3f} (A {plant.availability or 0:.3f},"
          f" P {plant.performance or 0:.3f}, Q {plant.quality or 0:.3f})")
    for name, samples in results.items():
        print(line(name, samples))
    print(f"target: {TARGET_MS:.0f} ms to a painted view (the computation above runs off the GUI"
          " thread)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
