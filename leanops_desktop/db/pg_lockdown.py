"""PostgreSQL least privilege, re-applied and audited after every schema upgrade.

One LeanOps database is one plant. Its objects belong to the plant's NOLOGIN owner role and
are reachable only by the plant's three groups (and IT's accounts, members of the owner).
Migrations grant what each group needs; ``LOCKDOWN_SQL`` then takes away what anyone else
got, whatever default privileges the cluster has (Supabase gives its API roles ``anon``,
``authenticated`` and ``service_role`` every new table, function and sequence in ``public``),
so a later migration cannot leave a hole by forgetting a REVOKE:

* every LeanOps table, view, sequence and function is owned by the plant owner;
* no privilege on them for PUBLIC or any role but the plant's groups; trigger functions
  are executable by no one but the owner (a trigger fires without EXECUTE; only CREATE
  TRIGGER needs it), and each refuses to run for a table it is not attached to;
* no TEMPORARY on the database and no CREATE on schema ``public`` for PUBLIC: LeanOps
  needs neither, and a temporary table is where an attacker would hang an owner-run
  trigger function.

``db/pg_audit.py`` lists whatever a role outside the plant can still reach; ``leanops db upgrade``
fails and names each finding. Both run as one SQL text so that ``leanops db sql`` (the
script for review or the Supabase SQL editor) applies and checks the same.
"""

from __future__ import annotations

from sqlalchemy import Connection, text

#: The marker of the guard line put in every LeanOps trigger function.
GUARD_MARKER = "-- leanops: own tables only"

#: Tables of LeanOps (the source document's six and the ones the product added).
TABLES = (
    "stations",
    "jobs",
    "station_assignments",
    "performance_logs",
    "events_log",
    "users",
    "change_feed",
    "throughput_rollup",
    "alembic_version",
    # Kiosks (migration 0012)
    "kiosk_devices",
    "operator_credentials",
    "kiosk_sign_ins",
    "kiosk_sign_in_failures",
    "kiosk_offline_tokens",
    "kiosk_secrets",
    # Quality, downtime and the shift calendar (migration 0014)
    "downtime_reasons",
    "scrap_logs",
    "shifts",
    "shift_breaks",
    "non_working_days",
    # Automatic stops and their quiet limits (migration 0017)
    "downtime_stops",
    "stop_limits",
)

OWNER_OID_SQL = (
    "(SELECT ro.oid FROM pg_catalog.pg_roles ro"
    " WHERE ro.rolname = public.leanops_plant_role('owner'))"
)
_TABLE_ARRAY = "ARRAY[" + ", ".join(f"'{t}'" for t in TABLES) + "]::name[]"

# Objects of LeanOps: every relation and function in public that the plant owner owns, is
# one of the tables above, or is named leanops_*.
OBJECTS_SQL = f"""
    SELECT 'table' AS kind, c.oid, c.relname::text AS name, c.relkind, c.relowner AS owner
      FROM pg_catalog.pg_class c
      JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
       AND (c.relowner = {OWNER_OID_SQL}
            OR c.relname = ANY ({_TABLE_ARRAY}) OR c.relname LIKE 'leanops\\_%'
            OR c.relname LIKE 'change\\_feed\\_%')
    UNION ALL
    SELECT 'function', p.oid, p.oid::regprocedure::text, p.prokind, p.proowner
      FROM pg_catalog.pg_proc p
      JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
     WHERE n.nspname = 'public'
       AND (p.proowner = {OWNER_OID_SQL}
            OR p.proname LIKE 'leanops\\_%')
"""

LOCKDOWN_SQL = f"""
DO $lockdown$
DECLARE
    v_owner name := public.leanops_plant_role('owner');
    v_groups name[] := ARRAY[public.leanops_plant_role('operator'),
                             public.leanops_plant_role('supervisor'),
                             public.leanops_plant_role('admin'),
                             public.leanops_plant_role('device'),  -- NULL before 0012
                             public.leanops_plant_role('board')];  -- NULL before 0013
    v_keep oid[];
    v_owner_oid oid := (SELECT r.oid FROM pg_catalog.pg_roles r WHERE r.rolname = v_owner);
    o record;
    g record;
    v_tables text[];
    v_src text;
    v_new text;
    v_guard text;
    v_def text;
BEGIN
    SELECT array_agg(r.oid) INTO v_keep FROM pg_catalog.pg_roles r
     WHERE r.rolname = v_owner OR r.rolname = ANY (v_groups);
    FOR o IN {OBJECTS_SQL} LOOP
        -- Everything of LeanOps belongs to the plant owner.
        IF o.owner <> v_owner_oid THEN
            IF o.kind = 'function' THEN
                EXECUTE format('ALTER FUNCTION %s OWNER TO %I', o.name, v_owner);
            ELSIF o.relkind = 'S' AND EXISTS (
                    SELECT 1 FROM pg_catalog.pg_depend d
                     WHERE d.classid = 'pg_class'::regclass AND d.objid = o.oid
                       AND d.deptype IN ('a', 'i')) THEN
                NULL;  -- a column's sequence follows its table
            ELSE
                EXECUTE format('ALTER TABLE public.%I OWNER TO %I', o.name, v_owner);
            END IF;
        END IF;
        -- No privilege for PUBLIC or any role outside the plant.
        IF o.kind = 'function' THEN
            EXECUTE format('REVOKE ALL ON FUNCTION %s FROM PUBLIC', o.name);
            FOR g IN SELECT DISTINCT r.rolname
                       FROM pg_catalog.pg_proc p, pg_catalog.aclexplode(p.proacl) a
                       JOIN pg_catalog.pg_roles r ON r.oid = a.grantee
                      WHERE p.oid = o.oid AND a.grantee <> ALL (v_keep)
                        AND r.rolname <> v_owner LOOP
                EXECUTE format('REVOKE ALL ON FUNCTION %s FROM %I', o.name, g.rolname);
            END LOOP;
        ELSE
            EXECUTE format('REVOKE ALL ON %s public.%I FROM PUBLIC',
                           CASE WHEN o.relkind = 'S' THEN 'SEQUENCE' ELSE 'TABLE' END, o.name);
            FOR g IN SELECT DISTINCT r.rolname
                       FROM (SELECT c.relacl AS acl FROM pg_catalog.pg_class c
                              WHERE c.oid = o.oid
                             UNION ALL
                             SELECT at.attacl FROM pg_catalog.pg_attribute at
                              WHERE at.attrelid = o.oid AND at.attacl IS NOT NULL) acls,
                            pg_catalog.aclexplode(acls.acl) a
                       JOIN pg_catalog.pg_roles r ON r.oid = a.grantee
                      WHERE a.grantee <> ALL (v_keep) LOOP
                EXECUTE format('REVOKE ALL ON %s public.%I FROM %I',
                               CASE WHEN o.relkind = 'S' THEN 'SEQUENCE' ELSE 'TABLE' END,
                               o.name, g.rolname);
            END LOOP;
            -- A sequence that followed its table to a new owner keeps its old ACL, whose
            -- entries for the old owner were just revoked: the owner's own come back.
            EXECUTE format('GRANT ALL ON %s public.%I TO %I',
                           CASE WHEN o.relkind = 'S' THEN 'SEQUENCE' ELSE 'TABLE' END,
                           o.name, v_owner);
        END IF;
    END LOOP;

    -- Trigger functions: callable by no one but the owner, and only for their own tables.
    FOR o IN SELECT p.oid, p.oid::regprocedure::text AS name, p.prosrc
               FROM pg_catalog.pg_proc p
               JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
              WHERE n.nspname = 'public' AND p.prorettype = 'pg_catalog.trigger'::regtype
                AND p.proowner = v_owner_oid LOOP
        FOR g IN SELECT DISTINCT r.rolname
                   FROM pg_catalog.pg_proc p, pg_catalog.aclexplode(p.proacl) a
                   JOIN pg_catalog.pg_roles r ON r.oid = a.grantee
                  WHERE p.oid = o.oid AND r.rolname <> v_owner LOOP
            EXECUTE format('REVOKE ALL ON FUNCTION %s FROM %I', o.name, g.rolname);
        END LOOP;
        SELECT array_agg(DISTINCT c.relname::text ORDER BY c.relname::text) INTO v_tables
          FROM pg_catalog.pg_trigger t
          JOIN pg_catalog.pg_class c ON c.oid = t.tgrelid
          JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
         WHERE t.tgfoid = o.oid AND n.nspname = 'public';
        v_guard := format(
            'IF TG_TABLE_SCHEMA <> %L OR NOT (TG_TABLE_NAME = ANY (%L::text[])) THEN'
            ' RAISE EXCEPTION %L, TG_NAME, TG_TABLE_SCHEMA, TG_TABLE_NAME'
            ' USING ERRCODE = %L; END IF; {GUARD_MARKER}',
            'public', coalesce(v_tables, ARRAY[]::text[]),
            'trigger % of LeanOps may not run for %.%', 'insufficient_privilege');
        IF position(v_guard IN o.prosrc) > 0 THEN
            CONTINUE;  -- guarded for exactly these tables already
        END IF;
        -- Drop an older guard line, then put the current one after the first BEGIN.
        v_src := regexp_replace(o.prosrc, E'\\n[^\\n]*{GUARD_MARKER}', '', 'g');
        v_new := regexp_replace(v_src, E'\\\\mBEGIN\\\\M', E'BEGIN\\n    ' || v_guard, 'i');
        IF v_new = v_src THEN
            RAISE EXCEPTION 'LeanOps trigger function % has no BEGIN to guard', o.name;
        END IF;
        v_def := pg_catalog.pg_get_functiondef(o.oid);
        IF position(o.prosrc IN v_def) = 0 THEN
            RAISE EXCEPTION 'cannot re-create LeanOps trigger function %', o.name;
        END IF;
        EXECUTE overlay(v_def PLACING v_new FROM position(o.prosrc IN v_def)
                        FOR length(o.prosrc));
    END LOOP;

    -- New functions the owner makes itself get no EXECUTE for PUBLIC.
    EXECUTE format('ALTER DEFAULT PRIVILEGES FOR ROLE %I IN SCHEMA public'
                   ' REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC', v_owner);
    -- The database and the schema: no temporary tables, no new objects for PUBLIC.
    EXECUTE format('REVOKE TEMPORARY ON DATABASE %I FROM PUBLIC', current_database());
    EXECUTE 'REVOKE CREATE ON SCHEMA public FROM PUBLIC';
    FOR g IN SELECT r.rolname FROM pg_catalog.pg_roles r
              WHERE r.rolname IN ('anon', 'authenticated', 'service_role') LOOP
        EXECUTE format('REVOKE TEMPORARY ON DATABASE %I FROM %I', current_database(),
                       g.rolname);
        EXECUTE format('REVOKE CREATE ON SCHEMA public FROM %I', g.rolname);
    END LOOP;
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO %I, %I, %I, %I', current_database(),
                   v_owner, v_groups[1], v_groups[2], v_groups[3]);
    IF v_groups[4] IS NOT NULL THEN
        EXECUTE format('GRANT CONNECT ON DATABASE %I TO %I', current_database(), v_groups[4]);
    END IF;
END
$lockdown$
"""


def has_plant_roles(connection: Connection) -> bool:
    """True when the database has its per-plant roles (migration 0010 or later)."""
    return bool(
        connection.execute(
            text("SELECT to_regprocedure('public.leanops_plant_role(text)') IS NOT NULL")
        ).scalar()
    )
