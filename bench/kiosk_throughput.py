"""Bench: 50 kiosks reporting to one PostgreSQL, from tap to committed.

Each simulated kiosk is the real path: a tap stores the report in its own outbox file
(SQLite, ``synchronous=FULL``: one fsync per tap), wakes its own send loop
(``services.reporting.report_sender``), which sends the pending reports (one, or up to
``--batch`` in a row, in one round trip through ``leanops_report`` /
``leanops_report_batch``) and marks them in the outbox. Latency is measured from the tap
(before the outbox write) to the moment the sender has the server's reply (committed).
Kiosks sign in as a real operator login (grants, row-level security and the event-actor
trigger do their work) and run as threads, spread over ``--procs`` processes (the GIL),
each kiosk on its own station and job. The clock is ``time.monotonic()``. Before the clock
starts each kiosk sends one report that is not measured: a server session compiles the
report functions and triggers on its first report (tens of ms, once per sign-in), and 50 of
those at once on two cores would otherwise dominate the first second of every phase.

Phases (``--seconds`` each):

1. ``plant``: every kiosk taps once a second (a plant of 50 stations needs about that);
2. ``target``: the issue's target rate, ``--rate`` reports per second in total (1,000), or
   each rate of ``--rates`` in turn (``--rates 250,500,750,1000``: how the full path's
   latency grows as the machine fills up);
3. ``max``: closed loop, every kiosk taps again as soon as its last report is committed;
4. ``service``: closed loop straight into ``report_quantity`` (no outbox, no send loop), to
   separate the service's cost from the outbox's;
5. ``raw``: closed loop calling the ``leanops_report`` function with bare psycopg (no
   SQLAlchemy, no outbox): what the server and the driver alone allow;
6. ``wire``: the target rate again, each kiosk sending exactly the statement its sender
   sends for a report, on its own connection, with none of the kiosk's own work (outbox,
   send loop) around it: the server's side of the target. In a plant that work runs on
   each kiosk's own PC; here it shares the two cores with the server.

For each phase: client CPU (the bench's processes), server CPU (the cluster's processes;
only for the cluster started here) per committed report, and how busy the whole machine
was (others' work included). ``--profile PHASE`` prints a cProfile of every thread of the
first worker process for that phase (cProfile slows Python down: rates drop meanwhile).

Targets (issue 6): >= 1,000 reports/s aggregate with p99 <= 50 ms tap -> committed.
PostgreSQL comes from ``LEANOPS_TEST_DATABASE_URL`` (a superuser URL) or a throwaway cluster
started here (tests/pg_server.py).

Kiosk identity (``--identity``, default ``device``; ``bench/kiosk_identity.py``): the
phases run with the kiosks as enrolled devices, each its own login bound to its station
with the tapping operator signed in by PIN, or as one operator's login. Then the phases of
``--compare-phases`` (default ``target,max``) run as both, operator login first (before)
and device (after), and a table compares reports/s and client and server CPU per report.

    python bench/kiosk_throughput.py [--kiosks 50] [--seconds 8] [--rate 1000] [--procs 2]
        [--identity device|operator-login] [--compare-phases target,max]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.kiosk_cpu import ServerCpu, machine_busy, machine_ticks
from bench.kiosk_identity import DEVICE_PHASES, IDENTITIES, enrol_devices, print_identities
from bench.kiosk_phases import OPERATOR, RAW_SQL, TAPPER, station_of, wait_until, worker
from bench.kiosk_report import TARGET_RATE, print_report
from leanops_desktop.core.actor import Actor
from leanops_desktop.core.enums import Role
from leanops_desktop.db import migrate
from leanops_desktop.db.engine import open_database
from leanops_desktop.db.outbox import Outbox
from leanops_desktop.services.accounts import users
from leanops_desktop.services.floor import dispatch, jobs, stations
from leanops_desktop.services.reporting import production

ADMIN = Actor(email="bench.admin@leanops.test", role=Role.ADMIN)
PASSWORD = "Bench-Operator-Pw-6"


def login_url(url: str, as_operator: bool) -> str:
    """The URL kiosks use: the operator's own login, or the superuser's (``--as-superuser``)."""
    if not as_operator:
        return url
    from sqlalchemy.engine import make_url

    return (
        make_url(url)
        .set(username=OPERATOR.email, password=PASSWORD)
        .render_as_string(hide_password=False)
    )


# -- the parent: plant, phases, report ---------------------------------------------------------


def build_plant(url: str, kiosks: int) -> None:
    """Stations, jobs and assignments, and the operator login the kiosks sign in with."""
    db = open_database(url)
    try:
        migrate.upgrade(db)
        with db.session() as session:
            for user in (OPERATOR, TAPPER):
                users.add_user(session, ADMIN, email=user.email, role=user.role, password=PASSWORD)
        for index in range(kiosks):
            station, job = station_of(index)
            with db.session() as session:
                stations.create_station(
                    session, ADMIN, station_id=station, name=f"Bench {station}", line="Bench"
                )
            with db.session() as session:
                jobs.create_job(
                    session,
                    ADMIN,
                    job_id=job,
                    part_name="Bench part",
                    qty_total=10_000_000,
                    due_date="2099-12-31",
                    priority="normal",
                )
            with db.session() as session:
                dispatch.assign_job(session, ADMIN, job, station)
    finally:
        db.dispose()


def offered_rate(mode: str, args: argparse.Namespace, rate: float) -> float:
    """Reports per second offered in total by a phase (0: closed loop)."""
    return {"plant": float(args.kiosks), "target": rate, "wire": rate}.get(mode, 0.0)


def run_phase(
    pool: Any, mode: str, args: argparse.Namespace, base: dict[str, Any], rate: float
) -> dict[str, Any]:
    """One phase over all kiosks; rates, latencies and where the CPU went."""
    start = time.monotonic() + 6.0  # room for the workers to sign in and warm up
    seconds = args.seconds
    offered = offered_rate(mode, args, rate)
    per_kiosk = offered / args.kiosks
    groups = [list(range(args.kiosks))[p :: args.procs] for p in range(args.procs)]
    jobs_ = [
        {**base, "mode": mode, "indexes": group, "rate": per_kiosk, "start": start,
         "seconds": seconds, "profile": mode == args.profile and position == 0}
        for position, group in enumerate(groups)
    ]  # fmt: skip
    server: ServerCpu = base["server_cpu"]
    samples: dict[str, Any] = {}

    def sample() -> None:
        wait_until(start)
        before, machine = server.snapshot(), machine_ticks()
        wait_until(start + seconds)
        samples["server"] = server.delta(before, server.snapshot())
        samples["machine"] = machine_busy(machine, machine_ticks())

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    jobs_ = [{key: value for key, value in job.items() if key != "server_cpu"} for job in jobs_]
    parts = pool.map(worker, jobs_)
    sampler.join()
    latencies = sorted(lat for part in parts for lat in part["latencies"])
    store = sorted(ms for part in parts for ms in part["store_ms"])
    committed = sum(part["committed_in_window"] for part in parts)
    for part in parts:
        if part.get("profile"):
            print(f"\n-- cProfile, phase {mode}, worker 0 (all its threads) --\n{part['profile']}")
    return {
        "mode": mode,
        "offered": offered,
        "taps": sum(part["taps"] for part in parts),
        "rate": committed / seconds,
        "p50": pct(latencies, 50),
        "p99": pct(latencies, 99),
        "max": latencies[-1] if latencies else float("nan"),
        "store_p50": pct(store, 50),
        "store_p99": pct(store, 99),
        "backlog": sum(part["backlog_at_end"] for part in parts),
        "drain_s": max(part["drain_s"] for part in parts),
        "left": sum(part["left"] for part in parts),
        "client_ms": 1000 * sum(part["cpu_s"] for part in parts) / max(committed, 1),
        "server_ms": 1000 * samples["server"] / max(committed, 1),
        "busy": samples["machine"],
        "late": any(part["late"] for part in parts),
    }


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(p) - 1]


def cost_per_report(url: str, reports: int = 300) -> dict[str, float]:
    """One kiosk alone, no concurrency: wall and client CPU per report, statements sent.

    ``service`` is ``report_quantity``; ``batch`` is ``report_quantities`` with 20 reports
    (per report); ``outbox`` is the kiosk's local part (store the tap durably, read it back
    as a batch of one, mark it sent); ``raw`` the function called with bare psycopg."""
    import psycopg
    from sqlalchemy import event

    from leanops_desktop.services.reporting.report_request import ReportRequest

    db = open_database(url)
    statements = [0]

    @event.listens_for(db.engine, "before_cursor_execute")
    def _count(*_args: object) -> None:
        statements[0] += 1

    station, job = station_of(0)
    costs: dict[str, float] = {}

    def measure(name: str, one: Any, per_call: int = 1) -> None:
        for _ in range(30):
            one()
        statements[0] = 0
        calls = max(reports // per_call, 10)
        wall, cpu = time.perf_counter(), time.process_time()
        for _ in range(calls):
            one()
        done = calls * per_call
        costs[f"{name}_wall_ms"] = (time.perf_counter() - wall) * 1000 / done
        costs[f"{name}_cpu_ms"] = (time.process_time() - cpu) * 1000 / done
        costs[f"{name}_statements"] = statements[0] / done

    def one_report(session: Any) -> None:
        production.report_quantity(
            session, OPERATOR, station_id=station, job_id=job, qty=1, report_id=uuid.uuid4()
        )

    def twenty(session: Any) -> None:
        requests = [ReportRequest(station, job, 1, uuid.uuid4()) for _ in range(20)]
        production.report_quantities(session, OPERATOR, requests)

    with db.session() as session:
        measure("service", lambda: one_report(session))
        measure("batch", lambda: twenty(session), per_call=20)
    folder = Path(tempfile.mkdtemp(prefix="leanops-bench-outbox-"))
    with Outbox(folder / "cost.sqlite3") as outbox:

        def store_and_mark() -> None:
            item = outbox.add_report(station_id=station, job_id=job, qty=1, operator=TAPPER.email)
            outbox.next_batch(50)
            outbox.record_outcomes([item.id])

        measure("outbox", store_and_mark)
    shutil.rmtree(folder, ignore_errors=True)
    plain = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, autocommit=True) as conn:
        measure(
            "raw",
            lambda: conn.execute(
                RAW_SQL, (uuid.uuid4(), station, job, 1, OPERATOR.email, "operator")
            ),
        )
    costs["raw_statements"] = 1.0
    db.dispose()
    return costs


def check_counts(url: str) -> tuple[int, int, int]:
    """(performance_logs rows, their distinct ids, qty_reported events): each report once."""
    import psycopg

    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        row = conn.execute(
            "SELECT count(*), count(DISTINCT id), (SELECT count(*) FROM events_log"
            " WHERE event_type = 'qty_reported') FROM performance_logs"
        ).fetchone()
        assert row is not None
        return int(row[0]), int(row[1]), int(row[2])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kiosks", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--rate", type=float, default=TARGET_RATE, help="phase 2, reports/s")
    parser.add_argument(
        "--rates",
        default="",
        help="run phase 2 at each of these total rates (comma-separated) instead of --rate:"
        " where the full path meets the p99 target on this machine",
    )
    parser.add_argument("--procs", type=int, default=2)
    parser.add_argument("--batch", type=int, default=50, help="reports per trip (sender)")
    parser.add_argument("--switch-interval", type=float, default=0.0, help="sys.setswitchinterval")
    parser.add_argument("--as-superuser", action="store_true", help="kiosks sign in as postgres")
    parser.add_argument(
        "--durable",
        action="store_true",
        help="server with fsync and synchronous_commit on, as in a plant (default: test settings)",
    )
    parser.add_argument(
        "--identity",
        choices=IDENTITIES,
        default="device",
        help="the kiosks connect as enrolled devices (default) or as an operator's login",
    )
    parser.add_argument(
        "--compare-phases",
        default="target,max",
        help="phases run as both identities, operator login then device (empty: none)",
    )
    parser.add_argument("--profile", default="", help="cProfile worker 0 in this phase")
    parser.add_argument(
        "--phases", default="plant,target,max,service,raw,wire", help="comma-separated"
    )
    args = parser.parse_args()
    from tests.pg_server import ThrowawayCluster, create_database, drop_database

    cluster = None
    server = os.environ.get("LEANOPS_TEST_DATABASE_URL")
    if not server:
        cluster = ThrowawayCluster(durable=args.durable).start()
        server = cluster.url
    load_before = os.getloadavg()
    try:
        drop_database(server, "leanops_bench_kiosk")
        url = create_database(server, "leanops_bench_kiosk")
        build_plant(url, args.kiosks)
        kiosk_url = login_url(url, not args.as_superuser)
        costs = cost_per_report(kiosk_url)
        devices = enrol_devices(url, ADMIN, args.kiosks)
        base = {
            "login_url": kiosk_url,
            "devices": devices if args.identity == "device" else None,
            "batch": args.batch,
            "switch_interval": args.switch_interval,
            "server_cpu": ServerCpu(cluster.data_dir if cluster is not None else None),
        }
        results, compared = [], []
        context = multiprocessing.get_context("spawn")
        with context.Pool(args.procs) as pool:
            # Every worker started (and imported everything) before any phase sets its clock.
            pool.map(time.sleep, [1.0] * args.procs, chunksize=1)
            for mode in [m for m in args.phases.split(",") if m]:
                if args.identity == "device" and mode not in DEVICE_PHASES:
                    print(f"  {mode}: skipped (it calls the operator's functions directly)")
                    continue
                rates = (
                    ([float(rate) for rate in args.rates.split(",")] if args.rates else [args.rate])
                    if mode == "target"
                    else []
                )
                for rate in rates or [args.rate]:
                    results.append(run_phase(pool, mode, args, base, rate))
                    print(f"  {mode}: done", flush=True)
            for identity in IDENTITIES:
                as_identity = {**base, "devices": devices if identity == "device" else None}
                for mode in [m for m in args.compare_phases.split(",") if m]:
                    result = run_phase(pool, mode, args, as_identity, args.rate)
                    compared.append({**result, "identity": identity})
                    print(f"  {mode} as {identity}: done", flush=True)
        counts = check_counts(url)
        print_report(results, costs, args, load_before, os.getloadavg(), counts)
        print_identities(compared)
    finally:
        if cluster is not None:
            cluster.cleanup()


if __name__ == "__main__":
    main()
