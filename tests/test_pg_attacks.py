"""Attacks on a LeanOps PostgreSQL database, as raw SQL clients with each role's own login.

Nothing here goes through the services: every statement is what a hostile or careless
person could type into psql with the account they hold (an operator, a supervisor, an
admin, a disabled user, a login of no LeanOps group, a user of another plant on the same
server, or Supabase's public API roles). After every attack the counters still equal the
sum of the logs.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import psycopg
import pytest
from psycopg import sql
from sqlalchemy import text

from leanops_desktop.core.actor import Actor
from leanops_desktop.db import migrate, pg_audit, pg_lockdown
from leanops_desktop.db.engine import Database, open_database
from leanops_desktop.services.accounts import users
from leanops_desktop.services.board import board_login
from leanops_desktop.services.floor import dispatch
from leanops_desktop.services.kiosk import kiosk_devices
from leanops_desktop.services.reporting import production
from tests.factories import make_job, make_station
from tests.pg_clients import connect_as, counts_off_their_logs
from tests.pg_server import admin_connect, create_database, drop_database

pytestmark = [pytest.mark.postgres, pytest.mark.parametrize("backend", ["postgresql"])]

PASSWORD = "Attack-Pw-5e2b"
GROUPS = ("operator", "supervisor", "admin")
#: What an enrolled kiosk reads (migration 0011): the floor, not users, not the verifiers.
DEVICE_READS = frozenset(
    {
        "stations",
        "jobs",
        "station_assignments",
        "performance_logs",
        "events_log",
        "change_feed",
        "alembic_version",
    }
)
READERS: dict[str, frozenset[str]] = {
    table: frozenset(GROUPS) | ({"device"} if table in DEVICE_READS else set())
    for table in pg_lockdown.TABLES
}
READERS["throughput_rollup"] = frozenset({"supervisor", "admin"})
READERS["kiosk_devices"] = frozenset({"admin"})
READERS["kiosk_sign_ins"] = frozenset({"supervisor", "admin"})
# Reasons, calendar and scrap (migration 0014): every group and the kiosks read them.
for _shared in ("downtime_reasons", "scrap_logs", "shifts", "shift_breaks", "non_working_days"):
    READERS[_shared] = frozenset(GROUPS) | {"device"}
# Automatic stops and quiet limits (migration 0017): the groups and the kiosks read them (a
# kiosk its own station's stops); nobody writes them but LeanOps functions and triggers.
for _shared in ("downtime_stops", "stop_limits"):
    READERS[_shared] = frozenset(GROUPS) | {"device"}
for _secret in (
    "operator_credentials",
    "kiosk_sign_in_failures",
    "kiosk_offline_tokens",
    "kiosk_secrets",
):
    READERS[_secret] = frozenset()
LOCK_MODES = ("ROW SHARE", "ROW EXCLUSIVE", "SHARE", "EXCLUSIVE", "ACCESS EXCLUSIVE")
DENIED = "42501"


@dataclass
class Seat:
    """One login: who it is and how to connect as it."""

    email: str
    kind: str  # operator, supervisor, admin, disabled, stranger, device, ...
    url: str
    password: str = PASSWORD

    def connect(self) -> psycopg.Connection[tuple[object, ...]]:
        return connect_as(self.url, self.email, self.password)


@dataclass
class Floor:
    """A plant with ST-07 running J-07 (5 units reported) and a seat per kind of login."""

    db: Database
    url: str
    seats: dict[str, Seat] = field(default_factory=dict)

    def superuser(self) -> psycopg.Connection[tuple[object, ...]]:
        return admin_connect(self.url)


def sqlstate_of(run: Callable[[], object]) -> str | None:
    """The SQLSTATE ``run`` fails with, or None when it succeeds."""
    try:
        run()
    except psycopg.Error as exc:
        return exc.sqlstate
    return None


def assert_counts_match_logs(floor: Floor) -> None:
    with floor.superuser() as conn:
        assert counts_off_their_logs(conn) == []


def _add_login(db: Database, admin: Actor, email: str, role: str) -> None:
    with db.session() as session:
        users.add_user(session, admin, email=email, role=role, password=PASSWORD)


@pytest.fixture
def floor(db: Database, db_url: str, admin: Actor) -> Iterator[Floor]:
    tag = uuid.uuid4().hex[:8]
    plant = Floor(db=db, url=db_url)
    for kind in (*GROUPS, "disabled"):
        email = f"{kind}-{tag}@plant.test"
        _add_login(db, admin, email, "operator" if kind == "disabled" else kind)
        plant.seats[kind] = Seat(email, kind, db_url)
    with db.session() as session:
        users.set_active(session, admin, plant.seats["disabled"].email, False)
    stranger = f"stranger-{tag}@elsewhere.test"
    with plant.superuser() as conn:
        conn.execute(
            sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(
                sql.Identifier(stranger), sql.Literal(PASSWORD)
            )
        )
        conn.execute(
            sql.SQL("ALTER ROLE {} VALID UNTIL 'infinity'").format(sql.Identifier(stranger))
        )
    plant.seats["stranger"] = Seat(stranger, "stranger", db_url)
    make_station(db, admin, "ST-07")
    make_station(db, admin, "ST-08")
    make_job(db, admin, "J-07", qty_total=50)
    make_job(db, admin, "J-08", qty_total=50)
    with db.session() as session:
        kiosk = kiosk_devices.enrol_kiosk(session, admin, "ST-07")
    plant.seats["device"] = Seat(kiosk.login, "device", db_url, kiosk.password)
    with db.session() as session:
        board = board_login.enroll_board(session, admin)
    plant.seats["board"] = Seat(board.login, "board", db_url, board.password)
    with db.session() as session:
        dispatch.assign_job(session, admin, "J-07", "ST-07")
        production.report_quantity(
            session, admin, station_id="ST-07", job_id="J-07", qty=5, report_id=uuid.uuid4()
        )
    try:
        yield plant
    finally:
        plant.db.dispose()
        with admin_connect(db_url) as c:
            c.execute(sql.SQL("DROP OWNED BY {}").format(sql.Identifier(stranger)))
            c.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(stranger)))


def _first_column(floor: Floor, table: str) -> str:
    with floor.superuser() as conn:
        row = conn.execute(
            "SELECT column_name FROM information_schema.columns"
            " WHERE table_schema = 'public' AND table_name = %s ORDER BY ordinal_position",
            (table,),
        ).fetchone()
    assert row is not None
    return str(row[0])


def test_every_table_role_and_operation_against_the_matrix(floor: Floor) -> None:
    """SELECT for the roles that read a table; nothing else for anyone (no locks either)."""
    unexpected: list[str] = []
    seats = [floor.seats[k] for k in (*GROUPS, "stranger", "device")]
    columns = {table: _first_column(floor, table) for table in pg_lockdown.TABLES}
    for seat in seats:
        with seat.connect() as conn:
            for table in pg_lockdown.TABLES:
                t = sql.Identifier(table)
                c = sql.Identifier(columns[table])
                reads = seat.kind in READERS[table]
                attempts: dict[str, sql.Composable] = {
                    "INSERT": sql.SQL("INSERT INTO {} DEFAULT VALUES").format(t),
                    "UPDATE": sql.SQL("UPDATE {} SET {} = {} WHERE false").format(t, c, c),
                    "DELETE": sql.SQL("DELETE FROM {} WHERE false").format(t),
                    "TRUNCATE": sql.SQL("TRUNCATE {}").format(t),
                    "SELECT FOR UPDATE": sql.SQL("SELECT 1 FROM {} FOR UPDATE").format(t),
                    "SELECT FOR SHARE": sql.SQL("SELECT 1 FROM {} FOR KEY SHARE").format(t),
                }
                for mode in LOCK_MODES:
                    attempts[f"LOCK {mode}"] = sql.SQL("LOCK TABLE {} IN {} MODE").format(
                        t, sql.SQL(mode)
                    )
                for name, statement in attempts.items():

                    def run(statement: sql.Composable = statement) -> None:
                        with conn.transaction():
                            conn.execute(statement)

                    state = sqlstate_of(run)
                    if state != DENIED:
                        unexpected.append(f"{seat.kind} {name} {table}: {state}")
                select = sql.SQL("SELECT count(*) FROM {}").format(t)
                state = sqlstate_of(lambda select=select: conn.execute(select).fetchone())
                if reads and state is not None:
                    unexpected.append(f"{seat.kind} may not SELECT {table}: {state}")
                if not reads and state != DENIED:
                    unexpected.append(f"{seat.kind} SELECT {table}: {state}")
    assert unexpected == []
    assert_counts_match_logs(floor)


def test_rows_a_role_reads(floor: Floor) -> None:
    """Operators and supervisors see their own users row; admins every row."""
    seen: dict[str, tuple[int, int]] = {}
    for kind in GROUPS:
        with floor.seats[kind].connect() as conn:
            own = conn.execute("SELECT count(*) FROM users").fetchone()
            jobs = conn.execute("SELECT count(*) FROM jobs").fetchone()
            assert own is not None and jobs is not None
            seen[kind] = (int(own[0]), int(jobs[0]))
    with floor.superuser() as conn:
        everyone = conn.execute("SELECT count(*) FROM users").fetchone()
    assert everyone is not None and everyone[0] >= 4
    assert seen["operator"] == (1, 2)
    assert seen["supervisor"] == (1, 2)
    assert seen["admin"] == (everyone[0], 2)


#: Every LeanOps function -> the groups that may execute it (nobody else may).
FLOOR = frozenset({*GROUPS, "device"})
EXECUTE: dict[str, frozenset[str]] = {
    "leanops_group_of": frozenset(GROUPS),
    "leanops_caller_role": frozenset(GROUPS),
    "leanops_report": FLOOR,
    "leanops_report_batch": FLOOR,
    "leanops_correct_report": FLOOR,
    "leanops_block_station": FLOOR,
    "leanops_unblock_station": FLOOR,
    "leanops_complete_job": FLOOR,
    "leanops_log_report_refused": FLOOR,
    # Kiosks (migration 0011): a device signs operators in; admins enrol and set PINs.
    "leanops_device_station": frozenset({"device"}),
    "leanops_kiosk_sign_in": frozenset({"device"}),
    "leanops_kiosk_sign_out": frozenset({"device"}),
    "leanops_kiosk_offline_sign_in": frozenset({"device"}),
    # Migration 0015: a device starts the next job on its own station.
    "leanops_kiosk_start_job": frozenset({"device"}),
    "leanops_enroll_kiosk": frozenset({"admin"}),
    # Production boards (migration 0013): admins enrol them; a board executes nothing.
    "leanops_enroll_board": frozenset({"admin"}),
    # Andon (migration 0013): supervisors and admins acknowledge alerts.
    "leanops_acknowledge_andon": frozenset({"supervisor", "admin"}),
    "leanops_revoke_kiosk": frozenset({"admin"}),
    "leanops_set_operator_pin": frozenset({"admin"}),
    "leanops_set_operator_badge": frozenset({"admin"}),
    "leanops_operator_credentials": frozenset({"admin"}),
    "leanops_sha256_iterated": frozenset(),
    "leanops_secret_hash": frozenset(),
    "leanops_secret_matches": frozenset(),
    "leanops_badge_digest": frozenset(),
    "leanops_device_sign_in": frozenset(),
    "leanops_device_actor": frozenset(),
    "leanops_prune_change_feed": frozenset(GROUPS),
    "leanops_create_user": frozenset({"admin"}),
    "leanops_set_user_role": frozenset({"admin"}),
    "leanops_set_user_active": frozenset({"admin"}),
    "leanops_set_user_password": frozenset({"admin"}),
    "leanops_create_user_internal": frozenset(),
    "leanops_init_admin": frozenset(),
    "leanops_plant_role": frozenset(),
    "leanops_wake": frozenset(),
    # Quality, downtime and the calendar (migration 0014)
    "leanops_report_scrap": FLOOR,
    "leanops_save_reason": frozenset({"admin"}),
    "leanops_save_shift": frozenset({"admin"}),
    "leanops_set_non_working_day": frozenset({"admin"}),
    "leanops_set_ideal_cycle": frozenset({"supervisor", "admin"}),
    "leanops_calendar_admin": frozenset(),
    # Migration 0016: a scrap report taken back (the kiosk's undo), bound as its report.
    "leanops_correct_scrap": FLOOR,
    # Migration 0017: automatic stops. Any floor seat sweeps and classifies (a device only
    # its own station's stops, for an operator signed in there); admins set quiet limits.
    "leanops_sweep_quiet_stations": FLOOR,
    "leanops_classify_stop": FLOOR,
    "leanops_save_stop_limit": frozenset({"admin"}),
    **{
        name: frozenset({"supervisor", "admin"})
        for name in (
            "leanops_create_job",
            "leanops_update_job",
            "leanops_create_station",
            "leanops_update_station",
            "leanops_set_station_active",
            "leanops_assign_job",
            "leanops_unassign_job",
            "leanops_move_job",
        )
    },
    **{
        f"leanops_plan_{helper}": frozenset()
        for helper in [
            "can_take",
            "due",
            "event",
            "exists",
            "id",
            "invalid",
            "not_found",
            "priority",
            "qty_total",
            "role",
            "rule",
            "start",
            "text",
            "trim",
        ]
    },
}


def _functions(floor: Floor) -> list[tuple[str, int, bool]]:
    with floor.superuser() as conn:
        rows = conn.execute(
            "SELECT p.proname, p.oid, p.prorettype = 'trigger'::regtype FROM pg_proc p"
            " WHERE p.pronamespace = 'public'::regnamespace AND p.proname LIKE 'leanops%'"
            " ORDER BY 1"
        ).fetchall()
    return [(str(r[0]), int(r[1]), bool(r[2])) for r in rows]


def test_execute_of_every_function_by_every_role(floor: Floor) -> None:
    functions = _functions(floor)
    unclassified = [name for name, _, trig in functions if not trig and name not in EXECUTE]
    assert unclassified == [], "classify these functions in EXECUTE (and docs/security.md)"
    wrong: list[str] = []
    with floor.superuser() as conn:
        for kind, seat in floor.seats.items():
            for name, oid, trigger in functions:
                allowed = frozenset() if trigger else EXECUTE[name]
                may = kind in allowed or (kind == "disabled" and "operator" in allowed)
                row = conn.execute(
                    "SELECT has_function_privilege(%s, %s::oid, 'EXECUTE')", (seat.email, oid)
                ).fetchone()
                assert row is not None
                if bool(row[0]) != may:
                    wrong.append(f"{kind} {name}: {row[0]}")
    assert wrong == []


def test_disabled_accounts_cannot_sign_in_and_their_open_sessions_end(
    floor: Floor, admin: Actor
) -> None:
    with pytest.raises(psycopg.OperationalError, match="not permitted to log in"):
        floor.seats["disabled"].connect()
    operator = floor.seats["operator"]
    conn = operator.connect()
    try:
        assert conn.execute("SELECT count(*) FROM jobs").fetchone() == (2,)
        with floor.seats["admin"].connect() as admin_conn:
            admin_conn.execute("SELECT leanops_set_user_active(%s, false)", (operator.email,))
        with pytest.raises(psycopg.OperationalError):
            conn.execute("SELECT count(*) FROM jobs").fetchone()
    finally:
        conn.close()
    # A session that outlives the disabling (say, kept by a pooler) can do nothing either:
    # every read policy and function asks whether the account is active.
    supervisor = floor.seats["supervisor"]
    with supervisor.connect() as conn:
        with floor.superuser() as it:
            it.execute("UPDATE users SET is_active = false WHERE email = %s", (supervisor.email,))
        assert conn.execute("SELECT count(*) FROM jobs").fetchone() == (0,)
        report = f"SELECT * FROM leanops_report('{uuid.uuid4()}', 'ST-07', 'J-07', 1)"
        assert sqlstate_of(lambda: conn.execute(report)) == DENIED
    assert_counts_match_logs(floor)


def test_hanging_an_owner_trigger_function_on_a_table_of_ones_own(floor: Floor) -> None:
    """Finding 1: any login could count 123456 units through a temporary table."""
    attack = [
        "CREATE TEMP TABLE t (id text, qty_completed int, assignment_id uuid, job_id text)",
        "CREATE TRIGGER x AFTER INSERT ON t FOR EACH ROW"
        " EXECUTE FUNCTION public.leanops_log_written()",
        "INSERT INTO t SELECT 'x', 123456,"
        " (SELECT id FROM station_assignments WHERE station_id = 'ST-07'), 'J-07'",
    ]
    for kind in ("operator", "admin", "stranger"):
        with floor.seats[kind].connect() as conn:
            assert sqlstate_of(lambda conn=conn: conn.execute(attack[0])) == DENIED
    # Even a role that may make temporary tables (here the superuser) meets the guard.
    with floor.superuser() as conn:
        for function in ("leanops_log_written", "leanops_count_log", "leanops_feed"):
            refused = pytest.raises(psycopg.errors.InsufficientPrivilege, match="may not run for")
            with refused, conn.transaction():
                conn.execute(attack[0])
                conn.execute(attack[1].replace("leanops_log_written", function))
                conn.execute(attack[2])
    assert_counts_match_logs(floor)
    with floor.superuser() as conn:
        assert conn.execute("SELECT qty_done FROM station_assignments").fetchone() == (5,)


def test_direct_writes_the_floor_rules_would_refuse(floor: Floor) -> None:
    """Finding 4: forged corrections, foreign counters, audit events, completing by UPDATE."""
    with floor.superuser() as conn:
        log_id = conn.execute("SELECT id FROM performance_logs").fetchone()
        assignment = conn.execute("SELECT id FROM station_assignments").fetchone()
    assert log_id is not None and assignment is not None
    attacks = [
        (
            "INSERT INTO performance_logs (id, station_id, job_id, qty_completed, corrects_id)"
            " VALUES (gen_random_uuid(), 'ST-07', 'J-07', -2000000000, %s)",
            (log_id[0],),
        ),
        (
            "INSERT INTO performance_logs (id, station_id, job_id, qty_completed, assignment_id)"
            " VALUES (gen_random_uuid(), 'ST-08', 'J-08', 7, %s)",
            (assignment[0],),
        ),
        (
            "INSERT INTO events_log (id, event_type, meta) VALUES"
            " (gen_random_uuid(), 'user_role_changed',"
            " jsonb_build_object('x', repeat('x', 999999)))",
            None,
        ),
        ("UPDATE jobs SET status = 'completed' WHERE id = 'J-07'", None),
        ("UPDATE stations SET status = 'blocked' WHERE id = 'ST-08'", None),
        ("DELETE FROM station_assignments", None),
    ]
    for kind in (*GROUPS, "stranger"):
        with floor.seats[kind].connect() as conn:
            for statement, params in attacks:
                state = sqlstate_of(
                    lambda statement=statement, params=params: conn.execute(statement, params)
                )
                assert state == DENIED, (kind, statement, state)
    with floor.superuser() as conn:
        assert conn.execute("SELECT status FROM jobs WHERE id = 'J-07'").fetchone() == ("running",)
        assert conn.execute("SELECT count(*) FROM performance_logs").fetchone() == (1,)
    assert_counts_match_logs(floor)


def test_no_login_holds_a_lock_that_stalls_a_kiosk(floor: Floor, admin: Actor) -> None:
    """Finding 5: the lock an operator may take (ACCESS SHARE) does not stop a report."""
    with floor.seats["operator"].connect() as hog:
        hog.execute("BEGIN")
        hog.execute("LOCK TABLE station_assignments, jobs, performance_logs IN ACCESS SHARE MODE")
        hog.execute("SELECT * FROM jobs").fetchall()
        with floor.seats["supervisor"].connect() as kiosk:
            kiosk.execute("SET statement_timeout = '3s'")
            row = kiosk.execute(
                "SELECT counted FROM leanops_report(%s, 'ST-07', 'J-07', 2)", (uuid.uuid4(),)
            ).fetchone()
            assert row == (True,)
        hog.execute("ROLLBACK")
    assert_counts_match_logs(floor)


def test_logins_run_with_timeouts(floor: Floor) -> None:
    for kind in GROUPS:
        with floor.seats[kind].connect() as conn:
            settings = conn.execute(
                "SELECT current_setting('lock_timeout'), current_setting('statement_timeout'),"
                " current_setting('idle_in_transaction_session_timeout')"
            ).fetchone()
            assert settings == ("5s", "2min", "1min"), kind


def test_an_email_too_long_for_a_role_name_is_refused(floor: Floor) -> None:
    email = "a" * 60 + "@plant.test"  # 71 bytes: PostgreSQL would cut it to 63
    refused = pytest.raises(psycopg.errors.InvalidParameterValue, match="63")
    with floor.seats["admin"].connect() as conn, refused:
        conn.execute(
            "SELECT leanops_create_user(%s, 'operator', 'SCRAM-SHA-256$4096:x$y:z')", (email,)
        )
    with floor.superuser() as conn:
        assert conn.execute(
            "SELECT count(*) FROM pg_roles WHERE rolname = %s", (email[:63],)
        ).fetchone() == (0,)


def test_two_admins_disabling_each_other_leave_an_admin(db: Database, admin: Actor) -> None:
    """Two admins, each disabling the other at the same moment, 50 times."""
    url = db.url.render_as_string(hide_password=False)
    tag = uuid.uuid4().hex[:8]
    emails = [f"a1-{tag}@plant.test", f"a2-{tag}@plant.test"]
    for email in emails:
        _add_login(db, admin, email, "admin")
    seats = [Seat(email, "admin", url) for email in emails]
    for _ in range(50):
        conns = [seat.connect() for seat in seats]
        barrier = threading.Barrier(2)
        outcomes: list[str | None] = [None, None]

        def disable(
            me: int,
            conns: list[psycopg.Connection[tuple[object, ...]]] = conns,
            barrier: threading.Barrier = barrier,
            outcomes: list[str | None] = outcomes,
        ) -> None:
            statement = "SELECT leanops_set_user_active(%s, false)"
            other = emails[1 - me]
            barrier.wait()
            outcomes[me] = sqlstate_of(lambda: conns[me].execute(statement, (other,)))

        threads = [threading.Thread(target=disable, args=(i,)) for i in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        for conn in conns:
            conn.close()
        with admin_connect(url) as conn:
            active = conn.execute(
                "SELECT email FROM users WHERE role = 'admin' AND is_active AND email = ANY(%s)",
                (emails,),
            ).fetchall()
            assert len(active) == 1, outcomes
            # One went through; the other was refused as the last admin, or its session was
            # ended because its own account had just been disabled.
            assert outcomes.count(None) == 1, outcomes
            for email in emails:
                if (email,) not in active:
                    conn.execute("SELECT leanops_set_user_active(%s, true)", (email,))


def test_a_user_of_another_plant_on_the_same_server_gets_nothing(
    floor: Floor, pg_server_url: str, admin: Actor
) -> None:
    """Finding 3: group roles were cluster-wide, so admin in one plant was admin in all."""
    name = f"plant_b_{uuid.uuid4().hex[:8]}"
    url_b = create_database(pg_server_url, name)
    db_b = open_database(url_b)
    email = f"admin-b-{uuid.uuid4().hex[:6]}@other.test"
    try:
        migrate.upgrade(db_b)
        _add_login(db_b, admin, email, "admin")
        outsider = Seat(email, "admin of plant B", floor.url)
        with outsider.connect() as conn:
            for table in pg_lockdown.TABLES:
                query = sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))
                assert sqlstate_of(lambda query=query: conn.execute(query)) == DENIED, table
            for call in (
                "SELECT leanops_create_user('x@y.z', 'admin', 'SCRAM-SHA-256$4096:a$b:c')",
                "SELECT leanops_set_user_active('x@y.z', false)",
                f"SELECT * FROM leanops_report('{uuid.uuid4()}', 'ST-07', 'J-07', 3)",
            ):
                assert sqlstate_of(lambda call=call: conn.execute(call)) == DENIED, call
        with floor.superuser() as conn:
            granted = conn.execute(
                "SELECT count(*) FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace"
                " AND has_function_privilege(%s, p.oid, 'EXECUTE')",
                (email,),
            ).fetchone()
            assert granted == (0,)
            names = conn.execute("SELECT leanops_plant_role('admin')").fetchone()
        with db_b.engine.connect() as connection:
            names_b = connection.execute(text("SELECT leanops_plant_role('admin')")).scalar()
        assert names is not None and names[0] != names_b
    finally:
        db_b.dispose()
        drop_database(pg_server_url, name)
        with admin_connect(pg_server_url) as conn:
            conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(email)))
    assert_counts_match_logs(floor)


def test_the_audit_names_what_an_outsider_can_reach_and_upgrade_repairs_it(
    floor: Floor,
) -> None:
    stranger = floor.seats["stranger"].email
    with floor.superuser() as conn:
        conn.execute(sql.SQL("GRANT SELECT ON jobs TO {}").format(sql.Identifier(stranger)))
        conn.execute(
            "GRANT EXECUTE ON FUNCTION"
            " leanops_create_user_internal(text, text, text, text, boolean) TO PUBLIC"
        )
        conn.execute(
            "GRANT EXECUTE ON FUNCTION leanops_log_written() TO "
            + conn.execute("SELECT quote_ident(leanops_plant_role('operator'))").fetchone()[0]  # type: ignore[index]
        )
    with floor.db.engine.connect() as connection:
        findings = {str(f) for f in pg_audit.audit(connection)}
    assert f"table jobs: {stranger} has SELECT" in findings
    assert any("leanops_create_user_internal" in f and "PUBLIC has EXECUTE" in f for f in findings)
    assert any("trigger function leanops_log_written()" in f for f in findings)
    migrate.upgrade(floor.db)  # re-applies least privilege; the audit then passes
    with floor.db.engine.connect() as connection:
        assert pg_audit.audit(connection) == []
    with floor.seats["stranger"].connect() as conn:
        assert sqlstate_of(lambda: conn.execute("SELECT count(*) FROM jobs")) == DENIED


def test_upgrade_fails_loudly_when_an_outsider_is_in_a_plant_group(floor: Floor) -> None:
    """Lockdown cannot repair a membership: the audit fails the upgrade and names it."""
    stranger = floor.seats["stranger"].email
    with floor.superuser() as conn:
        group = conn.execute("SELECT leanops_plant_role('admin')").fetchone()
        assert group is not None
        conn.execute(
            sql.SQL("GRANT {} TO {}").format(sql.Identifier(group[0]), sql.Identifier(stranger))
        )
    with pytest.raises(pg_audit.PrivilegeAuditFailed) as raised:
        migrate.upgrade(floor.db)
    assert f"group {group[0]}: {stranger} has MEMBER" in str(raised.value)
    command = [sys.executable, "-m", "leanops_desktop", "db", "upgrade", "--database", floor.url]
    cli = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert cli.returncode == 2, cli.stderr
    assert "privilege audit failed" in cli.stderr and stranger in cli.stderr
    assert "Traceback" not in cli.stderr
    # And being in the group gives nothing while the login is no user of the plant.
    with floor.seats["stranger"].connect() as conn:
        assert conn.execute("SELECT count(*) FROM jobs").fetchone() == (0,)
        assert (
            sqlstate_of(lambda: conn.execute("SELECT leanops_set_user_active('x@y.z', false)"))
            == DENIED
        )


def test_the_per_plant_roles_cannot_be_downgraded_in_place(db: Database) -> None:
    from alembic import command

    with pytest.raises(NotImplementedError, match="restore a backup"), db.engine.begin() as c:
        command.downgrade(migrate.alembic_config(c), "0009")
    assert migrate.current_revision(db) == migrate.head_revision()


def test_a_refusal_event_cannot_be_forged(floor: Floor) -> None:
    """The one event a kiosk writes itself: fixed type, not for a counted report, bounded."""
    call = (
        "SELECT leanops_log_report_refused(%s, %s, 'ST-07', 'J-07', %s, %s, %s, now(),"
        " %s, 'job_moved', 'boss@plant.test', 'admin')"
    )
    operator = floor.seats["operator"]
    with floor.superuser() as conn:
        counted = conn.execute("SELECT id FROM performance_logs").fetchone()
    assert counted is not None
    with operator.connect() as conn:
        refused = [
            (uuid.uuid4(), counted[0], "report", 3, operator.email),  # it was counted
            (uuid.uuid4(), uuid.uuid4(), "user_role_changed", 3, operator.email),
            (uuid.uuid4(), uuid.uuid4(), "report", 0, operator.email),
            (uuid.uuid4(), uuid.uuid4(), "report", 3, "nobody@elsewhere.test"),
        ]
        for event_id, report_id, kind, qty, who in refused:
            state = sqlstate_of(
                lambda a=(event_id, report_id, kind, qty, who, "x"): conn.execute(call, a)
            )
            assert state == "LR001", (kind, qty, who)
        event_id, report_id = uuid.uuid4(), uuid.uuid4()
        args = (event_id, report_id, "report", 3, operator.email, "r" * 10_000)
        assert conn.execute(call, args).fetchone() == (True,)
        assert conn.execute(call, args).fetchone() == (False,)  # once
    with floor.superuser() as conn:
        row = conn.execute(
            "SELECT event_type, actor, meta->>'role', length(meta->>'reason') FROM events_log"
            " WHERE id = %s",
            (event_id,),
        ).fetchone()
        forged = conn.execute(
            "SELECT count(*) FROM events_log WHERE event_type = 'qty_report_refused'"
        ).fetchone()
    assert row == ("qty_report_refused", operator.email, "operator", 500)
    assert forged == (1,)
    assert_counts_match_logs(floor)


# -- the production board's login (migration 0013) --------------------------------------------

#: What a board login reads; of events_log only the station_blocked ones.
BOARD_READS = frozenset(
    {
        "stations",
        "jobs",
        "station_assignments",
        "performance_logs",
        "events_log",
        "change_feed",
        "alembic_version",
    }
)


def test_a_board_login_reads_the_floor_and_nothing_else(floor: Floor) -> None:
    with floor.db.session() as session:
        stations_blocked = session.execute(text("SELECT leanops_block_station('ST-08', 'tooling')"))
        del stations_blocked
        session.commit()
    with floor.seats["board"].connect() as conn:
        for table in pg_lockdown.TABLES:
            state = sqlstate_of(lambda t=table: conn.execute(f"SELECT 1 FROM {t} LIMIT 1"))
            expected = None if table in BOARD_READS else DENIED
            assert state == expected, f"board SELECT on {table}: {state}"
            conn.rollback()
        kinds = {r[0] for r in conn.execute("SELECT DISTINCT event_type FROM events_log")}
        assert kinds == {"station_blocked"}
        done = conn.execute("SELECT qty_done FROM station_assignments").fetchall()
        assert done == [(5,)]


def _in_transaction(conn: psycopg.Connection[tuple[object, ...]], statement: str) -> None:
    with conn.transaction():
        conn.execute(statement)


def _calls_of_every_function(floor: Floor) -> list[str]:
    """``SELECT public.f(NULL::t1, ...)`` for every LeanOps function but the triggers'."""
    with floor.superuser() as conn:
        rows = conn.execute(
            "SELECT p.proname, array(SELECT format_type(t, NULL) FROM unnest(p.proargtypes) t)"
            " FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace"
            " AND p.proname LIKE 'leanops%%' AND p.prorettype <> 'trigger'::regtype"
        ).fetchall()
    calls = []
    for name, types in rows:
        args = ", ".join(f"NULL::{kind}" for kind in types)
        calls.append(f"SELECT public.{name}({args})")
    assert len(calls) > 40
    return calls


def test_a_board_login_is_refused_every_write_and_every_function(floor: Floor) -> None:
    board = floor.seats["board"]
    refused: list[str] = []
    with board.connect() as conn:
        for table in pg_lockdown.TABLES:
            column = _first_column(floor, table)
            for statement in (
                f"INSERT INTO {table} DEFAULT VALUES",
                f"UPDATE {table} SET {column} = {column}",
                f"DELETE FROM {table}",
                f"TRUNCATE {table}",
                f"LOCK TABLE {table} IN ROW EXCLUSIVE MODE",
            ):
                state = sqlstate_of(lambda s=statement: _in_transaction(conn, s))
                conn.rollback()
                if state != DENIED:
                    refused.append(f"{statement}: {state}")
        for call in _calls_of_every_function(floor):
            state = sqlstate_of(lambda c=call: conn.execute(c))
            conn.rollback()
            if state != DENIED:
                refused.append(f"{call}: {state}")
    assert refused == []
    with floor.superuser() as conn:
        rows = conn.execute(
            "SELECT p.oid::regprocedure::text FROM pg_proc p"
            " WHERE p.pronamespace = 'public'::regnamespace AND p.proname LIKE 'leanops%%'"
            " AND has_function_privilege(%s, p.oid, 'EXECUTE')",
            (board.email,),
        ).fetchall()
    assert rows == []
    assert_counts_match_logs(floor)


def test_only_admins_enrol_boards_and_the_audit_knows_them(floor: Floor) -> None:
    with floor.seats["supervisor"].connect() as conn:
        state = sqlstate_of(
            lambda: conn.execute("SELECT leanops_enroll_board('SCRAM-SHA-256$4096:a$b:c')")
        )
    assert state == DENIED
    with floor.db.engine.begin() as connection:
        assert pg_audit.audit(connection) == []
    stray = f"board-stray-{uuid.uuid4().hex[:6]}"
    with floor.superuser() as conn:
        group = conn.execute("SELECT leanops_plant_role('board')").fetchone()
        assert group is not None
        conn.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(stray)))
        conn.execute(
            sql.SQL("GRANT {} TO {}").format(sql.Identifier(str(group[0])), sql.Identifier(stray))
        )
        conn.execute(sql.SQL("GRANT INSERT ON jobs TO {}").format(sql.Identifier(str(group[0]))))
    try:
        with floor.db.engine.begin() as connection:
            findings = [str(f) for f in pg_audit.audit(connection)]
        assert any(stray in f and "not an enrolled board" in f for f in findings), findings
        assert any("a board may only read" in f and "INSERT" in f for f in findings), findings
    finally:
        with floor.superuser() as conn:
            conn.execute(
                sql.SQL("REVOKE INSERT ON jobs FROM {}").format(sql.Identifier(str(group[0])))
            )
            conn.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(stray)))


def test_andon_acknowledgements_only_by_supervisors_and_well_formed(floor: Floor) -> None:
    ack = "SELECT leanops_acknowledge_andon(%s, %s, 'ST-07', NULL, 'x')"
    good = ("blocked_too_long|ST-07|2026-12-05T08:00:00+00:00", "blocked_too_long")
    with floor.seats["operator"].connect() as conn:
        assert sqlstate_of(lambda: conn.execute(ack, good)) == DENIED
    with floor.seats["supervisor"].connect() as conn:
        bad_rule = ("drop_tables|ST-07|1", "drop_tables")
        assert sqlstate_of(lambda: conn.execute(ack, bad_rule)) == "22023"
        wrong_key = ("station_silent|ST-07|1", "blocked_too_long")
        assert sqlstate_of(lambda: conn.execute(ack, wrong_key)) == "22023"
        first = conn.execute(ack, good).fetchone()
        again = conn.execute(ack, good).fetchone()
        assert first is not None and first[0] is not None
        assert again == (None,)
        row = conn.execute(
            "SELECT actor, meta ->> 'key' FROM events_log WHERE event_type = 'andon_acknowledged'"
        ).fetchall()
    assert row == [(floor.seats["supervisor"].email, good[0])]
def test_operators_cannot_edit_reasons_calendars_or_ideal_rates(floor: Floor) -> None:
    """Raw calls of the 0014 functions with an operator's (and a kiosk's) own login."""
    calls = (
        "SELECT leanops_save_reason('x', NULL, 'x', 'quality', true, NULL, 'admin')",
        "SELECT leanops_save_shift('9', 'n', 0, 60, '1', '[]'::jsonb, NULL, 'admin')",
        "SELECT leanops_set_non_working_day(DATE '2026-12-25', '', true, NULL, 'admin')",
        "SELECT leanops_set_ideal_cycle('J-07', 1.0, NULL, 'supervisor')",
    )
    for kind in ("operator", "device", "supervisor"):
        with floor.seats[kind].connect() as conn:
            for statement in calls:
                if kind == "supervisor" and "ideal_cycle" in statement:
                    continue  # supervisors set ideal rates

                def run(statement: str = statement) -> None:
                    with conn.transaction():
                        conn.execute(statement)

                assert sqlstate_of(run) == DENIED, (kind, statement)
    with floor.superuser() as conn:
        reason = conn.execute("SELECT count(*) FROM downtime_reasons WHERE id = 'x'").fetchone()
        assert reason == (0,)
        assert conn.execute("SELECT count(*) FROM shifts WHERE id = '9'").fetchone() == (0,)
        assert conn.execute("SELECT count(*) FROM non_working_days").fetchone() == (0,)
        job = conn.execute("SELECT ideal_cycle_s FROM jobs WHERE id = 'J-07'").fetchone()
        assert job == (None,)


def test_scrap_through_the_function_only_on_a_kiosks_own_station(floor: Floor) -> None:
    """A device's scrap for another station is refused; an operator's counts once; the
    counters follow the scrap logs."""
    with floor.seats["device"].connect() as conn:
        other = (
            "SELECT leanops_report_scrap(gen_random_uuid(), 'ST-08', 'J-07', 1,"
            " 'quality/surface', NULL, NULL, 'nobody', now())"
        )

        def off_station() -> None:
            with conn.transaction():
                conn.execute(other)

        assert sqlstate_of(off_station) == "LR005"
    report_id = uuid.uuid4()
    with floor.seats["operator"].connect() as conn:
        for _ in range(2):
            with conn.transaction():
                conn.execute(
                    "SELECT leanops_report_scrap(%s, 'ST-07', 'J-07', 2, 'quality/surface',"
                    " 'someone-else@plant.test', 'admin')",
                    (report_id,),
                )

        def with_a_wrong_reason() -> None:
            with conn.transaction():
                conn.execute(
                    "SELECT leanops_report_scrap(gen_random_uuid(), 'ST-07', 'J-07', 2,"
                    " 'maintenance', NULL, 'operator')"
                )

        assert sqlstate_of(with_a_wrong_reason) == "LP001"
    with floor.superuser() as conn:
        row = conn.execute(
            "SELECT a.qty_scrap, j.qty_scrapped, (SELECT sum(scrap_units) FROM throughput_rollup),"
            " (SELECT actor FROM scrap_logs) FROM station_assignments a JOIN jobs j"
            " ON j.id = a.job_id WHERE a.station_id = 'ST-07'"
        ).fetchone()
        event = conn.execute(
            "SELECT actor, meta ->> 'role' FROM events_log WHERE event_type = 'scrap_reported'"
        ).fetchall()
    assert row == (2, 2, 2, floor.seats["operator"].email)
    assert event == [(floor.seats["operator"].email, "operator")]  # not who it claimed
    assert_counts_match_logs(floor)
