"""``leanops db``: upgrade the schema, tell its version, print the PostgreSQL script and
create the first admin."""

from __future__ import annotations

import argparse
import sys

from leanops_desktop.cli import backup_commands
from leanops_desktop.cli.command import Subparsers
from leanops_desktop.cli.database import migrated_session, open_db, undo_new_file_on_error
from leanops_desktop.cli.failures import EXIT_BEHIND, EXIT_EMPTY, EXIT_ERROR, EXIT_MISSING
from leanops_desktop.cli.user_commands import read_password
from leanops_desktop.config import SiteConfig
from leanops_desktop.core.errors import ConfigError, DatabaseMissing
from leanops_desktop.db.engine import Database, describe_url


def add_parser(commands: Subparsers) -> None:
    """``leanops db`` and its actions."""
    db = commands.add_parser("db", help="schema migrations, SQLite backup and restore")
    db_commands = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    for name, handler, text in (
        ("upgrade", _db_upgrade, "bring the schema to the newest version"),
        ("current", _db_current, "print the schema version of the database"),
        ("sql", _db_sql, "print the PostgreSQL script (tables, triggers, roles, policies)"),
    ):
        extra: dict[str, object] = {}
        if name == "current":
            extra = {
                "epilog": DB_CURRENT_EPILOG,
                "formatter_class": argparse.RawDescriptionHelpFormatter,
                "description": "Print the schema version of the database; create nothing.",
            }
        sub = db_commands.add_parser(name, help=text, **extra)  # type: ignore[arg-type]
        sub.add_argument("--database", metavar="URL", default=argparse.SUPPRESS)
        sub.set_defaults(handler=handler)

    init_admin = db_commands.add_parser(
        "init-admin", help="create the first admin (once, with the database owner's account)"
    )
    init_admin.add_argument("email")
    init_admin.add_argument("--password-stdin", action="store_true")
    init_admin.add_argument("--database", metavar="URL", default=argparse.SUPPRESS)
    init_admin.set_defaults(handler=_db_init_admin)
    backup_commands.add_actions(db_commands)


DB_CURRENT_EPILOG = f"""\
exit status:
  0  up to date: the schema is at the newest version
  {EXIT_ERROR}  error: bad config or URL, unreachable server, not a database, ... (stderr)
  {EXIT_BEHIND}  behind: the schema is at an older version; run 'leanops db upgrade'
  {EXIT_EMPTY}  empty: the database exists but holds no LeanOps schema
  {EXIT_MISSING}  missing: no such SQLite file or PostgreSQL database (nothing is created)
"""


def _db_upgrade(args: argparse.Namespace, config: SiteConfig) -> int:
    from leanops_desktop.db import migrate

    db = open_db(args, config, create=True)
    try:
        with undo_new_file_on_error(args):
            before = migrate.current_revision(db)
            refuse_unknown_version(db, before)
            backup = migrate.upgrade(db)
            after = migrate.current_revision(db)
    finally:
        db.dispose()
    if backup is not None:
        print(f"backup: {backup}")
    if before == after:
        print(f"{describe_url(db.url)}: already at version {after}")
    else:
        print(f"{describe_url(db.url)}: upgraded from {before or 'empty'} to {after}")
    return 0


def refuse_unknown_version(db: Database, current: str | None) -> None:
    """A schema from a newer LeanOps (a version this one does not know) is not touched."""
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError

    from leanops_desktop.db import migrate

    if current is None:
        return
    try:
        ScriptDirectory.from_config(migrate.alembic_config()).get_revision(current)
    except CommandError:
        raise ConfigError(
            f"{describe_url(db.url)} is at version {current}, which this LeanOps does not know"
            f" (it knows up to {migrate.head_revision()}): a newer LeanOps migrated it"
        ) from None


def _db_current(args: argparse.Namespace, config: SiteConfig) -> int:
    """Print the schema version; the exit status tells the state (see DB_CURRENT_EPILOG)."""
    from leanops_desktop.db import migrate

    try:
        db = open_db(args, config)
    except DatabaseMissing as exc:
        print(f"missing ({exc})")
        return EXIT_MISSING
    try:
        current = migrate.current_revision(db)
        refuse_unknown_version(db, current)
    finally:
        db.dispose()
    head = migrate.head_revision()
    if current is None:
        print(f"empty (no LeanOps schema; newest is {head}: run 'leanops db upgrade')")
        return EXIT_EMPTY
    if current != head:
        print(f"{current} (behind: newest is {head}: run 'leanops db upgrade')")
        return EXIT_BEHIND
    print(f"{current} (up to date)")
    return 0


def _db_sql(args: argparse.Namespace, config: SiteConfig) -> int:
    from leanops_desktop.db import migrate

    write_all(migrate.offline_sql())
    return 0


def write_all(text: str) -> None:
    """Write ``text`` to stdout to the last byte, or raise OSError (a full disk).

    An unbuffered stdout (``python -u``, ``PYTHONUNBUFFERED``) drops what a short write left
    over without a word; writing the bytes in a loop turns that into the disk's error.
    """
    sys.stdout.flush()
    data = memoryview(text.encode(sys.stdout.encoding or "utf-8"))
    out = sys.stdout.buffer
    while data:
        written = out.write(data)
        data = data[written or 0 :]
    out.flush()


def _db_init_admin(args: argparse.Namespace, config: SiteConfig) -> int:
    from leanops_desktop.services.accounts import users

    password = read_password(args.password_stdin)
    with migrated_session(args, config) as session:
        row = users.init_admin(session, args.email, password)
    print(f"first admin {row.email} created")
    return 0
