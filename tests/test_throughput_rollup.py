"""The throughput rollup is always the sum of the logs per 15-minute slot, station and job.

Checked against sums computed here in Python from the logs themselves: after single reports
through the services, a batch insert, corrections, logs without station or job, and after
the migration back-fills a database that had logs before the rollup existed. On PostgreSQL
nobody may write the rollup directly, yet an operator's report still reaches it.
"""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from typing import Any

import psycopg
import pytest
from alembic import command
from sqlalchemy import insert, inspect, select, text
from sqlalchemy.engine import make_url

from leanops_desktop.core.actor import Actor
from leanops_desktop.db import migrate
from leanops_desktop.db.engine import Database, open_database
from leanops_desktop.db.models import PerformanceLog, ThroughputRollup
from leanops_desktop.services.accounts import users
from leanops_desktop.services.floor import dispatch
from leanops_desktop.services.reporting import production
from tests.analytics_seed import add_correction, add_job, add_logs, add_stations, utc
from tests.factories import make_job, make_station

Key = tuple[datetime, str, str]
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_SLOT = timedelta(minutes=15)


def expected(db: Database) -> dict[Key, int]:
    """The logs summed per (slot start, station, job) in Python; no station/job is ''."""
    sums: Counter[Key] = Counter()
    with db.session() as session:
        for at, station_id, job_id, qty in session.execute(
            select(
                PerformanceLog.timestamp,
                PerformanceLog.station_id,
                PerformanceLog.job_id,
                PerformanceLog.qty_completed,
            )
        ):
            slot = at - (at - _EPOCH) % _SLOT
            sums[(slot, station_id or "", job_id or "")] += qty
    return dict(sums)


def rollup(db: Database) -> dict[Key, int]:
    with db.session() as session:
        return {
            (slot, station_id, job_id): units
            for slot, station_id, job_id, units in session.execute(
                select(
                    ThroughputRollup.slot_start,
                    ThroughputRollup.station_id,
                    ThroughputRollup.job_id,
                    ThroughputRollup.units,
                )
            )
        }


def insert_bare_log(db: Database, when: datetime, qty: int) -> None:
    """A log another tool wrote: no station, no job."""
    with db.session() as session, session.begin():
        session.execute(
            insert(PerformanceLog).values(
                id=uuid.uuid4(), station_id=None, job_id=None, qty_completed=qty, timestamp=when
            )
        )


def test_reports_batches_and_corrections_keep_the_rollup_exact(db: Database, admin: Actor) -> None:
    make_station(db, admin, "ST-01")
    make_station(db, admin, "ST-02")
    make_job(db, admin, "JOB-A", qty_total=1000)
    make_job(db, admin, "JOB-B", qty_total=1000)
    with db.session() as session:
        dispatch.assign_job(session, admin, "JOB-A", "ST-01")
        dispatch.assign_job(session, admin, "JOB-B", "ST-02")
    report_ids = []
    with db.session() as session:
        for number, (station, job) in enumerate([("ST-01", "JOB-A"), ("ST-02", "JOB-B")] * 3):
            report_ids.append(uuid.uuid4())
            production.report_quantity(
                session, admin, station_id=station, job_id=job, qty=number + 1,
                report_id=report_ids[-1],
            )  # fmt: skip
        # A retry of the first report counts once, in the logs and in the rollup.
        production.report_quantity(
            session, admin, station_id="ST-01", job_id="JOB-A", qty=1, report_id=report_ids[0]
        )
    assert rollup(db) == expected(db)
    assert sum(rollup(db).values()) == 21

    # A batch in one statement, across slot boundaries (08:14:59.999999 and 08:15 differ).
    base = utc(2026, 3, 10, 8)
    add_logs(
        db,
        [
            ("ST-01", "JOB-A", 2, base + timedelta(minutes=14, seconds=59, microseconds=999999)),
            ("ST-01", "JOB-A", 3, base + timedelta(minutes=15)),
            ("ST-01", "JOB-A", 4, base + timedelta(minutes=29, seconds=59)),
            ("ST-02", "JOB-A", 5, base + timedelta(minutes=15)),
            ("ST-01", "JOB-B", 6, base + timedelta(minutes=15)),
        ],
    )
    insert_bare_log(db, base + timedelta(minutes=20), 7)
    insert_bare_log(db, base + timedelta(minutes=25), 1)
    got = rollup(db)
    assert got == expected(db)
    assert got[(base, "ST-01", "JOB-A")] == 2
    assert got[(base + _SLOT, "ST-01", "JOB-A")] == 7
    assert got[(base + _SLOT, "", "")] == 8

    # Corrections (negative logs) roll up too: now, and at a past slot.
    with db.session() as session:
        production.correct_report(
            session, admin, log_id=report_ids[2], correction_id=uuid.uuid4()
        )  # took back 3 units of ST-01
    [old] = add_logs(db, [("ST-02", "JOB-B", 9, base + timedelta(minutes=50))])
    add_correction(db, old, 9, base + timedelta(minutes=55))
    got = rollup(db)
    assert got == expected(db)
    assert got[(base + 3 * _SLOT, "ST-02", "JOB-B")] == 0
    assert sum(got.values()) == 21 + 20 + 8 - 3


def _revision(db: Database, action: str, revision: str) -> None:
    with db.engine.begin() as connection:
        getattr(command, action)(migrate.alembic_config(connection), revision)


def test_the_migration_back_fills_existing_logs_and_downgrade_drops_it(
    empty_db_url: str,
) -> None:
    db = open_database(empty_db_url)
    try:
        migrate.upgrade(db, "0004")
        add_stations(db, [("A1", "Line A"), ("B1", "Line B")])
        add_job(db, "J1", 1000, date(2026, 3, 12))
        add_job(db, "J2", 1000, date(2026, 3, 12))
        ids = add_logs(
            db,
            [
                ("A1", "J1", 5, utc(2026, 3, 10, 8, 14, 59)),
                ("A1", "J1", 3, utc(2026, 3, 10, 8, 15)),
                ("A1", "J2", 2, utc(2026, 3, 10, 8, 16)),
                ("B1", "J2", 4, utc(2026, 3, 10, 23, 59, 59, 999999)),
                ("B1", "J2", 6, utc(2026, 3, 11, 0, 0)),
            ],
        )
        add_correction(db, ids[1], 3, utc(2026, 3, 10, 9, 1))
        insert_bare_log(db, utc(2026, 3, 10, 8, 1), 11)
        assert "throughput_rollup" not in inspect(db.engine).get_table_names()
        migrate.upgrade(db, "0009")  # below 0010, which cannot be undone in place
        got = rollup(db)
        assert got == expected(db)
        assert got[(utc(2026, 3, 10, 8), "", "")] == 11
        assert got[(utc(2026, 3, 10, 23, 45), "B1", "J2")] == 4
        assert got[(utc(2026, 3, 11), "B1", "J2")] == 6
        add_logs(db, [("A1", "J1", 1, utc(2026, 3, 10, 8, 5))])  # the trigger carries on
        assert rollup(db) == expected(db)

        _revision(db, "downgrade", "0004")
        assert "throughput_rollup" not in inspect(db.engine).get_table_names()
        add_logs(db, [("A1", "J1", 8, utc(2026, 3, 10, 12))])  # no trigger left behind
        _revision(db, "upgrade", "0009")
        assert rollup(db) == expected(db)
        assert sum(rollup(db).values()) == 5 + 3 + 2 + 4 + 6 - 3 + 11 + 1 + 8
    finally:
        db.dispose()


# -- PostgreSQL: who may read and write the rollup ------------------------------------------

PASSWORD = "Sentinel-Pw-4e2a"
WRITES = {
    "INSERT": "INSERT INTO throughput_rollup (slot_start, station_id, job_id, units)"
    " VALUES ('2026-03-10 08:00+00', 'ST-01', 'JOB-R', 1000) RETURNING units",
    "UPDATE": "UPDATE throughput_rollup SET units = units + 1000 RETURNING units",
    "DELETE": "DELETE FROM throughput_rollup RETURNING units",
    "TRUNCATE": "TRUNCATE throughput_rollup",
}


@pytest.fixture
def logins(db: Database, db_url: str, admin: Actor) -> dict[str, dict[str, Any]]:
    """Connection settings of one login role per group, a running job and one report."""
    tag = uuid.uuid4().hex[:8]
    emails = {role: f"{role}-{tag}@plant.test" for role in ("operator", "supervisor", "admin")}
    with db.session() as session:
        for role, email in emails.items():
            users.add_user(session, admin, email=email, role=role, password=PASSWORD)
    make_station(db, admin, "ST-01")
    make_job(db, admin, "JOB-R", qty_total=1000)
    with db.session() as session:
        dispatch.assign_job(session, admin, "JOB-R", "ST-01")
        production.report_quantity(
            session, admin, station_id="ST-01", job_id="JOB-R", qty=2, report_id=uuid.uuid4()
        )
    url = make_url(db_url)
    return {
        role: {
            "host": url.host,
            "port": url.port,
            "dbname": url.database,
            "user": email,
            "password": PASSWORD,
        }
        for role, email in emails.items()
    }


def _runs(connection: psycopg.Connection[tuple[Any, ...]], sql: str) -> bool:
    """True when the statement ran (and, for DML, touched a row); always rolled back."""
    try:
        with connection.transaction(force_rollback=True):
            cursor = connection.execute(sql)
            return cursor.description is None or bool(cursor.fetchall())
    except psycopg.Error:
        return False


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgresql"])
def test_nobody_writes_the_rollup_but_reports_reach_it(
    db: Database, logins: dict[str, dict[str, Any]]
) -> None:
    for role, settings in logins.items():
        with psycopg.connect(**settings) as connection:
            for operation, sql in WRITES.items():
                assert not _runs(connection, sql), f"{role} may {operation} the rollup"
            reads = _runs(connection, "SELECT units FROM throughput_rollup")
            assert reads == (role != "operator"), role  # analytics are for supervisors up
            assert not _runs(connection, "SELECT public.leanops_rollup_log()")
    with psycopg.connect(**logins["operator"]) as connection:  # a kiosk: through the trigger
        connection.execute("SELECT * FROM leanops_report(gen_random_uuid(), 'ST-01', 'JOB-R', 5)")
        connection.commit()
    with psycopg.connect(**logins["supervisor"]) as connection:
        total = connection.execute("SELECT sum(units) FROM throughput_rollup").fetchone()
    assert total == (7,)
    assert rollup(db) == expected(db)
    with db.engine.connect() as connection:
        definer, config = connection.execute(
            text("SELECT prosecdef, proconfig FROM pg_proc WHERE proname = 'leanops_rollup_log'")
        ).one()
    assert definer and config == ["search_path=pg_catalog, public, pg_temp"]
