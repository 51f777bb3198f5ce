"""The shift report (``services/oee/shift_report.py``) on the known-answer plant of
tests/oee_plant.py, on both backends: its figures are ``oee_rows``' own, and it adds the
stops by reason and the jobs worked (ST-A1: maintenance 45 min, idle 15 min, and the planned
meeting 30 min; J1 400 good + 20 scrap, J2 90 + 10; the 50 units before the shift left out).
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, date

import pytest

from leanops_desktop.core.actor import Actor
from leanops_desktop.core.errors import ValidationError
from leanops_desktop.db.engine import Database
from leanops_desktop.services.analytics_scope import Scope
from leanops_desktop.services.oee import figures as f
from leanops_desktop.services.oee.compute import oee_rows
from leanops_desktop.services.oee.oee_csv import figures_cells
from leanops_desktop.services.oee.shift_report import shift_report
from leanops_desktop.services.oee.shift_report_csv import shift_report_csv
from tests.oee_plant import DAY, at, build_plant


@pytest.fixture
def plant(db: Database, admin: Actor) -> Database:
    build_plant(db, admin)
    return db


def test_report_figures_are_the_oee_rows_and_reasons_and_jobs_add_up(
    plant: Database, supervisor: Actor
) -> None:
    with plant.session() as session:
        report = shift_report(session, supervisor, DAY, "S", UTC, line="Line A", now=at(20))
        rows = oee_rows(session, supervisor, DAY, DAY, UTC, scope=Scope(line="Line A"),
                        now=at(20))
    expected = f.group(rows, lambda row: row.station_id)
    assert [s.station_id for s in report.stations] == ["ST-A1", "ST-A2"]
    for station in report.stations:
        assert station.figures == expected[station.station_id]
    a1, a2 = report.stations
    assert [(r.label, r.category, r.seconds) for r in a1.reasons] == [
        ("maintenance", "unplanned_stop", 45 * 60),
        ("planned stop/meeting", "planned_stop", 30 * 60),
        ("idle (no job)", "idle", 15 * 60),
    ]
    assert [(j.job_id, j.good, j.scrap) for j in a1.jobs] == [("J1", 400, 20), ("J2", 90, 10)]
    assert [(j.job_id, j.good, j.scrap) for j in a2.jobs] == [("J3", 900, 0)]
    assert a2.reasons == ()
    line = f.group(rows, f.by_line_day)[(DAY, "Line A")]
    assert report.total == line
    assert report.total.oee is not None and abs(report.total.oee - 0.796150) < 0.0008


def test_csv_cells_equal_the_oee_figures(plant: Database, supervisor: Actor) -> None:
    with plant.session() as session:
        report = shift_report(session, supervisor, DAY, "day", UTC, now=at(20))
        rows = oee_rows(session, supervisor, DAY, DAY, UTC, now=at(20))
    expected = f.group(rows, lambda row: row.station_id)
    lines = list(csv.reader(io.StringIO(shift_report_csv(report))))
    header, body, total = lines[0], lines[1:-1], lines[-1]
    assert [line[3] for line in body] == ["ST-A1", "ST-A2", "ST-B1"]
    for line in body:
        assert line[:3] == ["2026-03-14", "S", "Line B" if line[3] == "ST-B1" else "Line A"]
        assert line[4:-2] == figures_cells(expected[line[3]])
    a1 = dict(zip(header, body[0], strict=True))
    assert (a1["good"], a1["scrap"], a1["total"], a1["oee"]) == ("490", "30", "520", "0.6955")
    assert a1["top_downtime_reasons"] == (
        "maintenance 45.0 min; planned stop/meeting 30.0 min; idle (no job) 15.0 min"
    )
    assert a1["jobs"] == "J1 400 good 20 scrap; J2 90 good 10 scrap"
    b1 = dict(zip(header, body[2], strict=True))
    assert (b1["planned_min"], b1["oee"]) == ("0.0", "")  # inactive: no OEE, not 0 %
    assert total[2:4] == ["(shift)", ""]
    assert total[4:-2] == figures_cells(f.group(rows, f.by_day)[DAY])


def test_unknown_shift_and_a_day_it_does_not_run_are_refused(
    plant: Database, supervisor: Actor
) -> None:
    with plant.session() as session:
        with pytest.raises(ValidationError, match=r"no shift '9'.*S \(day\)"):
            shift_report(session, supervisor, DAY, "9", UTC)
        with pytest.raises(ValidationError, match="does not run on 2026-03-13"):
            shift_report(session, supervisor, date(2026, 3, 13), "S", UTC)
        with pytest.raises(ValidationError, match="shift S of 2026-03-14 has not begun yet"):
            shift_report(session, supervisor, DAY, "S", UTC, now=at(5, 59))
        with pytest.raises(ValidationError, match="no station is on line 'Line Z'"):
            shift_report(session, supervisor, DAY, "S", UTC, line="Line Z", now=at(20))


def test_a_running_shift_counts_up_to_now(plant: Database, supervisor: Actor) -> None:
    """At 10:00 (docs/oee.md's partial shift): ST-A1 has J1's 400 good and 20 scrap only,
    and the planned stop 08:00-08:30 is its one stop so far."""
    with plant.session() as session:
        report = shift_report(session, supervisor, DAY, "S", UTC, line="Line A", now=at(10))
    a1 = report.stations[0]
    assert (a1.figures.good, a1.figures.scrap, a1.figures.planned_s) == (400, 20, 210 * 60)
    assert [(j.job_id, j.good, j.scrap) for j in a1.jobs] == [("J1", 400, 20)]
    assert [(r.label, r.seconds) for r in a1.reasons] == [("planned stop/meeting", 30 * 60)]
