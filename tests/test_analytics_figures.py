"""Status bands, utilisation, blocked time by reason and on-time rate, counted by hand.

The day (10 March 2026, UTC; range 08:00-13:00):

* A1 (Line A) got J1 at 06:00 and was blocked for tooling at 07:30, so it starts the range
  blocked; unblocked 08:30, blocked for material 10:00-10:30 and quality 11:00-11:15, J1
  unassigned at 12:00.
* A2 (Line A) received J2 moved from B1 at 07:00; J2 completed at 11:30 (the event names
  its stations in meta only).
* B1 (Line B) had J2 from 05:00 until the move, then idle; blocked for material from 09:00
  on, never unblocked.
"""

from __future__ import annotations

from datetime import date, time
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from leanops_desktop.db.engine import Database
from leanops_desktop.services import analytics
from leanops_desktop.services.analytics import Scope
from leanops_desktop.services.analytics_timeline import StationState
from tests.analytics_seed import SUPERVISOR, add_events, add_job, add_logs, add_stations, utc

BERLIN = ZoneInfo("Europe/Berlin")
HOUR = 3600.0
START, END, NOW = utc(2026, 3, 10, 8), utc(2026, 3, 10, 13), utc(2026, 3, 10, 13)


def at(hour: int, minute: int = 0) -> Any:
    return utc(2026, 3, 10, hour, minute)


@pytest.fixture
def day(db: Database) -> Database:
    add_stations(db, [("A1", "Line A"), ("A2", "Line A"), ("B1", "Line B")])
    add_job(db, "J1", 100, date(2026, 3, 12))
    add_job(db, "J2", 50, date(2026, 3, 10), status="completed")
    add_job(db, "J3", 10, date(2026, 3, 9), status="completed")
    moved = {"old": {"station_id": "B1"}, "new": {"station_id": "A2"}}
    add_events(
        db,
        [
            ("job_assigned", "B1", "J2", {}, at(5)),
            ("job_assigned", "A1", "J1", {}, at(6)),
            ("job_moved", "A2", "J2", moved, at(7)),
            ("station_blocked", "A1", "J1", {"reason": "tooling"}, at(7, 30)),
            ("qty_reported", "A1", "J1", {"new": {"qty": 1}}, at(8, 15)),
            ("station_unblocked", "A1", "J1", {}, at(8, 30)),
            ("station_blocked", "B1", None, {"reason": "material"}, at(9)),
            ("station_blocked", "A1", "J1", {"reason": "material"}, at(10)),
            ("station_unblocked", "A1", "J1", {}, at(10, 30)),
            ("station_blocked", "A1", "J1", {"reason": "quality"}, at(11)),
            ("station_unblocked", "A1", "J1", {}, at(11, 15)),
            ("job_completed", None, "J2", {"old": {"stations": ["A2"]}}, at(11, 30)),
            ("job_unassigned", "A1", "J1", {}, at(12)),
            ("job_completed", "B1", "J3", {"old": {"stations": ["B1"]}}, at(12, 30)),
        ],
    )
    add_logs(
        db,
        [
            ("B1", "J2", 5, at(7, 30)),
            ("A1", "J1", 10, at(9)),
            ("A2", "J2", 20, at(9, 30)),
        ],
    )
    return db


def figures(db: Database, scope: Scope = analytics.ALL) -> analytics.KeyFigures:
    with db.session() as session:
        return analytics.key_figures(
            session, SUPERVISOR, START, END, tz=BERLIN, scope=scope, now=NOW
        )


def bands_of(result: analytics.KeyFigures, station_id: str) -> list[tuple[str, float, float, Any]]:
    return [
        (band.state.value, band.start, band.end, band.reason)
        for band in result.timeline.bands
        if band.station_id == station_id
    ]


def test_bands_rebuilt_from_events(day: Database) -> None:
    result = figures(day)
    assert bands_of(result, "A1") == [
        ("blocked", at(8).timestamp(), at(8, 30).timestamp(), "tooling"),
        ("running", at(8, 30).timestamp(), at(10).timestamp(), None),
        ("blocked", at(10).timestamp(), at(10, 30).timestamp(), "material"),
        ("running", at(10, 30).timestamp(), at(11).timestamp(), None),
        ("blocked", at(11).timestamp(), at(11, 15).timestamp(), "quality"),
        ("running", at(11, 15).timestamp(), at(12).timestamp(), None),
        ("idle", at(12).timestamp(), at(13).timestamp(), None),
    ]
    assert bands_of(result, "A2") == [
        ("running", at(8).timestamp(), at(11, 30).timestamp(), None),
        ("idle", at(11, 30).timestamp(), at(13).timestamp(), None),
    ]
    assert bands_of(result, "B1") == [
        ("idle", at(8).timestamp(), at(9).timestamp(), None),
        ("blocked", at(9).timestamp(), at(13).timestamp(), "material"),
    ]


def test_key_figures_of_the_range(day: Database) -> None:
    result = figures(day)
    assert result.units == 30
    assert result.hours == 5.0
    assert result.units_per_hour == 6.0
    assert result.running_s == 6.25 * HOUR
    assert result.idle_s == 3.5 * HOUR
    assert result.blocked_s == 5.25 * HOUR
    assert result.utilisation == pytest.approx(6.25 / 15)
    assert result.blocked_by_reason == (
        ("material", 4.5 * HOUR),
        ("tooling", 0.5 * HOUR),
        ("quality", 0.25 * HOUR),
    )
    assert (result.completed_jobs, result.on_time_jobs, result.on_time_rate) == (2, 1, 0.5)


def test_key_figures_of_one_line(day: Database) -> None:
    result = figures(day, Scope(line="Line A"))
    assert result.units == 30
    assert result.utilisation == pytest.approx(6.25 / 10)
    assert result.blocked_by_reason == (
        ("material", 0.5 * HOUR),
        ("tooling", 0.5 * HOUR),
        ("quality", 0.25 * HOUR),
    )
    assert (result.completed_jobs, result.on_time_rate) == (1, 1.0)
    line_b = figures(day, Scope(line="Line B"))
    assert (line_b.units, line_b.utilisation, line_b.on_time_rate) == (0, 0.0, 0.0)


def test_a_job_filter_keeps_the_stations_that_made_it(day: Database) -> None:
    result = figures(day, Scope(job_id="J2"))
    assert [station.id for station in result.timeline.stations] == ["A2"]
    assert (result.units, result.completed_jobs) == (20, 1)


def test_an_empty_range(day: Database) -> None:
    with day.session() as session:
        result = analytics.key_figures(session, SUPERVISOR, START, START, tz=BERLIN, now=NOW)
    assert (result.units, result.hours, result.units_per_hour) == (0, 0.0, None)
    assert (result.utilisation, result.on_time_rate, result.timeline.bands) == (None, None, ())


def test_the_current_shift(day: Database) -> None:
    # 12:00 UTC is 13:00 CET: the early shift (06:00-14:00 CET = 05:00-13:00 UTC).
    with day.session() as session:
        shift, result = analytics.shift_figures(
            session,
            SUPERVISOR,
            tz=BERLIN,
            shift_starts=(time(6), time(14), time(22)),
            now=at(12),
        )
    assert (shift.start, shift.end, shift.name) == (at(5), at(13), "06:00–14:00")
    assert (result.units, result.hours) == (35, 7.0)
    assert result.units_per_hour == 5.0
    a1 = [band for band in result.timeline.bands if band.station_id == "A1"]
    assert a1[0].state is StationState.IDLE and a1[0].end == at(6).timestamp()


def test_the_timeline_ends_at_the_present(day: Database) -> None:
    with day.session() as session:
        timeline = analytics.status_timeline(
            session, SUPERVISOR, START, utc(2026, 3, 11), now=at(9, 30)
        )
    assert timeline.until == at(9, 30)
    b1 = [band for band in timeline.bands if band.station_id == "B1"]
    assert [(band.state.value, band.end) for band in b1] == [
        ("idle", at(9).timestamp()),
        ("blocked", at(9, 30).timestamp()),
    ]


def test_a_station_created_inside_the_range_starts_then(db: Database) -> None:
    add_stations(db, [("N1", "Line A")], created_at=at(10))
    with db.session() as session:
        timeline = analytics.status_timeline(session, SUPERVISOR, START, END, now=NOW)
    assert [(band.state.value, band.start) for band in timeline.bands] == [
        ("idle", at(10).timestamp())
    ]


def test_blocked_time_is_counted_by_reason_not_by_detail() -> None:
    """Details typed after the reason (``"quality: burr"``) do not make bars of their own."""
    from leanops_desktop.services.analytics_status import StatusTimeline
    from leanops_desktop.services.analytics_timeline import StationState, StatusBand

    blocked = StationState.BLOCKED
    timeline = StatusTimeline(
        start=at(6),
        until=at(14),
        stations=(),
        bands=(
            StatusBand("A1", blocked, 0, 600, "quality: burr on the edge"),
            StatusBand("A1", blocked, 600, 900, "quality"),
            StatusBand("B1", blocked, 0, 1200, "other: forklift in the way"),
            StatusBand("B1", blocked, 1200, 1300, "tooling: worn punch"),
            StatusBand("B1", blocked, 1300, 1400, None),
        ),
        machine=None,  # type: ignore[arg-type]
    )
    assert timeline.blocked_by_reason() == [
        ("other", 1200.0),
        ("quality", 900.0),
        ("tooling", 100.0),
        ("unknown", 100.0),
    ]
