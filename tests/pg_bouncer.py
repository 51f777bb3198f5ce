"""A throwaway PgBouncer in front of a test server, in session or transaction pool mode.

``ThrowawayBouncer(server_url, pool_mode="transaction")`` writes its own ini and user list
into a temporary directory, starts Debian's ``pgbouncer`` binary in the foreground on a free
port of ``127.0.0.1`` (as the ``postgres`` system user when this process is root) and points
every database name at the server of ``server_url``. :meth:`ThrowawayBouncer.url` turns a
server URL into the same URL through the pooler. Clients authenticate with SCRAM against the
server's own password of the URL's user; the server login uses the same password.

Only the standard library is used; the binary comes from the ``pgbouncer`` package.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType
from typing import Literal, Self
from urllib.parse import unquote, urlsplit, urlunsplit

PoolMode = Literal["session", "transaction"]

_SYSTEM_USER = "postgres"


class BouncerStartError(RuntimeError):
    """The pgbouncer binary is missing or did not start listening."""


def find_pgbouncer() -> str | None:
    """The pgbouncer binary (Debian puts it in /usr/sbin), or None."""
    return shutil.which("pgbouncer") or next(
        (p for p in ("/usr/sbin/pgbouncer", "/usr/bin/pgbouncer") if os.access(p, os.X_OK)), None
    )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class ThrowawayBouncer:
    """PgBouncer for tests: ``start()``, ``stop()``, ``start_again()`` (same port),
    ``cleanup()``; also a context manager."""

    def __init__(self, server_url: str, *, pool_mode: PoolMode, pool_size: int = 10) -> None:
        parts = urlsplit(server_url)
        self._server_host = parts.hostname or "127.0.0.1"
        self._server_port = parts.port or 5432
        self._user = unquote(parts.username or _SYSTEM_USER)
        self._password = unquote(parts.password or "")
        self.pool_mode = pool_mode
        self._pool_size = pool_size
        self._dir: Path | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self.port = 0

    def url(self, server_url: str) -> str:
        """``server_url`` (credentials, database) pointed at the pooler, telling LeanOps its
        pool mode (``?pool_mode=...``, see ``db/pooler.py``)."""
        parts = urlsplit(server_url)
        netloc = parts.netloc.rsplit("@", 1)
        host = f"127.0.0.1:{self.port}"
        query = "&".join(q for q in (parts.query, f"pool_mode={self.pool_mode}") if q)
        return urlunsplit(
            parts._replace(netloc=f"{netloc[0]}@{host}" if len(netloc) > 1 else host, query=query)
        )

    @property
    def log_path(self) -> Path:
        assert self._dir is not None
        return self._dir / "pgbouncer.log"

    def start(self) -> Self:
        binary = find_pgbouncer()
        if binary is None:
            raise BouncerStartError("pgbouncer is not installed (apt-get install pgbouncer)")
        self._dir = Path(tempfile.mkdtemp(prefix="leanops-pgbouncer-", dir="/tmp"))
        self.port = _free_port()
        self._write_config()
        self._launch(binary)
        return self

    def start_again(self) -> None:
        """Start once more after :meth:`stop`, on the same port and configuration."""
        binary = find_pgbouncer()
        assert binary is not None and self._dir is not None
        self._launch(binary)

    def stop(self) -> None:
        """Shut down at once (SIGTERM): every client and server connection is cut."""
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)

    def cleanup(self) -> None:
        self.stop()
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.cleanup()

    def _write_config(self) -> None:
        assert self._dir is not None
        users = self._dir / "userlist.txt"
        users.write_text(f'"{self._user}" "{self._password}"\n')
        ini = self._dir / "pgbouncer.ini"
        ini.write_text(
            "[databases]\n"
            f"* = host={self._server_host} port={self._server_port}\n"
            "[pgbouncer]\n"
            "listen_addr = 127.0.0.1\n"
            f"listen_port = {self.port}\n"
            "unix_socket_dir =\n"
            "auth_type = scram-sha-256\n"
            f"auth_file = {users}\n"
            f"logfile = {self.log_path}\n"
            f"pool_mode = {self.pool_mode}\n"
            f"default_pool_size = {self._pool_size}\n"
            "max_client_conn = 500\n"
            "ignore_startup_parameters = extra_float_digits,options\n"
            "server_login_retry = 1\n"
        )
        if os.geteuid() == 0:
            entry = pwd.getpwnam(_SYSTEM_USER)
            for path in (self._dir, users, ini):
                os.chown(path, entry.pw_uid, entry.pw_gid)
            users.chmod(0o600)

    def _launch(self, binary: str) -> None:
        assert self._dir is not None
        cmd = [binary, str(self._dir / "pgbouncer.ini")]
        if os.geteuid() == 0:
            cmd[1:1] = ["-u", _SYSTEM_USER]
        self._process = subprocess.Popen(
            cmd,
            cwd=self._dir,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                break
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5),
            ):
                return
            time.sleep(0.05)
        self.stop()
        tail = self.log_path.read_text(errors="replace")[-2000:] if self.log_path.exists() else ""
        raise BouncerStartError(f"pgbouncer did not start listening on {self.port}:\n{tail}")
