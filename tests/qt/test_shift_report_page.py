"""The shift report page: the busiest shift (every station with three stops and more jobs
than fit) stays one readable page, and a plant of many stations is scaled onto one page."""

from __future__ import annotations

import shutil
import subprocess
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from leanops_desktop.qt.reports.shift_report_output import render_shift_page, write_shift_pdf
from leanops_desktop.qt.reports.shift_report_page import page_scale
from leanops_desktop.services.oee.figures import OeeFigures
from leanops_desktop.services.oee.shift_report import (
    DowntimeReason,
    JobWorked,
    ShiftReport,
    StationShift,
)

pytestmark = pytest.mark.skipif(
    shutil.which("pdfinfo") is None or shutil.which("pdftotext") is None,
    reason="poppler-utils (pdfinfo, pdftotext) not installed",
)


def busy_report(stations: int) -> ShiftReport:
    rows = []
    for number in range(1, stations + 1):
        figures = OeeFigures(planned_s=25_200, run_s=21_600 - number * 60, ideal_s=18_000,
                             good=560 + number, scrap=12, units_with_ideal=572 + number)
        reasons = (
            DowntimeReason("maintenance/hydraulics", "unplanned_stop", 1_800.0),
            DowntimeReason("tooling/tool change", "changeover", 900.0),
            DowntimeReason("idle (no job)", "idle", 300.0),
        )
        jobs = tuple(JobWorked(f"JOB-{number:02d}{n}", 140, 3) for n in range(5))
        rows.append(StationShift(f"ST-{number:02d}", f"Line {'ABC'[number % 3]}", figures,
                                 reasons, jobs))
    return ShiftReport(date(2026, 12, 4), "1", "early", None,
                       datetime(2026, 12, 4, 6, tzinfo=UTC), datetime(2026, 12, 4, 14, tzinfo=UTC),
                       tuple(rows))


def pdf_text(path: Path) -> tuple[str, str]:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout
    return info.stdout, text


@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_ten_busy_stations_fit_one_page_at_full_size(
    qapp: object, paper: str, tmp_path: Path
) -> None:
    report = busy_report(10)
    assert page_scale(report, 297 - 30 if paper == "a4" else 279 - 30) == 1.0
    out = tmp_path / "shift.pdf"
    write_shift_pdf(report, out, paper=paper)
    info, text = pdf_text(out)
    assert "Pages:           1" in info
    for station in report.stations:
        oee = station.figures.oee
        assert oee is not None
        row = next(line for line in text.splitlines() if line.lstrip().startswith(
            station.station_id))
        assert f"{oee * 100:.1f} %" in row
    assert text.count("+ 3 more jobs") == 10  # five jobs: two shown, the rest counted
    render_shift_page(report, paper=paper, dpi=110).save(str(tmp_path / "page.png"))


def test_forty_stations_are_scaled_onto_one_page(qapp: object, tmp_path: Path) -> None:
    report = busy_report(40)
    assert page_scale(report, 267) < 0.5
    out = tmp_path / "plant.pdf"
    write_shift_pdf(report, out)
    info, text = pdf_text(out)
    assert "Pages:           1" in info
    assert "ST-01" in text and "ST-40" in text
