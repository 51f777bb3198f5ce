"""Quantity reports on PostgreSQL: one call of a server function per trip (migration 0006).

``leanops_report_batch`` (many reports, each with its own outcome) does the checks and
writes of ``production.report_quantity`` inside the server; one report is a batch of one
(``leanops_report``, the same for one report with its refusal raised, is for other
callers). The call is one autocommit statement, its own transaction, sent by
``services/floor/pg_call.run_statement`` like every floor function's call (``floor_pg.py``);
the refusals come back as the same exceptions the Python path raises. psycopg prepares the
statement on a connection after a few uses; nothing is loaded through the ORM.

On a connection kept in autocommit mode (a kiosk sender's, see ``report_channel.py``) the
batch statement is prepared by name once per connection and run with libpq directly
(:class:`_Prepared`), which halves the client CPU of the call again. Since migration 0008 the
functions run as the table owner (SECURITY DEFINER) and check who calls them themselves.
"""

from __future__ import annotations

import json
import weakref
from collections.abc import Sequence
from typing import Any

import psycopg
import psycopg.errors
from psycopg import pq
from sqlalchemy.orm import Session

from leanops_desktop.core.actor import Actor
from leanops_desktop.core.errors import (
    LeanOpsError,
)
from leanops_desktop.core.rows import ReportResult
from leanops_desktop.services.floor.pg_call import refusal, run_statement
from leanops_desktop.services.reporting.report_request import ReportRequest

COUNTED = "00000"

BATCH_SQL = (
    "SELECT item, code, message, detail, counted, assignment_qty_done, job_qty_done"
    " FROM public.leanops_report_batch(%s::uuid[], %s::text[], %s::text[], %s::integer[],"
    " %s::boolean[], %s::text[], %s, %s, %s::timestamptz[])"
)


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
        if driver.prepare_threshold is None:
            # Through a transaction-mode pooler (db/pooler.py) the next statement may run on
            # a server connection where another client prepared this name, or none did: one
            # unnamed statement, parsed and run in the same trip, leaves nothing behind.
            return self._check(
                driver, pgconn.exec_params(self.sql, params), pq.ExecStatus.TUPLES_OK
            )
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


def _send_kept_batch(driver: psycopg.Connection[Any], params: tuple[Any, ...]) -> Sequence[Any]:
    # Array literals and the actor: text, never NULL (batch_params makes them).
    return run_kept_batch(driver, [str(value) for value in params])


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
    rows = run_statement(
        session, BATCH_SQL, batch_params(actor, requests), fast_path=_send_kept_batch
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
