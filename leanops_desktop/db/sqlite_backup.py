"""Backups of a SQLite plant: a consistent copy while seats write, checked before it counts.

* :func:`backup_file` copies with SQLite's online backup API in one step: the copy is the
  database as of one committed transaction (in WAL mode writers go on meanwhile), written to
  a temporary name next to the target, then checked (``PRAGMA integrity_check``, the LeanOps
  schema version) and only then renamed to its name. A failed copy leaves nothing behind.
* :func:`daily_backup` is the one-PC plant's automatic copy (``[backup] folder``, ``keep``):
  at most one per day into the folder, the oldest beyond ``keep`` removed.

Restoring is in :mod:`leanops_desktop.db.sqlite_restore`.
"""

from __future__ import annotations

import os
import secrets
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from leanops_desktop.core.errors import ConfigError

#: Name of an automatic (daily) backup: ``leanops-YYYYmmdd-HHMMSS.db``.
DAILY_PREFIX = "leanops-"
DAILY_SUFFIX = ".db"
STAMP = "%Y%m%d-%H%M%S"


@dataclass(frozen=True, slots=True)
class CopyCheck:
    """What a checked copy holds: its path and its LeanOps schema version."""

    path: Path
    revision: str


def read_revision(path: Path) -> str | None:
    """The LeanOps schema version of a SQLite file (None when it has none); refuses a file
    that is not a SQLite database."""
    connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        tables = {
            row[0]
            for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
        if "alembic_version" not in tables:
            return None
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        return None if row is None else str(row[0])
    except sqlite3.DatabaseError as exc:
        raise ConfigError(f"{path} is not a SQLite database (or it is damaged): {exc}") from None
    finally:
        connection.close()


def check_copy(path: Path) -> CopyCheck:
    """Refuse a copy that is damaged, not LeanOps', or of a newer LeanOps; else its version."""
    from leanops_desktop.db.migrate import known_revision

    revision = read_revision(path)
    connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        found = [row[0] for row in connection.execute("PRAGMA integrity_check")]
    except sqlite3.DatabaseError as exc:
        raise ConfigError(f"{path} is damaged: {exc}") from None
    finally:
        connection.close()
    if found != ["ok"]:
        raise ConfigError(f"{path} is damaged: integrity_check says {'; '.join(found[:3])}")
    if revision is None:
        raise ConfigError(f"{path} holds no LeanOps schema: it is not a LeanOps database")
    if not known_revision(revision):
        raise ConfigError(
            f"{path} is at schema version {revision}, which this LeanOps does not know: a newer"
            " LeanOps wrote it; restore it with that version"
        )
    return CopyCheck(path, revision)


def partial_name(target: Path) -> Path:
    return target.with_name(f".{target.name}.partial-{secrets.token_hex(4)}")


def copy_database(source: Path, target: Path) -> None:
    """``source`` copied to ``target`` (a new file) in one step of the online backup API."""
    reader = sqlite3.connect(source, timeout=30)  # only read (a WAL file needs its -shm)
    try:
        writer = sqlite3.connect(target)
        try:
            reader.backup(writer)  # all pages in one step: one consistent snapshot
            writer.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        finally:
            writer.close()
    finally:
        reader.close()


def backup_file(source: Path, target: Path) -> CopyCheck:
    """A checked copy of the SQLite database ``source`` at ``target`` (which must not exist;
    a folder gets a dated file inside). Nothing is left at ``target`` when it fails."""
    if not source.is_file():
        raise ConfigError(f"no database {source} (no such file)")
    if target.is_dir():
        target = target / f"{DAILY_PREFIX}{datetime.now().strftime(STAMP)}{DAILY_SUFFIX}"
    if target.exists():
        raise ConfigError(f"{target} exists already: name a new file for the backup")
    if target.resolve() == source.resolve():
        raise ConfigError("the backup cannot replace the database itself")
    partial = partial_name(target)
    try:
        copy_database(source, partial)
        check = check_copy(partial)
        os.replace(partial, target)
    except sqlite3.Error as exc:
        remove_partial(partial)
        raise ConfigError(f"cannot write the backup {target}: {_reason(exc)}") from None
    except BaseException:
        remove_partial(partial)
        raise
    return CopyCheck(target, check.revision)


def remove_partial(partial: Path) -> None:
    """A copy that did not finish, with the journal SQLite kept beside it."""
    for suffix in ("", "-journal", "-wal", "-shm"):
        Path(f"{partial}{suffix}").unlink(missing_ok=True)


def _reason(exc: sqlite3.Error) -> str:
    text = str(exc).strip() or type(exc).__name__
    if "disk i/o error" in text.lower() or "full" in text.lower():
        return f"{text} (is the disk full, or a file size limit reached?); nothing was written"
    return f"{text}; nothing was written"


def daily_backups(folder: Path) -> list[Path]:
    """The automatic backups in ``folder``, oldest first (by the date in their name)."""
    if not folder.is_dir():
        return []
    found = []
    for path in folder.iterdir():
        name = path.name
        if not (name.startswith(DAILY_PREFIX) and name.endswith(DAILY_SUFFIX)):
            continue
        stamp = name[len(DAILY_PREFIX) : -len(DAILY_SUFFIX)]
        try:
            datetime.strptime(stamp, STAMP)
        except ValueError:
            continue  # not one of ours: never pruned
        found.append(path)
    return sorted(found, key=lambda path: path.name)


def prune_backups(folder: Path, keep: int) -> list[Path]:
    """Remove the oldest automatic backups beyond the newest ``keep``; the removed ones."""
    backups = daily_backups(folder)
    removed = backups[: max(0, len(backups) - keep)]
    for path in removed:
        path.unlink(missing_ok=True)
    return removed


def daily_backup(source: Path, folder: Path, keep: int, now: datetime) -> Path | None:
    """Today's automatic backup of ``source`` into ``folder`` unless there is one already;
    then prune to ``keep``. The new copy's path, or None when today's existed."""
    today = now.strftime("%Y%m%d")
    made = None
    if not any(path.name.startswith(f"{DAILY_PREFIX}{today}-") for path in daily_backups(folder)):
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"{DAILY_PREFIX}{now.strftime(STAMP)}{DAILY_SUFFIX}"
        made = backup_file(source, target).path
    prune_backups(folder, keep)
    return made
