"""The attack suite on a cluster prepared like Supabase.

Supabase's API roles ``anon`` (the public key: anyone on the internet), ``authenticated`` and
``service_role`` get, by default privileges of the migrating role, every table, function and
sequence created in ``public``; PostgREST's ``authenticator`` login switches to them with
SET ROLE. The migrating role is a CREATEROLE login that owns the database, not a superuser.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import psycopg
import pytest
from psycopg import sql
from sqlalchemy import text
from sqlalchemy.engine import make_url

from leanops_desktop.db import migrate, pg_audit
from leanops_desktop.db.engine import Database, open_database
from leanops_desktop.services.accounts import users
from leanops_desktop.services.accounts.pg_auth import sign_in_postgres
from leanops_desktop.services.accounts.pg_users import scram_verifier
from tests.pg_server import admin_connect, create_database, drop_database

pytestmark = pytest.mark.postgres

API_ROLES = ("anon", "authenticated", "service_role")
PASSWORD = "Supa-Pw-90c1"


@dataclass
class SupabaseLike:
    url: str  # as the migrating owner
    server: str
    db: Database

    def as_api_role(self, role: str) -> psycopg.Connection[tuple[object, ...]]:
        """What PostgREST does for a request with that role's key."""
        u = make_url(self.url)
        conn = psycopg.connect(
            host=u.host,
            port=u.port,
            dbname=u.database,
            user="authenticator",
            password=PASSWORD,
            autocommit=True,
        )
        conn.execute(sql.SQL("SET ROLE {}").format(sql.Identifier(role)))
        return conn


@pytest.fixture
def supabase(pg_server_url: str) -> Iterator[SupabaseLike]:
    tag = uuid.uuid4().hex[:8]
    owner = f"postgres_{tag}"
    name = f"supa_{tag}"
    with admin_connect(pg_server_url) as conn:
        existing = {r[0] for r in conn.execute("SELECT rolname FROM pg_roles").fetchall()}
        for role in API_ROLES:
            if role not in existing:
                conn.execute(sql.SQL("CREATE ROLE {} NOLOGIN").format(sql.Identifier(role)))
        if "authenticator" not in existing:
            conn.execute(
                sql.SQL("CREATE ROLE authenticator LOGIN NOINHERIT PASSWORD {}").format(
                    sql.Literal(PASSWORD)
                )
            )
        conn.execute("GRANT anon, authenticated, service_role TO authenticator")
        conn.execute(
            sql.SQL("CREATE ROLE {} LOGIN CREATEROLE PASSWORD {}").format(
                sql.Identifier(owner), sql.Literal(PASSWORD)
            )
        )
    create_database(pg_server_url, name)
    server_db = make_url(pg_server_url).set(database=name).render_as_string(hide_password=False)
    with admin_connect(server_db) as conn:
        conn.execute(
            sql.SQL("ALTER DATABASE {} OWNER TO {}").format(
                sql.Identifier(name), sql.Identifier(owner)
            )
        )
        for kind in ("TABLES", "FUNCTIONS", "SEQUENCES"):
            conn.execute(
                sql.SQL(
                    "ALTER DEFAULT PRIVILEGES FOR ROLE {} IN SCHEMA public GRANT ALL ON {}"
                    " TO anon, authenticated, service_role"
                ).format(sql.Identifier(owner), sql.SQL(kind))
            )
        conn.execute("GRANT ALL ON SCHEMA public TO anon, authenticated, service_role")
    url = (
        make_url(pg_server_url)
        .set(database=name, username=owner, password=PASSWORD)
        .render_as_string(hide_password=False)
    )
    db = open_database(url)
    try:
        migrate.upgrade(db)
        yield SupabaseLike(url=url, server=pg_server_url, db=db)
    finally:
        db.dispose()
        drop_database(pg_server_url, name)
        with admin_connect(pg_server_url) as conn:
            conn.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(owner)))


def test_migrating_as_supabases_owner_leaves_nothing_to_the_api_roles(
    supabase: SupabaseLike,
) -> None:
    with supabase.db.engine.connect() as connection:
        assert pg_audit.audit(connection) == []
        reachable = connection.execute(
            text(
                "SELECT r.rolname, p.proname FROM pg_roles r, pg_proc p"
                " WHERE r.rolname IN ('anon', 'authenticated', 'service_role', 'authenticator')"
                " AND p.pronamespace = 'public'::regnamespace"
                " AND has_function_privilege(r.oid, p.oid, 'EXECUTE')"
                " UNION ALL SELECT r.rolname, c.relname FROM pg_roles r, pg_class c"
                " WHERE r.rolname IN ('anon', 'authenticated', 'service_role', 'authenticator')"
                " AND c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'S')"
                " AND (has_table_privilege(r.oid, c.oid,"
                "      'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER')"
                "      OR (c.relkind = 'S' AND has_sequence_privilege(r.oid, c.oid, 'USAGE')))"
            )
        ).all()
    assert reachable == []


def test_the_anon_key_cannot_create_an_admin(supabase: SupabaseLike) -> None:
    """Finding 2: as anon, leanops_create_user_internal made a working admin login."""
    email = f"mallory-{uuid.uuid4().hex[:6]}@x.test"
    for role in API_ROLES:
        with supabase.as_api_role(role) as conn:
            for call in (
                "SELECT public.leanops_create_user_internal(%s, 'admin', %s, 'postgrest', false)",
                "SELECT public.leanops_init_admin(%s, %s)",
                "SELECT public.leanops_create_user(%s, 'admin', %s)",
            ):
                with pytest.raises(psycopg.errors.InsufficientPrivilege):
                    conn.execute(call, (email, scram_verifier("pw-1234567")))
            for statement in (
                "SELECT count(*) FROM public.users",
                "SELECT nextval('public.change_feed_seq_seq')",
                "SELECT nextval('public.leanops_wake_clock')",
                "CREATE TEMP TABLE t (id int)",
                "CREATE TABLE public.mallory (id int)",
                "INSERT INTO public.performance_logs (id, qty_completed)"
                " VALUES (gen_random_uuid(), 5)",
            ):
                with pytest.raises(psycopg.errors.InsufficientPrivilege):
                    conn.execute(statement)
    with admin_connect(supabase.server) as conn:
        found = conn.execute("SELECT count(*) FROM pg_roles WHERE rolname = %s", (email,))
        assert found.fetchone() == (0,)


def test_a_later_migrations_function_is_taken_back_from_the_api_roles(
    supabase: SupabaseLike,
) -> None:
    """Default privileges hand every new function to the API roles; upgrade takes it back."""
    with supabase.db.engine.begin() as connection:
        connection.execute(
            text("CREATE FUNCTION public.leanops_later() RETURNS int LANGUAGE sql AS 'SELECT 1'")
        )
        granted = connection.execute(
            text("SELECT has_function_privilege('anon', 'public.leanops_later()', 'EXECUTE')")
        ).scalar()
        assert granted is True
        findings = {str(f) for f in pg_audit.audit(connection)}
    assert "function leanops_later(): anon has EXECUTE" in findings
    migrate.upgrade(supabase.db)
    with supabase.db.engine.connect() as connection:
        assert pg_audit.audit(connection) == []
        owner = connection.execute(
            text("SELECT proowner::regrole::text FROM pg_proc WHERE proname = 'leanops_later'")
        ).scalar()
    assert owner is not None and "leanops_owner@" in owner


def test_leanops_works_for_its_own_users_there(supabase: SupabaseLike) -> None:
    tag = uuid.uuid4().hex[:6]
    with supabase.db.session() as session:
        users.init_admin(session, f"ada-{tag}@plant.test", "Ada-Pw-12345")
    signed = sign_in_postgres(make_url(supabase.url), f"ada-{tag}@plant.test", "Ada-Pw-12345")
    try:
        with signed.db.session() as session:
            users.add_user(
                session,
                signed.actor,
                email=f"olga-{tag}@plant.test",
                role="operator",
                password="Olga-Pw-12345",
            )
            rows = users.list_users(session, signed.actor)
        assert {row.email for row in rows} == {f"ada-{tag}@plant.test", f"olga-{tag}@plant.test"}
    finally:
        signed.db.dispose()
        with admin_connect(supabase.server) as conn:
            for email in (f"ada-{tag}@plant.test", f"olga-{tag}@plant.test"):
                conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(email)))
