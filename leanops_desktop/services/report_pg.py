"""Quantity reports on PostgreSQL: one call of a server function per trip (migration 0006).

``leanops_report_batch`` (many reports, each with its own outcome) does the checks and
writes of ``production.report_quantity`` inside the server; one report is a batch of one
(``leanops_report``, the same for one report with its refusal raised, is for other
callers). The call is one statement sent on the session's connection in autocommit mode:
the statement is its own transaction, so the report is committed (or refused, writing
nothing) in ONE round trip, with no BEGIN or COMMIT of its own. psycopg prepares the
statement on a connection after a few uses; nothing is loaded through the ORM.

On a session bound to a connection kept in autocommit mode (a kiosk sender's, see
``services/report_channel.py``) the statement goes straight to the driver, and its errors
are turned into SQLAlchemy's exceptions (the connection marked broken on a disconnect) as
SQLAlchemy itself would: about a quarter of the client CPU of a trip through the pool. There
the batch statement is prepared by name once per connection and run with libpq directly
(:class:`_Prepared`), which halves the client CPU of the call again.

The refusals come back as SQLSTATEs ``LR001``..``LR004`` with a jsonb detail and become the
same exceptions the Python path raises (see :func:`refusal`). Since migration 0008 the
functions run as the table owner (SECURITY DEFINER) and check who calls them themselves;
the other floor functions of that migration are called the same way (``floor_pg.py``).
"""

from __future__ import annotations

import json
import weakref
from collections.abc import Sequence
from typing import Any

import psycopg
import psycopg.errors
from psycopg import pq
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
NOT_THIS_KIOSK = "LR005"  # a kiosk acting off its station, or for no signed-in operator
_REFUSALS = frozenset({INVALID, NOT_FOUND, NOT_RUNNING, OVER_TOTAL, NOT_THIS_KIOSK})
_INSUFFICIENT_PRIVILEGE = "42501"
_AUTOCOMMIT = {"isolation_level": "AUTOCOMMIT"}

BATCH_SQL = (
    "SELECT item, code, message, detail, counted, assignment_qty_done, job_qty_done"
    " FROM public.leanops_report_batch(%s::uuid[], %s::text[], %s::text[], %s::integer[],"
    " %s::boolean[], %s::text[], %s, %s, %s::timestamptz[])"
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
    if code == NOT_THIS_KIOSK:
        return PermissionDenied(message)
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


class _Prepared:
    """A statement prepared by name on each kept connection, run with libpq directly.

    psycopg's cursor (query conversion, parameter adaptation, its prepared-statement cache)
    cost more client CPU than the trip's own send and receive: 0.22 against 0.10 ms per
    report, measured. The kiosk's parameters are text already, so they go as they are.
    ``exec_prepared`` waits without holding the GIL, like psycopg's own wait.
    """

    def __init__(self, name: str, sql: str) -> None:
        self.name = name.encode()
        self.sql = sql.encode()
        # The connections it is prepared on (a new or reset connection prepares it again).
        self._on: weakref.WeakSet[psycopg.Connection[Any]] = weakref.WeakSet()

    def run(self, driver: psycopg.Connection[Any], params: Sequence[bytes]) -> Any:
        """The result (``pq.PGresult``) of one execution; raises psycopg's errors."""
        pgconn = driver.pgconn
        if driver not in self._on:
            self._check(driver, pgconn.prepare(self.name, self.sql), pq.ExecStatus.COMMAND_OK)
            self._on.add(driver)
        result = pgconn.exec_prepared(self.name, params)
        if result.status == pq.ExecStatus.FATAL_ERROR and _sqlstate(result) == _NO_SUCH_STATEMENT:
            # Deallocated behind our back (DISCARD ALL by a pool): prepare it again, once.
            self._check(driver, pgconn.prepare(self.name, self.sql), pq.ExecStatus.COMMAND_OK)
            result = pgconn.exec_prepared(self.name, params)
        return self._check(driver, result, pq.ExecStatus.TUPLES_OK)

    def _check(self, driver: psycopg.Connection[Any], result: Any, wanted: pq.ExecStatus) -> Any:
        if result.status == wanted:
            return result
        if driver.pgconn.status == pq.ConnStatus.BAD:
            self._on.discard(driver)
            raise psycopg.OperationalError(
                (result.error_message or b"the connection was lost").decode(errors="replace")
            )
        raise psycopg.errors.error_from_result(result, encoding=driver.info.encoding)


def _sqlstate(result: Any) -> str | None:
    state = result.error_field(pq.DiagnosticField.SQLSTATE)
    return state.decode() if state else None


_NO_SUCH_STATEMENT = "26000"


def _numbered(sql: str) -> str:
    """``sql`` with psycopg's ``%s`` placeholders as the server's ``$1``, ``$2``, ..."""
    parts = sql.split("%s")
    return parts[0] + "".join(f"${number}{part}" for number, part in enumerate(parts[1:], 1))


#: The batch call as a kept connection sends it (and the kiosk bench's wire phase).
KEPT_BATCH = _Prepared("leanops_report_batch_1", _numbered(BATCH_SQL))


def _text(value: bytes | None) -> str | None:
    return None if value is None else value.decode()


def _int(value: bytes | None) -> int | None:
    return None if value is None else int(value)


def _batch_rows(result: Any) -> list[tuple[Any, ...]]:
    """The batch function's rows from a text-format result, typed as psycopg would."""
    rows = []
    for row in range(result.ntuples):
        item, code, message, detail, counted, assignment_done, job_done = (
            result.get_value(row, column) for column in range(7)
        )
        rows.append(
            (
                _int(item),
                _text(code),
                _text(message),
                json.loads(detail) if detail is not None else None,
                counted == b"t",
                _int(assignment_done),
                _int(job_done),
            )
        )
    return rows


def run_kept_batch(driver: psycopg.Connection[Any], params: Sequence[str]) -> list[tuple[Any, ...]]:
    """Send a batch on a kept autocommit connection; the function's rows, typed.

    Raises psycopg's errors."""
    return _batch_rows(KEPT_BATCH.run(driver, [value.encode() for value in params]))


def _run_kept(connection: Connection, sql: str, params: tuple[Any, ...]) -> Sequence[Any]:
    """The statement straight through the driver of a kept autocommit connection."""
    driver = connection.connection.driver_connection
    assert isinstance(driver, psycopg.Connection)
    try:
        if sql is BATCH_SQL:
            # Array literals and the actor: text, never NULL (batch_params makes them).
            return run_kept_batch(driver, [str(value) for value in params])
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


def run_statement(session: Session, sql: str, params: tuple[Any, ...]) -> Sequence[Any]:
    """One autocommit statement on the session's connection (its own transaction).

    A refusal (``LR001``..``LR004``) or a permission the database denied raises the
    service's exception; anything else raises as SQLAlchemy raises it."""
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
    """Count one checked report; raises the same refusals as the Python path.

    It goes through ``leanops_report_batch`` as a batch of one (``leanops_report`` is that
    call with the refusal raised in the server, one PL/pgSQL call more per report).
    """
    (outcome,) = report_many(session, actor, [request])
    if isinstance(outcome, LeanOpsError):
        raise outcome
    return outcome


def _quoted(value: str | None) -> str:
    """One element of a PostgreSQL array literal: NULL, or the text in double quotes."""
    if value is None:
        return "NULL"
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _array(elements: Sequence[str]) -> str:
    return "{" + ",".join(elements) + "}"


def batch_params(actor: Actor, requests: Sequence[ReportRequest]) -> tuple[str, ...]:
    """The batch function's nine parameters for ``requests``, as text."""
    return (
        _array([str(request.report_id) for request in requests]),
        _array([_quoted(request.station_id) for request in requests]),
        _array([_quoted(request.job_id) for request in requests]),
        _array([str(int(request.qty)) for request in requests]),
        _array(["t" if request.confirm_over else "f" for request in requests]),
        _array([_quoted(request.reported_by) for request in requests]),
        actor.email,
        actor.role.value,
        _array(
            [
                "NULL" if request.tapped_at is None else _quoted(request.tapped_at.isoformat())
                for request in requests
            ]
        ),
    )


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
    rows = run_statement(session, BATCH_SQL, batch_params(actor, requests))
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
