"""A throwaway PostgreSQL cluster for the test suite, plus small database helpers.

``ThrowawayCluster`` runs ``initdb`` into a fresh temporary directory and starts a server on a
free TCP port of ``127.0.0.1`` (its unix socket lives inside the temporary directory, so it never
collides with a system server). The server is tuned for tests, not durability: ``fsync``,
``synchronous_commit`` and ``full_page_writes`` are off.

Typical use::

    with ThrowawayCluster() as cluster:
        url = create_database(cluster.url, "scratch")
        ...

Notes:

* ``initdb`` and ``postgres`` refuse to run as root. When this process is root, the temporary
  directory is handed to the ``postgres`` system user (created if missing) and every server
  binary runs through ``runuser -u postgres --``.
* Cleanup is belt and braces: ``cleanup()`` / the context manager; an ``atexit`` hook for
  clusters still alive when the interpreter exits; and a small watchdog process that notices
  when this process dies without running ``atexit`` (``SIGKILL``, ``os._exit``, a fatal error
  in a C extension) and then stops the server and removes its directory.
* The helpers (``admin_connect``, ``create_database``, ``drop_database``) work against any
  server URL, not just a throwaway cluster.

Only the standard library and psycopg 3 are used.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import pwd
import re
import secrets
import shlex
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import Literal, Self
from urllib.parse import quote, urlsplit, urlunsplit

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo
from psycopg.rows import TupleRow

__all__ = [
    "ClusterStartError",
    "StopMode",
    "ThrowawayCluster",
    "admin_connect",
    "create_database",
    "drop_database",
    "find_pg_bindir",
]

StopMode = Literal["smart", "fast", "immediate"]

#: Server settings for every start (``postgres -c`` options).
SERVER_SETTINGS: dict[str, str] = {
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "200",
    "shared_buffers": "128MB",
    "password_encryption": "scram-sha-256",
}

#: The settings ``durable=True`` leaves at PostgreSQL's defaults.
_DURABILITY = frozenset({"fsync", "synchronous_commit", "full_page_writes"})
_SUPERUSER = "postgres"
_SYSTEM_USER = "postgres"
_START_TIMEOUT_S = 60
_STOP_TIMEOUT_S = 60
_PORT_ATTEMPTS = 5
#: A unix socket path must fit in ``sun_path`` (108 bytes); keep room for ".s.PGSQL.NNNNN.lock".
_MAX_SOCKET_DIR_LEN = 80


class ClusterStartError(RuntimeError):
    """The throwaway cluster could not be created or started.

    The message includes the failing command, its stderr and the tail of the server log.
    """


# --------------------------------------------------------------------------------------------
# Finding the binaries
# --------------------------------------------------------------------------------------------


def _has_initdb(directory: Path) -> bool:
    return (directory / "initdb").is_file() and os.access(directory / "initdb", os.X_OK)


def _version_key(path: Path) -> tuple[int, ...]:
    """``/usr/lib/postgresql/15/bin`` -> ``(15,)``; unparsable names sort first."""
    parts = re.findall(r"\d+", path.parent.name)
    return tuple(int(part) for part in parts) if parts else (-1,)


def find_pg_bindir() -> Path | None:
    """Return the directory holding ``initdb``, ``pg_ctl`` and ``postgres``, or ``None``.

    Looks, in order, at: the ``PG_BINDIR`` environment variable; ``pg_config --bindir`` (when
    that directory has ``initdb``); the highest ``/usr/lib/postgresql/*/bin`` (Debian/Ubuntu);
    ``initdb`` on ``PATH`` (its real location, symlinks resolved).

    Raises:
        FileNotFoundError: ``PG_BINDIR`` is set but has no ``initdb`` (an explicit setting that
            is wrong should be loud, not silently replaced by another installation).
    """
    env = os.environ.get("PG_BINDIR")
    if env:
        directory = Path(env).expanduser()
        if not _has_initdb(directory):
            raise FileNotFoundError(f"PG_BINDIR={env!r} does not contain an executable initdb")
        return directory

    pg_config = shutil.which("pg_config")
    if pg_config:
        try:
            out = subprocess.run(
                [pg_config, "--bindir"],
                capture_output=True,
                text=True,
                timeout=10,
                check=True,
                stdin=subprocess.DEVNULL,
            ).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            out = ""
        if out and _has_initdb(Path(out)):
            return Path(out)

    candidates = [p for p in Path("/usr/lib/postgresql").glob("*/bin") if _has_initdb(p)]
    if candidates:
        return max(candidates, key=_version_key)

    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).resolve().parent
    return None


# --------------------------------------------------------------------------------------------
# Cleanup when the test process goes away
# --------------------------------------------------------------------------------------------

_LIVE: set[ThrowawayCluster] = set()


def _cleanup_live_clusters() -> None:
    for cluster in list(_LIVE):
        # A forked child that exits normally must not tear down its parent's server.
        if cluster._owner_pid == os.getpid():
            with contextlib.suppress(Exception):
                cluster.cleanup()


atexit.register(_cleanup_live_clusters)

#: Runs in a separate process; waits on a pipe from the test process. EOF without "release"
#: means the test process died, so stop the server and remove the directory.
_WATCHDOG_SOURCE = """
import json, shutil, signal, subprocess, sys
for sig in (signal.SIGINT, signal.SIGHUP, signal.SIGTERM):
    signal.signal(sig, signal.SIG_IGN)
stop_cmd, directory = json.loads(sys.argv[1])
try:
    line = sys.stdin.readline()
except Exception:
    line = ""
if line.strip() != "release":
    try:
        subprocess.run(stop_cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, cwd="/", timeout=120)
    finally:
        shutil.rmtree(directory, ignore_errors=True)
"""


# --------------------------------------------------------------------------------------------
# The cluster
# --------------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _others_can_traverse(path: Path) -> bool:
    """Whether a non-root user can reach ``path`` (every ancestor has the ``o+x`` bit)."""
    for part in [path, *path.parents]:
        try:
            if not part.stat().st_mode & stat.S_IXOTH:
                return False
        except OSError:
            return False
    return True


def _tail(path: Path, lines: int = 40) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError as exc:
        return f"(no server log: {exc})"
    return "\n".join(text.splitlines()[-lines:]) or "(server log is empty)"


class ThrowawayCluster:
    """A PostgreSQL cluster in a temporary directory, for tests only.

    Args:
        bindir: directory with ``initdb``/``pg_ctl``/``postgres``; default ``find_pg_bindir()``.
        base_dir: where to create the temporary directory; default the system temp dir (or
            ``/tmp`` when that is too long for a unix socket path or, as root, not reachable
            by the ``postgres`` user).
        durable: keep PostgreSQL's durable defaults (``fsync``, ``synchronous_commit``,
            ``full_page_writes`` on), as a plant's server runs; benchmarks use it.
    """

    def __init__(
        self,
        bindir: Path | str | None = None,
        *,
        base_dir: Path | str | None = None,
        durable: bool = False,
    ) -> None:
        self._durable = durable
        self._bindir = Path(bindir) if bindir is not None else None
        self._base_dir = Path(base_dir) if base_dir is not None else None
        self._password = secrets.token_hex(16)
        self._port: int | None = None
        self._dir: Path | None = None
        self._as_postgres = os.geteuid() == 0
        self._runuser: str | None = None
        self._watchdog: subprocess.Popen[bytes] | None = None
        self._owner_pid = os.getpid()

    # ---- public properties -----------------------------------------------------------------

    @property
    def password(self) -> str:
        """The ``postgres`` superuser's password (random per cluster)."""
        return self._password

    @property
    def port(self) -> int:
        """The TCP port on ``127.0.0.1``; only known once ``start()`` has run."""
        if self._port is None:
            raise RuntimeError("the cluster has not been started")
        return self._port

    @property
    def url(self) -> str:
        """``postgresql://postgres:PASSWORD@127.0.0.1:PORT/postgres``."""
        return (
            f"postgresql://{_SUPERUSER}:{quote(self._password, safe='')}"
            f"@127.0.0.1:{self.port}/postgres"
        )

    @property
    def directory(self) -> Path:
        """The temporary directory (data dir, socket, server log)."""
        if self._dir is None:
            raise RuntimeError("the cluster has not been started")
        return self._dir

    @property
    def data_dir(self) -> Path:
        """The cluster's data directory (``PGDATA``)."""
        return self.directory / "data"

    @property
    def log_path(self) -> Path:
        """The server log (``pg_ctl -l``)."""
        return self.directory / "postgresql.log"

    @property
    def bindir(self) -> Path:
        """Where ``initdb``/``pg_ctl``/``postgres`` come from (found lazily)."""
        if self._bindir is None:
            found = find_pg_bindir()
            if found is None:
                raise ClusterStartError(
                    "no PostgreSQL server binaries found: install the server packages "
                    "(Debian: apt-get install postgresql) or set PG_BINDIR"
                )
            self._bindir = found
        return self._bindir

    # ---- lifecycle ---------------------------------------------------------------------------

    def start(self) -> Self:
        """Create the cluster (``initdb``) and start the server. Returns ``self``."""
        if self._dir is not None:
            raise RuntimeError("start() was already called; use start_again() after stop()")
        bindir = self.bindir
        if self._as_postgres:
            self._prepare_root()
        self._dir = Path(tempfile.mkdtemp(prefix="leanops-pg-", dir=self._choose_base_dir()))
        _LIVE.add(self)
        try:
            if self._as_postgres:
                user = pwd.getpwnam(_SYSTEM_USER)
                os.chown(self._dir, user.pw_uid, user.pw_gid)
            self._start_watchdog()
            self._initdb(bindir)
            self._start_on_free_port()
        except BaseException:
            self.cleanup()
            raise
        return self

    def start_again(self) -> None:
        """Start the server again on the same data directory and port (after ``stop()``).

        Raises ``ClusterStartError`` when it does not come up (e.g. the port was taken).
        """
        self._pg_ctl_start()

    def stop(self, mode: StopMode = "fast") -> None:
        """Stop the server (``pg_ctl stop -m MODE``); a no-op when it is not running."""
        if self._dir is None or not self.data_dir.exists():
            return
        args = ["-D", str(self.data_dir), "-m", mode, "-w", "-t", str(_STOP_TIMEOUT_S)]
        result = self._run(self._server_cmd("pg_ctl", "stop", *args), timeout=_STOP_TIMEOUT_S + 10)
        if result.returncode != 0 and self.is_running():
            raise RuntimeError(
                f"pg_ctl stop failed ({result.returncode}): {result.stderr.strip()}\n"
                f"--- server log ---\n{_tail(self.log_path)}"
            )

    def is_running(self) -> bool:
        """Whether the server is up (``pg_ctl status``)."""
        if self._dir is None or not self.data_dir.exists():
            return False
        result = self._run(self._server_cmd("pg_ctl", "status", "-D", str(self.data_dir)))
        return result.returncode == 0

    def cleanup(self) -> None:
        """Stop the server (immediately) and delete the temporary directory. Idempotent."""
        try:
            if self._dir is not None:
                with contextlib.suppress(Exception):
                    self.stop("immediate")
                shutil.rmtree(self._dir, ignore_errors=True)
        finally:
            self._release_watchdog()
            _LIVE.discard(self)

    def __enter__(self) -> Self:
        if self._dir is None:
            self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.cleanup()

    def __repr__(self) -> str:
        where = f"port={self._port} dir={self._dir}" if self._dir else "not started"
        return f"<ThrowawayCluster {where}>"

    # ---- internals ---------------------------------------------------------------------------

    def _prepare_root(self) -> None:
        """As root: make sure ``runuser`` and the ``postgres`` system user exist."""
        self._runuser = shutil.which("runuser") or next(
            (p for p in ("/usr/sbin/runuser", "/sbin/runuser") if os.access(p, os.X_OK)), None
        )
        if self._runuser is None:
            raise ClusterStartError("running as root but `runuser` (util-linux) is not installed")
        try:
            pwd.getpwnam(_SYSTEM_USER)
            return
        except KeyError:
            pass
        useradd = shutil.which("useradd") or "/usr/sbin/useradd"
        try:
            result = subprocess.run(
                [useradd, "--system", "--no-create-home", _SYSTEM_USER],
                capture_output=True,
                text=True,
                timeout=30,
                stdin=subprocess.DEVNULL,
            )
        except OSError as exc:
            raise ClusterStartError(
                f"running as root and there is no {_SYSTEM_USER!r} user to run PostgreSQL as; "
                f"creating it failed: {exc}"
            ) from exc
        if result.returncode != 0:
            raise ClusterStartError(
                f"running as root and there is no {_SYSTEM_USER!r} user to run PostgreSQL as; "
                f"`useradd --system --no-create-home {_SYSTEM_USER}` failed: "
                f"{result.stderr.strip()}"
            )

    def _choose_base_dir(self) -> Path:
        if self._base_dir is not None:
            return self._base_dir
        base = Path(tempfile.gettempdir())
        # mkdtemp adds ~20 characters to the base.
        if len(str(base)) + 20 > _MAX_SOCKET_DIR_LEN or (
            self._as_postgres and not _others_can_traverse(base)
        ):
            base = Path("/tmp")
        return base

    def _server_cmd(self, program: str, *args: str) -> list[str]:
        cmd = [str(self.bindir / program), *args]
        if self._as_postgres:
            assert self._runuser is not None
            cmd = [self._runuser, "-u", _SYSTEM_USER, "--", *cmd]
        return cmd

    def _run(self, cmd: Sequence[str], timeout: float = 60) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            list(cmd),
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=self._dir,
            stdin=subprocess.DEVNULL,
        )

    def _start_watchdog(self) -> None:
        stop_cmd = self._server_cmd(
            "pg_ctl", "stop", "-D", str(self.data_dir), "-m", "immediate", "-w"
        )
        self._watchdog = subprocess.Popen(
            [sys.executable, "-c", _WATCHDOG_SOURCE, json.dumps([stop_cmd, str(self._dir)])],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            cwd="/",
            start_new_session=True,  # a Ctrl-C to the test run must not kill it
        )

    def _release_watchdog(self) -> None:
        watchdog, self._watchdog = self._watchdog, None
        if watchdog is None:
            return
        assert watchdog.stdin is not None
        with contextlib.suppress(OSError):
            watchdog.stdin.write(b"release\n")
            watchdog.stdin.close()
        try:
            watchdog.wait(timeout=10)
        except subprocess.TimeoutExpired:
            watchdog.kill()
            watchdog.wait()

    def _initdb(self, bindir: Path) -> None:
        pwfile = self.directory / "pwfile"
        pwfile.write_text(self._password + "\n")
        pwfile.chmod(0o600)
        if self._as_postgres:
            user = pwd.getpwnam(_SYSTEM_USER)
            os.chown(pwfile, user.pw_uid, user.pw_gid)
        base = [
            "-D", str(self.data_dir), "-U", _SUPERUSER, f"--pwfile={pwfile}",
            "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--no-sync",
        ]  # fmt: skip
        failures: list[str] = []
        try:
            for locale in ("--locale=C.UTF-8", "--no-locale"):
                cmd = self._server_cmd("initdb", *base, locale)
                result = self._run(cmd, timeout=120)
                if result.returncode == 0:
                    return
                failures.append(
                    f"$ {shlex.join(cmd)}\nexit status {result.returncode}\n{result.stderr.strip()}"
                )
                shutil.rmtree(self.data_dir, ignore_errors=True)
        finally:
            pwfile.unlink(missing_ok=True)
        raise ClusterStartError("initdb failed:\n" + "\n\n".join(failures))

    def _start_on_free_port(self) -> None:
        for attempt in range(_PORT_ATTEMPTS):
            self._port = _free_port()
            try:
                self._pg_ctl_start()
                return
            except ClusterStartError:
                # Another process may have taken the port between the probe and the bind.
                log = _tail(self.log_path, 200)
                if attempt + 1 == _PORT_ATTEMPTS or (
                    "could not bind" not in log and "already in use" not in log
                ):
                    raise
                self.log_path.unlink(missing_ok=True)

    def _pg_ctl_start(self) -> None:
        options = [
            "-c", "listen_addresses=127.0.0.1",
            "-p", str(self.port),
            "-k", str(self.directory),
        ]  # fmt: skip
        for name, value in SERVER_SETTINGS.items():
            if self._durable and name in _DURABILITY:
                continue
            options += ["-c", f"{name}={value}"]
        cmd = self._server_cmd(
            "pg_ctl", "start", "-w", "-t", str(_START_TIMEOUT_S),
            "-D", str(self.data_dir), "-l", str(self.log_path),
            "-o", shlex.join(options),
        )  # fmt: skip
        started = time.monotonic()
        try:
            result = self._run(cmd, timeout=_START_TIMEOUT_S + 10)
        except subprocess.TimeoutExpired as exc:
            raise ClusterStartError(
                f"pg_ctl start timed out after {time.monotonic() - started:.0f} s\n"
                f"$ {shlex.join(cmd)}\n--- server log ({self.log_path}) ---\n"
                f"{_tail(self.log_path)}"
            ) from exc
        if result.returncode != 0:
            raise ClusterStartError(
                f"pg_ctl start failed with exit status {result.returncode}\n"
                f"$ {shlex.join(cmd)}\n--- stderr ---\n{result.stderr.strip()}\n"
                f"--- server log ({self.log_path}) ---\n{_tail(self.log_path)}"
            )


# --------------------------------------------------------------------------------------------
# Helpers for any server
# --------------------------------------------------------------------------------------------


def _libpq_url(url: str) -> str:
    """Accept SQLAlchemy-style ``postgresql+psycopg://`` URLs too."""
    return re.sub(r"^postgres(?:ql)?\+[A-Za-z0-9_]+://", "postgresql://", url)


def _with_dbname(url: str, dbname: str) -> str:
    """The same URL (credentials, host, query) with the database replaced."""
    if "://" in url:
        parts = urlsplit(url)
        return urlunsplit(parts._replace(path="/" + quote(dbname, safe="")))
    return make_conninfo(url, dbname=dbname)


def _admin_connect_avoiding(url: str, *names: str | None) -> psycopg.Connection[TupleRow]:
    """Connect to the URL's database, or to ``postgres`` when that is one of ``names``.

    CREATE DATABASE cannot copy a template with a session in it, and DROP DATABASE cannot
    drop the database it is connected to.
    """
    current = conninfo_to_dict(_libpq_url(url)).get("dbname")
    if current is not None and current in names:
        return psycopg.connect(_libpq_url(url), autocommit=True, dbname="postgres")
    return admin_connect(url)


def admin_connect(url: str) -> psycopg.Connection[TupleRow]:
    """An autocommit psycopg connection to ``url`` (for CREATE/DROP DATABASE and the like)."""
    return psycopg.connect(_libpq_url(url), autocommit=True)


def create_database(
    url: str,
    name: str,
    template: str | None = None,
    *,
    strategy: Literal["auto", "wal_log", "file_copy"] | None = "auto",
) -> str:
    """Create database ``name`` (optionally copied from ``template``) on the server of ``url``.

    Returns ``url`` with the database replaced by ``name``. The template must have no other
    sessions connected (PostgreSQL waits a few seconds for them, then fails).

    ``strategy`` is PostgreSQL 15's CREATE DATABASE ``STRATEGY``; ``None`` leaves the server
    default (``wal_log``). ``"auto"`` picks ``file_copy`` on a PostgreSQL >= 15 server running
    with ``fsync=off`` (a test server such as ``ThrowawayCluster``): about 3x faster there
    (40 ms instead of 140 ms for a small schema), while on a durable server its checkpoints
    would make it slower.
    """
    query = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
    if template is not None:
        query = sql.SQL("{} TEMPLATE {}").format(query, sql.Identifier(template))
    with _admin_connect_avoiding(url, name, template) as conn:
        if strategy == "auto":
            strategy = None
            if conn.info.server_version >= 150000:
                fsync = conn.execute("SELECT current_setting('fsync')").fetchone()
                if fsync is not None and fsync[0] == "off":
                    strategy = "file_copy"
        if strategy is not None:
            query = sql.SQL("{} STRATEGY {}").format(query, sql.SQL(strategy.upper()))
        conn.execute(query)
    return _with_dbname(url, name)


def drop_database(url: str, name: str) -> None:
    """Drop database ``name`` if it exists, disconnecting its sessions (``WITH (FORCE)``)."""
    query = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
    with _admin_connect_avoiding(url, name) as conn:
        conn.execute(query)


def drop_plant_logins(url: str, database: str) -> None:
    """Drop the logins (enabled or not) in the plant groups of ``database`` (a test's users).

    Copies of one template database share its plant roles: a user one test made would be
    a member of the plant's groups in the next test's copy, where the privilege audit
    rightly counts it as an outsider. Each test removes the logins it made.
    """
    with admin_connect(url) as conn:
        rows = conn.execute(
            "SELECT DISTINCT r.rolname FROM pg_catalog.pg_roles r"
            " JOIN pg_catalog.pg_auth_members m ON m.member = r.oid"
            " JOIN pg_catalog.pg_roles g ON g.oid = m.roleid"
            " WHERE NOT r.rolsuper AND r.rolname NOT LIKE 'leanops\\_%%' AND g.rolname = ANY (%s)",
            (
                [
                    f"leanops_{kind}@{database}"
                    for kind in ("operator", "supervisor", "admin", "device", "board")
                ],
            ),
        ).fetchall()
        for (name,) in rows:
            conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(name)))
