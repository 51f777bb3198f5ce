"""Schema migrations: Alembic is the only way the schema is made or changed.

``upgrade`` backs a SQLite file up (next to it, dated) before it changes anything;
``offline_sql`` prints the PostgreSQL script for review or the Supabase SQL editor.
"""

from __future__ import annotations

import io
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection

from leanops_desktop.db import pg_audit, pg_lockdown
from leanops_desktop.db.engine import Database

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config(connection: Connection | None = None, url: str | None = None) -> Config:
    """An Alembic config pointing at the packaged migrations (no alembic.ini needed)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if url is not None:
        config.set_main_option("sqlalchemy.url", url)
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The newest migration the code knows."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def known_revision(revision: str) -> bool:
    """Whether ``revision`` is one of the migrations this LeanOps has (not a newer one's)."""
    from alembic.util import CommandError

    try:
        return ScriptDirectory.from_config(alembic_config()).get_revision(revision) is not None
    except CommandError:
        return False


def current_revision(db: Database) -> str | None:
    """The migration the database is at (None for an empty database)."""
    with db.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def is_empty(db: Database) -> bool:
    """True when the database holds no tables at all."""
    from sqlalchemy import inspect

    with db.engine.connect() as connection:
        return not inspect(connection).get_table_names()


def upgrade(db: Database, revision: str = "head") -> Path | None:
    """Bring the schema to ``revision``; returns the SQLite backup made first, if any."""
    backup = None
    current = current_revision(db)
    if db.backend == "sqlite" and current != head_revision():
        backup = backup_sqlite(db)
    try:
        with db.engine.begin() as connection:
            command.upgrade(alembic_config(connection), revision)
            if db.backend == "postgresql" and pg_lockdown.has_plant_roles(connection):
                # Whatever the cluster's default privileges gave away, and whatever a
                # migration forgot to revoke: taken back here, then audited (the upgrade
                # fails loudly, naming each finding, and changes nothing).
                pg_audit.lock_down(connection)
    except BaseException:
        # The migrations run in one transaction: when it was rolled back the file is as it
        # was, and the copy would only be one more file to wonder about. Kept otherwise.
        if backup is not None and _still_at(db, current):
            backup.unlink(missing_ok=True)
        raise
    return backup


def _still_at(db: Database, revision: str | None) -> bool:
    try:
        return current_revision(db) == revision
    except Exception:
        return False


def backup_sqlite(db: Database) -> Path | None:
    """Copy a non-empty SQLite file to ``<name>.backup-YYYYMMDD-HHMMSS`` next to it."""
    path_text = db.url.database
    if not path_text or path_text == ":memory:":
        return None
    path = Path(path_text)
    if not path.exists() or path.stat().st_size == 0 or is_empty(db):
        return None
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.backup-{stamp}")
    counter = 1
    while target.exists():
        target = path.with_name(f"{path.name}.backup-{stamp}-{counter}")
        counter += 1
    source = sqlite3.connect(path)
    try:
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)
        finally:
            copy.close()
    except BaseException:
        target.unlink(missing_ok=True)  # no half-written backup left behind (a full disk)
        raise
    finally:
        source.close()
    return target


def offline_sql(revision: str = "head") -> str:
    """The PostgreSQL script for every migration up to ``revision``."""
    buffer = io.StringIO()
    config = alembic_config(url="postgresql+psycopg://leanops@localhost/leanops")
    config.output_buffer = buffer
    command.upgrade(config, revision, sql=True)
    script = buffer.getvalue()
    if revision == "head":
        # Inside the script's transaction: a failed audit leaves the database unchanged.
        checks = f"{pg_lockdown.LOCKDOWN_SQL};\n\n{pg_audit.AUDIT_CHECK_SQL};\n\n"
        body, commit, tail = script.rpartition("COMMIT;")
        script = body + checks + commit + tail if commit else script + checks
    return script
