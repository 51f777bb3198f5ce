"""``leanops report``: plant figures as files (``report oee``: OEE per station and day)."""

from __future__ import annotations

import argparse
from datetime import date, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from leanops_desktop.cli.command import Subparsers
from leanops_desktop.cli.database import open_db
from leanops_desktop.config import SiteConfig
from leanops_desktop.core.actor import Actor
from leanops_desktop.core.errors import ConfigError

if TYPE_CHECKING:
    from leanops_desktop.services.oee.shift_report import ShiftReport


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
    _add_shift_parser(kinds)


def _add_shift_parser(kinds: Subparsers) -> None:
    shift = kinds.add_parser(
        "shift",
        help="one shift's report: per station units, OEE, top stops, jobs (PDF or CSV)",
        description="Per station good/scrap/total, OEE and its factors, the top downtime "
        "reasons and the jobs worked in one shift; the PDF is one A4 or Letter page.",
    )
    shift.add_argument("--date", required=True, metavar="DATE", help="the day the shift starts")
    shift.add_argument("--shift", required=True, help="the shift's id (or name) in the calendar")
    shift.add_argument("--line", help="only this production line")
    shift.add_argument("--format", choices=["pdf", "csv"], default="pdf")
    shift.add_argument("--out", type=Path, help="the file to write (CSV: else the screen)")
    shift.add_argument("--paper", choices=["a4", "letter"], default="a4")
    shift.add_argument("--tz", help="the plant's time zone (default: this computer's)")
    shift.add_argument("--database", metavar="URL", default=argparse.SUPPRESS)
    shift.set_defaults(handler=report_shift)


def _day(flag: str, value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ConfigError(f"{flag} {value!r} is not a date like 2026-12-04") from None


def _zone(name: str | None) -> tzinfo:
    from leanops_desktop.services.analytics_time import local_zone

    try:
        return ZoneInfo(name) if name else local_zone()
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"--tz {name!r} is not a time zone such as Europe/Berlin") from None


def report_oee(args: argparse.Namespace, config: SiteConfig) -> int:
    from leanops_desktop.services.analytics_scope import Scope
    from leanops_desktop.services.oee.compute import oee_rows
    from leanops_desktop.services.oee.oee_csv import station_day_csv

    first, last = _day("--from", args.first), _day("--to", args.last)
    tz = _zone(args.tz)
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


def report_shift(args: argparse.Namespace, config: SiteConfig) -> int:
    from leanops_desktop.services.oee.shift_report import shift_report
    from leanops_desktop.services.oee.shift_report_csv import shift_report_csv

    day, tz = _day("--date", args.date), _zone(args.tz)
    out: Path | None = args.out
    if out is None and args.format == "pdf":
        raise ConfigError("--format pdf needs --out FILE")
    if out is not None and not out.parent.is_dir():
        raise ConfigError(f"--out {out}: the folder {out.parent} does not exist")
    db = open_db(args, config)
    try:
        with db.session() as session:
            report = shift_report(session, Actor.system(), day, args.shift, tz, line=args.line)
    finally:
        db.dispose()
    if args.format == "csv":
        text = shift_report_csv(report)
        if out is None:
            print(text, end="")
            return 0
        out.write_text(text, encoding="utf-8")
    else:
        assert out is not None
        _write_pdf(report, out, args.paper)
    print(f"Shift {report.shift_id} of {report.day.isoformat()} ({len(report.stations)}"
          f" stations) written to {out}")
    return 0


def _write_pdf(report: ShiftReport, out: Path, paper: str) -> None:
    from leanops_desktop.composition.pages import write_shift_report_pdf

    write_shift_report_pdf(report, out, paper)
