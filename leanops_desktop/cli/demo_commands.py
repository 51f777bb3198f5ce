"""``leanops demo`` and ``leanops --demo``: a database filled with the demo plant."""

from __future__ import annotations

import argparse
from pathlib import Path

from leanops_desktop.cli.command import Subparsers
from leanops_desktop.cli.database import open_db, undo_new_file_on_error
from leanops_desktop.cli.db_commands import refuse_unknown_version
from leanops_desktop.config import SiteConfig, demo_database_path
from leanops_desktop.core.actor import Actor
from leanops_desktop.db.engine import describe_url, open_database


def add_parser(commands: Subparsers) -> None:
    """``leanops demo``."""
    demo = commands.add_parser("demo", help="fill an empty database with the demo plant")
    demo.add_argument("--database", metavar="URL", default=argparse.SUPPRESS)
    demo.set_defaults(handler=_demo)


def _demo(args: argparse.Namespace, config: SiteConfig) -> int:
    from leanops_desktop.db import migrate
    from leanops_desktop.services.demo_plant import create_demo_plant

    db = open_db(args, config, create=True)
    try:
        with undo_new_file_on_error(args):
            refuse_unknown_version(db, migrate.current_revision(db))
            migrate.upgrade(db)
            with db.session() as session:
                summary = create_demo_plant(session, Actor.system())
    finally:
        db.dispose()
    print(
        f"demo plant in {describe_url(db.url)}: {summary.stations} stations, {summary.jobs} jobs,"
        f" {summary.logs} performance logs, {summary.events} events"
    )
    if summary.passwords_generated:
        print(
            "demo accounts, with passwords made just now: they are shown only this once and"
            " stored nowhere (the server keeps only a hash), so note them now:"
        )
    width = max((len(email) for email, _role, _password in summary.accounts), default=0) + 1
    for email, role, password in summary.accounts:
        print(f"  {role.value:<10} {email:<{max(width, 26)}} password: {password}")
    return 0


def prepare_demo_database(path: Path | None = None) -> str:
    """A fresh demo database file (replacing an older one); returns its URL."""
    from leanops_desktop.db import migrate
    from leanops_desktop.services.demo_plant import create_demo_plant

    target = path or demo_database_path()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    url = f"sqlite:///{target}"
    db = open_database(url)
    try:
        migrate.upgrade(db)
        with db.session() as session:
            create_demo_plant(session, Actor.system())
    finally:
        db.dispose()
    return url
