"""Reading the change feed: which rows changed since the last look, on both backends.

Triggers append one ``change_feed`` row (seq, table, key, operation) per changed business row.
:class:`ChangeFeedReader` returns the rows after the last sequence it saw, grouped by table.

Late commits. On PostgreSQL a ``bigserial`` number is drawn when the feed row is inserted, not
when its transaction commits, so seq 41 may become visible after seq 42; a reader asking only
for ``seq > last`` would skip 41 for ever. The reader therefore keeps the numbers it saw
missing below ``last`` (gaps) and asks for them again on every read. A gap is given up only
when it can no longer fill. Its holder got a transaction id before drawing the number (the
feed trigger runs after the business row was written), so a transaction id drawn by the
reader after seeing the gap (``txid_current()``, only in reads that found new gaps) is
larger; once ``xmin`` of a snapshot taken before a later read has passed that id, every
possible holder has ended, and a number still missing in that read belongs to a rolled-back
transaction. (A snapshot's ``xmax`` would not do: it is one past the newest *completed*
transaction, and a running holder may be newer.) A time limit and a count limit bound the
list in any case. SQLite has one writer at a time and draws AUTOINCREMENT numbers inside its
write lock, so commits arrive in order there and no gaps are kept.

Wake-ups. PostgreSQL: :class:`PgListener`, one autocommit connection that LISTENs on
``leanops_changes``; a GUI watches its socket, calls :meth:`PgListener.poll` when it is
readable and sends a heartbeat query to notice a silent network. SQLite:
:class:`SqliteVersionWatch` compares ``PRAGMA data_version`` (microseconds) and reads the
feed only when another connection committed. Old rows go with :func:`prune_change_feed`.
"""

from __future__ import annotations

import logging
import math
import random
import sqlite3
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
from psycopg import pq
from sqlalchemy import Engine, delete, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

from leanops_desktop.core.errors import DatabaseUnavailable
from leanops_desktop.db.engine import Database, write_transaction
from leanops_desktop.db.models import ChangeFeed

log = logging.getLogger(__name__)

FEED_CHANNEL = "leanops_changes"
DEFAULT_KEEP_HOURS = 48
MIN_KEEP_HOURS = 24

#: Changed row keys per table: ``{"jobs": {"JOB-1001"}, "stations": {"ST-01", "ST-02"}}``.
Changes = dict[str, set[str]]

_READ = text(
    "SELECT seq, table_name, row_key, op FROM change_feed WHERE seq > :last ORDER BY seq LIMIT :n"
)
# PostgreSQL: the rows and the snapshot's xmin in one statement (one snapshot, one round trip).
_PG_READ = (
    "SELECT f.seq, f.table_name, f.row_key, f.op, s.xmin"
    " FROM (SELECT txid_snapshot_xmin(txid_current_snapshot()) AS xmin) AS s"
    " LEFT JOIN LATERAL (SELECT seq, table_name, row_key, op FROM change_feed"
    " WHERE {where} ORDER BY seq LIMIT :n) AS f ON true"
)
_PG_READ_NEW = text(_PG_READ.format(where="seq > :last"))
_PG_READ_WITH_GAPS = text(_PG_READ.format(where="seq > :last OR seq = ANY(:gaps)"))
_XMIN = text("SELECT txid_snapshot_xmin(txid_current_snapshot())")
_XID = text("SELECT txid_current()")
_BOUNDS = text("SELECT min(seq), max(seq) FROM change_feed")
_RECENT = text("SELECT seq FROM change_feed WHERE seq > :low")


class FeedConnectionLost(DatabaseUnavailable):
    """The feed cannot be read or listened to (server gone, network down, connection killed)."""


def _reason(exc: BaseException) -> str:
    """The first line of a driver error, without SQLAlchemy's background notes."""
    inner = getattr(exc, "orig", None) or exc
    first = str(inner).strip().splitlines()
    return first[0] if first else type(inner).__name__


@dataclass(frozen=True, slots=True)
class FeedRow:
    """One change: ``op`` is ``"I"``, ``"U"`` or ``"D"``."""

    seq: int
    table: str
    key: str
    op: str


@dataclass(slots=True)
class ChangeBatch:
    """Changes grouped by table, with the last operation seen for each row."""

    changes: Changes = field(default_factory=dict)
    operations: dict[tuple[str, str], str] = field(default_factory=dict)
    count: int = 0

    def add(self, row: FeedRow) -> None:
        self.changes.setdefault(row.table, set()).add(row.key)
        self.operations[(row.table, row.key)] = row.op
        self.count += 1

    def merge(self, other: ChangeBatch) -> None:
        """Fold ``other`` (which happened later) into this batch."""
        for table, keys in other.changes.items():
            self.changes.setdefault(table, set()).update(keys)
        self.operations.update(other.operations)
        self.count += other.count

    def deleted(self, table: str) -> set[str]:
        """Keys of ``table`` whose last operation was a delete."""
        return {key for (name, key), op in self.operations.items() if name == table and op == "D"}

    def take(self) -> Changes:
        """The grouped changes; the batch is empty afterwards."""
        changes = self.changes
        self.changes, self.operations, self.count = {}, {}, 0
        return changes

    def __bool__(self) -> bool:
        return bool(self.changes)


@dataclass(slots=True)
class _Gap:
    bound: int  # a transaction id newer than the holder's
    seen_at: float


class ChangeFeedReader:
    """Reads feed rows after the last sequence seen; every change arrives exactly once.

    Call :meth:`start` (position at the end of the feed) before loading the views, then
    :meth:`read` whenever something may have changed. Reads go through ``engine``'s pool.
    """

    def __init__(
        self,
        engine: Engine,
        *,
        page_size: int = 2000,
        max_gaps: int = 10_000,
        gap_max_age: float = 600.0,
        start_window: int = 1000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._engine = engine
        self._track_gaps = engine.dialect.name == "postgresql"
        self._page_size = page_size
        self._max_gaps = max_gaps
        self._gap_max_age = gap_max_age
        self._start_window = start_window
        self._clock = clock
        self._gaps: dict[int, _Gap] = {}
        self._xmin_before: int | None = None
        self._sticky: Connection | None = None
        self.last_seq: int | None = None
        #: False when the last read stopped at ``page_size`` rows: read again soon.
        self.caught_up = True

    @contextmanager
    def _connection(self) -> Iterator[Connection]:
        """PostgreSQL: one autocommit connection kept open (no BEGIN, no pool ping per read).
        SQLite: a pooled connection per read, so no read transaction stays open."""
        try:
            if self._track_gaps:
                if self._sticky is None:
                    conn = self._engine.connect()
                    self._sticky = conn.execution_options(isolation_level="AUTOCOMMIT")
                yield self._sticky
            else:
                with self._engine.connect() as conn:
                    yield conn
        except DBAPIError as exc:
            if self._sticky is not None:
                self._sticky.invalidate()
            self.close()
            raise FeedConnectionLost(_reason(exc)) from None

    def close(self) -> None:
        """Give back the connection the reader keeps (the position is kept)."""
        sticky, self._sticky = self._sticky, None
        if sticky is not None:
            try:
                sticky.close()
            except DBAPIError:  # pragma: no cover - a broken connection
                log.debug("closing the feed connection failed", exc_info=True)

    @property
    def gaps(self) -> frozenset[int]:
        """Sequence numbers seen missing that may still commit."""
        return frozenset(self._gaps)

    def start(self) -> None:
        """Position at the end of the feed: changes committed later are read, earlier ones not.

        On PostgreSQL the numbers missing among the newest rows are kept as gaps, since their
        transactions may still commit.
        """
        with self._connection() as conn:
            top = int(conn.execute(_BOUNDS).one()[1] or 0)
            low = max(top - self._start_window, 0)
            missing: list[int] = []
            if self._track_gaps and top:
                seen = set(conn.execute(_RECENT, {"low": low}).scalars())
                missing = [seq for seq in range(low + 1, top) if seq not in seen]
                bound = int(conn.execute(_XID).scalar_one()) if missing else 0
                xmin = int(conn.execute(_XMIN).scalar_one())
        self.start_at(top)
        if self._track_gaps and top:
            now = self._clock()
            self._gaps = {seq: _Gap(bound, now) for seq in missing}
            self._xmin_before = xmin

    def start_at(self, seq: int) -> None:
        """Position right after ``seq`` (changes with a higher number will be read)."""
        self.last_seq = seq
        self._gaps.clear()
        self._xmin_before = None
        self.caught_up = True

    def verify_position(self) -> bool:
        """After a reconnect: can the feed still tell everything that was missed?

        False when rows after our position were pruned or the database was replaced; the
        position then moves to the end of the feed and the caller should reload its views.
        """
        if self.last_seq is None:
            self.start()
            return False
        with self._connection() as conn:
            low, high = conn.execute(_BOUNDS).one()
        if high is None:
            return True
        if int(high) < self.last_seq or (low is not None and int(low) > self.last_seq + 1):
            self.start()
            return False
        return True

    def read(self) -> ChangeBatch:
        """Changes committed since the last read (at most ``page_size`` feed rows)."""
        if self.last_seq is None:
            raise RuntimeError("position the reader with start() before reading")
        params: dict[str, Any] = {"last": self.last_seq, "n": self._page_size}
        bound = xmin = None
        with self._connection() as conn:
            if not self._track_gaps:
                rows = [FeedRow(*row) for row in conn.execute(_READ, params)]
            else:
                if self._gaps:
                    params["gaps"] = sorted(self._gaps)
                    found = conn.execute(_PG_READ_WITH_GAPS, params).all()
                else:
                    found = conn.execute(_PG_READ_NEW, params).all()
                xmin = int(found[0][4])
                rows = [FeedRow(*row[:4]) for row in found if row[0] is not None]
                if self._opens_gaps(rows):  # a transaction id newer than any holder's
                    bound = int(conn.execute(_XID).scalar_one())
        return self._absorb(rows, bound, xmin)

    def _opens_gaps(self, rows: Sequence[FeedRow]) -> bool:
        assert self.last_seq is not None
        expected = self.last_seq + 1
        for row in rows:
            if row.seq >= expected:
                if row.seq > expected:
                    return True
                expected = row.seq + 1
        return False

    def _absorb(self, rows: Sequence[FeedRow], bound: int | None, xmin: int | None) -> ChangeBatch:
        assert self.last_seq is not None
        batch = ChangeBatch()
        now = self._clock()
        last = expected = self.last_seq
        expected += 1
        for row in rows:
            if row.seq <= last:
                if self._gaps.pop(row.seq, None) is not None:
                    batch.add(row)  # a late commit
                continue
            if bound is not None and row.seq > expected:
                for missing in range(max(expected, row.seq - self._max_gaps), row.seq):
                    self._gaps[missing] = _Gap(bound, now)
            batch.add(row)
            expected = row.seq + 1
        self.last_seq = expected - 1
        self.caught_up = len(rows) < self._page_size
        if xmin is not None:
            if self.caught_up:  # a full page may have cut off late commits: settle nothing
                self._forget_gaps(now)
            self._xmin_before = xmin
        return batch

    def _forget_gaps(self, now: float) -> None:
        """Drop gaps that can no longer fill (or are too old, or too many)."""
        xmin = self._xmin_before
        for seq, gap in list(self._gaps.items()):
            settled = xmin is not None and gap.bound < xmin
            if settled or now - gap.seen_at > self._gap_max_age:
                del self._gaps[seq]
        if len(self._gaps) > self._max_gaps:
            for seq in sorted(self._gaps)[: len(self._gaps) - self._max_gaps]:
                del self._gaps[seq]


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
            raise FeedConnectionLost(_reason(exc)) from None
        try:
            conn.execute(f"LISTEN {FEED_CHANNEL}")
        except psycopg.Error as exc:
            conn.close()
            raise FeedConnectionLost(_reason(exc)) from None
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
            raise FeedConnectionLost(_reason(exc)) from None
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
            raise FeedConnectionLost(_reason(exc)) from None
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


def prune_change_feed(db: Database, keep_hours: float = DEFAULT_KEEP_HOURS) -> int:
    """Delete feed rows older than ``keep_hours`` (never less than 24); returns how many."""
    hours = max(float(keep_hours), MIN_KEEP_HOURS)
    with db.session() as session, write_transaction(session):
        if db.backend == "postgresql":
            removed = session.execute(
                text("SELECT leanops_prune_change_feed(:hours)"), {"hours": math.ceil(hours)}
            ).scalar()
            return int(removed or 0)
        cutoff = datetime.now(UTC) - timedelta(hours=hours)
        result = session.execute(delete(ChangeFeed).where(ChangeFeed.changed_at < cutoff))
        return int(getattr(result, "rowcount", 0) or 0)
