"""``leanops user``: add, list, change the role or the password of, disable and enable an
account (on PostgreSQL through the database's admin functions)."""

from __future__ import annotations

import argparse
import getpass
import sys

from leanops_desktop.cli.command import Handler, Subparsers
from leanops_desktop.cli.database import migrated_session
from leanops_desktop.cli.kiosk_commands import register_kiosk_commands
from leanops_desktop.config import SiteConfig
from leanops_desktop.core.actor import Actor
from leanops_desktop.core.enums import Role
from leanops_desktop.core.errors import ConfigError


def add_parser(commands: Subparsers, kiosk: argparse.ArgumentParser) -> None:
    """``leanops user`` and its actions."""
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


def read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Password: ")
    second = getpass.getpass("Repeat password: ")
    if first != second:
        raise ConfigError("the two passwords differ; nothing was changed")
    return first


def _user_add(args: argparse.Namespace, config: SiteConfig) -> int:
    from leanops_desktop.services.accounts import users

    password = read_password(args.password_stdin)
    with migrated_session(args, config) as session:
        row = users.add_user(
            session, Actor.system(), email=args.email, role=args.role, password=password
        )
    print(f"added {row.email} ({row.role})")
    return 0


def _user_list(args: argparse.Namespace, config: SiteConfig) -> int:
    from leanops_desktop.services.accounts import users

    with migrated_session(args, config) as session:
        rows = users.list_users(session, Actor.system())
    print(f"{'email':<32} {'role':<11} {'state':<9} created")
    for row in rows:
        state = "active" if row.is_active else "disabled"
        print(f"{row.email:<32} {row.role.value:<11} {state:<9} {row.created_at:%Y-%m-%d}")
    return 0


def _user_set_role(args: argparse.Namespace, config: SiteConfig) -> int:
    from leanops_desktop.services.accounts import users

    with migrated_session(args, config) as session:
        row = users.set_role(session, Actor.system(), args.email, args.role)
    print(f"{row.email} is now {row.role}")
    return 0


def _user_passwd(args: argparse.Namespace, config: SiteConfig) -> int:
    from leanops_desktop.services.accounts import users

    password = read_password(args.password_stdin)
    with migrated_session(args, config) as session:
        row = users.set_password(session, Actor.system(), args.email, password)
    print(f"password of {row.email} changed")
    return 0


def _user_active(active: bool) -> Handler:
    def handler(args: argparse.Namespace, config: SiteConfig) -> int:
        from leanops_desktop.services.accounts import users

        with migrated_session(args, config) as session:
            row = users.set_active(session, Actor.system(), args.email, active)
        print(f"{row.email} {'enabled' if row.is_active else 'disabled'}")
        return 0

    return handler
