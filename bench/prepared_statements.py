"""Bench: what server-side prepared statements would save LeanOps' own statements.

The engine connects with ``prepare_threshold=None`` (no prepared statements), so that seats
work through a transaction-mode pooler (PgBouncer before 1.21). This bench runs the statements
a window repeats most often, with psycopg's default (prepared from the 5th execution on) and
without, on the same connection kind, alternating rounds, and prints the mean time per call:

- the live feed's read (``ChangeFeedReader.read``, nothing new: the idle case);
- the heartbeat (``SELECT max(seq) FROM change_feed``);
- the station list (``queries.list_stations``, 20 stations) and a quantity report
  (``production.report_quantity``), through SQLAlchemy as the app runs them.

PostgreSQL comes from ``LEANOPS_TEST_DATABASE_URL`` (a superuser URL) or a throwaway cluster.

    python bench/prepared_statements.py [--calls 2000] [--rounds 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import create_engine, text
from sqlalchemy.orm import sessionmaker

from leanops_desktop.core.actor import Actor
from leanops_desktop.core.enums import Role
from leanops_desktop.db import migrate
from leanops_desktop.db.change_feed import ChangeFeedReader
from leanops_desktop.db.engine import Database, open_database
from leanops_desktop.services.floor import dispatch, jobs, stations
from leanops_desktop.services.reads import queries
from leanops_desktop.services.reporting import production

SUPERVISOR = Actor(email="bench.supervisor@leanops.test", role=Role.SUPERVISOR)
STATIONS = 20


def build_plant(url: str) -> None:
    db = open_database(url)
    try:
        migrate.upgrade(db)
        with db.session() as session:
            for number in range(1, STATIONS + 1):
                stations.create_station(
                    session, SUPERVISOR, station_id=f"ST-{number:02d}", name=f"S{number}", line="A"
                )
                jobs.create_job(
                    session,
                    SUPERVISOR,
                    job_id=f"JOB-{number:04d}",
                    part_name="Part",
                    qty_total=10_000_000,
                    due_date="2030-01-01",
                )
        for number in range(1, STATIONS + 1):
            with db.session() as session:
                dispatch.assign_job(session, SUPERVISOR, f"JOB-{number:04d}", f"ST-{number:02d}")
    finally:
        db.dispose()


def database(url: str, *, prepared: bool) -> Database:
    """The app's engine, or the same with psycopg's default prepare threshold (5)."""
    if not prepared:
        return open_database(url)
    db = open_database(url)
    args: dict[str, Any] = {"connect_timeout": 5, "application_name": "leanops"}
    engine = create_engine(db.engine.url, pool_pre_ping=True, connect_args=args)
    db.dispose()
    return Database(engine=engine, sessions=sessionmaker(engine, expire_on_commit=False))


def workloads(db: Database) -> dict[str, Callable[[], object]]:
    reader = ChangeFeedReader(db.engine)
    reader.start()

    def heartbeat() -> object:
        with db.engine.connect() as connection:
            return connection.execute(text("SELECT max(seq) FROM change_feed")).scalar()

    def list_stations() -> object:
        with db.session() as session:
            return queries.list_stations(session)

    def report() -> object:
        with db.session() as session:
            production.report_quantity(
                session,
                SUPERVISOR,
                station_id="ST-01",
                job_id="JOB-0001",
                qty=1,
                report_id=uuid.uuid4(),
            )
        return None

    return {
        "feed read (nothing new)": reader.read,
        "heartbeat max(seq)": heartbeat,
        "list_stations (20)": list_stations,
        "report_quantity": report,
    }


def mean_us(work: Callable[[], object], calls: int) -> float:
    for _ in range(10):  # warm: connections open, statements prepared where they would be
        work()
    started = time.perf_counter()
    for _ in range(calls):
        work()
    return (time.perf_counter() - started) / calls * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    cluster = None
    server = os.environ.get("LEANOPS_TEST_DATABASE_URL")
    from tests.pg_server import ThrowawayCluster, create_database, drop_database

    if not server:
        cluster = ThrowawayCluster().start()
        server = cluster.url
    try:
        drop_database(server, "leanops_bench_prepare")
        url = create_database(server, "leanops_bench_prepare")
        build_plant(url)
        kinds = {"prepared (psycopg default)": True, "not prepared (LeanOps)": False}
        dbs = {name: database(url, prepared=flag) for name, flag in kinds.items()}
        loads = {name: workloads(db) for name, db in dbs.items()}
        results: dict[str, dict[str, list[float]]] = {name: {} for name in kinds}
        for _ in range(args.rounds):  # alternate, so drift on the machine hits both alike
            for name in kinds:
                for label, work in loads[name].items():
                    results[name].setdefault(label, []).append(mean_us(work, args.calls))
        print(f"\nmean µs per call, median of {args.rounds} rounds of {args.calls} calls")
        print(f"{'':28}" + "".join(f" | {name:>27}" for name in kinds) + " | difference")
        for label in loads[next(iter(kinds))]:
            medians = [statistics.median(results[name][label]) for name in kinds]
            diff = (medians[1] - medians[0]) / medians[0] * 100
            print(f"{label:28}" + "".join(f" | {m:27.0f}" for m in medians) + f" | {diff:+.1f} %")
        for db in dbs.values():
            db.dispose()
    finally:
        if cluster is not None:
            cluster.cleanup()
    print(f"\nload average (1 min) {os.getloadavg()[0]:.2f}: other work inflates both columns")


if __name__ == "__main__":
    main()
