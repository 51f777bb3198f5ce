"""``leanops report shift``: the known-answer plant (tests/oee_plant.py) as CSV and as a
one-page PDF (pdfinfo and pdftotext from poppler-utils read it back), on both backends."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
from pathlib import Path

import pytest

from leanops_desktop.core.actor import Actor
from leanops_desktop.db.engine import Database
from tests.oee_plant import build_plant
from tests.test_cli import leanops

needs_poppler = pytest.mark.skipif(
    shutil.which("pdfinfo") is None or shutil.which("pdftotext") is None,
    reason="poppler-utils (pdfinfo, pdftotext) not installed",
)
SHIFT = ("report", "shift", "--date", "2026-03-14", "--shift", "S", "--tz", "UTC")


def test_csv_has_the_known_answers_and_leaves_other_lines_out(
    db: Database, db_url: str, admin: Actor, tmp_path: Path
) -> None:
    build_plant(db, admin)
    db.dispose()
    out = tmp_path / "shift.csv"
    done = leanops(*SHIFT, "--line", "Line A", "--format", "csv", "--out", str(out),
                   "--database", db_url)
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert [(r["line"], r["station"]) for r in rows] == [
        ("Line A", "ST-A1"), ("Line A", "ST-A2"), ("Line A", ""),
    ]
    a1, a2, total = rows
    assert (a1["good"], a1["scrap"], a1["total"]) == ("490", "30", "520")
    assert (a1["availability"], a1["performance"], a1["quality"], a1["oee"]) == (
        "0.8571", "0.8611", "0.9423", "0.6955",
    )
    assert a1["jobs"] == "J1 400 good 20 scrap; J2 90 good 10 scrap"
    assert a1["top_downtime_reasons"].startswith("maintenance 45.0 min")
    assert a2["oee"] == "0.9091"
    assert (total["planned_min"], total["run_min"], total["oee"]) == ("750.0", "690.0", "0.7962")


@needs_poppler
def test_pdf_is_one_page_naming_each_station_and_its_oee(
    db: Database, db_url: str, admin: Actor, tmp_path: Path
) -> None:
    build_plant(db, admin)
    db.dispose()
    out = tmp_path / "shift.pdf"
    done = leanops(*SHIFT, "--format", "pdf", "--paper", "letter", "--out", str(out),
                   "--database", db_url)
    assert done.returncode == 0, done.stderr
    info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True, check=True)
    assert "Pages:           1" in info.stdout and "letter" in info.stdout
    text = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert "shift S (day)" in text
    lines: dict[str, str] = {}
    for line in text.splitlines():  # the first line of each station: its figures row
        if line.strip():
            lines.setdefault(line.split()[0], line)
    assert "69.6 %" in lines["ST-A1"] and "85.7 %" in lines["ST-A1"]
    assert "90.9 %" in lines["ST-A2"]
    assert "ST-B1" in lines  # inactive: listed, its OEE a dash
    assert "maintenance · unplanned stop · 45 min" in text
    assert "J2: 90 good, 10 scrap" in text


def test_bad_shift_date_and_missing_out_are_refused(db_url: str, tmp_path: Path) -> None:
    unknown = leanops(*SHIFT[:4], "--shift", "9", "--format", "csv", "--database", db_url)
    assert unknown.returncode != 0 and "no shift '9' in the calendar" in unknown.stderr
    bad_date = leanops("report", "shift", "--date", "4.12.2026", "--shift", "1",
                       "--database", db_url)
    assert bad_date.returncode != 0 and "--date '4.12.2026' is not a date" in bad_date.stderr
    no_out = leanops(*SHIFT, "--format", "pdf", "--database", db_url)
    assert no_out.returncode != 0 and "--format pdf needs --out FILE" in no_out.stderr
    nowhere = leanops(*SHIFT, "--out", str(tmp_path / "missing" / "r.pdf"), "--database", db_url)
    assert nowhere.returncode != 0 and "does not exist" in nowhere.stderr
    for done in (unknown, bad_date, no_out, nowhere):
        assert "Traceback" not in done.stderr
