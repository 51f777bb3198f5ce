"""One call of a LeanOps database function as its own transaction (migrations 0006, 0008).

The floor and report functions on PostgreSQL are each called with one autocommit statement on
the session's connection: the statement is its own transaction, so the change is committed
(or refused, writing nothing) in ONE round trip, with no BEGIN or COMMIT of its own.

On a session bound to a connection kept in autocommit mode (a kiosk sender's, see
``services/reporting/report_channel.py``) the statement goes straight to the driver, and its
errors are turned into SQLAlchemy's exceptions (the connection marked broken on a disconnect)
as SQLAlchemy itself would: about a quarter of the client CPU of a trip through the pool.

The refusals come back as SQLSTATEs ``LR001``..``LR005`` with a jsonb detail and become the
same exceptions the Python path raises (see :func:`refusal`); a permission the database
denied becomes ``PermissionDenied``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

import psycopg
from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from leanops_desktop.core.errors import (
    LeanOpsError,
    NotFound,
    OverReportNotConfirmed,
    PermissionDenied,
    RuleViolation,
    ValidationError,
)

INVALID = "LR001"
NOT_FOUND = "LR002"
NOT_RUNNING = "LR003"
OVER_TOTAL = "LR004"
NOT_THIS_KIOSK = "LR005"  # a kiosk acting off its station, or for no signed-in operator
_REFUSALS = frozenset({INVALID, NOT_FOUND, NOT_RUNNING, OVER_TOTAL, NOT_THIS_KIOSK})
_INSUFFICIENT_PRIVILEGE = "42501"
_AUTOCOMMIT = {"isolation_level": "AUTOCOMMIT"}

#: Sends a statement on a kept connection's driver itself; returns its rows.
KeptFastPath = Callable[[psycopg.Connection[Any], tuple[Any, ...]], Sequence[Any]]


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


def _run_kept(
    connection: Connection, sql: str, params: tuple[Any, ...], fast_path: KeptFastPath | None
) -> Sequence[Any]:
    """The statement straight through the driver of a kept autocommit connection."""
    driver = connection.connection.driver_connection
    assert isinstance(driver, psycopg.Connection)
    try:
        if fast_path is not None:
            return fast_path(driver, params)
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


def run_statement(
    session: Session,
    sql: str,
    params: tuple[Any, ...],
    *,
    fast_path: KeptFastPath | None = None,
) -> Sequence[Any]:
    """One autocommit statement on the session's connection (its own transaction).

    A refusal (``LR001``..``LR005``) or a permission the database denied raises the
    service's exception; anything else raises as SQLAlchemy raises it. On a kept connection
    ``fast_path``, when given, sends the statement itself (a statement prepared by name)."""
    kept = _kept_connection(session)
    if kept is not None:
        return _run_kept(kept, sql, params, fast_path)
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
