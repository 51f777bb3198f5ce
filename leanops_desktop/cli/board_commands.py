"""``leanops board`` (the production board for a TV) and ``leanops board enroll``.

* ``leanops board [--line "Line A"] [--windowed] [--demo]``: full screen, read only, live.
  On PostgreSQL it signs in with this PC's board login.
* ``leanops board enroll [--admin EMAIL] [--password-stdin]`` runs on the TV's PC under
  the OS account the board will run as: an admin signs in, the database makes a read-only
  board login, and its credential is written where only this OS account can read it.
"""

from __future__ import annotations

import argparse

from leanops_desktop.cli.admin_sign_in import admin_session
from leanops_desktop.cli.command import Subparsers
from leanops_desktop.config import SiteConfig


def add_parser(commands: Subparsers) -> None:
    board = commands.add_parser("board", help="open the full-screen production board (TV)")
    board.add_argument("--line", help="show this production line only (default: all)")
    board.add_argument("--windowed", action="store_true", help="not full screen (testing)")
    # SUPPRESS: the default must not overwrite 'leanops --demo board' (argparse gives a
    # subcommand's defaults the last word).
    board.add_argument(
        "--demo",
        action="store_true",
        default=argparse.SUPPRESS,
        help="on a fresh demo plant (SQLite)",
    )
    board.add_argument("--database", metavar="URL", default=argparse.SUPPRESS)
    board.set_defaults(handler=_run, takes_demo=True)
    actions = board.add_subparsers(dest="board_command", metavar="ACTION")
    enroll = actions.add_parser("enroll", help="make this PC's read-only board login")
    enroll.add_argument("--admin", metavar="EMAIL", help="the admin who enrols (asked if absent)")
    enroll.add_argument("--password-stdin", action="store_true", help="read it from stdin")
    enroll.add_argument("--database", metavar="URL", default=argparse.SUPPRESS)
    enroll.set_defaults(handler=_enroll, takes_demo=False)


def _run(args: argparse.Namespace, config: SiteConfig) -> int:
    from leanops_desktop.cli.window_commands import open_view_database

    url = open_view_database(args, config)  # no display, or Qt's X11 libraries missing: 2
    if isinstance(url, int):
        return url
    from leanops_desktop.composition.board import run_board

    return run_board(url, config, args.line, windowed=args.windowed)


def _enroll(args: argparse.Namespace, config: SiteConfig) -> int:
    from leanops_desktop.services.board import board_login

    with admin_session(args, config) as (session, admin):
        credential = board_login.enroll_board(session, admin)
    path = board_login.save_board_credential(credential)
    print(f"enrolled {credential.login} as a read-only production board")
    print(f"credential: {path} (readable by this OS account only)")
    return 0
