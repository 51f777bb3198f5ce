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

When to read is told by ``feed_wakeup.py`` (a LISTEN connection on PostgreSQL, ``PRAGMA
data_version`` on SQLite). Old rows go with :func:`prune_change_feed`.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, delete, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

from leanops_desktop.core.errors import DatabaseUnavailable
from leanops_desktop.db.engine import Database, write_transaction
from leanops_desktop.db.models import ChangeFeed

log = logging.getLogger(__name__)

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


def first_line_of(exc: BaseException) -> str:
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
        keep_connection: bool = True,
    ) -> None:
        self._engine = engine
        self._track_gaps = engine.dialect.name == "postgresql"
        #: PostgreSQL: keep one connection between reads (False: a pooled one per read, for
        #: seats whose budget has no connection to spare, ``db/seats.py``).
        self._keep_connection = keep_connection
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
            if self._track_gaps and self._keep_connection:
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
            raise FeedConnectionLost(first_line_of(exc)) from None

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
