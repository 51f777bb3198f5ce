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

``AUDIT_SQL`` lists whatever a role outside the plant can still reach; ``leanops db upgrade``
fails and names each finding. Both run as one SQL text so that ``leanops db sql`` (the
script for review or the Supabase SQL editor) applies and checks the same.
"""

from __future__ import annotations

from dataclasses import dataclass

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
)

_OWNER_OID = (
    "(SELECT ro.oid FROM pg_catalog.pg_roles ro"
    " WHERE ro.rolname = public.leanops_plant_role('owner'))"
)
_TABLE_ARRAY = "ARRAY[" + ", ".join(f"'{t}'" for t in TABLES) + "]::name[]"

# Objects of LeanOps: every relation and function in public that the plant owner owns, is
# one of the tables above, or is named leanops_*.
_OBJECTS = f"""
    SELECT 'table' AS kind, c.oid, c.relname::text AS name, c.relkind, c.relowner AS owner
      FROM pg_catalog.pg_class c
      JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
       AND (c.relowner = {_OWNER_OID}
            OR c.relname = ANY ({_TABLE_ARRAY}) OR c.relname LIKE 'leanops\\_%'
            OR c.relname LIKE 'change\\_feed\\_%')
    UNION ALL
    SELECT 'function', p.oid, p.oid::regprocedure::text, p.prokind, p.proowner
      FROM pg_catalog.pg_proc p
      JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
     WHERE n.nspname = 'public'
       AND (p.proowner = {_OWNER_OID}
            OR p.proname LIKE 'leanops\\_%')
"""

LOCKDOWN_SQL = f"""
DO $lockdown$
DECLARE
    v_owner name := public.leanops_plant_role('owner');
    v_groups name[] := ARRAY[public.leanops_plant_role('operator'),
                             public.leanops_plant_role('supervisor'),
                             public.leanops_plant_role('admin'),
                             public.leanops_plant_role('device')];  -- NULL before 0012
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
    FOR o IN {_OBJECTS} LOOP
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

# Roles that may reach LeanOps objects: superusers, the plant owner and its members (IT),
# the plant's groups, and the logins of this plant's users.
_INSIDERS = f"""
    WITH RECURSIVE it(oid) AS (
        SELECT {_OWNER_OID}
        UNION
        SELECT m.member FROM pg_catalog.pg_auth_members m JOIN it ON m.roleid = it.oid
    )
    SELECT r.oid FROM pg_catalog.pg_roles r
     WHERE r.rolsuper
        OR r.oid IN (SELECT oid FROM it)
        OR r.rolname IN (public.leanops_plant_role('operator'),
                         public.leanops_plant_role('supervisor'),
                         public.leanops_plant_role('admin'),
                         public.leanops_plant_role('device'))
        OR r.rolname IN (SELECT u.email FROM public.users u)
        {{_DEVICE_LOGINS}}
"""

# Enrolled kiosks (migration 0012) are of the plant too; a login in the device group that is
# no enrolled kiosk is a finding, as a stray member of the other groups is.
_DEVICE_LOGINS = "OR r.rolname IN (SELECT d.login FROM public.kiosk_devices d)"
_DEVICE_MEMBERS = """
    UNION ALL
    SELECT format('group %s', g.rolname), r.rolname, 'MEMBER (not an enrolled kiosk of this plant)'
      FROM pg_catalog.pg_auth_members m
      JOIN pg_catalog.pg_roles g ON g.oid = m.roleid
      JOIN pg_catalog.pg_roles r ON r.oid = m.member
     WHERE g.rolname = public.leanops_plant_role('device')
       AND r.rolname NOT IN (SELECT d.login FROM public.kiosk_devices d)
       AND NOT r.rolsuper
       AND NOT pg_catalog.pg_has_role(r.oid, public.leanops_plant_role('owner'), 'MEMBER')
"""

_PRIVILEGES = {
    "table": "SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER",
    "sequence": "USAGE, SELECT, UPDATE",
}

_AUDIT_TEMPLATE = f"""
WITH insiders AS ({_INSIDERS}),
outsiders AS (
    SELECT r.oid, r.rolname::text AS rolname FROM pg_catalog.pg_roles r
     WHERE r.oid NOT IN (SELECT oid FROM insiders) AND r.rolname !~ '^pg_'
    UNION ALL SELECT 0, 'PUBLIC'
),
objects AS ({_OBJECTS}),
findings AS (
    SELECT format('%s %s', CASE WHEN o.relkind = 'S' THEN 'sequence' ELSE o.kind END, o.name)
               AS object,
           x.rolname AS grantee, p.priv AS privilege
      FROM objects o
      CROSS JOIN outsiders x
      CROSS JOIN LATERAL unnest(CASE
            WHEN o.kind = 'function' THEN ARRAY['EXECUTE']
            WHEN o.relkind = 'S' THEN string_to_array('{_PRIVILEGES["sequence"]}', ', ')
            ELSE string_to_array('{_PRIVILEGES["table"]}', ', ') END) AS p(priv)
     WHERE CASE
            WHEN x.oid = 0 AND o.kind = 'function' THEN EXISTS (
                SELECT 1 FROM pg_catalog.pg_proc f
                 WHERE f.oid = o.oid AND (f.proacl IS NULL OR EXISTS (
                    SELECT 1 FROM pg_catalog.aclexplode(f.proacl) a WHERE a.grantee = 0)))
            WHEN x.oid = 0 THEN EXISTS (
                SELECT 1 FROM pg_catalog.pg_class c, pg_catalog.aclexplode(c.relacl) a
                 WHERE c.oid = o.oid AND a.grantee = 0 AND a.privilege_type = p.priv)
            WHEN o.kind = 'function' THEN pg_catalog.has_function_privilege(x.oid, o.oid, p.priv)
            WHEN o.relkind = 'S' THEN pg_catalog.has_sequence_privilege(x.oid, o.oid, p.priv)
            ELSE pg_catalog.has_table_privilege(x.oid, o.oid, p.priv)
                 OR (p.priv IN ('SELECT', 'INSERT', 'UPDATE', 'REFERENCES')
                     AND pg_catalog.has_any_column_privilege(x.oid, o.oid, p.priv))
           END
    UNION ALL
    SELECT format('%s %s', o.kind, o.name), pg_catalog.pg_get_userbyid(o.owner), 'OWNER'
      FROM objects o WHERE o.owner <> {_OWNER_OID}
    UNION ALL
    SELECT format('trigger function %s', p.oid::regprocedure), r.rolname, 'EXECUTE'
      FROM pg_catalog.pg_proc p
      JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
      CROSS JOIN LATERAL pg_catalog.aclexplode(p.proacl) a
      JOIN pg_catalog.pg_roles r ON r.oid = a.grantee
     WHERE n.nspname = 'public' AND p.prorettype = 'pg_catalog.trigger'::regtype
       AND r.rolname <> public.leanops_plant_role('owner')
    UNION ALL
    SELECT format('trigger function %s', p.oid::regprocedure), 'PUBLIC', 'EXECUTE'
      FROM pg_catalog.pg_proc p
      JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
     WHERE n.nspname = 'public' AND p.prorettype = 'pg_catalog.trigger'::regtype
       AND (p.proacl IS NULL OR EXISTS (
            SELECT 1 FROM pg_catalog.aclexplode(p.proacl) a WHERE a.grantee = 0))
    UNION ALL
    SELECT format('trigger function %s', p.oid::regprocedure), '(any table)', 'NO TABLE GUARD'
      FROM pg_catalog.pg_proc p
      JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
     WHERE n.nspname = 'public' AND p.prorettype = 'pg_catalog.trigger'::regtype
       AND p.proowner = {_OWNER_OID}
       AND position('{GUARD_MARKER}' IN p.prosrc) = 0
    UNION ALL
    SELECT format('database %s', current_database()), x.rolname, 'TEMPORARY'
      FROM outsiders x
     WHERE CASE WHEN x.oid = 0 THEN EXISTS (
                    SELECT 1 FROM pg_catalog.pg_database d, pg_catalog.aclexplode(
                        coalesce(d.datacl, pg_catalog.acldefault('d', d.datdba))) a
                     WHERE d.datname = current_database() AND a.grantee = 0
                       AND a.privilege_type = 'TEMPORARY')
                ELSE pg_catalog.has_database_privilege(x.oid, current_database(), 'TEMPORARY')
           END
    UNION ALL
    SELECT 'schema public', x.rolname, 'CREATE'
      FROM outsiders x
     WHERE CASE WHEN x.oid = 0 THEN EXISTS (
                    SELECT 1 FROM pg_catalog.pg_namespace s, pg_catalog.aclexplode(s.nspacl) a
                     WHERE s.nspname = 'public' AND a.grantee = 0 AND a.privilege_type = 'CREATE')
                ELSE pg_catalog.has_schema_privilege(x.oid, 'public', 'CREATE')
           END
    UNION ALL
    SELECT format('group %s', g.rolname), r.rolname, 'MEMBER (not a LeanOps user of this plant)'
      FROM pg_catalog.pg_auth_members m
      JOIN pg_catalog.pg_roles g ON g.oid = m.roleid
      JOIN pg_catalog.pg_roles r ON r.oid = m.member
     WHERE g.rolname IN (public.leanops_plant_role('operator'),
                         public.leanops_plant_role('supervisor'),
                         public.leanops_plant_role('admin'))
       AND r.rolname NOT IN (SELECT u.email FROM public.users u)
       AND NOT r.rolsuper
       AND NOT pg_catalog.pg_has_role(r.oid, public.leanops_plant_role('owner'), 'MEMBER')
    {{_DEVICE_MEMBERS}}
)
SELECT DISTINCT object, grantee, privilege FROM findings ORDER BY object, grantee, privilege
"""


def _audit_sql(devices: bool) -> str:
    """The audit for a database with (from 0012) or without the kiosk devices."""
    return _AUDIT_TEMPLATE.replace("{_DEVICE_LOGINS}", _DEVICE_LOGINS if devices else "").replace(
        "{_DEVICE_MEMBERS}", _DEVICE_MEMBERS if devices else ""
    )


AUDIT_SQL = _audit_sql(devices=True)
_AUDIT_SQL_BEFORE_KIOSKS = _audit_sql(devices=False)

#: The audit as a statement that fails, for the offline script.
AUDIT_CHECK_SQL = f"""
DO $audit$
DECLARE
    found text;
BEGIN
    SELECT string_agg(format('%s: %s has %s', object, grantee, privilege), '; ')
      INTO found FROM ({AUDIT_SQL}) findings;
    IF found IS NOT NULL THEN
        RAISE EXCEPTION 'LeanOps privilege audit failed: %', found;
    END IF;
END
$audit$
"""


@dataclass(frozen=True)
class Finding:
    """One thing a role outside the plant can reach."""

    object: str
    grantee: str
    privilege: str

    def __str__(self) -> str:
        return f"{self.object}: {self.grantee} has {self.privilege}"


class PrivilegeAuditFailed(RuntimeError):
    """Something of LeanOps is reachable from outside the plant; names each finding."""

    def __init__(self, findings: list[Finding]) -> None:
        self.findings = findings
        listed = "\n  ".join(str(finding) for finding in findings)
        super().__init__(
            f"privilege audit failed: {len(findings)} finding(s) reachable outside this "
            f"plant's LeanOps roles:\n  {listed}"
        )


def has_plant_roles(connection: Connection) -> bool:
    """True when the database has its per-plant roles (migration 0010 or later)."""
    return bool(
        connection.execute(
            text("SELECT to_regprocedure('public.leanops_plant_role(text)') IS NOT NULL")
        ).scalar()
    )


def audit(connection: Connection) -> list[Finding]:
    """Everything of LeanOps that a role outside the plant can reach (empty when none)."""
    kiosks = connection.execute(text("SELECT to_regclass('public.kiosk_devices') IS NOT NULL"))
    rows = connection.execute(
        text(AUDIT_SQL if kiosks.scalar() else _AUDIT_SQL_BEFORE_KIOSKS)
    ).all()
    return [Finding(str(row[0]), str(row[1]), str(row[2])) for row in rows]


def lock_down(connection: Connection) -> None:
    """Re-apply least privilege, then fail with every finding the audit still makes."""
    connection.execute(text(LOCKDOWN_SQL))
    findings = audit(connection)
    if findings:
        raise PrivilegeAuditFailed(findings)
