"""The ``leanops`` command line: its parser and the one place a command's failure becomes
one line on stderr and an exit status."""

from __future__ import annotations

import argparse
import sqlite3
import sys
from collections.abc import Sequence

from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from leanops_desktop import APP_NAME, __version__
from leanops_desktop.cli import (
    board_commands,
    db_commands,
    demo_commands,
    export_commands,
    jobs_commands,
    report_commands,
    user_commands,
    window_commands,
)
from leanops_desktop.cli.command import Handler
from leanops_desktop.cli.database import checked_url, database_url
from leanops_desktop.cli.failures import database_error_message, fail, first_line, os_error_message
from leanops_desktop.config import load_config
from leanops_desktop.core.errors import ConfigError, LeanOpsError
from leanops_desktop.db.pg_audit import PrivilegeAuditFailed


def build_parser() -> argparse.ArgumentParser:
    """The whole command line; each command group adds its own commands."""
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
    kiosk = window_commands.add_kiosk_parser(commands)
    db_commands.add_parser(commands)
    demo_commands.add_parser(commands)
    window_commands.add_screenshot_parser(commands)
    export_commands.add_export_parser(commands)
    jobs_commands.add_parser(commands)
    user_commands.add_parser(commands, kiosk)
    board_commands.add_parser(commands)
    report_commands.add_parser(commands)
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
        return fail(str(exc))
    except PrivilegeAuditFailed as exc:  # names every finding, one a line
        return fail(str(exc))
    except KeyboardInterrupt:
        return 130
    except DBAPIError as exc:
        reason = first_line(exc.orig) if exc.orig is not None else first_line(exc)
        return fail(database_error_message(reason, getattr(args, "where", None)))
    except sqlite3.Error as exc:  # raised by sqlite3 itself (the backup before an upgrade)
        return fail(database_error_message(first_line(exc), getattr(args, "where", None)))
    except SQLAlchemyError as exc:
        return fail(f"database error: {first_line(exc)}")
    except OSError as exc:
        return fail(os_error_message(exc))


def refuse_demo_misuse(args: argparse.Namespace) -> None:
    """``--demo`` opens a view on a fresh demo plant: with any other command, or with a
    database of its own, it would be silently ignored."""
    if args.command is not None and not getattr(args, "takes_demo", False):
        raise ConfigError(
            f"--demo opens a view on the demo plant; 'leanops {args.command}' does not take it"
            " (for a database filled with the demo plant: 'leanops demo --database URL')"
        )
    if getattr(args, "database", None) is not None:
        raise ConfigError("--demo opens a fresh demo plant of its own; leave out --database")


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

        return run_self_check(checked_url(database_url(args, config)))
    if args.demo:
        refuse_demo_misuse(args)
    if handler is None:
        return window_commands.run_app(args, config)
    return handler(args, config)
