"""Automatic stops in OEE, the Pareto and the shift report: known answers on both backends.

The plant of tests/oee_plant.py (worked out in tests/test_oee.py) with three stops at ST-A1:
  S1 unexplained 07:40-08:15: running until the planned block at 08:00, so 20 min are cut
     out of run time (08:00-08:15 is the block's already);
  S2 classified "planned stop/meeting" 09:00-09:20: 20 min leave planned time;
  S3 classified "changeover" 13:00-13:10: 10 min changeover loss.
ST-A1, shift 450 min after the break:
  planned stops 30 (block) + 20 (S2) = 50 min     -> planned production time 400 min
  unplanned: maintenance 45, idle 15, unexplained 20, changeover 10 = 90 min -> run 310 min
  A = 310 / 400                                   = 0.775
  P = 18600 s / (310 × 60 = 18600 s)              = 1.0
  Q = 490 / 520                                   = 0.942308
  OEE = 0.775 × 1.0 × 0.942308                    = 0.730288
Line A (ST-A2 as before: planned = run = 330 min, ideal 18000 s, 900 good):
  planned 730 min, run 640 min -> A = 0.876712; P = 36600 / 38400 = 0.953125;
  Q = 1390 / 1420 = 0.978873; OEE = 0.876712 × 0.953125 × 0.978873 = 0.817963
Without the stops the same plant gives 0.695513 (ST-A1) and 0.796150 (Line A).
The day's Pareto (blocked seconds by reason): planned stop/meeting 30 + 20 = 50 min,
maintenance 45 min, Unexplained 20 min, changeover 10 min. The shift report's top three
reasons of ST-A1: planned stop/meeting 50, maintenance 45, unexplained 20 min.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import insert

from leanops_desktop.core.actor import Actor
from leanops_desktop.db.engine import Database
from leanops_desktop.db.stop_models import DowntimeStop
from leanops_desktop.services.analytics import key_figures
from leanops_desktop.services.oee import figures as f
from leanops_desktop.services.oee.compute import oee_rows
from leanops_desktop.services.oee.shift_report import shift_report
from tests.oee_plant import DAY, at, build_plant

TOLERANCE = 0.001  # 0.1 %


def _close(actual: float | None, expected: float) -> bool:
    return actual is not None and abs(actual - expected) <= TOLERANCE * expected


def add_stop(
    db: Database, station: str, start: datetime, end: datetime | None, reason: str | None
) -> None:
    with db.session() as session, session.begin():
        session.execute(
            insert(DowntimeStop).values(
                id=uuid.uuid4(), station_id=station, started_at=start, ended_at=end,
                reason_id=reason, classified_by="sam.supervisor@plant.test" if reason else None,
                classified_at=at(20) if reason else None, quiet_minutes=20, detected_at=start,
            )
        )  # fmt: skip


@pytest.fixture
def plant(db: Database, admin: Actor) -> Database:
    build_plant(db, admin)
    add_stop(db, "ST-A1", at(7, 40), at(8, 15), None)
    add_stop(db, "ST-A1", at(9), at(9, 20), "planned stop/meeting")
    add_stop(db, "ST-A1", at(13), at(13, 10), "changeover")
    return db


def test_stops_in_oee_known_answers(plant: Database, supervisor: Actor) -> None:
    with plant.session() as session:
        rows = oee_rows(session, supervisor, DAY, DAY, UTC, now=at(20))
    a1 = f.group(rows, lambda row: row.station_id)["ST-A1"]
    assert a1.planned_s == 400 * 60 and a1.run_s == 310 * 60
    assert a1.stops_s == {
        "unplanned_stop": 45 * 60, "idle": 15 * 60, "unexplained": 20 * 60, "changeover": 600,
    }  # fmt: skip
    for actual, expected in (
        (a1.availability, 0.775),
        (a1.performance, 1.0),
        (a1.quality, 0.942308),
        (a1.oee, 0.730288),
    ):
        assert _close(actual, expected), (actual, expected)
    line = f.group(rows, f.by_line_day)[(DAY, "Line A")]
    assert line.planned_s == 730 * 60 and line.run_s == 640 * 60
    for actual, expected in (
        (line.availability, 0.876712),
        (line.performance, 0.953125),
        (line.quality, 0.978873),
        (line.oee, 0.817963),
    ):
        assert _close(actual, expected), (actual, expected)


def test_an_open_stop_counts_up_to_now(plant: Database, supervisor: Actor) -> None:
    """ST-A1 at 10:00 (windows 06:00-10:00): the block and S2 are planned (50 min), S1 cuts
    20 min; an open stop from 09:40 cuts 20 more: planned 190, run 150 min."""
    add_stop(plant, "ST-A1", at(9, 40), None, None)
    with plant.session() as session:
        [row] = [
            r for r in oee_rows(session, supervisor, DAY, DAY, UTC, now=at(10))
            if r.station_id == "ST-A1"
        ]  # fmt: skip
    assert row.figures.planned_s == 190 * 60
    assert row.figures.run_s == 150 * 60
    assert row.figures.stops_s == {"unexplained": 40 * 60}


def test_the_pareto_counts_stops_by_leaf_reason(plant: Database, supervisor: Actor) -> None:
    with plant.session() as session:
        figures = key_figures(session, supervisor, at(0), at(20), tz=UTC, now=at(20))
    assert list(figures.blocked_by_reason) == [
        ("planned stop/meeting", 50 * 60.0),
        ("maintenance", 45 * 60.0),
        ("Unexplained", 20 * 60.0),
        ("changeover", 10 * 60.0),
    ]


def test_the_shift_reports_top_reasons_include_stops(plant: Database, supervisor: Actor) -> None:
    with plant.session() as session:
        report = shift_report(session, supervisor, DAY, "S", UTC, now=at(20))
    a1 = next(s for s in report.stations if s.station_id == "ST-A1")
    assert [(r.label, r.category, r.seconds) for r in a1.reasons] == [
        ("planned stop/meeting", "planned_stop", 50 * 60.0),
        ("maintenance", "unplanned_stop", 45 * 60.0),
        ("unexplained", "unexplained", 20 * 60.0),
    ]
    assert _close(a1.figures.oee, 0.730288)
