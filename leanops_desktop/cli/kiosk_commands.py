"""``leanops kiosk enroll|revoke`` and ``leanops user set-pin|set-badge``.

Registered on the main parser by :func:`register_kiosk_commands` (one call in ``cli.py``).

* ``leanops kiosk enroll --station ST-01 [--admin EMAIL] [--password-stdin]`` runs on the
  kiosk PC, under the OS account the kiosk will run as: an admin signs in (email and
  password, typed or from stdin), a device login bound to the station is made, and its
  credential is written where only this OS account can read it (the path is printed).
* ``leanops kiosk revoke --station ST-01 [--login NAME]`` (anywhere, by an admin or IT)
  disables the station's kiosk logins, ends their sessions and their operators' sign-ins;
  ``--forget`` also removes this PC's credential file.
* ``leanops user set-pin EMAIL [--pin-stdin] [--clear]`` and
  ``leanops user set-badge EMAIL CODE`` / ``--clear`` (IT's account, as the other user
  commands).
"""

from __future__ import annotations

import argparse
import getpass
import sys

from leanops_desktop.cli.admin_sign_in import admin_session
from leanops_desktop.cli.database import migrated_session
from leanops_desktop.config import SiteConfig
from leanops_desktop.core.actor import Actor
from leanops_desktop.core.errors import ConfigError


def register_kiosk_commands(
    kiosk: argparse.ArgumentParser,
    user_commands: argparse._SubParsersAction[argparse.ArgumentParser],
) -> None:
    """Add the enrolment commands under ``kiosk`` and the PIN/badge ones under ``user``."""
    actions = kiosk.add_subparsers(dest="kiosk_command", metavar="ACTION")
    enroll = actions.add_parser("enroll", help="enrol this PC as the kiosk of a station")
    enroll.add_argument("--station", required=True, help="station id, e.g. ST-01")
    enroll.add_argument("--admin", metavar="EMAIL", help="the admin who enrols (asked if absent)")
    enroll.add_argument("--password-stdin", action="store_true", help="read it from stdin")
    enroll.add_argument("--database", metavar="URL", default=argparse.SUPPRESS)
    enroll.set_defaults(handler=_enroll, takes_demo=False)
    revoke = actions.add_parser("revoke", help="disable a station's kiosk logins")
    revoke.add_argument("--station", required=True)
    revoke.add_argument("--login", help="only this kiosk login (default: all of the station)")
    revoke.add_argument("--forget", action="store_true", help="also remove this PC's file")
    revoke.add_argument("--database", metavar="URL", default=argparse.SUPPRESS)
    revoke.set_defaults(handler=_revoke, takes_demo=False)

    set_pin = user_commands.add_parser("set-pin", help="set or reset an operator's kiosk PIN")
    set_pin.add_argument("email")
    set_pin.add_argument("--pin-stdin", action="store_true", help="read the PIN from stdin")
    set_pin.add_argument("--clear", action="store_true", help="remove the PIN")
    set_pin.set_defaults(handler=_set_pin)
    set_badge = user_commands.add_parser("set-badge", help="give an operator a badge code")
    set_badge.add_argument("email")
    set_badge.add_argument("code", nargs="?", help="the code the badge reader types")
    set_badge.add_argument("--clear", action="store_true", help="remove the badge")
    set_badge.set_defaults(handler=_set_badge)


def _enroll(args: argparse.Namespace, config: SiteConfig) -> int:
    from leanops_desktop.services.kiosk import kiosk_devices

    with admin_session(args, config) as (session, admin):
        enrolment = kiosk_devices.enrol_kiosk(session, admin, args.station)
    path = kiosk_devices.save_enrolment(enrolment)
    print(f"enrolled {enrolment.login} as the kiosk of {enrolment.station_id}")
    print(f"credential: {path} (readable by this OS account only)")
    return 0


def _revoke(args: argparse.Namespace, config: SiteConfig) -> int:
    from leanops_desktop.services.kiosk import kiosk_devices

    with migrated_session(args, config) as session:
        logins = kiosk_devices.revoke_kiosks(session, Actor.system(), args.station, args.login)
    for login in logins:
        print(f"revoked {login} (kiosk of {args.station})")
    if args.forget and kiosk_devices.forget_enrolment(args.station):
        print(f"removed {kiosk_devices.credential_path(args.station)}")
    return 0


def _read_pin(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().strip()
    first = getpass.getpass("PIN: ")
    if getpass.getpass("Repeat PIN: ") != first:
        raise ConfigError("the two PINs differ; nothing was changed")
    return first


def _set_pin(args: argparse.Namespace, config: SiteConfig) -> int:
    from leanops_desktop.services.kiosk import operator_credentials

    pin = None if args.clear else _read_pin(args.pin_stdin)
    with migrated_session(args, config) as session:
        operator_credentials.set_pin(session, Actor.system(), args.email, pin)
    print(f"PIN of {args.email} {'removed' if pin is None else 'set'}")
    return 0


def _set_badge(args: argparse.Namespace, config: SiteConfig) -> int:
    from leanops_desktop.services.kiosk import operator_credentials

    if not args.clear and not args.code:
        raise ConfigError("give the badge code, or --clear")
    code = None if args.clear else args.code
    with migrated_session(args, config) as session:
        operator_credentials.set_badge(session, Actor.system(), args.email, code)
    print(f"badge of {args.email} {'removed' if code is None else 'set'}")
    return 0
