"""Wake-ups of the change feed: when a client should read it, without polling the server.

PostgreSQL: :class:`PgListener`, one autocommit connection that LISTENs on
``leanops_changes``; a GUI watches its socket, calls :meth:`PgListener.poll` when it is
readable and sends a heartbeat query to notice a silent network. SQLite:
:class:`SqliteVersionWatch` compares ``PRAGMA data_version`` (microseconds) and reads the
feed only when another connection committed. :class:`Backoff` spaces the reconnects after a
lost connection. What changed is then read by ``change_feed.ChangeFeedReader``.
"""

from __future__ import annotations

import logging
import random
import sqlite3
from collections.abc import Mapping
from typing import Any

import psycopg
from psycopg import pq
from sqlalchemy import Engine

from leanops_desktop.db import supabase
from leanops_desktop.db.change_feed import FeedConnectionLost, first_line_of

log = logging.getLogger(__name__)

FEED_CHANNEL = "leanops_changes"


class PgListener:
    """One autocommit PostgreSQL connection that LISTENs on the feed channel.

    :meth:`open` blocks (run it off the GUI thread when the server may be unreachable); the
    other methods never block: watch :meth:`fileno` for reading and call :meth:`poll`.

    The heartbeat asks for the feed's newest sequence number. The server notifies at most
    once per 10 ms (migration 0007), so a change committed just after one that notified has
    no notification of its own; a heartbeat answer with a newer number counts as a wake-up,
    so no change waits longer than one heartbeat interval (the live feed's trailing read
    usually gets it sooner).
    """

    def __init__(self, conn: psycopg.Connection[Any]) -> None:
        self._conn = conn
        self._heartbeat_sent: float | None = None
        self._newest_seq: int | None = None  # from the last heartbeat answer

    @staticmethod
    def connect_kwargs(engine: Engine) -> dict[str, Any]:
        """Connection parameters of ``engine`` (credentials included) for :meth:`open`."""
        _args, kwargs = engine.dialect.create_connect_args(engine.url)
        kwargs.pop("context", None)
        kwargs.pop(supabase.PROJECT_OPTION, None)  # LeanOps' own, not the server's
        return dict(kwargs)

    @classmethod
    def open(cls, connect_kwargs: Mapping[str, Any], *, timeout: int = 3) -> PgListener:
        """Connect and LISTEN; raises :class:`FeedConnectionLost`."""
        params: dict[str, Any] = {
            "connect_timeout": timeout,
            "application_name": "leanops live",
            "keepalives": 1,
            "keepalives_idle": 10,
            "keepalives_interval": 3,
            "keepalives_count": 3,
            **connect_kwargs,
        }
        try:
            conn = psycopg.connect(autocommit=True, **params)
        except psycopg.Error as exc:
            raise FeedConnectionLost(first_line_of(exc)) from None
        try:
            conn.execute(f"LISTEN {FEED_CHANNEL}")
        except psycopg.Error as exc:
            conn.close()
            raise FeedConnectionLost(first_line_of(exc)) from None
        return cls(conn)

    def fileno(self) -> int:
        return self._conn.pgconn.socket

    @property
    def backend_pid(self) -> int:
        """The server process serving this connection."""
        return self._conn.pgconn.backend_pid

    @property
    def closed(self) -> bool:
        return self._conn.closed

    def poll(self) -> int:
        """Read what arrived: returns how many notifications (heartbeat answers are absorbed)."""
        pgconn = self._conn.pgconn
        try:
            pgconn.consume_input()
            count = 0
            while pgconn.notifies() is not None:
                count += 1
            while self._heartbeat_sent is not None and not pgconn.is_busy():
                result = pgconn.get_result()
                if result is None:
                    self._heartbeat_sent = None
                elif result.status != pq.ExecStatus.TUPLES_OK:
                    raise FeedConnectionLost(result.get_error_message() or "heartbeat failed")
                else:
                    count += self._saw_newest(result.get_value(0, 0))
        except psycopg.Error as exc:
            raise FeedConnectionLost(first_line_of(exc)) from None
        if pgconn.status != pq.ConnStatus.OK:
            raise FeedConnectionLost("the server closed the connection")
        return count

    def _saw_newest(self, value: bytes | None) -> int:
        """1 when the feed grew since the previous heartbeat (a wake-up), else 0."""
        newest = int(value) if value is not None else 0
        grew = self._newest_seq is not None and newest > self._newest_seq
        self._newest_seq = newest
        return 1 if grew else 0

    def send_heartbeat(self, now: float) -> None:
        """Ask for the feed's newest number unless a heartbeat is on its way; :meth:`poll`
        takes the answer."""
        if self._heartbeat_sent is not None:
            return
        try:
            self._conn.pgconn.send_query(b"SELECT max(seq) FROM change_feed")
            self._conn.pgconn.flush()
        except psycopg.Error as exc:
            raise FeedConnectionLost(first_line_of(exc)) from None
        self._heartbeat_sent = now

    def heartbeat_age(self, now: float) -> float | None:
        """Seconds the current heartbeat has waited for its answer (None: none waiting)."""
        return None if self._heartbeat_sent is None else now - self._heartbeat_sent

    def close(self) -> None:
        try:
            self._conn.close()
        except psycopg.Error:  # pragma: no cover - closing a broken connection
            log.debug("closing the listener connection failed", exc_info=True)


class SqliteVersionWatch:
    """Tells whether another connection committed to a SQLite file since the last look."""

    def __init__(self, path: str) -> None:
        self._path = path
        self._conn: sqlite3.Connection | None = None
        self._version: int | None = None

    @classmethod
    def for_engine(cls, engine: Engine) -> SqliteVersionWatch:
        return cls(engine.url.database or ":memory:")

    def changed(self) -> bool:
        """True when someone committed since the previous call (and on the first call)."""
        try:
            if self._conn is None:
                self._conn = sqlite3.connect(
                    f"file:{self._path}?mode=rw", uri=True, isolation_level=None
                )
            row = self._conn.execute("PRAGMA data_version").fetchone()
        except sqlite3.Error as exc:
            self.close()
            raise FeedConnectionLost(f"{self._path}: {exc}") from None
        version = int(row[0])
        moved = version != self._version
        self._version = version
        return moved

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        self._version = None


class Backoff:
    """Growing, jittered delays between reconnection attempts."""

    def __init__(self, first: float = 0.25, limit: float = 15.0, jitter: float = 0.2) -> None:
        self._first = first
        self._limit = limit
        self._jitter = jitter
        self.attempts = 0

    def next_delay(self) -> float:
        base = min(self._limit, self._first * 2.0 ** min(self.attempts, 30))
        self.attempts += 1
        return base * (1 + random.uniform(-self._jitter, self._jitter))

    def reset(self) -> None:
        self.attempts = 0
