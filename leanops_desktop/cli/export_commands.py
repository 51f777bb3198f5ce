"""``leanops export``: a whole floor table to CSV or XLSX, as the window's File > Export."""

from __future__ import annotations

import argparse
from pathlib import Path

from leanops_desktop.cli.command import Subparsers
from leanops_desktop.cli.database import open_db
from leanops_desktop.config import SiteConfig
from leanops_desktop.core.errors import ConfigError


def add_export_parser(commands: Subparsers) -> None:
    """``leanops export``."""
    export = commands.add_parser(
        "export",
        help="write a table (as File > Export writes it) to a CSV or XLSX file",
        description="Write a whole floor table to a CSV or Excel file, with the columns and "
        "cells of the window's File > Export: counts as numbers, dates as dates.",
    )
    export.add_argument("table", choices=["jobs", "stations", "assignments", "events"])
    export.add_argument("out", type=Path, help="the .csv or .xlsx file to write")
    export.add_argument(
        "--events", type=int, default=10_000, help="how many of the newest events (events table)"
    )
    export.add_argument("--database", metavar="URL", default=argparse.SUPPRESS)
    export.set_defaults(handler=export_table)


def export_table(args: argparse.Namespace, config: SiteConfig) -> int:
    from leanops_desktop.app import export_table as write_table

    if args.events < 1:
        raise ConfigError("--events must be at least 1")
    db = open_db(args, config)
    try:
        count = write_table(db, args.table, args.out, events=args.events)
    finally:
        db.dispose()
    print(f"{count} {args.table} written to {args.out}")
    return 0
