"""Where the data of a database URL lives, in words, before anything is opened (never a
password): for the sign-in dialog, which may not reach for the engine itself."""

from __future__ import annotations

from leanops_desktop.core.errors import LeanOpsError
from leanops_desktop.db.engine import describe_url, normalize_url


def describe_target(url: str) -> str:
    """``"SQLite /path/file.db"`` or ``"PostgreSQL host:port/db"`` (never a password)."""
    try:
        return describe_url(normalize_url(url).set(password=None))
    except LeanOpsError as exc:
        return exc.message
