"""``leanops db backup OUT`` and ``leanops db restore FILE``: a SQLite plant's copies.

PostgreSQL has its own tools for this (``pg_dump``/``pg_restore``, docs/deploy.md): the
commands say so instead of doing half of it.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from leanops_desktop.cli.command import Subparsers
from leanops_desktop.cli.database import database_url
from leanops_desktop.config import SiteConfig
from leanops_desktop.core.errors import ConfigError
from leanops_desktop.db.engine import describe_url, normalize_url

PG_DUMP_HINT = (
    "{where} is PostgreSQL: back it up with pg_dump, not LeanOps (docs/deploy.md, 'Backups':"
    " pg_dumpall --roles-only, then pg_dump -Fc; restore with psql -f and pg_restore)"
)


def add_actions(actions: Subparsers) -> None:
    """``db backup`` and ``db restore`` under ``leanops db``."""
    backup = actions.add_parser(
        "backup", help="copy a SQLite database while seats work, then check the copy"
    )
    backup.add_argument("out", type=Path, help="the new file (or a folder: a dated file in it)")
    backup.add_argument("--database", metavar="URL", default=argparse.SUPPRESS)
    backup.set_defaults(handler=_backup)
    restore = actions.add_parser(
        "restore", help="replace a SQLite database with a backup (the old file kept beside it)"
    )
    restore.add_argument("file", type=Path, help="the backup to restore")
    restore.add_argument("--database", metavar="URL", default=argparse.SUPPRESS)
    restore.set_defaults(handler=_restore)


def sqlite_path(args: argparse.Namespace, config: SiteConfig) -> Path:
    """The SQLite file the command acts on; PostgreSQL is pointed at pg_dump."""
    url = normalize_url(database_url(args, config))
    args.where = describe_url(url)
    if url.get_backend_name() != "sqlite":
        raise ConfigError(PG_DUMP_HINT.format(where=args.where))
    if not url.database or url.database == ":memory:" or url.query.get("uri"):
        raise ConfigError(f"{args.where} is not a SQLite file")
    return Path(url.database)


def _backup(args: argparse.Namespace, config: SiteConfig) -> int:
    from leanops_desktop.db.sqlite_backup import backup_file

    source = sqlite_path(args, config)
    copy = backup_file(source, args.out)
    print(f"backup of {source}: {copy.path} (schema version {copy.revision}, integrity ok)")
    return 0


def _restore(args: argparse.Namespace, config: SiteConfig) -> int:
    from leanops_desktop.db.migrate import head_revision
    from leanops_desktop.db.sqlite_restore import restore_file

    target = sqlite_path(args, config)
    restored = restore_file(args.file, target)
    if restored.replaced is not None:
        print(f"the replaced database is kept as {restored.replaced}")
    print(f"restored {args.file} to {target} (schema version {restored.revision})")
    if restored.revision != head_revision():
        print(f"it is older than this LeanOps ({head_revision()}): run 'leanops db upgrade'")
    return 0
