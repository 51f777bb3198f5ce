"""The kiosk outbox's SQLite file: opened for this kiosk alone, its schema, and durable
write transactions (``synchronous=FULL``, one fsync per commit unless asked otherwise).

A small SQLite file of its own (one per station and database, in the user data folder), so
a report the kiosk has confirmed on screen survives a killed process or a power cut. The
file is held exclusively while the outbox is open (SQLite's exclusive locking mode), so a
second kiosk of the same station on the same computer is refused with a clear message
instead of sharing the queue, and each write skips the shared-memory bookkeeping and file
locking that sharing would need. One connection guarded by a lock serves every thread.
The queue itself (adding, marking, reading items) is :class:`~leanops_desktop.db.outbox.Outbox`.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Self

from leanops_desktop.core.errors import RuleViolation

SCHEMA_VERSION = 1
_SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL CHECK (kind IN ('report', 'correction')),
    station_id TEXT NOT NULL,
    job_id TEXT NOT NULL,
    qty INTEGER NOT NULL CHECK (qty > 0),
    corrects_id TEXT REFERENCES outbox (id),
    confirm_over INTEGER NOT NULL DEFAULT 0,
    operator TEXT NOT NULL,
    created_at TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'sent', 'refused')),
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    refusal_code TEXT,
    refusal_logged INTEGER NOT NULL DEFAULT 0,
    acknowledged INTEGER NOT NULL DEFAULT 0,
    updated_at TEXT NOT NULL,
    sent_at TEXT,
    CHECK ((kind = 'correction') = (corrects_id IS NOT NULL))
);
CREATE INDEX IF NOT EXISTS ix_outbox_state_seq ON outbox (state, seq);
CREATE UNIQUE INDEX IF NOT EXISTS ux_outbox_corrects_id ON outbox (corrects_id);
"""
#: Seconds to wait for the file when opening it (another kiosk that is closing).
_OPEN_WAIT_S = 5.0


class OutboxFile:
    """The outbox's SQLite file and its one connection (held exclusively until closed)."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        # One connection, holding the file for itself: no shared-memory index and no file
        # locks per transaction, and a page cache that nobody else invalidates. WAL with
        # synchronous=FULL: every commit is fsynced to the WAL before it returns.
        self._conn = sqlite3.connect(
            self.path, isolation_level=None, check_same_thread=False, timeout=_OPEN_WAIT_S
        )
        self._conn.row_factory = sqlite3.Row
        try:
            self._conn.execute("PRAGMA locking_mode=EXCLUSIVE")
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=FULL")
            self._conn.execute("PRAGMA foreign_keys=ON")
            with self._write() as conn:  # takes the file's lock until close()
                version = conn.execute("PRAGMA user_version").fetchone()[0]
                if version > SCHEMA_VERSION:
                    raise RuleViolation(
                        f"the outbox {self.path} was written by a newer LeanOps "
                        f"(version {version}); update this kiosk"
                    )
                for statement in _SCHEMA.split(";"):
                    if statement.strip():
                        conn.execute(statement)
                conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        except sqlite3.OperationalError as error:
            self._conn.close()
            if "locked" not in str(error):
                raise
            raise RuleViolation(
                f"the outbox {self.path} is in use by another LeanOps kiosk on this computer"
                " (one kiosk per station); close that kiosk first"
            ) from None
        except BaseException:
            self._conn.close()
            raise

    # -- transactions and queries -----------------------------------------------------------

    @contextmanager
    def _write(self, *, durable: bool = True) -> Iterator[sqlite3.Connection]:
        """One write transaction; ``durable=False`` does not wait for the disk.

        Only what the sender learns may skip the fsync: if a "sent" mark is lost in a power
        cut, the item is sent again on restart and the server ignores the repeat (same id).
        The next durable commit makes it permanent anyway (one WAL, written in order).
        """
        conn = self._conn
        with self._lock, self._fsync(durable):
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    @contextmanager
    def _fsync(self, durable: bool) -> Iterator[None]:
        """Commits meanwhile wait for the disk (the default) or not; hold ``_lock``."""
        if durable:
            yield
            return
        self._conn.execute("PRAGMA synchronous=NORMAL")
        try:
            yield
        finally:
            self._conn.execute("PRAGMA synchronous=FULL")

    def _query(self, sql: str, params: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
        with self._lock:
            return list(self._conn.execute(sql, params))

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()
