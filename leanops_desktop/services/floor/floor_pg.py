"""Floor actions on PostgreSQL: one call of a database function each (migration 0008).

Operators hold no direct writes on the business tables: taking a report back, blocking and
unblocking a station and completing a job are each one call of a SECURITY DEFINER function
that checks the rules the Python path checks (on SQLite) and writes the rows and the one
event. The call is a single autocommit statement on the session's connection, like a report
(``pg_call.run_statement``), and its refusals come back as the same exceptions with the
same messages. The services call these after their own permission and input checks; the
database checks everything again, and names the actor and the role itself for a signed-in
LeanOps login (the ones sent are used only for IT's own account).
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy.orm import Session

from leanops_desktop.core.actor import Actor
from leanops_desktop.core.rows import JobRow, ReportResult, StationRow
from leanops_desktop.services.floor.pg_call import run_statement
from leanops_desktop.services.reads import queries

CORRECT_SQL = (
    "SELECT counted, assignment_qty_done, job_qty_done"
    " FROM public.leanops_correct_report(%s::uuid, %s::uuid, %s, %s, %s, %s::timestamptz)"
)
BLOCK_SQL = "SELECT public.leanops_block_station(%s, %s, %s, %s)"
UNBLOCK_SQL = "SELECT public.leanops_unblock_station(%s, %s, %s)"
COMPLETE_SQL = "SELECT public.leanops_complete_job(%s, %s, %s, %s)"


def on_postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def correct_report(
    session: Session,
    actor: Actor,
    log_id: UUID,
    correction_id: UUID,
    operator: str | None = None,
    tapped_at: datetime | None = None,
) -> ReportResult:
    """Take back the report ``log_id`` under the client-made ``correction_id`` (a kiosk
    names the operator who tapped and when: migration 0011)."""
    params = (str(log_id), str(correction_id), actor.email, actor.role.value, operator, tapped_at)
    rows = run_statement(session, CORRECT_SQL, params)
    counted, assignment_done, job_done = rows[0]
    return ReportResult(
        log_id=correction_id,
        counted=bool(counted),
        assignment_qty_done=int(assignment_done or 0),
        job_qty_done=int(job_done or 0),
    )


def block_station(session: Session, actor: Actor, station_id: str, reason: str) -> StationRow:
    run_statement(session, BLOCK_SQL, (station_id, reason, actor.email, actor.role.value))
    return queries.get_station(session, station_id)


def unblock_station(session: Session, actor: Actor, station_id: str) -> StationRow:
    run_statement(session, UNBLOCK_SQL, (station_id, actor.email, actor.role.value))
    return queries.get_station(session, station_id)


def complete_job(session: Session, actor: Actor, job_id: str, station_id: str | None) -> JobRow:
    run_statement(session, COMPLETE_SQL, (job_id, station_id, actor.email, actor.role.value))
    return queries.get_job(session, job_id)
