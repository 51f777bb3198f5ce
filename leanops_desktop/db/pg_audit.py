"""The privilege audit of a LeanOps PostgreSQL database, and the upgrade's last step.

``AUDIT_SQL`` lists whatever a role outside the plant can still reach: a table, sequence or
function right, EXECUTE on a trigger function or a missing table guard, TEMPORARY on the
database, CREATE on ``public``, an object not owned by the plant owner, or a role in a plant
group that is no user (or enrolled kiosk) of the plant. :func:`lock_down` applies
``pg_lockdown.LOCKDOWN_SQL`` and then fails, naming every finding, when the audit finds any.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, text

from leanops_desktop.db.pg_lockdown import (
    GUARD_MARKER,
    LOCKDOWN_SQL,
    OBJECTS_SQL,
    OWNER_OID_SQL,
)

# Enrolled production boards (migration 0013): read-only logins, named by their event.
_BOARD_LOGINS = (
    "SELECT e.meta -> 'new' ->> 'board' FROM public.events_log e"
    " WHERE e.event_type = 'board_enrolled'"
)

# Roles that may reach LeanOps objects: superusers, the plant owner and its members (IT),
# the plant's groups, and the logins of this plant's users.
_INSIDERS = f"""
    WITH RECURSIVE it(oid) AS (
        SELECT {OWNER_OID_SQL}
        UNION
        SELECT m.member FROM pg_catalog.pg_auth_members m JOIN it ON m.roleid = it.oid
    )
    SELECT r.oid FROM pg_catalog.pg_roles r
     WHERE r.rolsuper
        OR r.oid IN (SELECT oid FROM it)
        OR r.rolname IN (public.leanops_plant_role('operator'),
                         public.leanops_plant_role('supervisor'),
                         public.leanops_plant_role('admin'),
                         public.leanops_plant_role('device'),
                         public.leanops_plant_role('board'))
        OR r.rolname IN (SELECT u.email FROM public.users u)
        OR r.rolname IN ({_BOARD_LOGINS})
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
objects AS ({OBJECTS_SQL}),
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
      FROM objects o WHERE o.owner <> {OWNER_OID_SQL}
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
       AND p.proowner = {OWNER_OID_SQL}
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
    UNION ALL
    SELECT format('group %s', g.rolname), r.rolname, 'MEMBER (not an enrolled board of this plant)'
      FROM pg_catalog.pg_auth_members m
      JOIN pg_catalog.pg_roles g ON g.oid = m.roleid
      JOIN pg_catalog.pg_roles r ON r.oid = m.member
     WHERE g.rolname = public.leanops_plant_role('board')
       AND r.rolname NOT IN ({_BOARD_LOGINS})
       AND NOT r.rolsuper
       AND NOT pg_catalog.pg_has_role(r.oid, public.leanops_plant_role('owner'), 'MEMBER')
    UNION ALL
    SELECT format('%s %s', o.kind, o.name), public.leanops_plant_role('board')::text,
           format('%s (a board may only read)', p.priv)
      FROM objects o
      CROSS JOIN LATERAL unnest(CASE WHEN o.kind = 'function' THEN ARRAY['EXECUTE']
            ELSE ARRAY['INSERT', 'UPDATE', 'DELETE', 'TRUNCATE'] END) AS p(priv)
     WHERE public.leanops_plant_role('board') IS NOT NULL
       AND o.relkind <> 'S'
       AND CASE WHEN o.kind = 'function' THEN pg_catalog.has_function_privilege(
                    public.leanops_plant_role('board'), o.oid, 'EXECUTE')
                ELSE pg_catalog.has_table_privilege(
                    public.leanops_plant_role('board'), o.oid, p.priv) END
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
