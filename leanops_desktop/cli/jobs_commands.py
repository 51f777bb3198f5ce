"""``leanops jobs``: import jobs from a CSV or XLSX file; write travelers to a PDF file."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from leanops_desktop.cli.command import Subparsers
from leanops_desktop.cli.database import migrated_session
from leanops_desktop.config import SiteConfig
from leanops_desktop.core.actor import Actor


def add_parser(commands: Subparsers) -> None:
    """``leanops jobs import`` (and the other ``jobs`` commands)."""
    jobs = commands.add_parser("jobs", help="import jobs, print travelers")
    actions = jobs.add_subparsers(dest="jobs_action", metavar="ACTION", required=True)
    _add_import_parser(actions)
    _add_traveler_parser(actions)


def _add_import_parser(actions: Subparsers) -> None:
    command = actions.add_parser(
        "import",
        help="create and update jobs from a CSV or XLSX file",
        description="Create the file's new jobs (waiting) and bring waiting jobs up to date;"
        " running and completed jobs are reported and left alone. Columns named job/id/order,"
        " part/item/article, quantity/qty, due/due date and priority map themselves; name"
        " others with --map. Refused rows are listed (row, column, value, reason); the other"
        " rows are imported in one transaction. Exit status 1 when a row was refused.",
    )
    command.add_argument("file", type=Path, help="the .csv or .xlsx file")
    command.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="COLUMN=field",
        help="read COLUMN as field (job_id, part_name, qty_total, due_date, priority;"
        " empty: ignore the column); may be repeated",
    )
    order = command.add_mutually_exclusive_group()
    order.add_argument(
        "--day-first", action="store_true", help="read dates like 05.12.2026 as 5 December"
    )
    order.add_argument(
        "--month-first", action="store_true", help="read dates like 05.12.2026 as May 12"
    )
    command.add_argument("--dry-run", action="store_true", help="check and report, write nothing")
    command.add_argument("--database", metavar="URL", default=argparse.SUPPRESS)
    command.set_defaults(handler=import_jobs_file)


def import_jobs_file(args: argparse.Namespace, config: SiteConfig) -> int:
    from leanops_desktop.services.job_import.prepare import prepare_import
    from leanops_desktop.services.job_import.upsert import import_jobs
    from leanops_desktop.services.job_import.values import DateOrder

    order = (
        DateOrder.DAY_FIRST
        if args.day_first
        else DateOrder.MONTH_FIRST
        if args.month_first
        else None
    )
    prepared = prepare_import(args.file, overrides=args.map, date_order=order)
    with migrated_session(args, config) as session:
        report = import_jobs(session, Actor.system(), prepared.plan, dry_run=args.dry_run)
    for refusal in report.refused:
        print(f"refused: {refusal.line()}", file=sys.stderr)
    for job in report.left_alone:
        print(job.line())
    print(report.summary())
    return 1 if report.refused else 0


def _add_traveler_parser(actions: Subparsers) -> None:
    command = actions.add_parser(
        "traveler",
        help="write job travelers (barcode and QR code of the job id) to a PDF file",
        description="One page per job: id, part, quantity, due date, priority, created, a"
        " Code 128 barcode and a QR code of the job id, which a kiosk's scanner reads.",
    )
    command.add_argument("job_ids", nargs="+", metavar="JOB", help="the jobs, in page order")
    command.add_argument("--out", type=Path, required=True, help="the .pdf file to write")
    command.add_argument("--paper", choices=["a4", "letter"], default="a4")
    command.add_argument("--database", metavar="URL", default=argparse.SUPPRESS)
    command.set_defaults(handler=write_travelers)


def write_travelers(args: argparse.Namespace, config: SiteConfig) -> int:
    from leanops_desktop.core.errors import ConfigError
    from leanops_desktop.services.reads.travelers import traveler_jobs

    out: Path = args.out
    if not out.parent.is_dir():
        raise ConfigError(f"--out {out}: the folder {out.parent} does not exist")
    with migrated_session(args, config) as session:
        jobs = traveler_jobs(session, Actor.system(), args.job_ids)
    from leanops_desktop.composition.pages import write_travelers_pdf

    pages = write_travelers_pdf(jobs, out, args.paper)
    print(f"{pages} traveler{'s' if pages != 1 else ''} written to {out} ({args.paper})")
    return 0
