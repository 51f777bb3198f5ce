"""Seat types and the PostgreSQL connections each one holds (the connection budget).

Every seat names itself to the server (``application_name``), so an administrator counts
what each kind of seat holds with ``SELECT application_name, count(*) FROM
pg_stat_activity GROUP BY 1``. The pool of a seat keeps at most ``pool_size`` idle
connections between uses, besides those checked out; work that overlaps opens up to
``max_overflow`` more for a moment and closes them when done. The live feed's LISTEN
connection is one more, outside the pool.

* A window keeps 3 at most: the listener, the feed reader's own connection (no pool round
  trip per read) and one pooled connection for loads and saves.
* A kiosk keeps 2 at most: the listener and one pooled connection that the feed reads, the
  station reads and the report sender share (the sender keeps it only while it has reports
  to send).
* A board (a floor display: it reads and listens) keeps 2 at most: the listener and one
  pooled connection for its reads.
* A command (``leanops db ...``, the self-check) opens what it needs and ends.

``docs/deploy.md`` turns these numbers into seats per server.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Seat:
    """How one kind of seat uses PostgreSQL connections."""

    name: str
    application_name: str
    pool_size: int
    max_overflow: int
    #: The live feed's reader keeps a connection of its own between reads.
    keep_feed_connection: bool
    #: The report sender keeps its connection while it waits for the next report.
    keep_report_connection: bool
    #: Whether the seat listens for the live feed (a LISTEN connection outside the pool).
    listens: bool = True

    @property
    def steady_connections(self) -> int:
        """The connections this seat holds once it is idle: the pool's idle ones, the feed
        reader's own (checked out of the pool for good) and the listener."""
        return self.pool_size + int(self.keep_feed_connection) + int(self.listens)


WINDOW = Seat(
    "window",
    "leanops-window",
    pool_size=1,
    max_overflow=4,
    keep_feed_connection=True,
    keep_report_connection=True,
)
KIOSK = Seat(
    "kiosk",
    "leanops-kiosk",
    pool_size=1,
    max_overflow=2,
    keep_feed_connection=False,
    keep_report_connection=False,
)
BOARD = Seat(
    "board",
    "leanops-board",
    pool_size=1,
    max_overflow=1,
    keep_feed_connection=False,
    keep_report_connection=False,
)
#: Commands, tools and anything that does not say which seat it is.
TOOL = Seat(
    "tool",
    "leanops",
    pool_size=5,
    max_overflow=20,
    keep_feed_connection=True,
    keep_report_connection=True,
    listens=False,
)

SEATS = (WINDOW, KIOSK, BOARD)
