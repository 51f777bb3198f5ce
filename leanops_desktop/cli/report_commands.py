"""``leanops report``: plant figures as files (``report oee``: OEE per station and day)."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from leanops_desktop.cli.command import Subparsers
from leanops_desktop.cli.database import open_db
from leanops_desktop.config import SiteConfig
from leanops_desktop.core.actor import Actor
from leanops_desktop.core.errors import ConfigError


def add_parser(commands: Subparsers) -> None:
    """``leanops report oee``."""
    report = commands.add_parser("report", help="plant figures as files (OEE)")
    kinds = report.add_subparsers(dest="report_kind", metavar="REPORT", required=True)
    oee = kinds.add_parser(
        "oee",
        help="OEE and its factors per station and day",
        description="Availability, performance, quality and OEE per station and day, with "
        "the losses in minutes (docs/oee.md has the formula).",
    )
    oee.add_argument("--from", dest="first", required=True, metavar="DATE", help="YYYY-MM-DD")
    oee.add_argument("--to", dest="last", required=True, metavar="DATE", help="YYYY-MM-DD")
    oee.add_argument("--line", help="only this production line")
    oee.add_argument("--station", action="append", default=[], help="only this station")
    oee.add_argument("--format", choices=["csv"], default="csv")
    oee.add_argument("--out", type=Path, help="write to this file instead of the screen")
    oee.add_argument("--tz", help="the plant's time zone (default: this computer's)")
    oee.add_argument("--database", metavar="URL", default=argparse.SUPPRESS)
    oee.set_defaults(handler=report_oee)


def _day(flag: str, value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ConfigError(f"{flag} {value!r} is not a date like 2026-12-04") from None


def report_oee(args: argparse.Namespace, config: SiteConfig) -> int:
    from leanops_desktop.services.analytics_scope import Scope
    from leanops_desktop.services.analytics_time import local_zone
    from leanops_desktop.services.oee.compute import oee_rows
    from leanops_desktop.services.oee.oee_csv import station_day_csv

    first, last = _day("--from", args.first), _day("--to", args.last)
    try:
        tz = ZoneInfo(args.tz) if args.tz else local_zone()
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"--tz {args.tz!r} is not a time zone such as Europe/Berlin") from None
    scope = Scope(line=args.line, station_ids=tuple(args.station))
    db = open_db(args, config)
    try:
        with db.session() as session:
            rows = oee_rows(session, Actor.system(), first, last, tz, scope=scope)
    finally:
        db.dispose()
    text = station_day_csv(rows)
    if args.out is None:
        print(text, end="")
    else:
        args.out.write_text(text, encoding="utf-8")
        print(f"OEE of {len({(r.day, r.station_id) for r in rows})} station days written to"
              f" {args.out}")
    return 0
