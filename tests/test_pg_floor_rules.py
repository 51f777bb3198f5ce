"""Operators' floor writes on PostgreSQL go only through the functions of migration 0008,
which refuse whatever the services refuse (raw SQL as a real login, no table grants)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import psycopg
import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

from leanops_desktop.core.actor import Actor
from leanops_desktop.core.enums import JobStatus, StationStatus
from leanops_desktop.core.errors import RuleViolation, ValidationError
from leanops_desktop.core.rows import ReportResult
from leanops_desktop.db.engine import Database
from leanops_desktop.db.models import EventLog
from leanops_desktop.services.accounts import auth, users
from leanops_desktop.services.floor import dispatch, stations
from leanops_desktop.services.reads import queries
from leanops_desktop.services.reporting import production
from leanops_desktop.services.reporting.report_request import ReportRequest
from tests.factories import make_job, make_station
from tests.pg_clients import REVOKE_DIRECT_WRITES, connect_as, counts_off_their_logs
from tests.pg_server import admin_connect

pytestmark = [pytest.mark.postgres, pytest.mark.parametrize("backend", ["postgresql"])]

PASSWORD = "Floor-Rules-Pw-0008"
FUNCTIONS = (
    "leanops_report",
    "leanops_report_batch",
    "leanops_correct_report",
    "leanops_block_station",
    "leanops_unblock_station",
    "leanops_complete_job",
)
OLD_LOG = uuid.UUID("00000000-0000-4000-8000-00000000000a")
FRESH_LOG = uuid.UUID("00000000-0000-4000-8000-00000000000b")
TAKEN_BACK = uuid.UUID("00000000-0000-4000-8000-00000000000c")
CORRECTION = uuid.UUID("00000000-0000-4000-8000-00000000000d")


@dataclass(frozen=True)
class Plant:
    url: str  # the superuser's (IT's) URL
    emails: dict[str, str]  # operator, supervisor, admin, tapper, gone, outsider

    def connect(self, who: str) -> psycopg.Connection[tuple[Any, ...]]:
        return connect_as(self.url, self.emails[who], PASSWORD)

    def it(self) -> psycopg.Connection[tuple[Any, ...]]:
        plain = make_url(self.url).render_as_string(hide_password=False)
        return psycopg.connect(plain.replace("+psycopg", ""), autocommit=True)


@pytest.fixture
def plant(db: Database, db_url: str, pg_server_url: str, admin: Actor) -> Iterator[Plant]:
    """ST-01 runs JOB-R (10 units; a fresh report, one taken back, one 20 minutes old),
    ST-02 is idle, ST-03 out of use, ST-04 blocked; JOB-W waits, JOB-C is completed. The
    three groups then lose every direct write on the tables, as migration 0010 does."""
    tag = uuid.uuid4().hex[:8]
    roles = ("operator", "supervisor", "admin", "tapper", "gone")
    emails = {who: f"{who}-{tag}@plant.test" for who in roles}
    emails["outsider"] = f"outsider-{tag}"
    with db.session() as session:
        for who in roles:
            role = who if who in ("operator", "supervisor", "admin") else "operator"
            users.add_user(session, admin, email=emails[who], role=role, password=PASSWORD)
        users.set_active(session, admin, emails["gone"], False)
    for station_id in ("ST-01", "ST-02", "ST-03", "ST-04"):
        make_station(db, admin, station_id)
    for job_id in ("JOB-R", "JOB-W", "JOB-C"):
        make_job(db, admin, job_id, qty_total=10)
    with db.session() as session:
        stations.set_station_active(session, admin, "ST-03", False)
        stations.block_station(session, admin, "ST-04", "tooling")
        dispatch.assign_job(session, admin, "JOB-C", "ST-02")
        dispatch.complete_job(session, admin, "JOB-C")
        dispatch.assign_job(session, admin, "JOB-R", "ST-01")
        for log_id in (FRESH_LOG, TAKEN_BACK):
            production.report_quantity(
                session, admin, station_id="ST-01", job_id="JOB-R", qty=2, report_id=log_id
            )
        production.correct_report(session, admin, log_id=TAKEN_BACK, correction_id=CORRECTION)
    with admin_connect(pg_server_url) as conn:
        conn.execute(f"CREATE ROLE \"{emails['outsider']}\" LOGIN PASSWORD '{PASSWORD}'")
        conn.commit()
    current = Plant(url=db_url, emails=emails)
    with current.it() as conn:
        conn.execute(
            "INSERT INTO performance_logs (id, station_id, job_id, qty_completed, timestamp)"
            " VALUES (%s, 'ST-01', 'JOB-R', 1, now() - interval '20 minutes')",
            (OLD_LOG,),
        )
        conn.execute(REVOKE_DIRECT_WRITES)
    yield current
    with admin_connect(pg_server_url) as conn:
        conn.execute(f'DROP ROLE IF EXISTS "{emails["outsider"]}"')
        conn.commit()


def state(plant: Plant) -> tuple[Any, ...]:
    """Everything a floor write changes, read as IT."""
    with plant.it() as conn:
        return tuple(
            conn.execute(sql).fetchall()
            for sql in (
                "SELECT id, station_id, job_id, qty_completed, corrects_id FROM performance_logs"
                " ORDER BY id",
                "SELECT count(*) FROM events_log",
                "SELECT id, status, blocked_reason, is_active FROM stations ORDER BY id",
                "SELECT id, status, qty_reported FROM jobs ORDER BY id",
                "SELECT id, station_id, job_id, qty_done FROM station_assignments ORDER BY id",
            )
        )


def assert_counts_are_the_sums_of_the_logs(plant: Plant) -> None:
    with plant.it() as conn:
        assert counts_off_their_logs(conn) == []


def test_the_groups_hold_no_direct_writes_and_the_operator_works_anyway(plant: Plant) -> None:
    """Every floor action of an operator login, through the services, with no table grants."""
    with plant.connect("operator") as conn:
        for sql in (
            "INSERT INTO performance_logs (id, station_id, job_id, qty_completed)"
            " VALUES (gen_random_uuid(), 'ST-01', 'JOB-R', 1)",
            "INSERT INTO events_log (id, event_type, meta) VALUES (gen_random_uuid(), 'x', '{}')",
            "UPDATE stations SET status = 'idle', blocked_reason = NULL WHERE id = 'ST-04'",
            "UPDATE jobs SET status = 'completed' WHERE id = 'JOB-R'",
            "DELETE FROM station_assignments",
        ):
            with pytest.raises(psycopg.Error) as refused:
                conn.execute(sql)
            assert refused.value.sqlstate == "42501", sql
    signed = auth.sign_in(plant.url, plant.emails["operator"], PASSWORD)
    me = signed.actor
    try:
        with signed.db.session() as session:
            first = production.report_quantity(
                session, me, station_id="ST-01", job_id="JOB-R", qty=2, report_id=uuid.uuid4()
            )
            late = production.report_quantities(
                session,
                me,
                [
                    ReportRequest(
                        "ST-01", "JOB-R", 1, uuid.uuid4(), reported_by=plant.emails["tapper"]
                    ),
                    ReportRequest("ST-01", "JOB-R", 1, uuid.uuid4(), reported_by="boss@x.test"),
                ],
            )
            undone = production.correct_report(
                session, me, log_id=first.log_id, correction_id=uuid.uuid4()
            )
            with pytest.raises(RuleViolation, match="more than 15 minutes ago"):
                production.correct_report(session, me, log_id=OLD_LOG, correction_id=uuid.uuid4())
            blocked = stations.block_station(session, me, "ST-01", "  jammed feeder ")
            resumed = stations.unblock_station(session, me, "ST-01")
            done = dispatch.complete_job(session, me, "JOB-R", station_id="ST-01")
            assert queries.get_station(session, "ST-01").status == StationStatus.IDLE
            events = session.execute(
                select(EventLog.event_type, EventLog.actor, EventLog.meta).order_by(
                    EventLog.timestamp
                )
            ).all()[-6:]
    finally:
        signed.db.dispose()
    assert first.counted and (first.assignment_qty_done, first.job_qty_done) == (5, 5)
    assert isinstance(late[0], ReportResult) and late[0].job_qty_done == 6
    assert isinstance(late[1], ValidationError) and late[1].field == "reported by"
    assert undone.counted and undone.job_qty_done == 4
    assert (blocked.status, blocked.blocked_reason) == (StationStatus.BLOCKED, "jammed feeder")
    assert blocked.blocked_since is not None and blocked.job_due_date is not None  # (the tile)
    assert resumed.blocked_since is None
    assert resumed.status == StationStatus.RUNNING
    assert done.status == JobStatus.COMPLETED and done.station_ids == ()
    assert [event_type for event_type, _actor, _meta in events] == [
        "qty_reported",
        "qty_reported",
        "qty_corrected",
        "station_blocked",
        "station_unblocked",
        "job_completed",
    ]
    for _type, actor, meta in events:
        assert actor == me.email and (meta["actor"], meta["role"]) == (me.email, "operator")
    assert events[1][2]["reported_by"] == plant.emails["tapper"]
    assert events[2][2]["corrects_id"] == str(first.log_id)
    assert events[5][2]["old"] == {"job_status": "running", "stations": ["ST-01"]}
    assert (events[5][2]["qty_done"], events[5][2]["short_by"]) == (4, 6)
    assert_counts_are_the_sums_of_the_logs(plant)


REPORT = "SELECT * FROM leanops_report(gen_random_uuid(), %s, %s, %s, %s, %s, NULL, %s)"
CORRECT = "SELECT * FROM leanops_correct_report(%s, %s, NULL, %s)"
BLOCK = "SELECT leanops_block_station(%s, %s, NULL, %s)"
UNBLOCK = "SELECT leanops_unblock_station(%s, NULL, %s)"
COMPLETE = "SELECT leanops_complete_job(%s, %s, NULL, %s)"
NEW = uuid.UUID("00000000-0000-4000-8000-0000000000ff")

# (case, who, SQL, parameters, SQLSTATE). ``who`` is the login; the claimed role (the last
# parameter) is 'admin' where a claim could matter: the database ignores it for a login.
ATTACKS: list[tuple[str, str, str, tuple[Any, ...], str]] = [
    (
        "report: not running there",
        "operator",
        REPORT,
        ("ST-02", "JOB-R", 1, False, None, "admin"),
        "LR003",
    ),
    ("report: waiting job", "operator", REPORT, ("ST-01", "JOB-W", 1, False, None, None), "LR003"),
    ("report: completed job", "operator", REPORT, ("ST-02", "JOB-C", 1, True, None, None), "LR003"),
    (
        "report: unknown station",
        "operator",
        REPORT,
        ("ST-99", "JOB-R", 1, False, None, None),
        "LR002",
    ),
    (
        "report: huge station id",
        "operator",
        REPORT,
        ("S" * 100_000, "JOB-R", 1, False, None, None),
        "LR002",
    ),
    ("report: unknown job", "operator", REPORT, ("ST-01", "JOB-X", 1, False, None, None), "LR002"),
    ("report: qty 0", "operator", REPORT, ("ST-01", "JOB-R", 0, False, None, None), "LR001"),
    ("report: negative qty", "operator", REPORT, ("ST-01", "JOB-R", -5, True, None, None), "LR001"),
    (
        "report: qty above the max",
        "operator",
        REPORT,
        ("ST-01", "JOB-R", 100_001, True, None, None),
        "LR001",
    ),
    (
        "report: over total unconfirmed",
        "operator",
        REPORT,
        ("ST-01", "JOB-R", 8, False, None, "admin"),
        "LR004",
    ),
    (
        "report: reported_by forged",
        "operator",
        REPORT,
        ("ST-01", "JOB-R", 1, False, "boss@plant.test", None),
        "LR001",
    ),
    (
        "report: reported_by free text",
        "operator",
        REPORT,
        ("ST-01", "JOB-R", 1, False, "anyone", None),
        "LR001",
    ),
    (
        "report: reported_by huge",
        "operator",
        REPORT,
        ("ST-01", "JOB-R", 1, False, "b" * 10_000, None),
        "LR001",
    ),
    ("correct: unknown log", "operator", CORRECT, (uuid.uuid4(), NEW, None), "LR002"),
    ("correct: a correction", "operator", CORRECT, (CORRECTION, NEW, None), "LR003"),
    ("correct: already taken back", "operator", CORRECT, (TAKEN_BACK, NEW, None), "LR003"),
    ("correct: outside the window", "operator", CORRECT, (OLD_LOG, NEW, "admin"), "LR003"),
    ("correct: id of another report", "operator", CORRECT, (FRESH_LOG, TAKEN_BACK, None), "LR001"),
    ("correct: no id", "operator", CORRECT, (FRESH_LOG, None, None), "LR001"),
    ("block: no reason", "operator", BLOCK, ("ST-01", None, None), "LR001"),
    ("block: empty reason", "operator", BLOCK, ("ST-01", "", None), "LR001"),
    ("block: blank reason", "operator", BLOCK, ("ST-01", " \t\u00a0\u3000 ", None), "LR001"),
    ("block: reason too long", "operator", BLOCK, ("ST-01", "r" * 501, None), "LR001"),
    ("block: control characters", "operator", BLOCK, ("ST-01", "bad\x07bell", None), "LR001"),
    ("block: inactive station", "operator", BLOCK, ("ST-03", "qa", None), "LR003"),
    ("block: already blocked", "operator", BLOCK, ("ST-04", "qa", None), "LR003"),
    ("block: unknown station", "operator", BLOCK, ("ST-99", "qa", None), "LR002"),
    ("unblock: not blocked", "operator", UNBLOCK, ("ST-01", None), "LR003"),
    ("unblock: unknown station", "operator", UNBLOCK, ("ST-99", None), "LR002"),
    ("complete: not running there", "operator", COMPLETE, ("JOB-R", "ST-02", None), "LR003"),
    ("complete: a waiting job", "operator", COMPLETE, ("JOB-W", "ST-01", None), "LR003"),
    ("complete: already completed", "supervisor", COMPLETE, ("JOB-C", None, None), "LR003"),
    ("complete: unknown job", "operator", COMPLETE, ("JOB-X", "ST-01", None), "LR002"),
    ("complete: operator, no station", "operator", COMPLETE, ("JOB-R", None, "admin"), "LR003"),
    ("outsider: report", "outsider", REPORT, ("ST-01", "JOB-R", 1, False, None, "admin"), "42501"),
    ("outsider: correct", "outsider", CORRECT, (FRESH_LOG, NEW, "admin"), "42501"),
    ("outsider: block", "outsider", BLOCK, ("ST-01", "qa", "admin"), "42501"),
    ("outsider: unblock", "outsider", UNBLOCK, ("ST-04", "admin"), "42501"),
    ("outsider: complete", "outsider", COMPLETE, ("JOB-R", None, "admin"), "42501"),
]


def test_every_refusal_of_the_services_is_refused_in_sql_and_writes_nothing(plant: Plant) -> None:
    before = state(plant)
    assert_counts_are_the_sums_of_the_logs(plant)
    for case, who, sql, params, sqlstate in ATTACKS:
        with plant.connect(who) as conn, pytest.raises(psycopg.Error) as refused:
            conn.execute(sql, params)
        assert refused.value.sqlstate == sqlstate, (case, refused.value)
        assert state(plant) == before, case
        assert_counts_are_the_sums_of_the_logs(plant)


def test_the_batch_refuses_each_forged_report_in_place(plant: Plant) -> None:
    before = state(plant)
    with plant.connect("operator") as conn:
        rows = conn.execute(
            "SELECT item, code, counted FROM leanops_report_batch(%s, %s, %s, %s, %s, %s)",
            (
                [uuid.uuid4() for _ in range(4)],
                ["ST-01", "ST-02", "ST-01", "ST-01"],
                ["JOB-R"] * 4,
                [1, 1, 1, 1],
                [False] * 4,
                [plant.emails["gone"], None, "nobody@plant.test", plant.emails["tapper"]],
            ),
        ).fetchall()
    assert rows == [
        (1, "LR001", False),
        (2, "LR003", False),
        (3, "LR001", False),
        (4, "00000", True),
    ]
    after = state(plant)
    assert len(after[0]) == len(before[0]) + 1 and after[1][0][0] == before[1][0][0] + 1
    assert_counts_are_the_sums_of_the_logs(plant)


def test_supervisors_take_back_old_reports_and_complete_from_anywhere(plant: Plant) -> None:
    with plant.connect("supervisor") as conn:
        row = conn.execute(CORRECT, (OLD_LOG, NEW, "operator")).fetchone()  # claim ignored
        again = conn.execute(CORRECT, (OLD_LOG, NEW, None)).fetchone()  # the same, once
        conn.execute(COMPLETE, ("JOB-W", None, None))  # a waiting job, from the office
    assert row == (True, 2, 2) and again == (False, 2, 2)
    with plant.it() as conn:
        statuses = dict(conn.execute("SELECT id, status FROM jobs").fetchall())
        kinds = [r[0] for r in conn.execute("SELECT event_type FROM events_log").fetchall()]
    assert statuses["JOB-W"] == "completed"
    assert kinds.count("qty_corrected") == 2 and kinds.count("job_completed") == 2
    assert_counts_are_the_sums_of_the_logs(plant)


def test_the_functions_are_definers_locked_down_and_name_no_role(plant: Plant) -> None:
    with plant.it() as conn:
        rows = conn.execute(
            "SELECT p.proname, p.prosecdef, p.proconfig,"
            " pg_get_userbyid(p.proowner) = leanops_plant_role('owner'),"
            " EXISTS (SELECT 1 FROM aclexplode(p.proacl) a WHERE a.grantee = 0),"
            " has_function_privilege(leanops_plant_role('operator'), p.oid, 'EXECUTE')"
            " AND has_function_privilege(leanops_plant_role('supervisor'), p.oid, 'EXECUTE')"
            " AND has_function_privilege(leanops_plant_role('admin'), p.oid, 'EXECUTE'), p.prosrc"
            " FROM pg_proc p WHERE p.proname = ANY (%s)",
            (list(FUNCTIONS),),
        ).fetchall()
    assert sorted(row[0] for row in rows) == sorted(FUNCTIONS)
    for name, definer, config, owner, public, groups, source in rows:
        assert definer and owner is True and not public and groups, name
        assert config == ["search_path=pg_catalog, public, pg_temp"], name
        for role in ("leanops_owner", "leanops_operator", "leanops_supervisor", "leanops_admin"):
            assert role not in source, (name, role)
