"""Bench: 50 kiosks reporting to one PostgreSQL, from tap to committed.

Each simulated kiosk is the real path: a tap stores the report in its own outbox file
(SQLite, ``synchronous=FULL``), wakes its own send loop (``services.report_sender``), which
sends it with ``production.report_quantity`` and marks it sent. Latency is measured from the
tap (before the outbox write) to the moment the sender has the server's reply (committed).
Kiosks run as threads, spread over ``--procs`` processes (the GIL), each kiosk on its own
station and job. The clock is ``time.monotonic()``.

Phases (``--seconds`` each):

1. ``plant``: every kiosk taps once a second (a plant of 50 stations needs about that);
2. ``target``: the issue's target rate, ``--rate`` reports per second in total (1,000);
3. ``max``: closed loop, every kiosk taps again as soon as its last report is committed;
4. ``service``: closed loop straight into ``report_quantity`` (no outbox, no send loop), to
   separate the service's cost from the outbox's;
5. ``one-trip``: a prototype of the proposal below: the same rows (the log with
   ``ON CONFLICT DO NOTHING`` and its event) written by ONE statement in ONE round trip,
   closed loop. Not the product's path: it skips the over-total check and the result query.

Targets (issue 6): >= 1,000 reports/s aggregate with p99 <= 50 ms tap -> committed.
PostgreSQL comes from ``LEANOPS_TEST_DATABASE_URL`` (a superuser URL) or a throwaway cluster
started here (tests/pg_server.py).

    python bench/kiosk_throughput.py [--kiosks 50] [--seconds 8] [--rate 1000] [--procs 2]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from leanops_desktop.core.actor import Actor
from leanops_desktop.core.enums import Role
from leanops_desktop.db import migrate
from leanops_desktop.db.engine import Database, open_database
from leanops_desktop.db.outbox import Outbox
from leanops_desktop.services import dispatch, jobs, production, stations
from leanops_desktop.services.report_sender import Outcome, ReportSender, SenderStatus, SendLoop

SUPERVISOR = Actor(email="bench.supervisor@leanops.test", role=Role.SUPERVISOR)
OPERATOR = Actor(email="bench.operator@leanops.test", role=Role.OPERATOR)
TARGET_RATE = 1000.0
TARGET_P99_MS = 50.0
DRAIN_S = 15.0
ONE_TRIP_SQL = """
WITH a AS (
    SELECT id FROM station_assignments WHERE station_id = %(station)s AND job_id = %(job)s
), log AS (
    INSERT INTO performance_logs (id, station_id, job_id, qty_completed, assignment_id)
    SELECT %(id)s, %(station)s, %(job)s, %(qty)s, a.id FROM a
    ON CONFLICT (id) DO NOTHING
    RETURNING id
), ev AS (
    INSERT INTO events_log (id, event_type, station_id, job_id, meta, actor)
    SELECT gen_random_uuid(), 'qty_reported', %(station)s, %(job)s, %(meta)s::jsonb, %(actor)s
    FROM log
)
SELECT count(*) FROM log
"""


def station_of(index: int) -> tuple[str, str]:
    return f"ST-{index + 1:02d}", f"JOB-{index + 1:04d}"


def warm(db: Database, connections: int) -> None:
    """Open the pool's connections before the clock starts (sign-in happens before taps)."""
    opened = [db.engine.connect() for _ in range(connections)]
    for conn in opened:
        conn.exec_driver_sql("SELECT 1")
        conn.close()


def wait_until(moment: float) -> None:
    while time.monotonic() < moment:
        time.sleep(0.001)


# -- one worker process: some of the kiosks ------------------------------------------------------


class Recorder:
    """Latencies of reports tapped inside the measured window (thread-safe)."""

    def __init__(self, window_end: float) -> None:
        self.window_end = window_end
        self.lock = threading.Lock()
        self.latencies: list[float] = []
        self.committed_in_window = 0
        self.taps = 0
        self.store_ms: list[float] = []

    def committed(self, tapped: float, now: float) -> None:
        with self.lock:
            if tapped <= self.window_end:
                self.latencies.append((now - tapped) * 1000)
            if now <= self.window_end:
                self.committed_in_window += 1


def kiosk_phase(
    url: str, indexes: list[int], rate: float, start: float, seconds: float
) -> dict[str, Any]:
    """Run kiosks ``indexes`` through the outbox and send loop; ``rate`` per kiosk (0: closed)."""
    db = open_database(url, pool_size=len(indexes) + 2, max_overflow=4)
    warm(db, len(indexes))
    folder = Path(tempfile.mkdtemp(prefix="leanops-bench-kiosk-"))
    end = start + seconds
    rec = Recorder(end)
    stop = threading.Event()
    loops: list[SendLoop] = []
    outboxes: list[Outbox] = []
    tapped: dict[uuid.UUID, float] = {}
    sent_events: dict[int, threading.Event] = {}

    def on_status_for(index: int) -> Any:
        def on_status(status: SenderStatus) -> None:
            last = status.last
            if last is not None and last.outcome == Outcome.SENT:
                now = time.monotonic()
                rec.committed(tapped.pop(last.item.id, now), now)
                sent_events[index].set()

        return on_status

    def tapper(position: int, index: int) -> None:
        station, job = station_of(index)
        outbox, loop = outboxes[position], loops[position]
        rng = random.Random(index)
        next_at = start + rng.random() / rate if rate else start
        while not stop.is_set():
            now = time.monotonic()
            if now >= end:
                break
            if rate and next_at > now:
                time.sleep(next_at - now)
            tap = time.monotonic()
            sent_events[index].clear()
            item = outbox.add_report(station_id=station, job_id=job, qty=1, operator="bench")
            tapped[item.id] = tap
            with rec.lock:
                rec.taps += 1
                rec.store_ms.append((time.monotonic() - tap) * 1000)
            loop.wake()
            if rate:
                next_at += 1 / rate
            else:
                sent_events[index].wait(5)

    for index in indexes:
        outbox = Outbox(folder / f"{index}.sqlite3")
        outboxes.append(outbox)
        sent_events[index] = threading.Event()
        loop = SendLoop(ReportSender(outbox, db, OPERATOR), on_status_for(index), poll_interval=1.0)
        loops.append(loop)
        loop.start()
    threads = [
        threading.Thread(target=tapper, args=(position, index), daemon=True)
        for position, index in enumerate(indexes)
    ]
    wait_until(start)
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    backlog = sum(outbox.counts().pending for outbox in outboxes)
    deadline = time.monotonic() + DRAIN_S
    while sum(outbox.counts().pending for outbox in outboxes) and time.monotonic() < deadline:
        time.sleep(0.05)
    drained_after = time.monotonic() - end
    left = sum(outbox.counts().pending for outbox in outboxes)
    for loop in loops:
        loop.stop(10)
    for outbox in outboxes:
        outbox.close()
    db.dispose()
    return {
        "taps": rec.taps,
        "committed_in_window": rec.committed_in_window,
        "latencies": rec.latencies,
        "store_ms": rec.store_ms,
        "backlog_at_end": backlog,
        "drain_s": drained_after,
        "left": left,
    }


def service_phase(url: str, indexes: list[int], start: float, seconds: float) -> dict[str, Any]:
    """Closed loop straight into the service, one thread per kiosk."""
    db = open_database(url, pool_size=len(indexes) + 2)
    warm(db, len(indexes))
    end = start + seconds
    rec = Recorder(end)

    def run(index: int) -> None:
        station, job = station_of(index)
        with db.session() as session:
            wait_until(start)
            while time.monotonic() < end:
                tap = time.monotonic()
                production.report_quantity(
                    session, OPERATOR, station_id=station, job_id=job, qty=1, report_id=uuid.uuid4()
                )
                rec.committed(tap, time.monotonic())

    return _run_threads(run, indexes, start, rec, lambda: db.dispose())


def one_trip_phase(url: str, indexes: list[int], start: float, seconds: float) -> dict[str, Any]:
    """Closed loop, one statement per report (the prototype of the proposal)."""
    import psycopg

    end = start + seconds
    rec = Recorder(end)
    plain = url.replace("postgresql+psycopg://", "postgresql://")
    meta = json.dumps({"actor": OPERATOR.email, "role": "operator", "new": {"qty": 1}})

    def run(index: int) -> None:
        station, job = station_of(index)
        with psycopg.connect(plain, autocommit=True) as conn:
            wait_until(start)
            while time.monotonic() < end:
                tap = time.monotonic()
                params = {"id": uuid.uuid4(), "station": station, "job": job, "qty": 1}
                conn.execute(ONE_TRIP_SQL, {**params, "meta": meta, "actor": OPERATOR.email})
                rec.committed(tap, time.monotonic())

    return _run_threads(run, indexes, start, rec, lambda: None)


def _run_threads(
    run: Any, indexes: list[int], start: float, rec: Recorder, done: Any
) -> dict[str, Any]:
    threads = [threading.Thread(target=run, args=(index,), daemon=True) for index in indexes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    done()
    return {
        "taps": len(rec.latencies),
        "committed_in_window": rec.committed_in_window,
        "latencies": rec.latencies,
        "store_ms": [],
        "backlog_at_end": 0,
        "drain_s": 0.0,
        "left": 0,
    }


def worker(job: dict[str, Any]) -> dict[str, Any]:
    mode = job["mode"]
    if mode == "service":
        return service_phase(job["url"], job["indexes"], job["start"], job["seconds"])
    if mode == "one-trip":
        return one_trip_phase(job["url"], job["indexes"], job["start"], job["seconds"])
    return kiosk_phase(job["url"], job["indexes"], job["rate"], job["start"], job["seconds"])


# -- the parent: plant, phases, report ---------------------------------------------------------


def build_plant(url: str, kiosks: int) -> None:
    db = open_database(url)
    try:
        migrate.upgrade(db)
        for index in range(kiosks):
            station, job = station_of(index)
            with db.session() as session:
                stations.create_station(
                    session, SUPERVISOR, station_id=station, name=f"Bench {station}", line="Bench"
                )
            with db.session() as session:
                jobs.create_job(
                    session,
                    SUPERVISOR,
                    job_id=job,
                    part_name="Bench part",
                    qty_total=10_000_000,
                    due_date="2099-12-31",
                    priority="normal",
                )
            with db.session() as session:
                dispatch.assign_job(session, SUPERVISOR, job, station)
    finally:
        db.dispose()


def run_phase(
    pool: Any, url: str, mode: str, kiosks: int, procs: int, per_kiosk_rate: float, seconds: float
) -> dict[str, Any]:
    start = time.monotonic() + 4.0  # room for the workers to open their connections
    groups = [list(range(kiosks))[p::procs] for p in range(procs)]
    jobs_ = [
        {"url": url, "mode": mode, "indexes": g, "rate": per_kiosk_rate, "start": start,
         "seconds": seconds}
        for g in groups
    ]  # fmt: skip
    parts = pool.map(worker, jobs_)
    latencies = sorted(lat for part in parts for lat in part["latencies"])
    store = sorted(ms for part in parts for ms in part["store_ms"])
    return {
        "mode": mode,
        "taps": sum(part["taps"] for part in parts),
        "rate": sum(part["committed_in_window"] for part in parts) / seconds,
        "p50": pct(latencies, 50),
        "p99": pct(latencies, 99),
        "max": latencies[-1] if latencies else float("nan"),
        "store_p50": pct(store, 50),
        "store_p99": pct(store, 99),
        "backlog": sum(part["backlog_at_end"] for part in parts),
        "drain_s": max(part["drain_s"] for part in parts),
        "left": sum(part["left"] for part in parts),
    }


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(p) - 1]


def cost_per_report(url: str, reports: int = 300) -> dict[str, float]:
    """One kiosk alone, no concurrency: wall and client CPU per report, statements sent.

    ``service`` is ``report_quantity`` as the sender calls it; ``outbox`` is the kiosk's
    local part (store the tap durably, mark it sent); ``one-trip`` is the prototype."""
    import psycopg
    from sqlalchemy import event

    db = open_database(url)
    statements = [0]

    @event.listens_for(db.engine, "before_cursor_execute")
    def _count(*_args: object) -> None:
        statements[0] += 1

    station, job = station_of(0)
    costs: dict[str, float] = {}

    def measure(name: str, one: Any) -> None:
        for _ in range(30):
            one()
        statements[0] = 0
        wall, cpu = time.perf_counter(), time.process_time()
        for _ in range(reports):
            one()
        costs[f"{name}_wall_ms"] = (time.perf_counter() - wall) * 1000 / reports
        costs[f"{name}_cpu_ms"] = (time.process_time() - cpu) * 1000 / reports
        costs[f"{name}_statements"] = statements[0] / reports

    with db.session() as session:
        measure(
            "service",
            lambda: production.report_quantity(
                session, OPERATOR, station_id=station, job_id=job, qty=1, report_id=uuid.uuid4()
            ),
        )
    folder = Path(tempfile.mkdtemp(prefix="leanops-bench-outbox-"))
    with Outbox(folder / "cost.sqlite3") as outbox:

        def store_and_mark() -> None:
            item = outbox.add_report(station_id=station, job_id=job, qty=1, operator="bench")
            outbox.next_pending()
            outbox.mark_sent(item.id)

        measure("outbox", store_and_mark)
    meta = json.dumps({"actor": OPERATOR.email, "role": "operator", "new": {"qty": 1}})
    plain = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, autocommit=True) as conn:
        measure(
            "one-trip",
            lambda: conn.execute(
                ONE_TRIP_SQL,
                {"id": uuid.uuid4(), "station": station, "job": job, "qty": 1, "meta": meta,
                 "actor": OPERATOR.email},
            ),
        )  # fmt: skip
    costs["one-trip_statements"] = 1.0
    db.dispose()
    return costs


def check_counts(url: str, expected_min: int) -> tuple[int, int]:
    """(performance_logs rows, their distinct ids): every report exactly once."""
    import psycopg

    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        row = conn.execute("SELECT count(*), count(DISTINCT id) FROM performance_logs").fetchone()
        assert row is not None
        return int(row[0]), int(row[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kiosks", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--rate", type=float, default=TARGET_RATE, help="phase 2, reports/s")
    parser.add_argument("--procs", type=int, default=2)
    parser.add_argument(
        "--phases", default="plant,target,max,service,one-trip", help="comma-separated"
    )
    args = parser.parse_args()
    from tests.pg_server import ThrowawayCluster, create_database, drop_database

    cluster = None
    server = os.environ.get("LEANOPS_TEST_DATABASE_URL")
    if not server:
        cluster = ThrowawayCluster().start()
        server = cluster.url
    load_before = os.getloadavg()
    try:
        drop_database(server, "leanops_bench_kiosk")
        url = create_database(server, "leanops_bench_kiosk")
        build_plant(url, args.kiosks)
        costs = cost_per_report(url)
        rates = {"plant": 1.0, "target": args.rate / args.kiosks, "max": 0.0}
        results = []
        context = multiprocessing.get_context("spawn")
        with context.Pool(args.procs) as pool:
            for mode in args.phases.split(","):
                per_kiosk = rates.get(mode, 0.0)
                results.append(
                    run_phase(pool, url, mode, args.kiosks, args.procs, per_kiosk, args.seconds)
                )
                print(f"  {mode}: done", flush=True)
        logs, distinct = check_counts(url, 0)
        print_report(results, costs, args, load_before, os.getloadavg(), logs, distinct)
    finally:
        if cluster is not None:
            cluster.cleanup()


def print_report(
    results: list[dict[str, Any]],
    costs: dict[str, float],
    args: argparse.Namespace,
    load_before: tuple[float, float, float],
    load_after: tuple[float, float, float],
    logs: int,
    distinct: int,
) -> None:
    print()
    print(
        f"{args.kiosks} kiosks, {args.procs} processes, {args.seconds:.0f} s per phase, "
        f"{os.cpu_count()} CPUs, load average {load_before[0]:.1f} before / "
        f"{load_after[0]:.1f} after"
    )
    print(
        f"{'phase':10} {'offered/s':>10} {'committed/s':>12} {'p50 ms':>8} {'p99 ms':>8} "
        f"{'max ms':>8} {'outbox p50/p99 ms':>18} {'backlog':>8} {'drained in':>10}"
    )
    offered = {"plant": f"{args.kiosks:.0f}", "target": f"{args.rate:.0f}"}
    for r in results:
        measured = r["store_p50"] == r["store_p50"]  # not NaN
        store = f"{r['store_p50']:.1f} / {r['store_p99']:.1f}" if measured else "-"
        drained = f"{r['drain_s']:.1f} s" if r["backlog"] else "-"
        if r["left"]:
            drained = f"{r['left']} left"
        print(
            f"{r['mode']:10} {offered.get(r['mode'], 'closed'):>10} {r['rate']:12.0f} "
            f"{r['p50']:8.1f} {r['p99']:8.1f} {r['max']:8.0f} {store:>18} {r['backlog']:8d} "
            f"{drained:>10}"
        )
    print(
        f"target: >= {TARGET_RATE:.0f} reports/s with p99 <= {TARGET_P99_MS:.0f} ms "
        "(tap -> committed, through outbox and sender)"
    )
    print(f"performance_logs: {logs} rows, {distinct} distinct ids (each report counted once)")
    print()
    print("Cost of one report, one kiosk alone (no concurrency):")
    print(f"{'':28}{'wall ms':>9}{'client CPU ms':>15}{'statements':>12}")
    for name, label in (
        ("service", "report_quantity (service)"),
        ("outbox", "outbox: store + mark sent"),
        ("one-trip", "one-statement prototype"),
    ):
        print(
            f"{label:28}{costs[name + '_wall_ms']:9.2f}{costs[name + '_cpu_ms']:15.2f}"
            f"{costs[name + '_statements']:12.1f}"
        )


if __name__ == "__main__":
    main()
