"""How a command ends: its exit status, and the one line on stderr when it cannot do its work.

Every command exits 0 when done, 2 when refused or failed (one line on stderr, never a
traceback), 130 when interrupted; ``leanops db current`` tells the schema's state by its own
codes too.
"""

from __future__ import annotations

import errno
import sys
from contextlib import suppress

EXIT_ERROR = 2
EXIT_BEHIND = 3  # the schema is at an older version: run 'leanops db upgrade'
EXIT_EMPTY = 4  # the database exists but holds no LeanOps schema
EXIT_MISSING = 5  # no such database (SQLite file or PostgreSQL database)


def fail(message: str) -> int:
    """One line on stderr, exit status 2."""
    line = " ".join(message.split()) or "failed"
    try:
        sys.stdout.flush()
    except OSError:
        # A stdout that cannot take its buffer (a full disk behind a redirect): close it, or
        # the interpreter's exit would report the same failure again with a traceback.
        with suppress(OSError):
            sys.stdout.close()
    print(f"leanops: {line}", file=sys.stderr)
    return EXIT_ERROR


def first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


_FULL = (errno.ENOSPC, errno.EFBIG, getattr(errno, "EDQUOT", errno.ENOSPC))


def os_error_message(exc: OSError) -> str:
    """One line for a failed file operation (full disk, no permission, read-only disk)."""
    where = f"{exc.filename}: " if exc.filename else ""
    if exc.errno in _FULL:
        return f"{where}the disk is full (or a file size limit was reached); nothing was changed"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"{where}not allowed to write here ({exc.strerror}); nothing was changed"
    return f"{where}{exc.strerror or first_line(exc)}"


def database_error_message(reason: str, where: str | None) -> str:
    """One line for an error the database driver raised, SQLite's file errors by name."""
    target = where or "the database"
    lowered = reason.lower()
    if "file is not a database" in lowered:
        return f"{target} is not a SQLite database (or it is damaged); nothing was changed"
    if "readonly database" in lowered or "read-only" in lowered:
        return f"{target} is read-only: LeanOps cannot write to it; nothing was changed"
    if "disk is full" in lowered:
        return f"cannot write to {target}: the disk is full; nothing was changed"
    if "disk i/o error" in lowered:
        return (
            f"cannot write to {target}: disk I/O error (is the disk full, or a file size limit"
            " reached?); nothing was changed"
        )
    if "unable to open database file" in lowered:
        return f"cannot open {target}: {reason}"
    return f"database error on {target}: {reason}"
