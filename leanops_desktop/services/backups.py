"""The one-PC plant's daily automatic backup (``[backup] folder`` and ``keep``).

The main window asks at start and then every hour; a copy is made when the folder holds none
of today yet (:func:`leanops_desktop.db.sqlite_backup.daily_backup`: online, checked, the
oldest beyond ``keep`` removed). Only for a SQLite database: a shared PostgreSQL server is
backed up on the server (``pg_dump``, docs/deploy.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from leanops_desktop.db.engine import normalize_url
from leanops_desktop.db.sqlite_backup import daily_backup


@dataclass(frozen=True, slots=True)
class BackupPlan:
    """What to copy, where to, and how many copies to keep."""

    database: Path
    folder: Path
    keep: int


def backup_plan(url: str, folder: Path | None, keep: int) -> BackupPlan | None:
    """The daily backup of ``url`` into ``folder``; None when off or not a SQLite file."""
    if folder is None:
        return None
    target = normalize_url(url)
    if target.get_backend_name() != "sqlite" or not target.database:
        return None
    if target.database == ":memory:":
        return None
    return BackupPlan(Path(target.database), folder, keep)


def run_daily_backup(plan: BackupPlan, now: datetime | None = None) -> Path | None:
    """Today's copy if there is none yet (its path), pruning to ``keep``; None otherwise."""
    return daily_backup(plan.database, plan.folder, plan.keep, now or datetime.now())
