"""Importing 10,000 jobs from a CSV file, on SQLite and PostgreSQL (target: at most 5 s).

Run: ``python bench/job_import.py [--rows 10000] [--baseline 500]``. On PostgreSQL it starts
a throwaway cluster (or uses ``LEANOPS_TEST_DATABASE_URL``) and imports as a real supervisor
login, through the planning functions, as a plant would. Printed per backend:

* reading and checking the file (no database);
* the first import (every row a new job, with its event), in one transaction;
* the same file again (nothing changes, nothing is written);
* a file that changes every job's quantity (every row an update, with its event);
* that file with an ideal cycle time column (every job's ideal set, with its event);
* the baseline: one ``create_job`` call per row (its own transaction each), timed on
  ``--baseline`` rows and scaled to the file's rows.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy.engine import make_url

from leanops_desktop.core.actor import Actor
from leanops_desktop.core.enums import Role
from leanops_desktop.db import migrate
from leanops_desktop.db.engine import Database, open_database
from leanops_desktop.services.accounts import pg_auth, users
from leanops_desktop.services.floor import jobs
from leanops_desktop.services.job_import.prepare import prepare_import
from leanops_desktop.services.job_import.upsert import ImportReport, import_jobs
from tests.job_files import order_book, write_csv
from tests.pg_server import ThrowawayCluster, create_database, drop_database

TARGET_SECONDS = 5.0
SUPERVISOR = Actor(email="bench.supervisor@plant.test", role=Role.SUPERVISOR)
PASSWORD = "Bench-Import-Pw-4d1e"


def timed(work: Callable[[], object]) -> tuple[float, object]:
    started = time.perf_counter()
    result = work()
    return time.perf_counter() - started, result


def run_backend(
    name: str, db: Database, actor: Actor, folder: Path, rows: int, baseline: int
) -> list[str]:
    book = order_book(rows)
    first_file = write_csv(folder / f"{name}-book.csv", book)
    changed = [
        book[0],
        *[[*row[:2], f"{int(str(row[2]).replace(',', '')) + 1}", *row[3:]] for row in book[1:]],
    ]
    changed_file = write_csv(folder / f"{name}-changed.csv", changed)
    cycles = [[*changed[0], "cycle time"], *[[*row, "12.5"] for row in changed[1:]]]
    cycles_file = write_csv(folder / f"{name}-cycles.csv", cycles)

    def import_file(path: Path) -> ImportReport:
        plan = prepare_import(path).plan
        with db.session() as session:
            return import_jobs(session, actor, plan)

    read_s, _ = timed(lambda: prepare_import(first_file))
    first_s, first = timed(lambda: import_file(first_file))
    again_s, again = timed(lambda: import_file(first_file))
    update_s, update = timed(lambda: import_file(changed_file))
    cycles_s, with_cycles = timed(lambda: import_file(cycles_file))
    assert isinstance(first, ImportReport) and len(first.created) == rows, first
    assert isinstance(again, ImportReport) and len(again.unchanged) == rows, again
    assert isinstance(update, ImportReport) and len(update.updated) == rows, update
    assert isinstance(with_cycles, ImportReport), with_cycles
    assert len(with_cycles.ideal_cycles_set) == rows, with_cycles.summary()

    def one_by_one() -> None:
        with db.session() as session:
            for number in range(baseline):
                jobs.create_job(
                    session,
                    actor,
                    job_id=f"BASE-{number}",
                    part_name="Bracket",
                    qty_total=100,
                    due_date=date(2027, 1, 4),
                )

    base_s, _ = timed(one_by_one)
    scaled = base_s / baseline * rows

    def line(label: str, seconds: float, target: bool = True) -> str:
        verdict = ("ok" if seconds <= TARGET_SECONDS else "OVER") if target else ""
        return f"{name:10} {label:52} {seconds:8.2f} s  {rows / seconds:9,.0f} rows/s  {verdict}"

    return [
        line("read and check the file (no database)", read_s, False),
        line(f"first import: {rows:,} new jobs + events (now)", first_s),
        line("the same file again: nothing written", again_s),
        line(f"every job's quantity changed: {rows:,} updates + events", update_s),
        line(f"every job's ideal cycle time set: {rows:,} + events", cycles_s),
        line(f"one create_job per row (before; {baseline} rows, scaled)", scaled, False),
    ]


def sqlite_figures(folder: Path, rows: int, baseline: int) -> list[str]:
    db = open_database(f"sqlite:///{folder / 'bench.db'}")
    try:
        migrate.upgrade(db)
        return run_backend("sqlite", db, SUPERVISOR, folder, rows, baseline)
    finally:
        db.dispose()


def postgresql_figures(folder: Path, rows: int, baseline: int) -> list[str]:
    server = os.environ.get("LEANOPS_TEST_DATABASE_URL")
    cluster = None
    if not server:
        cluster = ThrowawayCluster().start()
        server = cluster.url
    name = f"bench_import_{uuid.uuid4().hex[:8]}"
    try:
        url = create_database(server, name)
        it = open_database(url)
        try:
            migrate.upgrade(it)
            email = f"bench-{uuid.uuid4().hex[:6]}@plant.test"
            with it.session() as session:
                users.add_user(
                    session, Actor.system(), email=email, role="supervisor", password=PASSWORD
                )
            signed = pg_auth.sign_in_postgres(make_url(url), email, PASSWORD)
            try:
                return run_backend("postgresql", signed.db, signed.actor, folder, rows, baseline)
            finally:
                signed.db.dispose()
        finally:
            it.dispose()
            drop_database(server, name)
    finally:
        if cluster is not None:
            cluster.cleanup()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--baseline", type=int, default=500, help="rows timed one by one")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        lines = sqlite_figures(Path(folder), args.rows, args.baseline)
        lines += postgresql_figures(Path(folder), args.rows, args.baseline)
    print(f"job import, {args.rows:,} rows (target: each import at most {TARGET_SECONDS:.0f} s)")
    for line in lines:
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
