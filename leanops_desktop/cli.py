"""The ``leanops`` command line: the app, the kiosk, database and user administration."""

from __future__ import annotations

import argparse
import errno
import getpass
import re
import sqlite3
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path

from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.orm import Session

from leanops_desktop import APP_NAME, __version__
from leanops_desktop.cli_kiosk import register_kiosk_commands
from leanops_desktop.config import (
    SiteConfig,
    demo_database_path,
    load_config,
    resolve_database_url,
)
from leanops_desktop.core.actor import Actor
from leanops_desktop.core.enums import Role
from leanops_desktop.core.errors import (
    ConfigError,
    DatabaseMissing,
    DatabaseUnavailable,
    LeanOpsError,
)
from leanops_desktop.db.engine import Database, describe_url, normalize_url, open_database
from leanops_desktop.db.pg_lockdown import PrivilegeAuditFailed

Handler = Callable[[argparse.Namespace, SiteConfig], int]

#: Exit status of every command: 0 done, 2 refused or failed (one line on stderr), 130
#: interrupted. ``leanops db current`` tells the schema's state by its own codes too:
EXIT_ERROR = 2
EXIT_BEHIND = 3  # the schema is at an older version: run 'leanops db upgrade'
EXIT_EMPTY = 4  # the database exists but holds no LeanOps schema
EXIT_MISSING = 5  # no such database (SQLite file or PostgreSQL database)

DB_CURRENT_EPILOG = f"""\
exit status:
  0  up to date: the schema is at the newest version
  {EXIT_ERROR}  error: bad config or URL, unreachable server, not a database, ... (stderr)
  {EXIT_BEHIND}  behind: the schema is at an older version; run 'leanops db upgrade'
  {EXIT_EMPTY}  empty: the database exists but holds no LeanOps schema
  {EXIT_MISSING}  missing: no such SQLite file or PostgreSQL database (nothing is created)
"""


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
    register_kiosk_commands(kiosk, user_commands)  # kiosk enroll/revoke, user set-pin/badge
    for sub in user_commands.choices.values():
        sub.add_argument("--database", metavar="URL", default=argparse.SUPPRESS)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``leanops`` and ``python -m leanops_desktop``."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code = _dispatch(args)
        sys.stdout.flush()  # a full disk behind a redirected stdout is an error here too
        return code
    except LeanOpsError as exc:
        return _fail(str(exc))
    except PrivilegeAuditFailed as exc:  # names every finding, one a line
        return _fail(str(exc))
    except KeyboardInterrupt:
        return 130
    except DBAPIError as exc:
        reason = _first_line(exc.orig) if exc.orig is not None else _first_line(exc)
        return _fail(database_error_message(reason, getattr(args, "where", None)))
    except sqlite3.Error as exc:  # raised by sqlite3 itself (the backup before an upgrade)
        return _fail(database_error_message(_first_line(exc), getattr(args, "where", None)))
    except SQLAlchemyError as exc:
        return _fail(f"database error: {_first_line(exc)}")
    except OSError as exc:
        return _fail(os_error_message(exc))


def _dispatch(args: argparse.Namespace) -> int:
    config = load_config()
    handler: Handler | None = getattr(args, "handler", None)
    unknown = config.unknown_names_line()
    if unknown is not None:
        if handler is not None:
            # A command acts on data: with a misspelt [database] it would act on another one.
            raise ConfigError(f"{unknown}; fix the file (the app only warns, commands stop)")
        print(f"leanops: warning: {unknown}; they are ignored", file=sys.stderr, flush=True)
    if args.self_check:
        from leanops_desktop.qt.self_check import run_self_check

        return run_self_check(_checked_url(_database_url(args, config)))
    if handler is None:
        return _run_app(args, config)
    return handler(args, config)


def _fail(message: str) -> int:
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


def _first_line(exc: BaseException) -> str:
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
    return f"{where}{exc.strerror or _first_line(exc)}"


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


def _database_url(args: argparse.Namespace, config: SiteConfig) -> str:
    return resolve_database_url(getattr(args, "database", None), config)


def _checked_url(url: str) -> str:
    """``url`` once it is known to name a database: a malformed one stops here, with one
    line, before any window opens."""
    _sqlite_file(normalize_url(url))
    return url


def _sqlite_file(url: URL) -> Path | None:
    """The SQLite file a URL names (None for PostgreSQL); refuses an in-memory database."""
    if url.get_backend_name() != "sqlite" or url.query.get("uri"):
        return None  # PostgreSQL, or a SQLite URI ("file:...?mode=ro&uri=true") taken as it is
    if not url.database or url.database == ":memory:":
        raise ConfigError(
            f"the database URL names no SQLite file ({url.render_as_string()}): a command on an"
            " in-memory database would lose everything when it ends"
        )
    path = Path(url.database)
    if path.exists() and not path.is_file():
        raise ConfigError(f"{path} is not a file, so it cannot be a SQLite database")
    return path


def _open(args: argparse.Namespace, config: SiteConfig, *, create: bool = False) -> Database:
    """Open and reach the database; a missing SQLite file is made only when ``create``."""
    url = normalize_url(_database_url(args, config))
    args.where = describe_url(url)
    path = _sqlite_file(url)
    if path is not None and not path.exists():
        if not create:
            raise DatabaseMissing(
                f"no database {args.where} (no such file): run 'leanops db upgrade' to create it"
            )
        args.new_file = path
    db = open_database(url)
    try:
        with db.engine.connect():
            pass
    except DBAPIError as exc:
        db.dispose()
        _remove_new_file(args)
        if _no_such_database(exc):
            raise DatabaseMissing(f"no database {args.where}: {_reason(exc)}") from None
        if path is None or isinstance(exc.orig, OSError):
            raise DatabaseUnavailable(
                f"database unreachable: {args.where}: {_reason(exc)}"
            ) from None
        raise
    return db


def _no_such_database(exc: DBAPIError) -> bool:
    """PostgreSQL's "database ... does not exist" (SQLSTATE 3D000; at connect time libpq
    gives only the message)."""
    if getattr(exc.orig, "sqlstate", None) == "3D000":
        return True
    text = str(exc.orig or "")
    return bool(re.search(r'database "[^"]*" does not exist', text))


def _reason(exc: DBAPIError) -> str:
    return _first_line(exc.orig) if exc.orig is not None else "no answer"


def _remove_new_file(args: argparse.Namespace) -> None:
    """Take back a SQLite file this command created, when the command failed."""
    path: Path | None = getattr(args, "new_file", None)
    if path is None:
        return
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


@contextmanager
def _undo_new_file_on_error(args: argparse.Namespace) -> Iterator[None]:
    try:
        yield
    except BaseException:
        _remove_new_file(args)
        raise


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

    db = _open(args, config, create=True)
    try:
        with _undo_new_file_on_error(args):
            before = migrate.current_revision(db)
            _refuse_unknown_version(db, before)
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


def _refuse_unknown_version(db: Database, current: str | None) -> None:
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
        db = _open(args, config)
    except DatabaseMissing as exc:
        print(f"missing ({exc})")
        return EXIT_MISSING
    try:
        current = migrate.current_revision(db)
        _refuse_unknown_version(db, current)
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
    from leanops_desktop.services import users

    password = _read_password(args.password_stdin)
    with _session(args, config) as session:
        row = users.init_admin(session, args.email, password)
    print(f"first admin {row.email} created")
    return 0


# -- demo ---------------------------------------------------------------------------------


def _demo(args: argparse.Namespace, config: SiteConfig) -> int:
    from leanops_desktop.db import migrate
    from leanops_desktop.services.demo_plant import create_demo_plant

    db = _open(args, config, create=True)
    try:
        with _undo_new_file_on_error(args):
            _refuse_unknown_version(db, migrate.current_revision(db))
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
        url = _checked_url(_database_url(args, config))
    from leanops_desktop.app import run_main_window

    return run_main_window(url, config, demo=args.demo)


def _screenshot(args: argparse.Namespace, config: SiteConfig) -> int:
    import tempfile

    from leanops_desktop.qt.screenshot import parse_size, take_screenshot

    size = parse_size(args.size)
    url = getattr(args, "database", None)
    if url is not None:
        url = _checked_url(resolve_database_url(url, config))  # refuses --database ''
    else:
        url = prepare_demo_database(Path(tempfile.mkdtemp(prefix="leanops-shot-")) / "demo.db")
    take_screenshot(args.out, args.view, url, config, args.station, size)
    print(args.out)
    return 0


def _run_kiosk(args: argparse.Namespace, config: SiteConfig) -> int:
    station = args.station or config.kiosk_station
    if not station:
        raise ConfigError("which station? pass --station ST-01 or set [kiosk] station")
    url = _checked_url(_database_url(args, config))
    from leanops_desktop.app import run_kiosk

    return run_kiosk(url, config, station, windowed=args.windowed)
