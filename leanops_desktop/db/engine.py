"""Engines and sessions for both backends, and the write-transaction helper services use.

* URLs pasted from psql or the Supabase dashboard (``postgresql://...``) get the psycopg 3
  driver; a bare file path means a SQLite file. A URL may name several servers
  (``postgresql://u@db1:5432,db2:5432/leanops?target_session_attrs=read-write``, ``urls.py``).
* SQLite connections run in WAL mode with ``foreign_keys=ON`` and a ``busy_timeout``; write
  transactions start with ``BEGIN IMMEDIATE`` so concurrent writers queue on the timeout
  instead of failing when a deferred transaction tries to upgrade its lock.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry

from leanops_desktop.core.errors import ConfigError, PermissionDenied
from leanops_desktop.db import supabase
from leanops_desktop.db.pooler import follow_pool_mode
from leanops_desktop.db.seats import TOOL, Seat
from leanops_desktop.db.urls import describe_servers, parse_url

SQLITE_BUSY_TIMEOUT_MS = 30_000
_WRITE_OPTION = "leanops_write"
_INSUFFICIENT_PRIVILEGE = "42501"


def normalize_url(raw: str | URL) -> URL:
    """Turn what a user pastes into a SQLAlchemy URL with the right driver."""
    if isinstance(raw, URL):
        url = raw
    else:
        text = raw.strip()
        if not text:
            raise ConfigError("the database URL is empty")
        if "://" not in text:
            return URL.create("sqlite+pysqlite", database=str(Path(text).expanduser()))
        url = parse_url(text)  # a list of servers too (db/urls.py)
    backend = url.get_backend_name()
    if backend in ("postgres", "postgresql"):
        url = supabase.carry_project_ref(url.set(drivername="postgresql+psycopg"))
    elif backend == "sqlite":
        if url.host or url.port:
            raise ConfigError(
                "cannot read the database URL: a SQLite URL has three slashes before a"
                " relative path (sqlite:///plant.db) and four before an absolute one"
                " (sqlite:////srv/leanops/plant.db)"
            )
        url = url.set(drivername="sqlite+pysqlite")
    else:
        raise ConfigError(
            f"unsupported database {backend!r}: use a SQLite file or postgresql://user@host/db"
        )
    return url


def describe_url(url: URL) -> str:
    """Where the data lives, for the status bar and logs (never the password)."""
    if url.get_backend_name() == "sqlite":
        return f"SQLite {url.database or ':memory:'}"
    user = f"{url.username}@" if url.username else ""
    return f"PostgreSQL {user}{describe_servers(url)}/{url.database}"


@dataclass(frozen=True, slots=True)
class Database:
    """An engine plus the session factory the services use."""

    engine: Engine
    sessions: sessionmaker[Session]
    #: The kind of seat the engine was sized for (``db/seats.py``).
    seat: Seat = TOOL

    @property
    def backend(self) -> str:
        return self.engine.dialect.name

    @property
    def url(self) -> URL:
        return self.engine.url

    def describe(self) -> str:
        """Where the data lives, for titles and the status bar (never the password)."""
        return describe_url(self.engine.url)

    def session(self) -> Session:
        """A new session; services open their own transaction in it."""
        return self.sessions()

    def dispose(self) -> None:
        self.engine.dispose()


def open_database(
    raw_url: str | URL,
    *,
    password: str | None = None,
    seat: Seat = TOOL,
    pool_size: int | None = None,
    max_overflow: int | None = None,
    connect_timeout: int = 5,
    echo: bool = False,
) -> Database:
    """Create the engine for ``raw_url`` (a password typed at sign-in may be passed apart).

    On PostgreSQL the pool is sized for ``seat`` (unless ``pool_size`` / ``max_overflow``
    say otherwise) and every connection carries the seat's ``application_name``.
    """
    url = normalize_url(raw_url)
    if password is not None:
        url = url.set(password=password)
    if url.get_backend_name() == "sqlite":
        engine = _sqlite_engine(url, echo=echo)
    else:
        engine = create_engine(
            supabase.login_url(url),  # on Supabase's pooler: user.<project-ref>
            echo=echo,
            pool_size=seat.pool_size if pool_size is None else pool_size,
            max_overflow=seat.max_overflow if max_overflow is None else max_overflow,
            pool_pre_ping=True,
            connect_args={
                "connect_timeout": connect_timeout,
                "application_name": seat.application_name,
            },
        )
        event.listen(engine, "do_connect", _drop_leanops_options)
        follow_pool_mode(engine)  # ?pool_mode=transaction: no server-side prepared statements
    sessions = sessionmaker(engine, expire_on_commit=False)
    return Database(engine=engine, sessions=sessions, seat=seat)


def _drop_leanops_options(
    _dialect: object, _record: object, _cargs: object, cparams: dict[str, object]
) -> None:
    """The URL's LeanOps-only options are not connection parameters of the server."""
    cparams.pop(supabase.PROJECT_OPTION, None)


def _sqlite_engine(url: URL, *, echo: bool) -> Engine:
    if url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url,
        echo=echo,
        connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: ConnectionPoolEntry) -> None:
        # Let SQLAlchemy's "begin" event issue BEGIN itself (pysqlite's own is always DEFERRED).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        mode = "IMMEDIATE" if conn.get_execution_options().get(_WRITE_OPTION) else "DEFERRED"
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine


@contextmanager
def write_transaction(session: Session) -> Iterator[Session]:
    """One write transaction: commits on success, rolls everything back on any error.

    On SQLite it starts with ``BEGIN IMMEDIATE``; on PostgreSQL it is an ordinary
    READ COMMITTED transaction in which services lock the rows they change.
    """
    if session.in_transaction():
        if session.new or session.dirty or session.deleted:
            raise RuntimeError("a service call needs a session without pending changes")
        session.rollback()  # end a read the caller began implicitly; a write starts afresh
    try:
        with session.begin():
            session.connection(execution_options={_WRITE_OPTION: True})
            yield session
    except DBAPIError as exc:
        if getattr(exc.orig, "sqlstate", None) == _INSUFFICIENT_PRIVILEGE:
            diag = getattr(exc.orig, "diag", None)
            reason = getattr(diag, "message_primary", None) or "permission denied"
            raise PermissionDenied(f"the database refused this for your role: {reason}") from None
        raise


@contextmanager
def read_transaction(session: Session) -> Iterator[Session]:
    """One consistent read (joins the session's open transaction if there is one)."""
    if session.in_transaction():
        yield session
        return
    with session.begin():
        yield session
