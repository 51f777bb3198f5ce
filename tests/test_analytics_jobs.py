"""Job progress curves, forecast finish from the recent rate, jobs at risk.

Now is 10 March 2026 12:00 UTC (13:00 CET); a job is due by the end of its due date in Berlin
(due 10 March means 10 March 23:00 UTC). The rate window is the last 8 hours.
"""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest

from leanops_desktop.core.errors import NotFound
from leanops_desktop.db.engine import Database
from leanops_desktop.services import analytics
from leanops_desktop.services.analytics import Bucket, Scope
from tests.analytics_seed import (
    SUPERVISOR,
    add_events,
    add_job,
    add_logs,
    add_stations,
    utc,
)

BERLIN = ZoneInfo("Europe/Berlin")
NOW = utc(2026, 3, 10, 12)


@pytest.fixture
def jobs(db: Database) -> Database:
    add_stations(db, [("A1", "Line A"), ("B1", "Line B")])
    add_job(db, "J1", 100, date(2026, 3, 12))  # 10 an hour for 8 hours: on track
    add_job(db, "J2", 100, date(2026, 3, 10))  # 5 in the last hour: 19 h to go, due in 11
    add_job(db, "J3", 10, date(2026, 3, 10), status="waiting")  # nothing made, due tonight
    add_job(db, "J4", 10, date(2026, 3, 20), status="waiting")  # nothing made, due later
    add_job(db, "J5", 10, date(2026, 3, 9))  # overdue
    add_job(db, "J6", 10, date(2026, 3, 9), status="completed")
    add_logs(db, [("A1", "J1", 10, utc(2026, 3, 10, hour)) for hour in range(4, 12)])
    add_logs(db, [("B1", "J2", 5, utc(2026, 3, 10, 11)), ("A1", "J6", 10, utc(2026, 3, 9, 8))])
    return db


def forecasts(db: Database, scope: Scope = analytics.ALL) -> list[analytics.JobForecast]:
    with db.session() as session:
        return analytics.job_forecasts(session, SUPERVISOR, tz=BERLIN, scope=scope, now=NOW)


def test_open_jobs_at_risk_first(jobs: Database) -> None:
    result = forecasts(jobs)
    assert [(job.job_id, job.at_risk) for job in result] == [
        ("J5", True),
        ("J2", True),
        ("J3", True),
        ("J1", False),
        ("J4", False),
    ]
    by_id = {job.job_id: job for job in result}
    assert by_id["J5"].risk == "overdue: was due 2026-03-09"
    assert by_id["J2"].risk == "forecast finish is after the due date"
    assert by_id["J3"].risk == "due within 24 h and nothing made in the last 8 h"


def test_forecast_from_the_recent_rate(jobs: Database) -> None:
    by_id = {job.job_id: job for job in forecasts(jobs)}
    j1 = by_id["J1"]
    assert (j1.qty_done, j1.remaining, j1.rate_per_hour) == (80, 20, 10.0)
    assert j1.forecast_finish == utc(2026, 3, 10, 14)
    assert j1.due_at == utc(2026, 3, 12, 23)
    j2 = by_id["J2"]
    assert j2.rate_per_hour == 5.0  # since its first report an hour ago
    assert j2.forecast_finish == NOW + timedelta(hours=19)
    assert by_id["J4"].forecast_finish is None and by_id["J4"].rate_per_hour == 0.0


def test_one_early_report_counts_over_at_least_15_minutes(db: Database) -> None:
    add_stations(db, [("A1", "Line A")])
    add_job(db, "J7", 1000, date(2026, 3, 20))
    add_logs(db, [("A1", "J7", 50, utc(2026, 3, 10, 11, 55))])
    [job] = forecasts(db)
    assert job.rate_per_hour == 200.0


def test_a_station_filter_keeps_jobs_reported_there(jobs: Database) -> None:
    assert [job.job_id for job in forecasts(jobs, Scope(station_ids=("A1",)))] == ["J1"]
    assert [job.job_id for job in forecasts(jobs, Scope(line="Line B"))] == ["J2"]
    assert [job.job_id for job in forecasts(jobs, Scope(job_id="J6"))] == ["J6"]


def test_cumulative_curve_starts_with_what_came_before(jobs: Database) -> None:
    with jobs.session() as session:
        curve = analytics.job_progress(
            session,
            SUPERVISOR,
            "J1",
            utc(2026, 3, 10, 8),
            utc(2026, 3, 10, 20),
            tz=BERLIN,
            bucket=Bucket.HOUR,
            now=NOW,
        )
    assert curve.x.tolist() == [utc(2026, 3, 10, hour).timestamp() for hour in range(8, 13)]
    assert curve.done.tolist() == [40.0, 50.0, 60.0, 70.0, 80.0]
    assert curve.until == NOW
    assert curve.job.qty_total == 100


def test_a_job_with_no_logs(jobs: Database) -> None:
    with jobs.session() as session:
        curve = analytics.job_progress(
            session, SUPERVISOR, "J4", utc(2026, 3, 10, 8), NOW, tz=BERLIN, now=NOW
        )
    assert curve.x.tolist() == [utc(2026, 3, 10, 8).timestamp(), NOW.timestamp()]
    assert curve.done.tolist() == [0.0, 0.0]
    assert curve.job.forecast_finish is None and not curve.job.at_risk


def test_a_completed_job_knows_when(jobs: Database) -> None:
    add_events(jobs, [("job_completed", "A1", "J6", {}, utc(2026, 3, 9, 9))])
    with jobs.session() as session:
        curve = analytics.job_progress(
            session, SUPERVISOR, "J6", utc(2026, 3, 9), NOW, tz=BERLIN, now=NOW
        )
    assert curve.job.completed_at == utc(2026, 3, 9, 9)
    assert curve.done.tolist()[-1] == 10.0
    assert curve.bucket is Bucket.HOUR  # chosen from the 36-hour span


def test_an_unknown_job(jobs: Database) -> None:
    with jobs.session() as session, pytest.raises(NotFound):
        analytics.job_progress(session, SUPERVISOR, "NOPE", utc(2026, 3, 10), NOW, tz=BERLIN)
