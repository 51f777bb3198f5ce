"""The database itself enforces the permission matrix (PostgreSQL), tested with raw SQL."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import psycopg
import pytest
from sqlalchemy.engine import make_url

from leanops_desktop.core.actor import Actor
from leanops_desktop.core.enums import Role
from leanops_desktop.core.errors import NotFound, PermissionDenied
from leanops_desktop.db.engine import Database
from leanops_desktop.services.accounts import auth, pg_users, users
from leanops_desktop.services.accounts.signed_in import SignedIn
from leanops_desktop.services.floor import dispatch, jobs, stations
from leanops_desktop.services.reporting import production
from tests.factories import make_job, make_station
from tests.pg_clients import connect_as

pytestmark = [pytest.mark.postgres, pytest.mark.parametrize("backend", ["postgresql"])]

GROUPS = ("operator", "supervisor", "admin")
PASSWORD = "Sentinel-Pw-7c1f"
ALL = frozenset(GROUPS)
PLANNERS = frozenset({"supervisor", "admin"})
NONE: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Plant:
    url: str
    emails: dict[str, str]

    def connect(self, role: str) -> psycopg.Connection[tuple[object, ...]]:
        return connect_as(self.url, self.emails[role], PASSWORD, autocommit=False)


@pytest.fixture
def plant(db: Database, db_url: str, admin: Actor) -> Plant:
    tag = uuid.uuid4().hex[:8]
    emails = {role: f"{role}-{tag}@plant.test" for role in GROUPS}
    with db.session() as session:
        for role, email in emails.items():
            users.add_user(session, admin, email=email, role=role, password=PASSWORD)
    make_station(db, admin, "ST-01")
    make_station(db, admin, "ST-02")
    make_job(db, admin, "JOB-R")
    make_job(db, admin, "JOB-W")
    with db.session() as session:
        dispatch.assign_job(session, admin, "JOB-R", "ST-01")
        production.report_quantity(
            session, admin, station_id="ST-01", job_id="JOB-R", qty=2, report_id=uuid.uuid4()
        )
    return Plant(url=db_url, emails=emails)


LOG = "INSERT INTO performance_logs (id, station_id, job_id, qty_completed) VALUES"
#: (table, operation, statement, the roles whose *service* may do it). Since migration 0010
#: no group writes a table directly: the services' writes go through LeanOps functions, so
#: the database must refuse every statement below that is not a SELECT, for every role.
CELLS: list[tuple[str, str, str, frozenset[str]]] = [
    ("stations", "SELECT", "SELECT id FROM stations WHERE id = 'ST-01'", ALL),
    (
        "stations",
        "INSERT",
        "INSERT INTO stations (id, name, line) VALUES ('ST-X', 'x', 'L') RETURNING id",
        PLANNERS,
    ),
    (
        "stations",
        "UPDATE status",
        "UPDATE stations SET status = 'blocked', blocked_reason = 'qa'"
        " WHERE id = 'ST-02' RETURNING id",
        ALL,
    ),
    (
        "stations",
        "UPDATE name",
        "UPDATE stations SET name = 'n' WHERE id = 'ST-01' RETURNING id",
        PLANNERS,
    ),
    ("stations", "DELETE", "DELETE FROM stations WHERE id = 'ST-02' RETURNING id", NONE),
    ("jobs", "SELECT", "SELECT id FROM jobs WHERE id = 'JOB-R'", ALL),
    (
        "jobs",
        "INSERT",
        "INSERT INTO jobs (id, part_name, qty_total, due_date) VALUES"
        " ('JOB-X', 'p', 5, '2030-01-01') RETURNING id",
        PLANNERS,
    ),
    (
        "jobs",
        "UPDATE status",
        "UPDATE jobs SET status = 'completed' WHERE id = 'JOB-R' RETURNING id",
        ALL,
    ),
    (
        "jobs",
        "UPDATE qty_total",
        "UPDATE jobs SET qty_total = 7 WHERE id = 'JOB-W' RETURNING id",
        PLANNERS,
    ),
    ("jobs", "UPDATE qty_reported", "UPDATE jobs SET qty_reported = 9 RETURNING id", NONE),
    ("jobs", "DELETE", "DELETE FROM jobs WHERE id = 'JOB-W' RETURNING id", NONE),
    ("station_assignments", "SELECT", "SELECT id FROM station_assignments", ALL),
    (
        "station_assignments",
        "INSERT",
        "INSERT INTO station_assignments (id, station_id, job_id)"
        " VALUES (gen_random_uuid(), 'ST-02', 'JOB-W') RETURNING id",
        PLANNERS,
    ),
    (
        "station_assignments",
        "UPDATE qty_done",
        "UPDATE station_assignments SET qty_done = 999 RETURNING id",
        NONE,
    ),
    (
        "station_assignments",
        "DELETE",
        "DELETE FROM station_assignments WHERE job_id = 'JOB-R' RETURNING id",
        PLANNERS,
    ),
    ("performance_logs", "SELECT", "SELECT id FROM performance_logs", ALL),
    (
        "performance_logs",
        "INSERT",
        f"{LOG} (gen_random_uuid(), 'ST-01', 'JOB-R', 1) RETURNING id",
        ALL,
    ),
    (
        "performance_logs",
        "INSERT elsewhere",
        f"{LOG} (gen_random_uuid(), 'ST-02', 'JOB-W', 1) RETURNING id",
        NONE,
    ),
    (
        "performance_logs",
        "UPDATE",
        "UPDATE performance_logs SET qty_completed = 50 RETURNING id",
        NONE,
    ),
    ("performance_logs", "DELETE", "DELETE FROM performance_logs RETURNING id", NONE),
    ("events_log", "SELECT", "SELECT id FROM events_log", ALL),
    (
        "events_log",
        "INSERT",
        "INSERT INTO events_log (id, event_type, meta) VALUES"
        " (gen_random_uuid(), 'note', '{}') RETURNING id",
        ALL,
    ),
    ("events_log", "UPDATE", "UPDATE events_log SET event_type = 'x' RETURNING id", NONE),
    ("events_log", "DELETE", "DELETE FROM events_log RETURNING id", NONE),
    ("users", "SELECT", "SELECT id FROM users", ALL),
    (
        "users",
        "INSERT",
        "INSERT INTO users (id, email, role) VALUES (gen_random_uuid(),"
        " 'evil@x.y', 'admin') RETURNING id",
        NONE,
    ),
    ("users", "UPDATE", "UPDATE users SET role = 'admin' RETURNING id", NONE),
    ("users", "DELETE", "DELETE FROM users RETURNING id", NONE),
    ("change_feed", "SELECT", "SELECT seq FROM change_feed", ALL),
    (
        "change_feed",
        "INSERT",
        "INSERT INTO change_feed (table_name, row_key, op) VALUES ('jobs', 'x', 'I') RETURNING seq",
        NONE,
    ),
    ("change_feed", "UPDATE", "UPDATE change_feed SET row_key = 'x' RETURNING seq", NONE),
    ("change_feed", "DELETE", "DELETE FROM change_feed RETURNING seq", NONE),
]


def attempt(connection: psycopg.Connection[tuple[object, ...]], sql: str) -> bool:
    """True when the statement ran and touched at least one row (RLS filters count as denied)."""
    try:
        with connection.transaction():
            rows = connection.execute(sql).fetchall()
            raise _Rollback(bool(rows))
    except _Rollback as outcome:
        return outcome.touched
    except psycopg.Error:
        return False


class _Rollback(Exception):
    def __init__(self, touched: bool) -> None:
        super().__init__()
        self.touched = touched


def test_permission_matrix_for_every_table_role_and_operation(plant: Plant) -> None:
    """Every group reads; no group writes a table directly (changes go through functions)."""
    mismatches = []
    for role in GROUPS:
        with plant.connect(role) as connection:
            for table, operation, sql, service_roles in CELLS:
                allowed = service_roles if operation.startswith("SELECT") else NONE
                if attempt(connection, sql) != (role in allowed):
                    expected = "allowed" if role in allowed else "denied"
                    mismatches.append(f"{role} {operation} on {table}: expected {expected}")
    assert mismatches == []


@pytest.mark.parametrize(
    "sql",
    [
        "SET ROLE leanops_admin",
        "SET ROLE leanops_owner",
        "SELECT set_config('role', leanops_plant_role('admin'), false)",
        "SELECT set_config('role', leanops_plant_role('owner'), false)",
        "SET SESSION AUTHORIZATION postgres",
        "ALTER ROLE CURRENT_USER SUPERUSER",
        "ALTER ROLE CURRENT_USER BYPASSRLS",
        "GRANT leanops_admin TO CURRENT_USER",
        "DO $$ BEGIN EXECUTE format('GRANT %I TO CURRENT_USER', leanops_plant_role('admin'));"
        " END $$",
        "SELECT public.leanops_create_user('x@y.z', 'admin', 'SCRAM-SHA-256$4096:a$b:c')",
        "SELECT public.leanops_init_admin('x@y.z', 'SCRAM-SHA-256$4096:a$b:c')",
        "SELECT public.leanops_create_user_internal('x@y.z', 'admin', 'SCRAM-SHA-256$4096:a$b:c',"
        " 'me', true)",
    ],
)
def test_impersonation_attempts_fail(plant: Plant, sql: str) -> None:
    for role in ("operator", "supervisor"):
        with plant.connect(role) as connection, pytest.raises(psycopg.Error):
            connection.execute(sql)


def test_row_security_cannot_be_switched_off(plant: Plant) -> None:
    with plant.connect("operator") as connection:
        connection.execute("SET row_security = off")
        with pytest.raises(psycopg.Error, match="row-level security"):
            connection.execute("SELECT id FROM stations").fetchall()


def test_jwt_claims_grant_nothing(plant: Plant) -> None:
    with plant.connect("operator") as connection:
        connection.execute(
            "SELECT set_config('request.jwt.claim.sub', %s, false),"
            " set_config('request.jwt.claim.role', 'service_role', false)",
            (plant.emails["admin"],),
        )
        assert not attempt(connection, "UPDATE users SET role = 'admin' RETURNING id")
        assert not attempt(
            connection,
            f"SELECT public.leanops_set_user_role('{plant.emails['operator']}', 'admin')",
        )


def test_a_temp_table_cannot_hijack_an_admin_function(plant: Plant) -> None:
    target = plant.emails["operator"]
    with plant.connect("admin") as connection:
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="temporary tables"):
            connection.execute("CREATE TEMP TABLE users (email text, role text, is_active bool)")
        connection.rollback()
        connection.execute("SELECT public.leanops_set_user_role(%s, 'supervisor')", (target,))
        real = connection.execute(
            "SELECT role FROM public.users WHERE email = %s", (target,)
        ).fetchone()
        connection.commit()
    assert real == ("supervisor",)


def test_the_database_stamps_the_event_actor(plant: Plant) -> None:
    refused = pytest.raises(psycopg.errors.InsufficientPrivilege)
    with plant.connect("operator") as connection, refused:
        connection.execute(
            "INSERT INTO events_log (id, event_type, meta, actor) VALUES (gen_random_uuid(),"
            " 'note', '{\"actor\": \"boss@plant.test\"}', 'boss@plant.test')"
        )
    with plant.connect("admin") as connection:
        connection.execute(
            "SELECT public.leanops_set_user_role(%s, 'supervisor')", (plant.emails["operator"],)
        )
        actor, meta = connection.execute(
            "SELECT actor, meta FROM events_log WHERE event_type = 'user_role_changed'"
            " ORDER BY timestamp DESC LIMIT 1"
        ).fetchone()  # type: ignore[misc]
        connection.commit()
    assert actor == plant.emails["admin"]
    assert meta["actor"] == plant.emails["admin"] and meta["role"] == "admin"


def test_catalog_is_locked_down(plant: Plant, pg_server_url: str) -> None:
    url = make_url(plant.url)
    with psycopg.connect(
        make_url(pg_server_url)
        .set(database=url.database)
        .render_as_string(hide_password=False)
        .replace("+psycopg", "")
    ) as connection:
        unprotected = connection.execute(
            "SELECT relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = 'public' AND c.relkind = 'r'"
            " AND NOT (c.relrowsecurity AND c.relforcerowsecurity)"
        ).fetchall()
        assert unprotected == []
        owners = connection.execute(
            "SELECT DISTINCT pg_get_userbyid(relowner) FROM pg_class c JOIN pg_namespace n"
            " ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind = 'r'"
        ).fetchall()
        plant_roles = {
            kind: str(connection.execute("SELECT leanops_plant_role(%s)", (kind,)).fetchone()[0])  # type: ignore[index]
            for kind in ("owner", "operator", "supervisor", "admin")
        }
        assert owners == [(plant_roles["owner"],)]
        logins = connection.execute(
            "SELECT u.rolname, u.rolsuper, u.rolbypassrls, u.rolpassword FROM pg_authid u"
            " JOIN pg_auth_members m ON m.member = u.oid JOIN pg_roles g ON g.oid = m.roleid"
            " WHERE g.rolname = ANY(%s) AND u.rolname = ANY(%s)",
            ([plant_roles[k] for k in GROUPS], list(plant.emails.values())),
        ).fetchall()
        assert len(logins) == 3
        for name, superuser, bypass, password in logins:
            assert not superuser and not bypass, name
            assert password.startswith("SCRAM-SHA-256$"), name
        group_flags = connection.execute(
            "SELECT rolname, rolcanlogin, rolsuper, rolbypassrls FROM pg_roles"
            " WHERE rolname = ANY(%s)",
            (list(plant_roles.values()),),
        ).fetchall()
        assert len(group_flags) == 4
        assert all(not login and not su and not bypass for _n, login, su, bypass in group_flags)
        public_execute = connection.execute(
            "SELECT p.proname FROM pg_proc p CROSS JOIN LATERAL aclexplode(p.proacl) a"
            " WHERE p.proname IN ('leanops_create_user', 'leanops_set_user_role',"
            " 'leanops_set_user_active', 'leanops_set_user_password', 'leanops_init_admin',"
            " 'leanops_create_user_internal') AND a.grantee = 0"
        ).fetchall()
        assert public_execute == []
        definers = connection.execute(
            "SELECT proname, proconfig FROM pg_proc WHERE prosecdef AND proname LIKE 'leanops_%'"
        ).fetchall()
        assert definers and all(
            config
            and any(item.startswith("search_path=") and item.endswith("pg_temp") for item in config)
            for _name, config in definers
        )


@pytest.fixture
def as_user(plant: Plant) -> Iterator[dict[str, SignedIn]]:
    sessions = {role: auth.sign_in(plant.url, plant.emails[role], PASSWORD) for role in GROUPS}
    yield sessions
    for signed in sessions.values():
        signed.db.dispose()


def test_a_forged_actor_does_not_get_past_the_database(as_user: dict[str, SignedIn]) -> None:
    operator = as_user["operator"]
    forged = Actor(email=operator.actor.email, role=Role.SUPERVISOR)  # a tampered client
    with operator.db.session() as session, pytest.raises(PermissionDenied) as refused:
        jobs.create_job(
            session, forged, job_id="JOB-F", part_name="p", qty_total=1, due_date="2030-01-01"
        )
    assert "the database refused" in str(refused.value)
    with operator.db.session() as session, pytest.raises(PermissionDenied, match="refused"):
        stations.update_station(session, forged, "ST-01", name="Renamed")


def test_each_role_does_its_work_through_the_services(as_user: dict[str, SignedIn]) -> None:
    operator, supervisor = as_user["operator"], as_user["supervisor"]
    with supervisor.db.session() as session:
        jobs.create_job(
            session,
            supervisor.actor,
            job_id="JOB-S",
            part_name="p",
            qty_total=3,
            due_date="2030-01-01",
        )
        dispatch.assign_job(session, supervisor.actor, "JOB-S", "ST-02")
    with operator.db.session() as session:
        result = production.report_quantity(
            session,
            operator.actor,
            station_id="ST-02",
            job_id="JOB-S",
            qty=3,
            report_id=uuid.uuid4(),
        )
        assert result.assignment_qty_done == 3
        stations.block_station(session, operator.actor, "ST-02", "material")
        stations.unblock_station(session, operator.actor, "ST-02")
        done = dispatch.complete_job(session, operator.actor, "JOB-S", station_id="ST-02")
        assert done.status == "completed"
        with pytest.raises(PermissionDenied):
            dispatch.assign_job(session, operator.actor, "JOB-W", "ST-02")
    with as_user["admin"].db.session() as session:
        users.set_role(session, as_user["admin"].actor, operator.actor.email, "supervisor")
    # A supervisor claiming to be an admin: the users row is not even visible to it...
    with supervisor.db.session() as session, pytest.raises(NotFound):
        users.set_role(
            session, Actor(supervisor.actor.email, Role.ADMIN), operator.actor.email, "admin"
        )
    # ...and the function refuses it whatever the client claims.
    with supervisor.db.session() as session, pytest.raises(PermissionDenied):
        pg_users.call(
            session, "leanops_set_user_role", p_email=operator.actor.email, p_role="admin"
        )


def test_supabase_api_roles_get_nothing(empty_db_url: str, pg_server_url: str) -> None:
    from leanops_desktop.db import migrate
    from leanops_desktop.db.engine import open_database

    plain = make_url(empty_db_url).render_as_string(hide_password=False).replace("+psycopg", "")
    with psycopg.connect(plain, autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_roles WHERE rolname = 'anon'").fetchone()
        if not exists:
            connection.execute("CREATE ROLE anon NOLOGIN")
        # What Supabase does: default privileges give its API roles every new table.
        connection.execute("ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT ALL ON TABLES TO anon")
    db = open_database(empty_db_url)
    try:
        migrate.upgrade(db)
    finally:
        db.dispose()
    with psycopg.connect(plain) as connection:
        granted = connection.execute(
            "SELECT table_name, privilege_type FROM information_schema.role_table_grants"
            " WHERE grantee = 'anon' AND table_schema = 'public'"
        ).fetchall()
    assert granted == []
