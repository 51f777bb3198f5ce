"""Bench: the shift report of one shift for every station on a large PostgreSQL database.

Builds the database of ``bench/oee.py`` (``--rows`` logs for ``--stations`` stations over
``--days`` days, with scrap and ideal cycle times; its own database name), then times, for
the first calendar shift of the latest weekday before today: the report's figures
(``services.oee.shift_report.shift_report``), the CSV, and the one-page PDF painted with
QPdfWriter. Prints median and p95 in ms; all of it runs off the GUI thread (files lane).

    python bench/shift_report.py --rows 1000000
"""

from __future__ import annotations

import os
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtGui import QGuiApplication

import bench.oee as oee_bench
from leanops_desktop.db.engine import open_database
from leanops_desktop.qt.reports.shift_report_output import write_shift_pdf
from leanops_desktop.services.oee.shift_report import ShiftReport, report_choices, shift_report
from leanops_desktop.services.oee.shift_report_csv import shift_report_csv

DB_NAME = "leanops_bench_shift_report"


def main() -> int:
    args = oee_bench.plant_arguments(rows=1_000_000, repeat=5)
    app = QGuiApplication(["bench"])
    with oee_bench.quality_plant(args, DB_NAME) as url:
        db = open_database(url)
        day = datetime.now(oee_bench.TZ).date() - timedelta(days=1)
        while day.isoweekday() > 5:
            day -= timedelta(days=1)
        now = datetime.now(UTC)
        try:
            with db.session() as session:
                shift = report_choices(session, oee_bench.SUPERVISOR).shifts[0][0]

            def figures() -> ShiftReport:
                with db.session() as session:
                    return shift_report(session, oee_bench.SUPERVISOR, day, shift,
                                        oee_bench.TZ, now=now)

            report = figures()
            folder = Path(tempfile.mkdtemp())
            results = {
                f"shift report figures ({args.stations} stations)": oee_bench.timed(
                    figures, args.repeat),
                "  CSV text": oee_bench.timed(lambda: shift_report_csv(report), args.repeat),
                "  one-page PDF (QPdfWriter, 600 dpi)": oee_bench.timed(
                    lambda: write_shift_pdf(report, folder / "shift.pdf"), args.repeat),
            }
        finally:
            db.dispose()
    total = report.total
    print(f"\n{args.rows:,} logs; shift {shift} of {day}: {len(report.stations)} stations,"
          f" OEE {total.oee or 0:.3f}")
    for name, samples in results.items():
        print(oee_bench.line(name, samples))
    del app
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
