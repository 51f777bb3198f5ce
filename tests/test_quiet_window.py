"""Quiet time counts only in the shift calendar's productive stretches: no stop during a
break, a night or a weekend, and none back-dated across one (both backends).

The seeded calendar (migration 0014): shifts 06:00-14:00, 14:00-22:00 and 22:00-06:00,
Monday to Friday, each with a 30-minute break four hours in (10:00-10:30 for the first).
Times here are in UTC (``tz=UTC``); 2026-12-07 is a Monday, 2026-12-05 a Saturday.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from leanops_desktop.core.actor import Actor
from leanops_desktop.db.engine import Database
from leanops_desktop.services.downtime import stop_pg, stops
from leanops_desktop.services.downtime.quiet_window import (
    AROUND_THE_CLOCK,
    NOT_PLANNED,
    QuietWindow,
    quiet_window,
)
from tests.stop_clock import age_plant, work_around_the_clock
from tests.test_downtime_stops import all_stops, running, set_limit

MONDAY = datetime(2026, 12, 7, tzinfo=UTC)


def window_at(db: Database, at: datetime) -> QuietWindow:
    with db.session() as session:
        return quiet_window(session, at, UTC)


def test_the_seeded_calendar_says_where_quiet_time_counts(db: Database, db_url: str) -> None:
    at = MONDAY.replace
    assert window_at(db, at(hour=7)) == QuietWindow(True, at(hour=6))
    assert window_at(db, at(hour=10, minute=15)) == NOT_PLANNED  # the break
    assert window_at(db, at(hour=10, minute=40)) == QuietWindow(True, at(hour=10, minute=30))
    assert window_at(db, at(hour=23)) == QuietWindow(True, at(hour=22))
    saturday_noon = datetime(2026, 12, 5, 12, tzinfo=UTC)
    assert window_at(db, saturday_noon) == NOT_PLANNED
    # Friday's night shift runs into Saturday morning (its break 02:00-02:30).
    assert window_at(db, saturday_noon.replace(hour=3)) == QuietWindow(
        True, saturday_noon.replace(hour=2, minute=30)
    )
    work_around_the_clock(db_url)
    assert window_at(db, saturday_noon) == AROUND_THE_CLOCK


def test_no_stop_is_opened_over_a_weekend_or_back_dated_across_one(
    db: Database, db_url: str, supervisor: Actor, admin: Actor
) -> None:
    """SQLite judges at the given moment: a station quiet since now (a Saturday or any day)
    is judged at a later Monday, when quiet time has counted only since 06:00."""
    if db.engine.dialect.name != "sqlite":
        return  # PostgreSQL judges at its own clock: the next test covers its side
    running(db, supervisor)
    set_limit(db, admin, "plant", "", 20)
    monday = MONDAY + timedelta(days=7 * ((datetime.now(UTC) - MONDAY).days // 7 + 1))
    with db.session() as session:
        assert stops.sweep_quiet_stations(session, supervisor, monday.replace(hour=5), UTC) == []
        early = stops.sweep_quiet_stations(
            session, supervisor, monday.replace(hour=6, minute=15), UTC
        )
        assert early == []  # quiet 15 minutes of the shift: not yet
        [opened] = stops.sweep_quiet_stations(
            session, supervisor, monday.replace(hour=6, minute=25), UTC
        )
    assert opened.started_at == monday.replace(hour=6)


def test_the_database_counts_quiet_time_from_the_stretchs_start_at_the_earliest(
    db: Database, db_url: str, supervisor: Actor, admin: Actor
) -> None:
    running(db, supervisor)
    set_limit(db, admin, "plant", "", 20)
    age_plant(db_url, 60)
    now = datetime.now(UTC)
    with db.session() as session, session.begin():
        if stop_pg.on_postgresql(session):
            assert stop_pg.sweep(session, supervisor, now - timedelta(minutes=10)) == []
            assert len(stop_pg.sweep(session, supervisor, now - timedelta(minutes=25))) == 1
        else:
            assert stops._sweep_here(session, supervisor, now, now - timedelta(minutes=10)) == []
            assert (
                len(stops._sweep_here(session, supervisor, now, now - timedelta(minutes=25))) == 1
            )
    [stop] = all_stops(db)
    assert abs((stop.started_at - (now - timedelta(minutes=25))).total_seconds()) < 1
