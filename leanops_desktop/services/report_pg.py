"""Quantity reports on PostgreSQL: one call of a server function per trip (migration 0006).

``leanops_report`` (one report, raises its refusal) and ``leanops_report_batch`` (many,
each with its own outcome) do the checks and writes of ``production.report_quantity`` inside
the server. The call is one statement sent on the session's connection in autocommit mode:
the statement is its own transaction, so the report is committed (or refused, writing
nothing) in ONE round trip, with no BEGIN or COMMIT of its own. psycopg prepares the
statement on a connection after a few uses; nothing is loaded through the ORM.

On a session bound to a connection kept in autocommit mode (a kiosk sender's, see
``services/report_channel.py``) the statement goes straight to the driver, and its errors
are turned into SQLAlchemy's exceptions (the connection marked broken on a disconnect) as
SQLAlchemy itself would: about a quarter of the client CPU of a trip through the pool.

The refusals come back as SQLSTATEs ``LR001``..``LR004`` with a jsonb detail and become the
same exceptions the Python path raises (see :func:`refusal`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import psycopg
from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from leanops_desktop.core.actor import Actor
from leanops_desktop.core.errors import (
    LeanOpsError,
    NotFound,
    OverReportNotConfirmed,
    PermissionDenied,
    RuleViolation,
    ValidationError,
)
from leanops_desktop.core.rows import ReportResult
from leanops_desktop.services.report_request import ReportRequest

COUNTED = "00000"
INVALID = "LR001"
NOT_FOUND = "LR002"
NOT_RUNNING = "LR003"
OVER_TOTAL = "LR004"
_REFUSALS = frozenset({INVALID, NOT_FOUND, NOT_RUNNING, OVER_TOTAL})
_INSUFFICIENT_PRIVILEGE = "42501"
_AUTOCOMMIT = {"isolation_level": "AUTOCOMMIT"}

ONE_SQL = (
    "SELECT counted, assignment_qty_done, job_qty_done FROM public.leanops_report("
    "%s, %s, %s, %s::integer, %s, %s, %s, %s)"
)
BATCH_SQL = (
    "SELECT item, code, message, detail, counted, assignment_qty_done, job_qty_done"
    " FROM public.leanops_report_batch(%s::uuid[], %s::text[], %s::text[], %s::integer[],"
    " %s::boolean[], %s::text[], %s, %s)"
)


def refusal(code: str, message: str, detail: Any) -> LeanOpsError:
    """The exception the Python path raises for a refusal the function returned."""
    fields: dict[str, Any] = detail if isinstance(detail, dict) else {}
    if isinstance(detail, str):
        try:
            fields = json.loads(detail)
        except ValueError:
            fields = {}
    if code == INVALID:
        return ValidationError(str(fields.get("field", "report")), str(fields.get("reason", "")))
    if code == NOT_FOUND:
        return NotFound(str(fields.get("kind", "station or job")), fields.get("key", ""))
    if code == OVER_TOTAL:
        return OverReportNotConfirmed(
            str(fields.get("job", "")),
            int(fields.get("qty_total", 0)),
            int(fields.get("qty_after", 0)),
        )
    return RuleViolation(message)


def _translate(state: str | None, diag: Any) -> LeanOpsError | None:
    """The service error for a refusal or a permission the database denied, else None."""
    if state in _REFUSALS and diag is not None:
        return refusal(state, diag.message_primary or "", diag.message_detail)
    if state == _INSUFFICIENT_PRIVILEGE:
        reason = getattr(diag, "message_primary", None) or "permission denied"
        return PermissionDenied(f"the database refused this for your role: {reason}")
    return None


def _kept_connection(session: Session) -> Connection | None:
    """The session's own connection when it is one kept in autocommit mode."""
    bind = session.bind
    if (
        isinstance(bind, Connection)
        and not bind.closed
        and bind.get_execution_options().get("isolation_level") == "AUTOCOMMIT"
    ):
        return bind
    return None


def _run_kept(connection: Connection, sql: str, params: tuple[Any, ...]) -> Sequence[Any]:
    """The statement straight through the driver of a kept autocommit connection."""
    driver = connection.connection.driver_connection
    assert isinstance(driver, psycopg.Connection)
    try:
        return driver.execute(sql, params).fetchall()
    except psycopg.Error as error:
        translated = _translate(error.sqlstate, error.diag)
        if translated is not None:
            raise translated from None
        broken = driver.closed or driver.broken  # what SQLAlchemy's psycopg dialect checks
        if broken:
            connection.invalidate(error)
        raise DBAPIError.instance(
            sql,
            params,
            error,
            psycopg.Error,
            connection_invalidated=broken,
            dialect=connection.dialect,
        ) from error


def _run(session: Session, sql: str, params: tuple[Any, ...]) -> Sequence[Any]:
    """One autocommit statement on the session's connection (its own transaction)."""
    kept = _kept_connection(session)
    if kept is not None:
        return _run_kept(kept, sql, params)
    if session.in_transaction():
        if session.new or session.dirty or session.deleted:
            raise RuntimeError("a service call needs a session without pending changes")
        session.rollback()  # end a read the caller began implicitly
    try:
        with session.begin():
            connection = session.connection(execution_options=_AUTOCOMMIT)
            return connection.exec_driver_sql(sql, params).all()
    except DBAPIError as error:
        translated = _translate(
            getattr(error.orig, "sqlstate", None), getattr(error.orig, "diag", None)
        )
        if translated is not None:
            raise translated from None
        raise


def report_one(session: Session, actor: Actor, request: ReportRequest) -> ReportResult:
    """Count one checked report; raises the same refusals as the Python path."""
    ((counted, assignment_done, job_done),) = _run(
        session,
        ONE_SQL,
        (
            request.report_id,
            request.station_id,
            request.job_id,
            request.qty,
            request.confirm_over,
            request.reported_by,
            actor.email,
            actor.role.value,
        ),
    )
    return ReportResult(
        log_id=request.report_id,
        counted=bool(counted),
        assignment_qty_done=int(assignment_done or 0),
        job_qty_done=int(job_done or 0),
    )


def _quoted(value: str | None) -> str:
    """One element of a PostgreSQL array literal: NULL, or the text in double quotes."""
    if value is None:
        return "NULL"
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _array(elements: Sequence[str]) -> str:
    return "{" + ",".join(elements) + "}"


def report_many(
    session: Session, actor: Actor, requests: Sequence[ReportRequest]
) -> list[ReportResult | LeanOpsError]:
    """Count checked reports in order in one trip; each gets its own result or refusal.

    A refused report writes nothing and does not stop the others. Anything else (no
    connection, a deadlock, a bug) raises and nothing of the batch is counted. The arrays
    travel as array literals (text cast in SQL): cheaper to make than letting the driver
    adapt six lists.
    """
    if not requests:
        return []
    rows = _run(
        session,
        BATCH_SQL,
        (
            _array([str(request.report_id) for request in requests]),
            _array([_quoted(request.station_id) for request in requests]),
            _array([_quoted(request.job_id) for request in requests]),
            _array([str(int(request.qty)) for request in requests]),
            _array(["t" if request.confirm_over else "f" for request in requests]),
            _array([_quoted(request.reported_by) for request in requests]),
            actor.email,
            actor.role.value,
        ),
    )
    if len(rows) != len(requests):  # pragma: no cover - the function returns one row each
        raise RuntimeError(f"{len(rows)} outcomes for {len(requests)} reports")
    outcomes: list[ReportResult | LeanOpsError] = []
    for request, (_item, code, message, detail, counted, assignment_done, job_done) in zip(
        requests, rows, strict=True
    ):
        if code != COUNTED:
            outcomes.append(refusal(code, message or "", detail))
            continue
        outcomes.append(
            ReportResult(
                log_id=request.report_id,
                counted=bool(counted),
                assignment_qty_done=int(assignment_done or 0),
                job_qty_done=int(job_done or 0),
            )
        )
    return outcomes
