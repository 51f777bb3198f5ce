"""The ``leanops`` command line: the app, the kiosk, database and user administration."""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy.orm import Session

from leanops_desktop import APP_NAME, __version__
from leanops_desktop.config import (
    SiteConfig,
    demo_database_path,
    load_config,
    resolve_database_url,
)
from leanops_desktop.core.actor import Actor
from leanops_desktop.core.enums import Role
from leanops_desktop.core.errors import ConfigError, LeanOpsError
from leanops_desktop.db.engine import Database, describe_url, open_database

Handler = Callable[[argparse.Namespace, SiteConfig], int]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="leanops",
        description=f"{APP_NAME}: a lightweight manufacturing execution system.",
    )
    parser.add_argument("--version", action="version", version=f"{APP_NAME} {__version__}")
    parser.add_argument("--database", metavar="URL", help="SQLite file or postgresql:// URL")
    parser.add_argument(
        "--demo", action="store_true", help="open the app on a fresh demo plant (SQLite)"
    )
    parser.add_argument(
        "--self-check", action="store_true", help="check Qt, resources and the database"
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    kiosk = commands.add_parser("kiosk", help="open the full-screen station kiosk")
    kiosk.add_argument("--station", help="station id, e.g. ST-01 (default: leanops.toml)")
    kiosk.add_argument("--windowed", action="store_true", help="not full screen (testing)")
    kiosk.add_argument("--database", metavar="URL", default=argparse.SUPPRESS)
    kiosk.set_defaults(handler=_run_kiosk)

    db = commands.add_parser("db", help="schema migrations")
    db_commands = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    for name, handler, text in (
        ("upgrade", _db_upgrade, "bring the schema to the newest version"),
        ("current", _db_current, "print the schema version of the database"),
        ("sql", _db_sql, "print the PostgreSQL script (tables, triggers, roles, policies)"),
    ):
        sub = db_commands.add_parser(name, help=text)
        sub.add_argument("--database", metavar="URL", default=argparse.SUPPRESS)
        sub.set_defaults(handler=handler)

    init_admin = db_commands.add_parser(
        "init-admin", help="create the first admin (once, with the database owner's account)"
    )
    init_admin.add_argument("email")
    init_admin.add_argument("--password-stdin", action="store_true")
    init_admin.add_argument("--database", metavar="URL", default=argparse.SUPPRESS)
    init_admin.set_defaults(handler=_db_init_admin)

    demo = commands.add_parser("demo", help="fill an empty database with the demo plant")
    demo.add_argument("--database", metavar="URL", default=argparse.SUPPRESS)
    demo.set_defaults(handler=_demo)

    shot = commands.add_parser("screenshot", help="render a window offscreen to a PNG and exit")
    shot.add_argument("out", type=Path, help="the PNG file to write")
    shot.add_argument("--view", choices=["main", "login", "kiosk"], default="main")
    shot.add_argument("--station", help="kiosk station (default: the first active one)")
    shot.add_argument("--size", default="1600x900", help="WIDTHxHEIGHT")
    shot.add_argument(
        "--database", metavar="URL", default=argparse.SUPPRESS, help="default: a fresh demo plant"
    )
    shot.set_defaults(handler=_screenshot)

    user = commands.add_parser("user", help="manage user accounts")
    user_commands = user.add_subparsers(dest="user_command", metavar="ACTION", required=True)
    add = user_commands.add_parser("add", help="create an account")
    add.add_argument("email")
    add.add_argument("--role", required=True, choices=[role.value for role in Role])
    add.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    add.set_defaults(handler=_user_add)
    listing = user_commands.add_parser("list", help="list accounts")
    listing.set_defaults(handler=_user_list)
    set_role = user_commands.add_parser("set-role", help="give an account another role")
    set_role.add_argument("email")
    set_role.add_argument("role", choices=[role.value for role in Role])
    set_role.set_defaults(handler=_user_set_role)
    passwd = user_commands.add_parser("passwd", help="reset an account's password")
    passwd.add_argument("email")
    passwd.add_argument("--password-stdin", action="store_true")
    passwd.set_defaults(handler=_user_passwd)
    for name, active in (("disable", False), ("enable", True)):
        sub = user_commands.add_parser(name, help=f"{name} an account")
        sub.add_argument("email")
        sub.set_defaults(handler=_user_active(active))
    for sub in user_commands.choices.values():
        sub.add_argument("--database", metavar="URL", default=argparse.SUPPRESS)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``leanops`` and ``python -m leanops_desktop``."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        config = load_config()
        if args.self_check:
            from leanops_desktop.qt.self_check import run_self_check

            return run_self_check(_database_url(args, config))
        handler: Handler | None = getattr(args, "handler", None)
        if handler is None:
            return _run_app(args, config)
        return handler(args, config)
    except LeanOpsError as exc:
        print(f"leanops: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def _database_url(args: argparse.Namespace, config: SiteConfig) -> str:
    return resolve_database_url(getattr(args, "database", None), config)


def _open(args: argparse.Namespace, config: SiteConfig) -> Database:
    from sqlalchemy.exc import OperationalError

    from leanops_desktop.core.errors import DatabaseUnavailable

    db = open_database(_database_url(args, config))
    try:
        with db.engine.connect():
            pass
    except OperationalError as exc:
        db.dispose()
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else "no answer"
        raise DatabaseUnavailable(
            f"database unreachable: {describe_url(db.url)}: {reason}"
        ) from None
    return db


def _open_migrated(args: argparse.Namespace, config: SiteConfig) -> Database:
    from leanops_desktop.db import migrate

    db = _open(args, config)
    current = migrate.current_revision(db)
    if current != migrate.head_revision():
        db.dispose()
        state = "empty" if current is None else f"at version {current}"
        raise ConfigError(
            f"the database {describe_url(db.url)} is {state}; run 'leanops db upgrade' first"
        )
    return db


@contextmanager
def _session(args: argparse.Namespace, config: SiteConfig) -> Iterator[Session]:
    """A session on the migrated database named by the arguments, closed afterwards."""
    db = _open_migrated(args, config)
    try:
        with db.session() as session:
            yield session
    finally:
        db.dispose()


# -- db -----------------------------------------------------------------------------------


def _db_upgrade(args: argparse.Namespace, config: SiteConfig) -> int:
    from leanops_desktop.db import migrate

    db = _open(args, config)
    try:
        before = migrate.current_revision(db)
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


def _db_current(args: argparse.Namespace, config: SiteConfig) -> int:
    from leanops_desktop.db import migrate

    db = _open(args, config)
    try:
        current = migrate.current_revision(db)
    finally:
        db.dispose()
    head = migrate.head_revision()
    state = "up to date" if current == head else f"newest is {head}: run 'leanops db upgrade'"
    print(f"{current or 'empty'} ({state})")
    return 0


def _db_sql(args: argparse.Namespace, config: SiteConfig) -> int:
    from leanops_desktop.db import migrate

    sys.stdout.write(migrate.offline_sql())
    return 0


def _db_init_admin(args: argparse.Namespace, config: SiteConfig) -> int:
    from leanops_desktop.services import users

    password = _read_password(args.password_stdin)
    with _session(args, config) as session:
        row = users.init_admin(session, args.email, password)
    print(f"first admin {row.email} created")
    return 0


# -- demo ---------------------------------------------------------------------------------


def _demo(args: argparse.Namespace, config: SiteConfig) -> int:
    from leanops_desktop.db import migrate
    from leanops_desktop.services.demo_plant import DEMO_USERS, create_demo_plant

    db = _open(args, config)
    try:
        migrate.upgrade(db)
        with db.session() as session:
            summary = create_demo_plant(session, Actor.system())
    finally:
        db.dispose()
    print(
        f"demo plant in {describe_url(db.url)}: {summary.stations} stations, {summary.jobs} jobs,"
        f" {summary.logs} performance logs, {summary.events} events"
    )
    for email, role, password in DEMO_USERS:
        print(f"  {role.value:<10} {email:<26} password: {password}")
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


# -- users --------------------------------------------------------------------------------


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Password: ")
    second = getpass.getpass("Repeat password: ")
    if first != second:
        raise ConfigError("the two passwords differ; nothing was changed")
    return first


def _user_add(args: argparse.Namespace, config: SiteConfig) -> int:
    from leanops_desktop.services import users

    password = _read_password(args.password_stdin)
    with _session(args, config) as session:
        row = users.add_user(
            session, Actor.system(), email=args.email, role=args.role, password=password
        )
    print(f"added {row.email} ({row.role})")
    return 0


def _user_list(args: argparse.Namespace, config: SiteConfig) -> int:
    from leanops_desktop.services import users

    with _session(args, config) as session:
        rows = users.list_users(session, Actor.system())
    print(f"{'email':<32} {'role':<11} {'state':<9} created")
    for row in rows:
        state = "active" if row.is_active else "disabled"
        print(f"{row.email:<32} {row.role.value:<11} {state:<9} {row.created_at:%Y-%m-%d}")
    return 0


def _user_set_role(args: argparse.Namespace, config: SiteConfig) -> int:
    from leanops_desktop.services import users

    with _session(args, config) as session:
        row = users.set_role(session, Actor.system(), args.email, args.role)
    print(f"{row.email} is now {row.role}")
    return 0


def _user_passwd(args: argparse.Namespace, config: SiteConfig) -> int:
    from leanops_desktop.services import users

    password = _read_password(args.password_stdin)
    with _session(args, config) as session:
        row = users.set_password(session, Actor.system(), args.email, password)
    print(f"password of {row.email} changed")
    return 0


def _user_active(active: bool) -> Handler:
    def handler(args: argparse.Namespace, config: SiteConfig) -> int:
        from leanops_desktop.services import users

        with _session(args, config) as session:
            row = users.set_active(session, Actor.system(), args.email, active)
        print(f"{row.email} {'enabled' if row.is_active else 'disabled'}")
        return 0

    return handler


# -- windows ------------------------------------------------------------------------------


def _run_app(args: argparse.Namespace, config: SiteConfig) -> int:
    if args.demo:
        url = prepare_demo_database()
        print(f"demo plant: {url}", flush=True)
    else:
        url = _database_url(args, config)
    from leanops_desktop.app import run_main_window

    return run_main_window(url, config, demo=args.demo)


def _screenshot(args: argparse.Namespace, config: SiteConfig) -> int:
    import tempfile

    from leanops_desktop.qt.screenshot import parse_size, take_screenshot

    size = parse_size(args.size)
    url = getattr(args, "database", None)
    if not url:
        url = prepare_demo_database(Path(tempfile.mkdtemp(prefix="leanops-shot-")) / "demo.db")
    take_screenshot(args.out, args.view, url, config, args.station, size)
    print(args.out)
    return 0


def _run_kiosk(args: argparse.Namespace, config: SiteConfig) -> int:
    station = args.station or config.kiosk_station
    if not station:
        raise ConfigError("which station? pass --station ST-01 or set [kiosk] station")
    from leanops_desktop.app import run_kiosk

    return run_kiosk(_database_url(args, config), config, station, windowed=args.windowed)
