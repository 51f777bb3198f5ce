"""A throwaway hot standby of a ``ThrowawayCluster``: a read replica that refuses LISTEN
until it is promoted.

``ThrowawayStandby(primary).start()`` copies the primary with ``pg_basebackup -R`` (streaming
replication, the primary's ``pg_hba.conf`` from initdb allows it on 127.0.0.1) into a temporary
directory of its own and starts it on a free port. Its ``url`` has the primary's superuser and
password; everything committed on the primary arrives moments later.
"""

from __future__ import annotations

import shlex
import time
from pathlib import Path

import psycopg

from tests.pg_server import ClusterStartError, ThrowawayCluster


class ThrowawayStandby(ThrowawayCluster):
    """A hot standby streaming from ``primary`` (started)."""

    def __init__(self, primary: ThrowawayCluster) -> None:
        super().__init__(primary.bindir)
        self._primary = primary
        self._password = primary.password

    def _initdb(self, bindir: Path) -> None:
        source = (
            f"host=127.0.0.1 port={self._primary.port} user=postgres"
            f" password={self._primary.password}"
        )
        cmd = self._server_cmd(
            "pg_basebackup", "-D", str(self.data_dir), "-R", "-X", "stream", "-d", source
        )
        result = self._run(cmd, timeout=120)
        if result.returncode != 0:
            shown = shlex.join(cmd).replace(self._primary.password, "***")
            raise ClusterStartError(f"$ {shown}\n{result.stderr.strip()}")

    def promote(self) -> None:
        """Make the standby a primary (``pg_ctl promote``), as a failover does."""
        cmd = self._server_cmd("pg_ctl", "promote", "-w", "-D", str(self.data_dir))
        result = self._run(cmd, timeout=60)
        if result.returncode != 0:
            raise ClusterStartError(f"pg_ctl promote failed: {result.stderr.strip()}")

    def wait_for(self, dbname: str, query: str, timeout: float = 15.0) -> None:
        """Wait until ``query`` returns a true first column on the standby's ``dbname``."""
        url = self.url.rsplit("/", 1)[0] + f"/{dbname}"
        deadline = time.monotonic() + timeout
        while True:
            try:
                with psycopg.connect(url, autocommit=True, connect_timeout=2) as conn:
                    row = conn.execute(query).fetchone()
                    if row is not None and row[0]:
                        return
            except psycopg.Error:
                pass  # not replicated yet (no database, no table)
            if time.monotonic() > deadline:
                raise TimeoutError(f"the standby did not catch up: {query}")
            time.sleep(0.1)
