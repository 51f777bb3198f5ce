"""Restoring a SQLite plant from a backup, the file it replaces kept beside it.

The backup is checked first (a SQLite file, ``integrity_check`` ok, a LeanOps schema this
LeanOps knows). The database in use is refused while any other program has it open: SQLite
leaves WAL mode only when its connection is the last one, which is how a seat still open on
this PC (a main window, a kiosk, a command) is told apart. That holds for the seats of one PC,
the only ones a SQLite plant has. Then the current file moves aside to
``<name>.replaced-YYYYmmdd-HHMMSS`` and the backup is copied in (under a temporary name,
renamed at the end), so there is never a half-restored database.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from leanops_desktop.core.errors import ConfigError
from leanops_desktop.db.sqlite_backup import (
    STAMP,
    check_copy,
    copy_database,
    partial_name,
    remove_partial,
)


@dataclass(frozen=True, slots=True)
class Restored:
    """The restored database, its schema version and where the replaced file went."""

    path: Path
    revision: str
    replaced: Path | None


def refuse_if_in_use(path: Path) -> None:
    """Raise when another connection has ``path`` open; leaves it in rollback-journal mode
    (the app sets WAL again when it opens it)."""
    connection = sqlite3.connect(path, timeout=0)
    try:
        mode = connection.execute("PRAGMA journal_mode=DELETE").fetchone()[0]
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            raise ConfigError(
                f"{path} is in use: close LeanOps (every window and kiosk on this PC) and try"
                " again; nothing was changed"
            ) from None
        raise ConfigError(f"{path} cannot be replaced: {exc}; nothing was changed") from None
    except sqlite3.DatabaseError:
        return  # damaged beyond opening (what a restore is for): no seat can be using it
    finally:
        connection.close()
    if str(mode).lower() != "delete":
        raise ConfigError(f"{path} is in use (journal mode {mode}); nothing was changed")


def replaced_name(target: Path, now: datetime) -> Path:
    """``<name>.replaced-YYYYmmdd-HHMMSS`` next to ``target``, numbered when taken."""
    candidate = target.with_name(f"{target.name}.replaced-{now.strftime(STAMP)}")
    counter = 1
    while candidate.exists():
        candidate = target.with_name(f"{target.name}.replaced-{now.strftime(STAMP)}-{counter}")
        counter += 1
    return candidate


def restore_file(backup: Path, target: Path, now: datetime | None = None) -> Restored:
    """Replace the database ``target`` with the checked ``backup``; the old file kept."""
    if not backup.is_file():
        raise ConfigError(f"no backup {backup} (no such file)")
    if target.exists() and backup.resolve() == target.resolve():
        raise ConfigError("the backup is the database itself: nothing to restore")
    check = check_copy(backup)
    partial = partial_name(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        copy_database(backup, partial)
    except sqlite3.Error as exc:
        remove_partial(partial)
        raise ConfigError(f"cannot write {target}: {exc}; nothing was changed") from None
    except BaseException:
        remove_partial(partial)
        raise
    replaced = None
    try:
        if target.exists():
            refuse_if_in_use(target)
            replaced = replaced_name(target, now or datetime.now())
            os.replace(target, replaced)
        for suffix in ("-wal", "-shm", "-journal"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        os.replace(partial, target)
    except BaseException:
        remove_partial(partial)
        if replaced is not None and not target.exists():
            os.replace(replaced, target)  # put the database back as it was
        raise
    return Restored(target, check.revision, replaced)
