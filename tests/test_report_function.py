"""The report functions of migrations 0006 and 0008 (PostgreSQL): every outcome, idempotency,
concurrency, and who may call them (SECURITY DEFINER since 0008: they need no table grants)."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import psycopg
import pytest
from alembic import command
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

from leanops_desktop.core.actor import Actor
from leanops_desktop.core.enums import Role
from leanops_desktop.core.errors import (
    LeanOpsError,
    NotFound,
    OverReportNotConfirmed,
    PermissionDenied,
    RuleViolation,
    ValidationError,
)
from leanops_desktop.core.rows import ReportResult
from leanops_desktop.db.engine import Database, open_database
from leanops_desktop.db.migrate import alembic_config
from leanops_desktop.db.models import EventLog, PerformanceLog
from leanops_desktop.services.accounts import auth, users
from leanops_desktop.services.floor import dispatch
from leanops_desktop.services.reporting import production
from leanops_desktop.services.reporting.report_channel import ReportChannel
from leanops_desktop.services.reporting.report_request import ReportRequest
from tests.factories import make_job, make_station
from tests.pg_server import admin_connect

pytestmark = [pytest.mark.postgres, pytest.mark.parametrize("backend", ["postgresql"])]

PASSWORD = "Report-Fn-Pw-0006"
BATCH_SQL = (
    "SELECT item, code, message, detail, counted FROM leanops_report_batch(%s::uuid[],"
    " %s::text[], %s::text[], %s::integer[], %s::boolean[], %s::text[], NULL, NULL)"
)


@pytest.fixture
def running(db: Database, supervisor: Actor) -> Database:
    """ST-01 runs JOB-1001 (10 units); ST-02 is idle; JOB-2002 waits."""
    make_station(db, supervisor, "ST-01")
    make_station(db, supervisor, "ST-02")
    make_job(db, supervisor, "JOB-1001", qty_total=10)
    make_job(db, supervisor, "JOB-2002", qty_total=10)
    with db.session() as session:
        dispatch.assign_job(session, supervisor, "JOB-1001", "ST-01")
    return db


def written(db: Database) -> tuple[int, int, int]:
    """(performance_logs, events_log, change_feed) row counts."""
    with db.session() as session:
        row = session.execute(
            text(
                "SELECT (SELECT count(*) FROM performance_logs), (SELECT count(*) FROM events_log),"
                " (SELECT count(*) FROM change_feed)"
            )
        ).one()
    return int(row[0]), int(row[1]), int(row[2])


def report(db: Database, actor: Actor, **changes: object) -> ReportResult:
    values: dict[str, object] = {
        "station_id": "ST-01",
        "job_id": "JOB-1001",
        "qty": 1,
        "report_id": uuid.uuid4(),
    }
    values.update(changes)
    with db.session() as session:
        return production.report_quantity(session, actor, **values)  # type: ignore[arg-type]


REFUSALS: list[tuple[str, dict[str, object], type[LeanOpsError], str]] = [
    ("unknown station", {"station_id": "ST-99"}, NotFound, "station ST-99 does not exist"),
    ("unknown job", {"job_id": "JOB-9999"}, NotFound, "job JOB-9999 does not exist"),
    (
        "job not on that station",
        {"station_id": "ST-02"},
        RuleViolation,
        "job JOB-1001 is not running on station ST-02 any more",
    ),
    (
        "a waiting job",
        {"job_id": "JOB-2002"},
        RuleViolation,
        "job JOB-2002 is not running on station ST-01",
    ),
    ("over the total", {"qty": 11}, OverReportNotConfirmed, "would reach 11 of 10 units"),
]


@pytest.mark.parametrize(
    ("case", "changes", "error", "message"), REFUSALS, ids=[r[0] for r in REFUSALS]
)
def test_each_refusal_is_the_python_exception_and_writes_nothing(
    running: Database,
    operator: Actor,
    case: str,
    changes: dict[str, object],
    error: type[LeanOpsError],
    message: str,
) -> None:
    before = written(running)
    with pytest.raises(error, match=message) as raised:
        report(running, operator, **changes)
    assert type(raised.value) is error, case
    assert written(running) == before


def test_the_refusals_carry_their_fields(running: Database, operator: Actor) -> None:
    with pytest.raises(NotFound) as missing:
        report(running, operator, station_id="ST-99")
    assert (missing.value.kind, missing.value.key) == ("station", "ST-99")
    report(running, operator, qty=8)
    with pytest.raises(OverReportNotConfirmed) as over:
        report(running, operator, qty=3)
    assert (over.value.job_id, over.value.qty_total, over.value.qty_after) == ("JOB-1001", 10, 11)


def test_a_reused_id_with_other_content_is_a_validation_error(
    running: Database, operator: Actor
) -> None:
    report_id = uuid.uuid4()
    report(running, operator, qty=2, report_id=report_id)
    before = written(running)
    for changes in ({"qty": 3}, {"station_id": "ST-02"}, {"job_id": "JOB-2002"}):
        with pytest.raises(ValidationError, match="report id: was already used") as raised:
            report(running, operator, report_id=report_id, **changes)
        assert raised.value.field == "report id"
    assert written(running) == before


def test_a_duplicate_id_counts_once_and_answers_the_counts(
    running: Database, operator: Actor, supervisor: Actor
) -> None:
    report_id = uuid.uuid4()
    first = report(running, operator, qty=4, report_id=report_id)
    report(running, operator, qty=1)
    again = report(running, operator, qty=4, report_id=report_id)
    assert first.counted and not again.counted
    assert (again.assignment_qty_done, again.job_qty_done) == (5, 5)
    with running.session() as session:
        dispatch.move_job(session, supervisor, "JOB-1001", "ST-01", "ST-02")
    late = report(running, operator, qty=4, report_id=report_id)  # a retry after the move
    assert not late.counted and (late.assignment_qty_done, late.job_qty_done) == (0, 5)
    with running.session() as session:
        assert session.scalar(select(func.count()).select_from(PerformanceLog)) == 2
        events = session.scalars(
            select(EventLog.meta).where(EventLog.event_type == "qty_reported")
        ).all()
    assert len(events) == 2
    assert sorted(meta["new"]["qty"] for meta in events) == [1, 4]


def odd_user(db: Database, admin: Actor, local: str = "night") -> str:
    """A new active user (an operator) whose email starts with ``local``."""
    email = f"{local}-{uuid.uuid4().hex[:8]}@plant.test"
    with db.session() as session:
        users.add_user(session, admin, email=email, role="operator", password=PASSWORD)
    return email


def test_the_event_meta_is_what_the_python_path_writes(
    running: Database, operator: Actor, admin: Actor
) -> None:
    report_id = uuid.uuid4()
    night = odd_user(running, admin)
    report(running, operator, qty=9, report_id=report_id, reported_by=night)
    report(running, operator, qty=2, confirm_over=True)
    with running.session() as session:
        metas = session.scalars(
            select(EventLog.meta)
            .where(EventLog.event_type == "qty_reported")
            .order_by(EventLog.timestamp)
        ).all()
    assert metas[0] == {
        "actor": operator.email,
        "role": "operator",
        "new": {"qty": 9, "job_qty_done": 9},
        "log_id": str(report_id),
        "over_reported": False,
        "reported_by": night,
    }
    assert metas[1]["over_reported"] is True and metas[1]["new"] == {"qty": 2, "job_qty_done": 11}
    assert "reported_by" not in metas[1]


def test_concurrent_batches_with_the_same_reports_count_each_once(
    running: Database, operator: Actor
) -> None:
    ids = [uuid.uuid4() for _ in range(5)]
    requests = [ReportRequest("ST-01", "JOB-1001", 1, report_id) for report_id in ids]
    start = threading.Barrier(6)
    outcomes: list[list[ReportResult | LeanOpsError]] = []
    errors: list[BaseException] = []

    def send(order: list[ReportRequest]) -> None:
        try:
            start.wait()
            with running.session() as session:
                outcomes.append(production.report_quantities(session, operator, order))
        except BaseException as error:
            errors.append(error)

    orders = [requests if n % 2 else requests[::-1] for n in range(6)]
    threads = [threading.Thread(target=send, args=(order,)) for order in orders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    flat = [outcome for batch in outcomes for outcome in batch]
    assert all(isinstance(outcome, ReportResult) for outcome in flat) and len(flat) == 30
    assert sum(1 for outcome in flat if isinstance(outcome, ReportResult) and outcome.counted) == 5
    with running.session() as session:
        assert set(session.scalars(select(PerformanceLog.id))) == set(ids)


def test_the_batch_function_returns_each_refusal_in_place(running: Database, db_url: str) -> None:
    ids = [uuid.uuid4() for _ in range(4)]
    plain = make_url(db_url).render_as_string(hide_password=False).replace("+psycopg", "")
    with psycopg.connect(plain, autocommit=True) as conn:
        rows = conn.execute(
            BATCH_SQL,
            (
                ids,
                ["ST-01", "ST-02", "ST-01", "ST-01"],
                ["JOB-1001"] * 4,
                [2, 1, 0, 3],
                [False] * 4,
                [None] * 4,
            ),
        ).fetchall()
        assert [(row[0], row[1], row[4]) for row in rows] == [
            (1, "00000", True),
            (2, "LR003", False),
            (3, "LR001", False),
            (4, "00000", True),
        ]
        assert rows[2][3] == {"field": "quantity", "reason": "must be at least 1, got 0"}
        with pytest.raises(psycopg.Error) as raised:
            conn.execute("SELECT * FROM leanops_report(%s, 'ST-99', 'JOB-1001', 1)", (ids[0],))
        assert raised.value.sqlstate == "LR001"  # ids[0] was counted with other content
        with pytest.raises(psycopg.Error) as raised:
            conn.execute("SELECT * FROM leanops_report(%s, 'ST-99', 'JOB-1001', 1)", (ids[1],))
        assert raised.value.sqlstate == "LR002"
        total = conn.execute("SELECT qty_done FROM station_assignments").fetchone()
    assert total == (5,)


# -- who may call the functions ---------------------------------------------------------------


@dataclass(frozen=True)
class Logins:
    url: str
    operator: str
    outsider: str

    def connect(self, user: str) -> psycopg.Connection[tuple[object, ...]]:
        url = make_url(self.url)
        return psycopg.connect(
            host=url.host, port=url.port, dbname=url.database, user=user, password=PASSWORD
        )


@pytest.fixture
def logins(running: Database, db_url: str, pg_server_url: str, admin: Actor) -> Iterator[Logins]:
    """An operator login, and a login role that belongs to no LeanOps group."""
    tag = uuid.uuid4().hex[:8]
    operator, outsider = f"op-{tag}@plant.test", f"outsider-{tag}"
    with running.session() as session:
        users.add_user(session, admin, email=operator, role="operator", password=PASSWORD)
    with admin_connect(pg_server_url) as conn:
        conn.execute(f"CREATE ROLE \"{outsider}\" LOGIN PASSWORD '{PASSWORD}'")
        conn.commit()
    yield Logins(url=db_url, operator=operator, outsider=outsider)
    with admin_connect(pg_server_url) as conn:
        conn.execute(f'DROP ROLE IF EXISTS "{outsider}"')
        conn.commit()


def test_an_operator_login_reports_and_the_database_names_it(logins: Logins) -> None:
    signed = auth.sign_in(logins.url, logins.operator, PASSWORD)
    try:
        forged = Actor(email="boss@plant.test", role=signed.actor.role)  # a tampered client
        with signed.db.session() as session:
            result = production.report_quantity(
                session,
                forged,
                station_id="ST-01",
                job_id="JOB-1001",
                qty=3,
                report_id=uuid.uuid4(),
            )
        with signed.db.session() as session:
            outcomes = production.report_quantities(
                session,
                signed.actor,
                [ReportRequest("ST-01", "JOB-1001", 1, uuid.uuid4()) for _ in range(2)],
            )
            actors = session.execute(
                select(EventLog.actor, EventLog.meta).where(EventLog.event_type == "qty_reported")
            ).all()
    finally:
        signed.db.dispose()
    assert result.counted and result.assignment_qty_done == 3
    assert [isinstance(o, ReportResult) and o.job_qty_done for o in outcomes] == [4, 5]
    assert len(actors) == 3
    for actor, meta in actors:
        assert actor == logins.operator
        assert (meta["actor"], meta["role"]) == (logins.operator, "operator")


def test_a_role_that_may_not_report_cannot_call_the_functions(
    logins: Logins, running: Database
) -> None:
    before = written(running)
    for sql in (
        "SELECT * FROM leanops_report(gen_random_uuid(), 'ST-01', 'JOB-1001', 1)",
        "SELECT * FROM leanops_report_batch(ARRAY[gen_random_uuid()], ARRAY['ST-01'],"
        " ARRAY['JOB-1001'], ARRAY[1], ARRAY[false], ARRAY[NULL::text])",
    ):
        with logins.connect(logins.outsider) as conn, pytest.raises(psycopg.Error) as refused:
            conn.execute(sql)
        assert refused.value.sqlstate == "42501", sql
    outsider_db = open_database(
        make_url(logins.url).set(username=logins.outsider), password=PASSWORD
    )
    try:
        with outsider_db.session() as session, pytest.raises(PermissionDenied):
            production.report_quantity(
                session,
                Actor(email=logins.outsider, role=Role.OPERATOR),
                station_id="ST-01",
                job_id="JOB-1001",
                qty=1,
                report_id=uuid.uuid4(),
            )
    finally:
        outsider_db.dispose()
    assert written(running) == before


def test_the_functions_need_no_table_grants(logins: Logins, running: Database, db_url: str) -> None:
    """SECURITY DEFINER: with no INSERT on the logs or events, an operator still reports
    through the functions, and only through them; the database names the actor."""
    plain = make_url(db_url).render_as_string(hide_password=False).replace("+psycopg", "")
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(
            "DO $$ BEGIN EXECUTE format('REVOKE INSERT ON performance_logs, events_log FROM %I',"
            " leanops_plant_role('operator')); END $$"
        )
    before = written(running)
    with logins.connect(logins.operator) as conn, pytest.raises(psycopg.Error) as refused:
        conn.execute(
            "INSERT INTO performance_logs (id, station_id, job_id, qty_completed)"
            " VALUES (gen_random_uuid(), 'ST-01', 'JOB-1001', 1)"
        )
    assert refused.value.sqlstate == "42501"
    assert written(running) == before
    with logins.connect(logins.operator) as conn:
        row = conn.execute(
            "SELECT * FROM leanops_report(gen_random_uuid(), 'ST-01', 'JOB-1001', 1,"
            " false, NULL, 'boss@plant.test', 'admin')"
        ).fetchone()
        conn.commit()
    assert row == (True, 1, 1)
    with running.session() as session:
        actor, meta = session.execute(
            select(EventLog.actor, EventLog.meta).where(EventLog.event_type == "qty_reported")
        ).one()
    assert actor == logins.operator and (meta["actor"], meta["role"]) == (actor, "operator")


def test_the_functions_are_locked_down_in_the_catalog(running: Database) -> None:
    with running.session() as session:
        rows = session.execute(
            text(
                "SELECT p.proname, p.prosecdef, p.proconfig,"
                " pg_get_userbyid(p.proowner) = leanops_plant_role('owner'),"
                " EXISTS (SELECT 1 FROM aclexplode(p.proacl) a WHERE a.grantee = 0),"
                " has_function_privilege(leanops_plant_role('operator'), p.oid, 'EXECUTE')"
                " FROM pg_proc p WHERE p.proname IN ('leanops_report', 'leanops_report_batch')"
            )
        ).all()
        group_of = session.execute(
            text(
                "SELECT l.lanname, p.prosecdef, p.proconfig FROM pg_proc p"
                " JOIN pg_language l ON l.oid = p.prolang WHERE p.proname = 'leanops_group_of'"
            )
        ).one()
    assert sorted(row[0] for row in rows) == ["leanops_report", "leanops_report_batch"]
    for _name, definer, config, owner, public, operator in rows:
        assert definer and owner is True and not public and operator
        assert config == ["search_path=pg_catalog, public, pg_temp"]
    assert group_of[0] == "plpgsql" and group_of[1]
    assert group_of[2] == ["search_path=pg_catalog, public, pg_temp"]


def test_group_of_still_names_the_group(logins: Logins, running: Database) -> None:
    with running.session() as session:
        groups = session.execute(
            text("SELECT leanops_group_of(:op), leanops_group_of(current_user)"),
            {"op": logins.operator},
        ).one()
    assert tuple(groups) == ("operator", None)


def test_downgrade_restores_0005_and_upgrade_brings_the_functions_back(
    db_at_0009: Database,
) -> None:
    def functions() -> tuple[set[str], str]:
        with db_at_0009.session() as session:
            names = set(
                session.scalars(
                    text("SELECT proname FROM pg_proc WHERE proname LIKE 'leanops_report%'")
                )
            )
            language = session.scalar(
                text(
                    "SELECT l.lanname FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang"
                    " WHERE p.proname = 'leanops_group_of'"
                )
            )
        return names, str(language)

    def migrate(direction: str) -> None:
        with db_at_0009.engine.begin() as connection:
            config = alembic_config(connection)
            if direction == "down":
                command.downgrade(config, "0005")
            else:
                command.upgrade(config, "0009")

    migrate("down")
    assert functions() == (set(), "sql")
    migrate("up")
    assert functions() == ({"leanops_report", "leanops_report_batch"}, "plpgsql")


def test_any_text_travels_in_a_batch_unchanged(
    running: Database, operator: Actor, admin: Actor
) -> None:
    odd = ['ST-"q"', "ST-\\x", "ST-{1,2}", "NULL", "ST é,}", " ", 'a\\"b']
    tapped = odd_user(running, admin, 'x"{y}\\')
    requests = [ReportRequest(station, "JOB-1001", 1, uuid.uuid4()) for station in odd]
    requests.append(ReportRequest("ST-01", "JOB-1001", 1, uuid.uuid4(), reported_by='x"{y}\\'))
    requests.append(ReportRequest("ST-01", "JOB-1001", 1, uuid.uuid4(), reported_by=tapped))
    with running.session() as session:
        outcomes = production.report_quantities(session, operator, requests)
    keys = [outcome.key for outcome in outcomes[:-2] if isinstance(outcome, NotFound)]
    assert keys == odd
    assert isinstance(outcomes[-2], ValidationError) and outcomes[-2].field == "reported by"
    assert isinstance(outcomes[-1], ReportResult) and outcomes[-1].counted
    with running.session() as session:
        meta = session.scalars(
            select(EventLog.meta).where(EventLog.event_type == "qty_reported")
        ).one()
    assert meta["reported_by"] == tapped


def test_a_kept_channel_sends_any_text_and_survives_a_deallocate(
    running: Database, operator: Actor, admin: Actor
) -> None:
    """The kiosk's path: the batch statement prepared by name on the kept connection."""
    odd = ['ST-"q"', "ST-\\x", "ST-{1,2}", "NULL", "ST é,}"]
    tapped = odd_user(running, admin, 'x"{y}\\')
    requests = [ReportRequest(station, "JOB-1001", 1, uuid.uuid4()) for station in odd]
    requests.append(ReportRequest("ST-01", "JOB-1001", 2, uuid.uuid4(), reported_by=tapped))
    channel = ReportChannel(running)
    try:
        outcomes = channel.run(lambda s: production.report_quantities(s, operator, requests))
        assert [o.key for o in outcomes[:-1] if isinstance(o, NotFound)] == odd
        assert isinstance(outcomes[-1], ReportResult) and outcomes[-1].counted
        assert outcomes[-1].assignment_qty_done == 2
        # A pool or an administrator may drop the session's prepared statements.
        channel.run(lambda s: s.connection().exec_driver_sql("DEALLOCATE ALL"))
        again = ReportRequest("ST-01", "JOB-1001", 3, uuid.uuid4())
        result = channel.run(lambda s: production.report_quantity(
            s, operator, station_id=again.station_id, job_id=again.job_id, qty=again.qty,
            report_id=again.report_id,
        ))  # fmt: skip
        assert result.counted and result.assignment_qty_done == 5 and result.job_qty_done == 5
        with pytest.raises(OverReportNotConfirmed):  # refusals raise as on any path
            channel.run(lambda s: production.report_quantity(
                s, operator, station_id="ST-01", job_id="JOB-1001", qty=6,
                report_id=uuid.uuid4(),
            ))  # fmt: skip
    finally:
        channel.close()
    with running.session() as session:
        meta = session.scalars(
            select(EventLog.meta).where(EventLog.event_type == "qty_reported")
        ).all()
    assert [m.get("reported_by") for m in meta].count(tapped) == 1
