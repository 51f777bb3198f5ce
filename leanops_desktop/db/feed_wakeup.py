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
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import psycopg
from psycopg import pq
from sqlalchemy import Engine

from leanops_desktop.db import supabase
from leanops_desktop.db.change_feed import FeedConnectionLost, first_line_of
from leanops_desktop.db.pooler import driver_params, pool_mode_of

if TYPE_CHECKING:
    from psycopg.pq.abc import PGresult

log = logging.getLogger(__name__)

FEED_CHANNEL = "leanops_changes"
_HEARTBEAT = "heartbeat"
_LISTEN = "listen"


@dataclass(slots=True)
class ListenerEvents:
    """What one :meth:`PgListener.poll_events` read off the listener connection."""

    notifications: int = 0
    #: Notifications that arrived with no query on the wire: the server pushed them. (Through
    #: a transaction-mode pooler the listener is linked to a server only during a query.)
    idle_notifications: int = 0
    #: The heartbeat's answer, the feed's newest sequence (None: no answer in this read).
    newest: int | None = None
    #: The feed grew since the previous heartbeat answer.
    grew: bool = False
    #: LISTEN, sent again, was accepted (True), refused (its message) or not answered (None).
    listen_result: bool | str | None = None


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

    def __init__(self, conn: psycopg.Connection[Any], *, listen_error: str = "") -> None:
        self._conn = conn
        self._heartbeat_sent: float | None = None  # when the query on the wire was sent
        self._in_flight: str | None = None  # which query is on the wire: heartbeat or LISTEN
        self._newest_seq: int | None = None  # from the last heartbeat answer
        #: Why LISTEN was refused on this connection (empty: it listens).
        self.listen_error = listen_error

    @staticmethod
    def connect_kwargs(engine: Engine) -> dict[str, Any]:
        """Connection parameters of ``engine`` (credentials included) for :meth:`open`."""
        _args, kwargs = engine.dialect.create_connect_args(engine.url)
        kwargs.pop("context", None)
        kwargs.pop(supabase.PROJECT_OPTION, None)  # LeanOps' own, not the server's
        return driver_params(dict(kwargs), pool_mode_of(engine.url))

    @classmethod
    def open(cls, connect_kwargs: Mapping[str, Any], *, timeout: int = 3) -> PgListener:
        """Connect and LISTEN; raises :class:`FeedConnectionLost`. A LISTEN the server refuses
        on a working connection (a read replica) leaves the connection open, its reason in
        :attr:`listen_error`: the heartbeat still works, and LISTEN can be tried again."""
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
            if conn.closed or conn.pgconn.status != pq.ConnStatus.OK:
                conn.close()
                raise FeedConnectionLost(first_line_of(exc)) from None
            return cls(conn, listen_error=first_line_of(exc))
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
        """Read what arrived: returns how many notifications (heartbeat answers are absorbed;
        one that saw the feed grow counts as one)."""
        events = self.poll_events()
        return events.notifications + (1 if events.grew else 0)

    def poll_events(self) -> ListenerEvents:
        """Read what arrived: notifications, the heartbeat's answer, LISTEN's answer."""
        pgconn = self._conn.pgconn
        events = ListenerEvents()
        try:
            pgconn.consume_input()
            self._take_notifications(events, idle=self._in_flight is None)
            while self._in_flight is not None and not pgconn.is_busy():
                result = pgconn.get_result()
                if result is None:
                    self._in_flight = self._heartbeat_sent = None
                else:
                    self._take_result(result, events)
            self._take_notifications(events, idle=False)  # parsed with the answer
        except psycopg.Error as exc:
            raise FeedConnectionLost(first_line_of(exc)) from None
        if pgconn.status != pq.ConnStatus.OK:
            raise FeedConnectionLost("the server closed the connection")
        return events

    def _take_notifications(self, events: ListenerEvents, *, idle: bool) -> None:
        while self._conn.pgconn.notifies() is not None:
            events.notifications += 1
            events.idle_notifications += 1 if idle else 0

    def _take_result(self, result: PGresult, events: ListenerEvents) -> None:
        if self._in_flight == _LISTEN:
            if result.status == pq.ExecStatus.COMMAND_OK:
                self.listen_error = ""
                events.listen_result = True
            else:
                message = (result.get_error_message() or "LISTEN failed").strip()
                self.listen_error = message.splitlines()[0]
                events.listen_result = self.listen_error
        elif result.status != pq.ExecStatus.TUPLES_OK:
            raise FeedConnectionLost(result.get_error_message() or "heartbeat failed")
        else:
            events.newest = _as_seq(result.get_value(0, 0))
            events.grew = self._saw_newest(events.newest) == 1

    def _saw_newest(self, newest: int) -> int:
        """1 when the feed grew since the previous heartbeat (a wake-up), else 0."""
        grew = self._newest_seq is not None and newest > self._newest_seq
        self._newest_seq = newest
        return 1 if grew else 0

    def send_heartbeat(self, now: float) -> None:
        """Ask for the feed's newest number unless a query is on its way; :meth:`poll`
        takes the answer."""
        self._send(_HEARTBEAT, b"SELECT max(seq) FROM change_feed", now)

    def send_listen(self, now: float) -> None:
        """Try LISTEN again (after :attr:`listen_error`) unless a query is on its way;
        :meth:`poll_events` takes the answer (``listen_result``)."""
        self._send(_LISTEN, f"LISTEN {FEED_CHANNEL}".encode(), now)

    def _send(self, kind: str, query: bytes, now: float) -> None:
        if self._in_flight is not None:
            return
        try:
            self._conn.pgconn.send_query(query)
            self._conn.pgconn.flush()
        except psycopg.Error as exc:
            raise FeedConnectionLost(first_line_of(exc)) from None
        self._in_flight = kind
        self._heartbeat_sent = now

    def heartbeat_age(self, now: float) -> float | None:
        """Seconds the current heartbeat has waited for its answer (None: none waiting)."""
        return None if self._heartbeat_sent is None else now - self._heartbeat_sent

    def close(self) -> None:
        try:
            self._conn.close()
        except psycopg.Error:  # pragma: no cover - closing a broken connection
            log.debug("closing the listener connection failed", exc_info=True)


def _as_seq(value: bytes | None) -> int:
    return int(value) if value is not None else 0


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
