"""Raw PostgreSQL clients for the security tests: a login's own connection, and the checks
every attack ends with."""

from __future__ import annotations

from typing import Any

import psycopg
from sqlalchemy.engine import make_url

#: What migration 0010 did to the groups, once more: the functions must not need grants.
REVOKE_DIRECT_WRITES = (
    "DO $$ BEGIN EXECUTE format('REVOKE INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public"
    " FROM %I, %I, %I', leanops_plant_role('operator'), leanops_plant_role('supervisor'),"
    " leanops_plant_role('admin')); END $$"
)


def connect_as(
    url: str, user: str, password: str, *, autocommit: bool = True
) -> psycopg.Connection[tuple[Any, ...]]:
    """A raw connection to ``url``'s database as ``user`` (a LeanOps login, say)."""
    u = make_url(url)
    return psycopg.connect(
        host=u.host,
        port=u.port,
        dbname=u.database,
        user=user,
        password=password,
        autocommit=autocommit,
    )


def counts_off_their_logs(conn: psycopg.Connection[Any]) -> list[tuple[Any, ...]]:
    """Assignments whose ``qty_done`` and jobs whose ``qty_reported`` differ from the sum of
    their logs (an empty list when every counter is right)."""
    assignments = conn.execute(
        "SELECT 'assignment', a.id::text, a.qty_done, coalesce(sum(l.qty_completed), 0)"
        " FROM station_assignments a LEFT JOIN performance_logs l ON l.assignment_id = a.id"
        " GROUP BY a.id HAVING a.qty_done <> coalesce(sum(l.qty_completed), 0)"
    ).fetchall()
    jobs = conn.execute(
        "SELECT 'job', j.id, j.qty_reported, coalesce(sum(l.qty_completed), 0)"
        " FROM jobs j LEFT JOIN performance_logs l ON l.job_id = j.id"
        " GROUP BY j.id HAVING j.qty_reported <> coalesce(sum(l.qty_completed), 0)"
    ).fetchall()
    return [*assignments, *jobs]
