"""A kiosk sender's line to the database for quantity reports, and how it treats errors.

Sending a report on PostgreSQL is one autocommit statement (``services/reporting/report_pg.py``).
Taking a pooled connection for every trip cost more client CPU than the trip itself (the
pool's liveness ping, the session's begin/commit/close, setting and resetting the
isolation level: 0.97 ms against 0.26 ms per trip, measured). :class:`ReportChannel` keeps
one connection in autocommit mode between trips instead, with one session bound to it.

A kept connection may have died while idle (the server restarted, an administrator ended
the session): a connection error on a *kept* connection discards it and the work runs once
more, at once, on a fresh pooled connection (which the pool checks first). Running a report
again is harmless: the server counts a report id once. Errors on a fresh connection are
the caller's to handle (the sender keeps the reports pending and tries later).

Only reports use the kept connection: their statement is its own transaction. Anything that
needs a transaction of several statements (corrections, the refusal events) takes an
ordinary session from the database. On SQLite every trip uses an ordinary session.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from enum import StrEnum
from typing import TypeVar

from sqlalchemy import Connection
from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session

from leanops_desktop.core.errors import DatabaseUnavailable, LeanOpsError
from leanops_desktop.db.engine import Database

T = TypeVar("T")


class ErrorKind(StrEnum):
    """How the sender treats an error."""

    CONNECTION = "connection"
    REFUSAL = "refusal"
    UNEXPECTED = "unexpected"


def classify(error: BaseException) -> ErrorKind:
    """Connection trouble (retry), a refusal (keep, show) or something unexpected."""
    if isinstance(error, OperationalError | InterfaceError | DisconnectionError | PoolTimeout):
        return ErrorKind.CONNECTION
    if isinstance(error, DatabaseUnavailable | ConnectionError | TimeoutError):
        return ErrorKind.CONNECTION
    if getattr(error, "connection_invalidated", False):
        return ErrorKind.CONNECTION
    if isinstance(error, LeanOpsError):
        return ErrorKind.REFUSAL
    return ErrorKind.UNEXPECTED


class ReportChannel:
    """Sessions for sending reports, on one connection kept between trips (PostgreSQL).

    Used by one thread at a time (the sender's); :meth:`close` gives the connection back.
    """

    def __init__(self, db: Database) -> None:
        self.db = db
        self._kept: Connection | None = None
        self._session: Session | None = None  # bound to the kept connection, reused
        self._postgres = db.backend == "postgresql"

    def run(self, work: Callable[[Session], T]) -> T:
        """``work(session)`` for reports; once more on a fresh connection if a kept one failed."""
        if not self._postgres:
            with self.db.session() as session:
                return work(session)
        kept = self._kept is not None
        try:
            return self._run_once(work)
        except Exception as error:
            if not (kept and classify(error) == ErrorKind.CONNECTION):
                raise
        return self._run_once(work)  # the kept connection had died while idle

    def _run_once(self, work: Callable[[Session], T]) -> T:
        if self._kept is None or self._session is None:
            self._kept = self.db.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
            self._session = self.db.sessions(bind=self._kept)
        session = self._session
        try:
            return work(session)
        except Exception as error:
            if classify(error) == ErrorKind.CONNECTION:
                self.discard()
            raise
        finally:
            # A report loads nothing and begins nothing, so the session is kept for the next
            # trip (making one per trip cost more than the trip's statement); anything else
            # is closed to start the next trip clean.
            if session.in_transaction() or session.identity_map or session.new:
                session.close()

    def discard(self) -> None:
        """Give the kept connection back (the pool drops it if it was found broken)."""
        kept, self._kept = self._kept, None
        session, self._session = self._session, None
        if session is not None:
            with contextlib.suppress(Exception):
                session.close()
        if kept is not None:
            try:
                kept.close()
            except Exception:  # a dead connection may fail to reset; drop it for good
                with contextlib.suppress(Exception):
                    kept.invalidate()

    def rest(self) -> None:
        """Nothing more to send for now: a seat whose budget has no connection to spare
        (a kiosk, ``db/seats.py``) gives the kept one back to its pool to share."""
        if not self.db.seat.keep_report_connection:
            self.discard()

    def close(self) -> None:
        self.discard()
