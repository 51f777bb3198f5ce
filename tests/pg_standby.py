"""A throwaway hot standby of a ``ThrowawayCluster``, for the failover and read-replica tests.

``StreamingReplica(primary)`` copies a running primary with ``pg_basebackup -R`` (streaming
replication; the backup writes ``standby.signal`` and the ``primary_conninfo`` it streams from)
over the primary's unix socket, where initdb's ``local replication all trust`` line lets it
in, and starts on a free port in a temporary directory of its own, with the primary's
superuser password. A hot standby refuses writes and LISTEN until :meth:`promote`.
"""

from __future__ import annotations

import shlex
import time
from pathlib import Path

import psycopg

from tests.pg_server import (
    _SUPERUSER,
    ClusterStartError,
    ThrowawayCluster,
    _libpq_url,
    _tail,
    admin_connect,
)


class StreamingReplica(ThrowawayCluster):
    """A hot standby of a running ``primary``, on its own port in its own directory.

    Made with ``pg_basebackup -R`` (the backup writes ``standby.signal`` and the
    ``primary_conninfo`` it streams from) over the primary's unix socket, where initdb's
    ``local replication all trust`` line lets it in. Same superuser password as the primary.
    :meth:`promote` makes it a primary; ``cleanup()`` removes it like any throwaway cluster.
    """

    def __init__(self, primary: ThrowawayCluster) -> None:
        super().__init__(primary.bindir)
        self._primary = primary
        self._password = primary.password

    def _initdb(self, bindir: Path) -> None:  # a base backup instead of a new cluster
        cmd = self._server_cmd(
            "pg_basebackup",
            "-h", str(self._primary.directory),
            "-p", str(self._primary.port),
            "-U", _SUPERUSER,
            "-D", str(self.data_dir),
            "-R", "-X", "stream", "-c", "fast", "--no-sync",
        )  # fmt: skip
        result = self._run(cmd, timeout=120)
        if result.returncode != 0:
            raise ClusterStartError(
                f"pg_basebackup failed ({result.returncode})\n$ {shlex.join(cmd)}\n"
                f"{result.stderr.strip()}"
            )

    def replayed_up_to(self, lsn: str) -> bool:
        """Whether the standby has replayed the primary's WAL up to ``lsn``."""
        with psycopg.connect(_libpq_url(self.url), autocommit=True) as conn:
            row = conn.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [lsn]).fetchone()
        return bool(row and row[0])

    def wait_for(self, dbname: str, query: str, timeout: float = 15.0) -> None:
        """Wait until ``query`` returns a true first column on the standby's ``dbname``."""
        url = self.url.rsplit("/", 1)[0] + f"/{dbname}"
        deadline = time.monotonic() + timeout
        while True:
            try:
                with psycopg.connect(_libpq_url(url), autocommit=True, connect_timeout=2) as conn:
                    row = conn.execute(query).fetchone()
                    if row is not None and row[0]:
                        return
            except psycopg.Error:
                pass  # not replicated yet (no database, no table)
            if time.monotonic() > deadline:
                raise TimeoutError(f"the standby did not catch up: {query}")
            time.sleep(0.1)

    def promote(self) -> None:
        """``pg_ctl promote``: the standby leaves recovery and takes writes."""
        cmd = self._server_cmd("pg_ctl", "promote", "-w", "-t", "60", "-D", str(self.data_dir))
        result = self._run(cmd, timeout=70)
        if result.returncode != 0:
            raise RuntimeError(
                f"pg_ctl promote failed ({result.returncode}): {result.stderr.strip()}\n"
                f"--- server log ---\n{_tail(self.log_path)}"
            )


def current_wal_lsn(url: str) -> str:
    """The primary's WAL position after everything inserted so far (with
    ``synchronous_commit = off`` a commit may not be written out yet)."""
    with admin_connect(url) as conn:
        row = conn.execute("SELECT pg_current_wal_insert_lsn()::text").fetchone()
    assert row is not None
    return str(row[0])
