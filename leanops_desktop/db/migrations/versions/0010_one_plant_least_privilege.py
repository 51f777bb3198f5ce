"""One database, one plant: per-database roles, least privilege, no direct writes, timeouts.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04

Until now the owner and the three groups were cluster-wide roles (``leanops_owner``,
``leanops_operator``, ...): an admin of one LeanOps database was an admin of every other
LeanOps database on the same server. On PostgreSQL this migration:

* **Per-plant roles.** Creates ``leanops_owner@<database>``, ``leanops_operator@<database>``,
  ``leanops_supervisor@<database>`` and ``leanops_admin@<database>`` (a database name too
  long for 63 bytes is cut and completed with 8 hex digits of its md5), and
  ``public.leanops_plant_role(kind)``, which names them for functions and later migrations.
  The names are fixed here: renaming the database later changes nothing. Every user of this
  database's ``users`` table joins its plant group; objects move to the plant owner; the
  cluster-wide roles lose every privilege here and are dropped when no other database still
  uses them.
* **No direct writes.** The groups keep SELECT only; every change goes through the LeanOps
  functions of migrations 0002, 0006, 0008 and 0009, which check the rules the services
  check and write the one event. Policies: the owner's, and one read policy per table that
  lets only an *active* user of this plant read (a disabled account's open session reads
  nothing and can call nothing); ``users`` shows operators and supervisors their own row,
  admins every row.
* **Who is who** comes from this database: ``leanops_group_of(login)`` is the role of an
  active ``users`` row whose login is in the matching plant group.
* **User administration** keeps its functions, with: emails longer than PostgreSQL's 63-byte
  role names refused; a role of another plant never taken over by ``init-admin``; the
  last-admin rule under concurrency (every change that could remove an admin first locks all
  active admin rows); disabling a user ends the user's open sessions in this database; new
  logins get the session timeouts below.
* **Timeouts** for every LeanOps login in this database (``ALTER ROLE ... IN DATABASE``):
  ``lock_timeout`` 5 s, ``statement_timeout`` 120 s, ``idle_in_transaction_session_timeout``
  60 s (see docs/security.md for what they do and do not guarantee).
* Then ``db/pg_lockdown.py`` (run again after every upgrade): PUBLIC and every role outside
  the plant lose every privilege on LeanOps objects, trigger functions become callable by
  nobody and guard their tables, TEMPORARY and CREATE on ``public`` are revoked from PUBLIC.

On SQLite this migration does nothing (one file, one plant; the app checks permissions).
"""

from __future__ import annotations

from alembic import op

from leanops_desktop.db.pg_lockdown import LOCKDOWN_SQL, TABLES

_TABLE_ARRAY = "ARRAY[" + ", ".join(f"'{t}'" for t in TABLES) + "]::name[]"

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_SAFE_PATH = "SET search_path = pg_catalog, public, pg_temp"
_LEGACY = ("leanops_operator", "leanops_supervisor", "leanops_admin", "leanops_owner")
LOCK_TIMEOUT = "5s"
STATEMENT_TIMEOUT = "120s"
IDLE_IN_TRANSACTION_TIMEOUT = "60s"

#: table -> the groups that read it (operators: the floor; planners: also the rollup).
_READERS = {
    "stations": ("operator", "supervisor", "admin"),
    "jobs": ("operator", "supervisor", "admin"),
    "station_assignments": ("operator", "supervisor", "admin"),
    "performance_logs": ("operator", "supervisor", "admin"),
    "events_log": ("operator", "supervisor", "admin"),
    "users": ("operator", "supervisor", "admin"),
    "change_feed": ("operator", "supervisor", "admin"),
    "alembic_version": ("operator", "supervisor", "admin"),
    "throughput_rollup": ("supervisor", "admin"),
}

_PLANT_ROLES = """
DO $plant$
DECLARE
    tag text := current_database();
    kinds text[] := ARRAY['owner', 'operator', 'supervisor', 'admin'];
    kind text;
    names text[] := ARRAY[]::text[];
BEGIN
    IF octet_length('leanops_supervisor@' || tag) > 63 THEN
        WHILE octet_length(tag) > 35 LOOP
            tag := left(tag, length(tag) - 1);
        END LOOP;
        tag := tag || '~' || left(md5(current_database()), 8);
    END IF;
    FOREACH kind IN ARRAY kinds LOOP
        names := names || format('leanops_%s@%s', kind, tag);
        IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = names[array_length(names, 1)]) THEN
            EXECUTE format('CREATE ROLE %I NOLOGIN%s', names[array_length(names, 1)],
                           CASE WHEN kind = 'owner' THEN ' CREATEROLE' ELSE '' END);
        END IF;
    END LOOP;
    -- The migrating role hands objects to the owner; the owner manages the groups.
    IF NOT pg_catalog.pg_has_role(current_user, names[1], 'MEMBER') THEN
        EXECUTE format('GRANT %I TO %I', names[1], current_user);
    END IF;
    EXECUTE format('GRANT %I, %I, %I TO %I WITH ADMIN OPTION',
                   names[2], names[3], names[4], names[1]);
    EXECUTE format(
        'CREATE FUNCTION public.leanops_plant_role(kind text) RETURNS name'
        ' LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$ SELECT (CASE kind'
        ' WHEN %L THEN %L WHEN %L THEN %L WHEN %L THEN %L WHEN %L THEN %L END)::name $fn$',
        kinds[1], names[1], kinds[2], names[2], kinds[3], names[3], kinds[4], names[4]);
    EXECUTE format('GRANT USAGE ON SCHEMA public TO %I, %I, %I, %I',
                   names[1], names[2], names[3], names[4]);
    EXECUTE format('GRANT CREATE ON SCHEMA public TO %I', names[1]);
END
$plant$
"""

# Logins of this plant: their group, the owner may end their sessions, their timeouts.
_ADOPT_USERS = f"""
DO $adopt$
DECLARE
    u record;
BEGIN
    FOR u IN SELECT email, role FROM public.users
              WHERE EXISTS (SELECT 1 FROM pg_catalog.pg_roles r WHERE r.rolname = email) LOOP
        EXECUTE format('GRANT %I TO %I', public.leanops_plant_role(u.role), u.email);
        EXECUTE format('GRANT %I TO %I', u.email, public.leanops_plant_role('owner'));
        EXECUTE format('ALTER ROLE %I IN DATABASE %I SET lock_timeout = %L',
                       u.email, current_database(), '{LOCK_TIMEOUT}');
        EXECUTE format('ALTER ROLE %I IN DATABASE %I SET statement_timeout = %L',
                       u.email, current_database(), '{STATEMENT_TIMEOUT}');
        EXECUTE format('ALTER ROLE %I IN DATABASE %I SET idle_in_transaction_session_timeout = %L',
                       u.email, current_database(), '{IDLE_IN_TRANSACTION_TIMEOUT}');
    END LOOP;
END
$adopt$
"""

_GROUP_OF = f"""
CREATE OR REPLACE FUNCTION public.leanops_group_of(login name) RETURNS text
LANGUAGE plpgsql STABLE SECURITY DEFINER {_SAFE_PATH} AS $fn$
BEGIN
    -- pg_has_role reads the role-membership cache: a fifth of the cost of joining the
    -- catalogs (it runs for every report and every event).
    RETURN (
        SELECT u.role
          FROM public.users u
         WHERE u.email = login::text AND u.is_active
           AND pg_catalog.pg_has_role(pg_catalog.to_regrole(pg_catalog.quote_ident(login)),
                                      public.leanops_plant_role(u.role), 'MEMBER'));
END
$fn$
"""

_CALLER_ROLE = f"""
CREATE OR REPLACE FUNCTION public.leanops_caller_role(p_claimed text) RETURNS text
LANGUAGE plpgsql STABLE SECURITY DEFINER {_SAFE_PATH} AS $fn$
DECLARE
    grp text := public.leanops_group_of(session_user);
BEGIN
    IF grp IS NOT NULL THEN
        RETURN grp;
    END IF;
    IF pg_catalog.pg_has_role(session_user, public.leanops_plant_role('owner'), 'MEMBER') THEN
        RETURN CASE WHEN p_claimed IN ('operator', 'supervisor', 'admin')
                    THEN p_claimed ELSE 'admin' END;
    END IF;
    RAISE EXCEPTION 'only a signed-in LeanOps user of this plant may do this'
        USING ERRCODE = 'insufficient_privilege';
END
$fn$
"""

# Only an active admin of this plant, or IT (a member of the plant owner).
_ADMIN_CHECK = (
    "IF public.leanops_group_of(session_user) IS DISTINCT FROM 'admin'"
    " AND NOT pg_catalog.pg_has_role(session_user, public.leanops_plant_role('owner'), 'MEMBER')"
    " THEN RAISE EXCEPTION 'only an admin may manage users'"
    " USING ERRCODE = 'insufficient_privilege'; END IF;"
)
# Every change that could leave no admin first locks every active admin row, so two of
# them cannot each count the other and both go through.
_LOCK_ADMINS = (
    "PERFORM 1 FROM public.users WHERE role = 'admin' AND is_active ORDER BY id FOR UPDATE;"
)
_VALID_ROLE = """
    IF p_role IS NULL OR p_role NOT IN ('operator', 'supervisor', 'admin') THEN
        RAISE EXCEPTION 'role: % is not one of: operator, supervisor, admin', left(p_role, 80)
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
"""

_CREATE_USER_INTERNAL = f"""
CREATE OR REPLACE FUNCTION public.leanops_create_user_internal(
    p_email text, p_role text, p_verifier text, p_actor text, p_reuse boolean
) RETURNS uuid
LANGUAGE plpgsql SECURITY DEFINER {_SAFE_PATH} AS $fn$
DECLARE
    new_id uuid := gen_random_uuid();
    other text;
BEGIN
    IF p_email IS NULL OR p_email !~ '^[^@\\s]{{1,64}}@[^@\\s]{{1,190}}$'
       OR p_email <> lower(p_email) THEN
        RAISE EXCEPTION 'email: % is not a lower-case email address', left(p_email, 80)
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF octet_length(p_email) > 63 THEN
        RAISE EXCEPTION 'email: % is % bytes long; PostgreSQL login names hold at most 63',
            left(p_email, 80), octet_length(p_email) USING ERRCODE = 'invalid_parameter_value';
    END IF;
    {_VALID_ROLE}
    IF p_verifier IS NULL OR p_verifier NOT LIKE 'SCRAM-SHA-256$%' THEN
        RAISE EXCEPTION 'password: only SCRAM-SHA-256 verifiers are accepted'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF EXISTS (SELECT 1 FROM public.users WHERE email = p_email) THEN
        RAISE EXCEPTION 'user % already exists', p_email USING ERRCODE = 'unique_violation';
    END IF;
    IF EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = p_email) THEN
        -- A login of another LeanOps plant on this server is never taken over.
        SELECT g.rolname INTO other
          FROM pg_catalog.pg_auth_members m
          JOIN pg_catalog.pg_roles g ON g.oid = m.roleid
          JOIN pg_catalog.pg_roles u ON u.oid = m.member
         WHERE u.rolname = p_email AND g.rolname LIKE 'leanops\\_%'
         LIMIT 1;
        IF NOT p_reuse OR other IS NOT NULL OR EXISTS (SELECT 1 FROM pg_catalog.pg_roles
                WHERE rolname = p_email AND (rolsuper OR rolbypassrls OR rolcreaterole)) THEN
            RAISE EXCEPTION 'a database role named % already exists', p_email
                USING ERRCODE = 'duplicate_object';
        END IF;
        EXECUTE format('ALTER ROLE %I LOGIN PASSWORD %L', p_email, p_verifier);
    ELSE
        EXECUTE format('CREATE ROLE %I LOGIN PASSWORD %L', p_email, p_verifier);
    END IF;
    EXECUTE format('GRANT %I TO %I', public.leanops_plant_role(p_role), p_email);
    EXECUTE format('GRANT %I TO %I', p_email, public.leanops_plant_role('owner'));
    EXECUTE format('ALTER ROLE %I IN DATABASE %I SET lock_timeout = %L',
                   p_email, current_database(), '{LOCK_TIMEOUT}');
    EXECUTE format('ALTER ROLE %I IN DATABASE %I SET statement_timeout = %L',
                   p_email, current_database(), '{STATEMENT_TIMEOUT}');
    EXECUTE format('ALTER ROLE %I IN DATABASE %I SET idle_in_transaction_session_timeout = %L',
                   p_email, current_database(), '{IDLE_IN_TRANSACTION_TIMEOUT}');
    INSERT INTO public.users (id, email, role, is_active) VALUES (new_id, p_email, p_role, true);
    INSERT INTO public.events_log (id, event_type, meta, actor)
    VALUES (gen_random_uuid(), 'user_created',
            jsonb_build_object('actor', p_actor, 'new',
                jsonb_build_object('email', p_email, 'role', p_role)),
            p_actor);
    RETURN new_id;
END
$fn$
"""

_SET_USER_ROLE = f"""
CREATE OR REPLACE FUNCTION public.leanops_set_user_role(p_email text, p_role text)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER {_SAFE_PATH} AS $fn$
DECLARE
    old_role text;
BEGIN
    {_LOCK_ADMINS}
    {_ADMIN_CHECK}
    SELECT role INTO old_role FROM public.users WHERE email = p_email FOR UPDATE;
    IF old_role IS NULL THEN
        RAISE EXCEPTION 'user % does not exist', left(p_email, 80) USING ERRCODE = 'no_data_found';
    END IF;
    {_VALID_ROLE}
    IF old_role = 'admin' AND p_role <> 'admin' AND (SELECT count(*) FROM public.users
            WHERE role = 'admin' AND is_active) <= 1 THEN
        RAISE EXCEPTION 'cannot change the role of %: it is the last active admin account',
            p_email USING ERRCODE = 'check_violation';
    END IF;
    EXECUTE format('REVOKE %I, %I, %I FROM %I', public.leanops_plant_role('operator'),
                   public.leanops_plant_role('supervisor'), public.leanops_plant_role('admin'),
                   p_email);
    EXECUTE format('GRANT %I TO %I', public.leanops_plant_role(p_role), p_email);
    UPDATE public.users SET role = p_role WHERE email = p_email;
    INSERT INTO public.events_log (id, event_type, meta, actor)
    VALUES (gen_random_uuid(), 'user_role_changed',
            jsonb_build_object('old', jsonb_build_object('email', p_email, 'role', old_role),
                               'new', jsonb_build_object('email', p_email, 'role', p_role)),
            session_user);
END
$fn$
"""

_SET_USER_ACTIVE = f"""
CREATE OR REPLACE FUNCTION public.leanops_set_user_active(p_email text, p_active boolean)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER {_SAFE_PATH} AS $fn$
DECLARE
    was_active boolean;
    its_role text;
BEGIN
    {_LOCK_ADMINS}
    {_ADMIN_CHECK}
    SELECT is_active, role INTO was_active, its_role FROM public.users
     WHERE email = p_email FOR UPDATE;
    IF was_active IS NULL THEN
        RAISE EXCEPTION 'user % does not exist', left(p_email, 80) USING ERRCODE = 'no_data_found';
    END IF;
    IF p_active IS NULL OR was_active = p_active THEN
        RAISE EXCEPTION '% is already %', p_email,
            CASE WHEN was_active THEN 'enabled' ELSE 'disabled' END
            USING ERRCODE = 'check_violation';
    END IF;
    IF NOT p_active AND its_role = 'admin' AND (SELECT count(*) FROM public.users
            WHERE role = 'admin' AND is_active) <= 1 THEN
        RAISE EXCEPTION 'cannot disable %: it is the last active admin account', p_email
            USING ERRCODE = 'check_violation';
    END IF;
    EXECUTE format('ALTER ROLE %I %s', p_email,
                   CASE WHEN p_active THEN 'LOGIN' ELSE 'NOLOGIN' END);
    UPDATE public.users SET is_active = p_active WHERE email = p_email;
    IF NOT p_active THEN
        -- End the user's open sessions in this plant (a pooler may keep one open; every
        -- function and read policy also checks is_active, so it could do nothing anyway).
        BEGIN
            PERFORM pg_catalog.pg_terminate_backend(a.pid)
               FROM pg_catalog.pg_stat_activity a
              WHERE a.usename = p_email AND a.datname = current_database()
                AND a.pid <> pg_catalog.pg_backend_pid();
        EXCEPTION WHEN insufficient_privilege THEN
            NULL;
        END;
    END IF;
    INSERT INTO public.events_log (id, event_type, meta, actor)
    VALUES (gen_random_uuid(),
            CASE WHEN p_active THEN 'user_enabled' ELSE 'user_disabled' END,
            jsonb_build_object('old', jsonb_build_object('email', p_email,
                                                         'is_active', was_active),
                               'new', jsonb_build_object('email', p_email,
                                                         'is_active', p_active)),
            session_user);
END
$fn$
"""

_SET_USER_PASSWORD = f"""
CREATE OR REPLACE FUNCTION public.leanops_set_user_password(p_email text, p_verifier text)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER {_SAFE_PATH} AS $fn$
BEGIN
    {_ADMIN_CHECK}
    IF NOT EXISTS (SELECT 1 FROM public.users WHERE email = p_email) THEN
        RAISE EXCEPTION 'user % does not exist', left(p_email, 80) USING ERRCODE = 'no_data_found';
    END IF;
    IF p_verifier IS NULL OR p_verifier NOT LIKE 'SCRAM-SHA-256$%' THEN
        RAISE EXCEPTION 'password: only SCRAM-SHA-256 verifiers are accepted'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    EXECUTE format('ALTER ROLE %I PASSWORD %L', p_email, p_verifier);
    INSERT INTO public.events_log (id, event_type, meta, actor)
    VALUES (gen_random_uuid(), 'user_password_reset',
            jsonb_build_object('new', jsonb_build_object('email', p_email)), session_user);
END
$fn$
"""

_CREATE_USER = f"""
CREATE OR REPLACE FUNCTION public.leanops_create_user(p_email text, p_role text, p_verifier text)
RETURNS uuid LANGUAGE plpgsql SECURITY DEFINER {_SAFE_PATH} AS $fn$
BEGIN
    {_ADMIN_CHECK}
    RETURN public.leanops_create_user_internal(p_email, p_role, p_verifier,
                                               session_user, false);
END
$fn$
"""

# The cluster-wide owner's name written into function bodies and trigger conditions
# (the guards skip the count trigger's own updates) becomes the plant owner's.
_RENAME_OWNER_IN_CODE = """
DO $code$
DECLARE
    f record;
    t record;
BEGIN
    FOR f IN SELECT p.oid FROM pg_catalog.pg_proc p
               JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
              WHERE n.nspname = 'public' AND p.prosrc LIKE '%''leanops\\_owner''%' LOOP
        EXECUTE replace(pg_catalog.pg_get_functiondef(f.oid), '''leanops_owner''',
                        'public.leanops_plant_role(''owner'')');
    END LOOP;
    FOR t IN SELECT tg.oid, tg.tgname, c.relname
               FROM pg_catalog.pg_trigger tg
               JOIN pg_catalog.pg_class c ON c.oid = tg.tgrelid
               JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
              WHERE n.nspname = 'public' AND NOT tg.tgisinternal
                AND pg_catalog.pg_get_triggerdef(tg.oid) LIKE '%''leanops\\_owner''%' LOOP
        EXECUTE replace(replace(pg_catalog.pg_get_triggerdef(t.oid), '''leanops_owner''::name',
                                'public.leanops_plant_role(''owner'')'),
                        'CREATE TRIGGER', 'CREATE OR REPLACE TRIGGER');
    END LOOP;
END
$code$
"""


def _grant_from_legacy() -> str:
    """EXECUTE and sequence rights given to the cluster-wide groups go to the plant's."""
    return """
DO $map$
DECLARE
    o record;
BEGIN
    FOR o IN SELECT DISTINCT p.oid::regprocedure::text AS name, substr(r.rolname, 9) AS kind
               FROM pg_catalog.pg_proc p
               JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
               CROSS JOIN LATERAL pg_catalog.aclexplode(p.proacl) a
               JOIN pg_catalog.pg_roles r ON r.oid = a.grantee
              WHERE n.nspname = 'public' AND p.prorettype <> 'pg_catalog.trigger'::regtype
                AND r.rolname IN ('leanops_operator', 'leanops_supervisor', 'leanops_admin')
                AND a.privilege_type = 'EXECUTE' LOOP
        EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO %I', o.name,
                       public.leanops_plant_role(o.kind));
    END LOOP;
    FOR o IN SELECT DISTINCT c.relname::text AS name, substr(r.rolname, 9) AS kind,
                    a.privilege_type AS priv
               FROM pg_catalog.pg_class c
               JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
               CROSS JOIN LATERAL pg_catalog.aclexplode(c.relacl) a
               JOIN pg_catalog.pg_roles r ON r.oid = a.grantee
              WHERE n.nspname = 'public' AND c.relkind = 'S'
                AND r.rolname IN ('leanops_operator', 'leanops_supervisor', 'leanops_admin') LOOP
        EXECUTE format('GRANT %s ON SEQUENCE public.%I TO %I', o.priv, o.name,
                       public.leanops_plant_role(o.kind));
    END LOOP;
END
$map$
"""


def _tables_and_policies() -> list[str]:
    """SELECT only, for the groups that read each table; the owner's and the read policies."""
    statements = [
        f"""
DO $pol$
DECLARE
    p record;
BEGIN
    FOR p IN SELECT pol.polname, c.relname
               FROM pg_catalog.pg_policy pol
               JOIN pg_catalog.pg_class c ON c.oid = pol.polrelid
               JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
              WHERE n.nspname = 'public' AND c.relname = ANY ({_TABLE_ARRAY}) LOOP
        EXECUTE format('DROP POLICY %I ON public.%I', p.polname, p.relname);
    END LOOP;
END
$pol$
"""
    ]
    active = "(SELECT public.leanops_group_of(session_user)) IS NOT NULL"
    for table, readers in _READERS.items():
        roles = ", ".join("%I" for _ in readers)
        role_args = ", ".join(f"public.leanops_plant_role('{kind}')" for kind in readers)
        using = (
            "email = session_user::text OR (SELECT public.leanops_group_of(session_user)) = 'admin'"
            if table == "users"
            else active
        )
        statements.append(
            f"""
DO $t$
BEGIN
    EXECUTE 'REVOKE ALL ON public.{table} FROM PUBLIC';
    IF EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'leanops_operator') THEN
        EXECUTE 'REVOKE ALL ON public.{table} FROM leanops_operator, leanops_supervisor,'
                ' leanops_admin';
    END IF;
    EXECUTE format('REVOKE ALL ON public.{table} FROM %I, %I, %I',
                   public.leanops_plant_role('operator'), public.leanops_plant_role('supervisor'),
                   public.leanops_plant_role('admin'));
    EXECUTE format('GRANT SELECT ON public.{table} TO {roles}', {role_args});
    EXECUTE 'ALTER TABLE public.{table} ENABLE ROW LEVEL SECURITY';
    EXECUTE 'ALTER TABLE public.{table} FORCE ROW LEVEL SECURITY';
    EXECUTE format('CREATE POLICY {table}_owner ON public.{table} TO %I'
                   ' USING (true) WITH CHECK (true)', public.leanops_plant_role('owner'));
    EXECUTE format('CREATE POLICY {table}_read ON public.{table} FOR SELECT TO {roles}'
                   ' USING (%s)', {role_args}, {_quote(using)});
END
$t$
"""
        )
    return statements


def _quote(sql: str) -> str:
    return "'" + sql.replace("'", "''") + "'"


_DROP_LEGACY = """
DO $legacy$
DECLARE
    r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['leanops_operator', 'leanops_supervisor', 'leanops_admin',
                             'leanops_owner'] LOOP
        IF EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = r) THEN
            EXECUTE format('REVOKE ALL ON SCHEMA public FROM %I', r);
            EXECUTE format('REVOKE ALL ON DATABASE %I FROM %I', current_database(), r);
        END IF;
    END LOOP;
    -- Gone when no other database still uses them (DROP ROLE refuses while one does).
    FOREACH r IN ARRAY ARRAY['leanops_operator', 'leanops_supervisor', 'leanops_admin',
                             'leanops_owner'] LOOP
        IF EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = r) THEN
            BEGIN
                EXECUTE format('DROP ROLE %I', r);
            EXCEPTION WHEN dependent_objects_still_exist OR insufficient_privilege
                           OR object_in_use THEN
                NULL;
            END;
        END IF;
    END LOOP;
END
$legacy$
"""


def upgrade() -> None:
    if op.get_context().dialect.name != "postgresql":
        return
    op.execute(_PLANT_ROLES)
    op.execute(_ADOPT_USERS)
    for function in (
        _GROUP_OF,
        _CALLER_ROLE,
        _CREATE_USER_INTERNAL,
        _CREATE_USER,
        _SET_USER_ROLE,
        _SET_USER_ACTIVE,
        _SET_USER_PASSWORD,
    ):
        op.execute(function)
    op.execute(_RENAME_OWNER_IN_CODE)
    op.execute(_grant_from_legacy())
    for statement in _tables_and_policies():
        op.execute(statement)
    op.execute(LOCKDOWN_SQL)
    op.execute(_DROP_LEGACY)


def downgrade() -> None:
    if op.get_context().dialect.name != "postgresql":
        return
    raise NotImplementedError(
        "migration 0010 (per-plant roles) cannot be undone in place: restore a backup taken before the upgrade"
    )
