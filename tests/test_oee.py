"""OEE known answers: the plant of tests/oee_plant.py, worked out on paper, on both backends.

ST-A1, shift 06:00-14:00 = 480 min, break 30 min -> 450 min of shift time.
  planned stop 08:00-08:30 (30 min)      -> planned production time 420 min
  unplanned: maintenance 45 min, idle between jobs 15 min = 60 min -> run time 360 min
  A = 360 / 420                                   = 0.857143
  ideal output: J1 30 s × (400 + 20) + J2 60 s × (90 + 10) = 12600 + 6000 = 18600 s
  P = 18600 s / 21600 s                           = 0.861111
  Q = 490 / 520                                   = 0.942308
  OEE = 0.857143 × 0.861111 × 0.942308            = 0.695513
ST-A2, 06:00-12:00 running J3 then deactivated (off time is not planned):
  planned = run = 360 − 30 (break) = 330 min; A = 1
  P = 20 s × 900 / 19800 s = 0.909091; Q = 1; OEE = 0.909091
ST-B1 inactive: no planned time, no figures.
Line A: planned 750 min, run 690 min -> A = 0.92; P = 36600 / 41400 = 0.884058;
  Q = 1390 / 1420 = 0.978873; OEE = 0.92 × 0.884058 × 0.978873 = 0.796150
Partial shift at 10:00 (ST-A1): windows 06:00-10:00, planned stop 30 min -> planned = run =
  210 min; A = 1; output 30 s × 420 = 12600 s -> P = 12600 / 12600 = 1; Q = 400/420 = 0.952381
"""

from __future__ import annotations

from datetime import UTC

import pytest

from leanops_desktop.core.actor import Actor
from leanops_desktop.db.engine import Database
from leanops_desktop.services.analytics_scope import Scope
from leanops_desktop.services.oee import figures as f
from leanops_desktop.services.oee.compute import oee_rows
from tests.oee_plant import DAY, at, build_plant

TOLERANCE = 0.001  # 0.1 %


def _close(actual: float | None, expected: float) -> bool:
    return actual is not None and abs(actual - expected) <= TOLERANCE * expected


@pytest.fixture
def plant(db: Database, admin: Actor) -> Database:
    build_plant(db, admin)
    return db


def test_known_answers_per_station_and_line(plant: Database, supervisor: Actor) -> None:
    with plant.session() as session:
        rows = oee_rows(session, supervisor, DAY, DAY, UTC, now=at(20))
    stations = f.group(rows, lambda row: row.station_id)
    a1 = stations["ST-A1"]
    assert a1.planned_s == 420 * 60 and a1.run_s == 360 * 60
    assert (a1.good, a1.scrap, a1.total) == (490, 30, 520)
    assert a1.stops_s == {"unplanned_stop": 45 * 60, "idle": 15 * 60}
    for actual, expected in (
        (a1.availability, 0.857143),
        (a1.performance, 0.861111),
        (a1.quality, 0.942308),
        (a1.oee, 0.695513),
    ):
        assert _close(actual, expected), (actual, expected)
    a2 = stations["ST-A2"]
    assert _close(a2.availability, 1.0) and _close(a2.performance, 0.909091)
    assert _close(a2.quality, 1.0) and _close(a2.oee, 0.909091)
    b1 = stations["ST-B1"]
    assert b1.planned_s == 0 and b1.oee is None
    line = f.group(rows, f.by_line_day)[(DAY, "Line A")]
    for actual, expected in (
        (line.availability, 0.92),
        (line.performance, 0.884058),
        (line.quality, 0.978873),
        (line.oee, 0.796150),
    ):
        assert _close(actual, expected), (actual, expected)
    # The day and the shift are the same sums (Line B plans nothing).
    for level in (f.group(rows, f.by_day)[DAY], f.group(rows, f.by_shift)[(DAY, "S")]):
        assert (level.planned_s, level.run_s, level.good, level.scrap) == (
            line.planned_s, line.run_s, line.good, line.scrap
        )
        assert _close(level.oee, 0.796150)
    availability_loss, _performance_loss, quality_loss = a1.losses_s()
    assert availability_loss == 60 * 60  # the unplanned hour
    assert _close(quality_loss, 30 * (18600 / 520))  # scrap at the mean ideal cycle


def test_a_shift_still_running_counts_up_to_now(plant: Database, supervisor: Actor) -> None:
    with plant.session() as session:
        rows = oee_rows(
            session, supervisor, DAY, DAY, UTC, scope=Scope(station_ids=("ST-A1",)), now=at(10)
        )
    [row] = rows
    assert row.figures.planned_s == 210 * 60 and row.figures.run_s == 210 * 60
    assert _close(row.figures.performance, 1.0)
    assert _close(row.figures.quality, 0.952381)


def test_a_wrong_ideal_rate_shows_as_performance_over_100(
    plant: Database, supervisor: Actor
) -> None:
    from leanops_desktop.services.quality import ideal_rate

    with plant.session() as session:
        ideal_rate.set_ideal_cycle(session, supervisor, "J3", 60.0)  # three times too slow
        [row] = oee_rows(
            session, supervisor, DAY, DAY, UTC, scope=Scope(station_ids=("ST-A2",)), now=at(20)
        )
    assert _close(row.figures.performance, 60 * 900 / 19800)  # 2.727: not capped
    assert row.figures.performance_over_100


def test_shift_occurrences_follow_weekdays_holidays_and_the_clocks() -> None:
    """Pure calendar arithmetic: a night shift over the spring clock change is 7 hours long;
    a non-working day and a weekday the shift does not run have no occurrence."""
    from datetime import date, time
    from zoneinfo import ZoneInfo

    from leanops_desktop.services.oee.shift_windows import occurrences
    from leanops_desktop.services.quality.calendar import BreakSpec, ShiftSpec

    night = ShiftSpec("3", "night", time(22), time(6), "123456", (BreakSpec(240, 30),))
    berlin = ZoneInfo("Europe/Berlin")
    runs = occurrences([night], {date(2026, 3, 26)}, date(2026, 3, 25), date(2026, 3, 29), berlin)
    assert [run.day for run in runs] == [date(2026, 3, 25), date(2026, 3, 27), date(2026, 3, 28)]
    over_the_change = runs[-1]  # Saturday 22:00 to Sunday 06:00, clocks forward at 02:00
    assert over_the_change.end - over_the_change.start == 7 * 3600
    productive = over_the_change.productive(until=over_the_change.end)
    assert sum(end - start for start, end in productive) == 7 * 3600 - 30 * 60
    partial = over_the_change.productive(until=over_the_change.start + 3600)
    assert partial == [(over_the_change.start, over_the_change.start + 3600)]
