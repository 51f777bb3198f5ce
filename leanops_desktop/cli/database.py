"""The database a command names: found (``--database``, the environment, ``leanops.toml``),
checked, opened and reached, and for most commands migrated to the newest schema first.

A SQLite file is created only by the commands that may create one (``db upgrade``,
``demo``), and taken back when such a command fails.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from leanops_desktop.cli.failures import first_line
from leanops_desktop.config import SiteConfig, resolve_database_url
from leanops_desktop.core.errors import ConfigError, DatabaseMissing, DatabaseUnavailable
from leanops_desktop.db.engine import Database, describe_url, normalize_url, open_database


def database_url(args: argparse.Namespace, config: SiteConfig) -> str:
    return resolve_database_url(getattr(args, "database", None), config)


def checked_url(url: str) -> str:
    """``url`` once it is known to name a database: a malformed one stops here, with one
    line, before any window opens."""
    _sqlite_file(normalize_url(url))
    return url


def _sqlite_file(url: URL) -> Path | None:
    """The SQLite file a URL names (None for PostgreSQL); refuses an in-memory database."""
    if url.get_backend_name() != "sqlite" or url.query.get("uri"):
        return None  # PostgreSQL, or a SQLite URI ("file:...?mode=ro&uri=true") taken as it is
    if not url.database or url.database == ":memory:":
        raise ConfigError(
            f"the database URL names no SQLite file ({url.render_as_string()}): a command on an"
            " in-memory database would lose everything when it ends"
        )
    path = Path(url.database)
    if path.exists() and not path.is_file():
        raise ConfigError(f"{path} is not a file, so it cannot be a SQLite database")
    return path


def open_db(args: argparse.Namespace, config: SiteConfig, *, create: bool = False) -> Database:
    """Open and reach the database; a missing SQLite file is made only when ``create``."""
    url = normalize_url(database_url(args, config))
    args.where = describe_url(url)
    path = _sqlite_file(url)
    if path is not None and not path.exists():
        if not create:
            raise DatabaseMissing(
                f"no database {args.where} (no such file): run 'leanops db upgrade' to create it"
            )
        args.new_file = path
    db = open_database(url)
    try:
        with db.engine.connect():
            pass
    except DBAPIError as exc:
        db.dispose()
        _remove_new_file(args)
        if _no_such_database(exc):
            raise DatabaseMissing(f"no database {args.where}: {_reason(exc)}") from None
        if path is None or isinstance(exc.orig, OSError):
            raise DatabaseUnavailable(
                f"database unreachable: {args.where}: {_reason(exc)}"
            ) from None
        raise
    return db


def _no_such_database(exc: DBAPIError) -> bool:
    """PostgreSQL's "database ... does not exist" (SQLSTATE 3D000; at connect time libpq
    gives only the message)."""
    if getattr(exc.orig, "sqlstate", None) == "3D000":
        return True
    text = str(exc.orig or "")
    return bool(re.search(r'database "[^"]*" does not exist', text))


def _reason(exc: DBAPIError) -> str:
    return first_line(exc.orig) if exc.orig is not None else "no answer"


def _remove_new_file(args: argparse.Namespace) -> None:
    """Take back a SQLite file this command created, when the command failed."""
    path: Path | None = getattr(args, "new_file", None)
    if path is None:
        return
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


@contextmanager
def undo_new_file_on_error(args: argparse.Namespace) -> Iterator[None]:
    try:
        yield
    except BaseException:
        _remove_new_file(args)
        raise


def open_migrated(args: argparse.Namespace, config: SiteConfig) -> Database:
    from leanops_desktop.db import migrate

    db = open_db(args, config)
    current = migrate.current_revision(db)
    if current != migrate.head_revision():
        db.dispose()
        state = "empty" if current is None else f"at version {current}"
        raise ConfigError(
            f"the database {describe_url(db.url)} is {state}; run 'leanops db upgrade' first"
        )
    return db


@contextmanager
def migrated_session(args: argparse.Namespace, config: SiteConfig) -> Iterator[Session]:
    """A session on the migrated database named by the arguments, closed afterwards."""
    db = open_migrated(args, config)
    try:
        with db.session() as session:
            yield session
    finally:
        db.dispose()
