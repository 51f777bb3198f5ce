"""Throughput buckets summed in the database, checked against hand-counted figures."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from leanops_desktop.core.actor import Actor
from leanops_desktop.core.errors import PermissionDenied
from leanops_desktop.db.engine import Database
from leanops_desktop.services import analytics
from leanops_desktop.services.analytics import Bucket, GroupBy, Scope
from tests.analytics_seed import (
    SUPERVISOR,
    add_correction,
    add_job,
    add_logs,
    add_stations,
    utc,
)

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture
def floor(db: Database) -> Database:
    """Three stations on two lines; reports on 10 March 2026 (UTC) around 08:00-11:00."""
    add_stations(db, [("A1", "Line A"), ("A2", "Line A"), ("B1", "Line B")])
    add_job(db, "J1", 100, date(2026, 3, 12))
    add_job(db, "J2", 50, date(2026, 3, 11))
    add_logs(
        db,
        [
            ("B1", "J1", 2, utc(2026, 3, 10, 7, 59)),  # before the range
            ("A1", "J1", 5, utc(2026, 3, 10, 8, 10)),
            ("A1", "J1", 7, utc(2026, 3, 10, 8, 50)),
            ("A2", "J2", 3, utc(2026, 3, 10, 8, 55)),
            ("A1", "J1", 4, utc(2026, 3, 10, 9, 5)),
            ("B1", "J2", 10, utc(2026, 3, 10, 9, 59, 59, 500000)),
            ("A2", "J2", 6, utc(2026, 3, 10, 10)),  # on the boundary: the 10:00 bucket
            ("A1", "J1", 1, utc(2026, 3, 10, 11)),  # the range ends before it
        ],
    )
    return db


def run(
    db: Database, start_hour: int = 8, end_hour: int = 11, **kwargs: object
) -> analytics.Throughput:
    options: dict[str, object] = {"tz": BERLIN, "bucket": Bucket.HOUR, "now": utc(2026, 3, 10, 12)}
    options.update(kwargs)
    with db.session() as session:
        return analytics.throughput(
            session,
            SUPERVISOR,
            utc(2026, 3, 10, start_hour),
            utc(2026, 3, 10, end_hour),
            **options,  # type: ignore[arg-type]
        )


def units(result: analytics.Throughput) -> dict[str, list[int]]:
    return {series.key: series.units.tolist() for series in result.series}


def test_units_per_station_per_hour(floor: Database) -> None:
    result = run(floor)
    assert result.edges.dtype == np.float64
    assert list(result.x) == [utc(2026, 3, 10, hour).timestamp() for hour in (8, 9, 10)]
    assert units(result) == {"A1": [12, 4, 0], "A2": [3, 0, 6], "B1": [0, 10, 0]}
    assert result.series[0].label == "A1 Station A1"
    assert result.total_units().tolist() == [15, 14, 6]
    assert list(result.hours) == [1.0, 1.0, 1.0]
    assert result.series[0].rate.tolist() == [12.0, 4.0, 0.0]


def test_units_per_line(floor: Database) -> None:
    result = run(floor, group_by=GroupBy.LINE)
    assert units(result) == {"Line A": [15, 4, 6], "Line B": [0, 10, 0]}


def test_the_bucket_in_progress_is_divided_by_its_elapsed_time(floor: Database) -> None:
    result = run(floor, now=utc(2026, 3, 10, 10, 30))
    assert list(result.hours) == [1.0, 1.0, 0.5]
    assert result.until == utc(2026, 3, 10, 10, 30)
    a2 = next(series for series in result.series if series.key == "A2")
    assert a2.rate.tolist() == [3.0, 0.0, 12.0]


def test_five_minute_buckets(floor: Database) -> None:
    result = run(floor, end_hour=10, bucket=Bucket.FIVE_MINUTES)
    assert len(result.x) == 24
    a1 = units(result)["A1"]
    assert {index: value for index, value in enumerate(a1) if value} == {2: 5, 10: 7, 13: 4}
    assert units(result)["B1"][23] == 10
    assert result.series[0].rate[2] == 60.0  # 5 units in 5 minutes


def test_filters_by_line_station_and_job(floor: Database) -> None:
    assert units(run(floor, scope=Scope(line="Line B"))) == {"B1": [0, 10, 0]}
    assert units(run(floor, scope=Scope(station_ids=("A1",)))) == {"A1": [12, 4, 0]}
    assert units(run(floor, scope=Scope(job_id="J2"))) == {
        "A1": [0, 0, 0],
        "A2": [3, 0, 6],
        "B1": [0, 10, 0],
    }
    assert units(run(floor, scope=Scope(line="Line C"))) == {}


def test_a_correction_counts_when_it_was_made(floor: Database) -> None:
    [original] = add_logs(floor, [("A1", "J1", 9, utc(2026, 3, 10, 8, 20))])
    add_correction(floor, original, 9, utc(2026, 3, 10, 10, 10))
    assert units(run(floor))["A1"] == [21, 4, -9]
    with floor.session() as session:
        figures = analytics.key_figures(
            session,
            SUPERVISOR,
            utc(2026, 3, 10, 8),
            utc(2026, 3, 10, 11),
            tz=BERLIN,
            now=utc(2026, 3, 10, 12),
        )
    assert figures.units == 35  # 12 + 4 + 3 + 6 + 10, the 9 taken back


def test_empty_range_and_range_without_reports(floor: Database) -> None:
    empty = run(floor, start_hour=9, end_hour=9)
    assert len(empty.x) == 0 and len(empty.edges) == 1
    assert all(len(series.units) == 0 for series in empty.series)
    quiet = run(floor, start_hour=2, end_hour=5)
    assert units(quiet) == {"A1": [0, 0, 0], "A2": [0, 0, 0], "B1": [0, 0, 0]}
    future = run(floor, now=utc(2026, 3, 10, 6))
    assert len(future.x) == 0


def test_a_single_report(db: Database) -> None:
    add_stations(db, [("S1", "Line A")])
    add_job(db, "J1", 10, date(2026, 3, 12))
    add_logs(db, [("S1", "J1", 4, utc(2026, 3, 10, 8, 42))])
    result = run(db, bucket=Bucket.FIVE_MINUTES, end_hour=9)
    assert int(np.flatnonzero(result.series[0].units)[0]) == 8
    assert result.series[0].total == 4


def test_local_days_across_spring_forward(db: Database) -> None:
    add_stations(db, [("S1", "Line A")])
    add_job(db, "J1", 1000, date(2026, 4, 30))
    add_logs(
        db,
        [
            ("S1", "J1", 1, utc(2026, 3, 28, 22, 30)),  # 28 March 23:30 CET
            ("S1", "J1", 2, utc(2026, 3, 28, 23, 30)),  # 29 March 00:30 CET
            ("S1", "J1", 4, utc(2026, 3, 29, 21, 30)),  # 29 March 23:30 CEST
            ("S1", "J1", 8, utc(2026, 3, 29, 22, 30)),  # 30 March 00:30 CEST
        ],
    )
    with db.session() as session:
        result = analytics.throughput(
            session,
            SUPERVISOR,
            utc(2026, 3, 27, 23),
            utc(2026, 3, 30, 22),
            tz=BERLIN,
            bucket=Bucket.DAY,
            now=utc(2026, 4, 2),
        )
    assert result.series[0].units.tolist() == [1, 6, 8]
    assert result.hours.tolist() == [24.0, 23.0, 24.0]
    assert result.series[0].rate[1] == pytest.approx(6 / 23)


def test_local_days_and_hours_across_fall_back(db: Database) -> None:
    add_stations(db, [("S1", "Line A")])
    add_job(db, "J1", 1000, date(2026, 11, 30))
    add_logs(
        db,
        [
            ("S1", "J1", 4, utc(2026, 10, 24, 21, 59)),  # 24 Oct 23:59 CEST
            ("S1", "J1", 1, utc(2026, 10, 25, 0, 30)),  # 25 Oct 02:30 CEST
            ("S1", "J1", 2, utc(2026, 10, 25, 1, 30)),  # 25 Oct 02:30 CET
            ("S1", "J1", 8, utc(2026, 10, 25, 22, 59)),  # 25 Oct 23:59 CET
            ("S1", "J1", 16, utc(2026, 10, 25, 23)),  # 26 Oct 00:00 CET
        ],
    )
    with db.session() as session:
        days = analytics.throughput(
            session,
            SUPERVISOR,
            utc(2026, 10, 23, 22),
            utc(2026, 10, 26, 23),
            tz=BERLIN,
            bucket=Bucket.DAY,
            now=utc(2026, 11, 1),
        )
        hours = analytics.throughput(
            session,
            SUPERVISOR,
            utc(2026, 10, 24, 23),
            utc(2026, 10, 25, 3),
            tz=BERLIN,
            bucket=Bucket.HOUR,
            now=utc(2026, 11, 1),
        )
    assert days.series[0].units.tolist() == [4, 11, 16]
    assert days.hours.tolist() == [24.0, 25.0, 24.0]
    assert hours.series[0].units.tolist() == [0, 1, 2, 0]  # the two 02:00 hours apart


def test_an_operator_may_not_see_analytics(floor: Database, operator: Actor) -> None:
    with floor.session() as session, pytest.raises(PermissionDenied):
        analytics.throughput(session, operator, utc(2026, 3, 10, 8), utc(2026, 3, 10, 9), tz=BERLIN)
