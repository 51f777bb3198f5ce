"""``leanops report oee``: the known-answer plant's figures per station and day as CSV."""

from __future__ import annotations

import csv
import io

from leanops_desktop.core.actor import Actor
from leanops_desktop.db.engine import Database
from tests.oee_plant import build_plant
from tests.test_cli import leanops


def test_report_oee_prints_the_known_answers_per_station_and_day(
    db: Database, db_url: str, admin: Actor
) -> None:
    build_plant(db, admin)
    db.dispose()
    done = leanops(
        "report", "oee", "--from", "2026-03-14", "--to", "2026-03-14", "--line", "Line A",
        "--tz", "UTC", "--database", db_url,
    )
    assert done.returncode == 0, done.stderr
    rows = {row["station"]: row for row in csv.DictReader(io.StringIO(done.stdout))}
    assert set(rows) == {"ST-A1", "ST-A2"}  # Line B left out
    a1 = rows["ST-A1"]
    assert (a1["day"], a1["line"]) == ("2026-03-14", "Line A")
    assert (a1["planned_min"], a1["run_min"]) == ("420.0", "360.0")
    assert (a1["good"], a1["scrap"], a1["total"]) == ("490", "30", "520")
    assert (a1["availability"], a1["performance"], a1["quality"], a1["oee"]) == (
        "0.8571", "0.8611", "0.9423", "0.6955",
    )
    assert a1["availability_loss_min"] == "60.0"
    assert rows["ST-A2"]["oee"] == "0.9091"
    one = leanops(
        "report", "oee", "--from", "2026-03-14", "--to", "2026-03-14", "--station", "ST-B1",
        "--tz", "UTC", "--database", db_url,
    )
    [b1] = list(csv.DictReader(io.StringIO(one.stdout)))
    assert (b1["planned_min"], b1["oee"]) == ("0.0", "")  # inactive: no OEE, not 0 %


def test_report_oee_refuses_bad_dates_and_zones(db_url: str) -> None:
    bad_date = leanops("report", "oee", "--from", "14.3.2026", "--to", "2026-03-14",
                       "--database", db_url)
    assert bad_date.returncode != 0
    assert "--from '14.3.2026' is not a date like 2026-12-04" in bad_date.stderr
    backwards = leanops("report", "oee", "--from", "2026-03-14", "--to", "2026-03-01",
                        "--database", db_url)
    assert backwards.returncode != 0 and "on or after from" in backwards.stderr
    zone = leanops("report", "oee", "--from", "2026-03-14", "--to", "2026-03-14",
                   "--tz", "Mars/Olympus", "--database", db_url)
    assert zone.returncode != 0 and "Mars/Olympus" in zone.stderr
    assert "Traceback" not in bad_date.stderr + backwards.stderr + zone.stderr
