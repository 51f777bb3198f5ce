"""The shift report as CSV: one line per station, then the shift's total line."""

from __future__ import annotations

import csv
import io

from leanops_desktop.services.oee.oee_csv import HEADER as OEE_HEADER
from leanops_desktop.services.oee.oee_csv import figures_cells
from leanops_desktop.services.oee.shift_report import DowntimeReason, JobWorked, ShiftReport

HEADER = ("day", "shift", *OEE_HEADER[1:], "top_downtime_reasons", "jobs")
#: The line and station cells of the last line, the sums of the shift's stations.
TOTAL_LINE = "(shift)"


def reasons_text(rows: tuple[DowntimeReason, ...]) -> str:
    """``maintenance/spindle 45.0 min; idle (no job) 15.0 min``."""
    return "; ".join(f"{row.label} {row.seconds / 60:.1f} min" for row in rows)


def jobs_text(rows: tuple[JobWorked, ...]) -> str:
    """``J1 400 good 20 scrap; J2 90 good 10 scrap``."""
    return "; ".join(f"{row.job_id} {row.good} good {row.scrap} scrap" for row in rows)


def shift_report_csv(report: ShiftReport) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    day = report.day.isoformat()
    for station in report.stations:
        writer.writerow([
            day, report.shift_id, station.line, station.station_id,
            *figures_cells(station.figures), reasons_text(station.reasons),
            jobs_text(station.jobs),
        ])
    writer.writerow([day, report.shift_id, report.line or TOTAL_LINE, "",
                     *figures_cells(report.total), "", ""])
    return out.getvalue()
