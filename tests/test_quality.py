"""Scrap, the downtime reason tree, the shift calendar and ideal cycle times, on both backends.

Through the services as the app calls them: a scrap report counts once and reaches the
assignment, the job and the rollup (good + scrap = total); wrong reasons, stations off the
job and operators editing reasons or calendars are refused with nothing written; every
change writes its event.
"""

from __future__ import annotations

import uuid
from datetime import date, time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from leanops_desktop.core.actor import Actor
from leanops_desktop.core.errors import (
    NotFound,
    PermissionDenied,
    RuleViolation,
    ValidationError,
)
from leanops_desktop.core.quality import ReasonCategory
from leanops_desktop.db import migrate
from leanops_desktop.db.engine import Database, open_database
from leanops_desktop.db.models import EventLog, Job, StationAssignment, ThroughputRollup
from leanops_desktop.db.oee_models import ScrapLog
from leanops_desktop.services.floor import dispatch, jobs
from leanops_desktop.services.quality import calendar, ideal_rate, reasons
from leanops_desktop.services.quality.scrap import ScrapReport, report_scrap
from leanops_desktop.services.reporting import production
from tests.factories import make_job, make_station


@pytest.fixture
def running(db: Database, admin: Actor) -> Database:
    make_station(db, admin, "ST-01")
    make_station(db, admin, "ST-02")
    make_job(db, admin, "JOB-1", qty_total=100)
    with db.session() as session:
        dispatch.assign_job(session, admin, "JOB-1", "ST-01")
    return db


def _events(db: Database, kind: str) -> list[EventLog]:
    with db.session() as session:
        return list(session.scalars(select(EventLog).where(EventLog.event_type == kind)))


def test_scrap_counts_once_and_good_plus_scrap_is_total_everywhere(
    running: Database, operator: Actor, admin: Actor
) -> None:
    report_id = uuid.uuid4()
    scrap = ScrapReport("ST-01", "JOB-1", 3, "quality/surface", report_id)
    with running.session() as session:
        production.report_quantity(
            session, admin, station_id="ST-01", job_id="JOB-1", qty=7, report_id=uuid.uuid4()
        )
        assert report_scrap(session, operator, scrap) is True
        assert report_scrap(session, operator, scrap) is False  # a retry counts once
        assignment = session.scalars(select(StationAssignment)).one()
        job = session.get(Job, "JOB-1")
        assert job is not None
        assert (assignment.qty_done, assignment.qty_scrap) == (7, 3)
        assert (job.qty_reported, job.qty_scrapped) == (7, 3)
        good, scrapped = session.execute(
            select(func.sum(ThroughputRollup.units), func.sum(ThroughputRollup.scrap_units))
        ).one()
        assert (good, scrapped) == (7, 3)
        log = session.get(ScrapLog, report_id)
        assert log is not None and log.reason_id == "quality/surface"
    [event] = _events(running, "scrap_reported")
    assert event.station_id == "ST-01" and event.job_id == "JOB-1"
    assert event.meta["qty"] == 3 and event.meta["reason"] == "quality/surface"
    assert event.meta["category"] == "quality"


@pytest.mark.parametrize(
    ("station", "reason", "error"),
    [
        ("ST-01", "maintenance", ValidationError),  # not a quality reason
        ("ST-01", "quality", ValidationError),  # a parent, not a leaf
        ("ST-01", "no such reason", NotFound),
        ("ST-02", "quality/surface", RuleViolation),  # ST-02 is not on JOB-1
    ],
)
def test_scrap_refusals_write_nothing(
    running: Database, operator: Actor, station: str, reason: str, error: type[Exception]
) -> None:
    with running.session() as session, pytest.raises(error):
        report_scrap(session, operator, ScrapReport(station, "JOB-1", 2, reason, uuid.uuid4()))
    with running.session() as session:
        assert session.scalar(select(func.count()).select_from(ScrapLog)) == 0
        job = session.get(Job, "JOB-1")
        assert job is not None and job.qty_scrapped == 0
    assert _events(running, "scrap_reported") == []


def test_admins_edit_the_reason_tree_operators_cannot(
    db: Database, admin: Actor, operator: Actor, supervisor: Actor
) -> None:
    with db.session() as session:
        assert reasons.save_reason(
            session, admin, reason_id="maintenance/spindle", name="spindle",
            category=ReasonCategory.UNPLANNED_STOP, parent_id="maintenance",
        )
        assert not reasons.save_reason(
            session, admin, reason_id="maintenance/spindle", name="spindle",
            category=ReasonCategory.UNPLANNED_STOP, parent_id="maintenance",
        )
        with pytest.raises(RuleViolation):  # three levels
            reasons.save_reason(
                session, admin, reason_id="x", name="x", category="unplanned_stop",
                parent_id="maintenance/spindle",
            )
        for someone in (operator, supervisor):
            with pytest.raises(PermissionDenied):
                reasons.save_reason(
                    session, someone, reason_id="y", name="y", category="quality"
                )
        rows = {row.id: row for row in reasons.list_reasons(session)}
        added = reasons.seed_reasons(session, admin, ("maintenance", "Robot fault"))
        assert added == 1
        assert reasons.reason_of_block(session, "Robot fault") is not None
    assert rows["maintenance/spindle"].parent_id == "maintenance"
    assert "x" not in rows and "y" not in rows
    saved = _events(db, "downtime_reason_saved")
    assert [e.meta["reason"] for e in saved] == ["maintenance/spindle", "Robot fault"]
    assert saved[0].meta["new"]["category"] == "unplanned_stop"


def test_admins_edit_the_calendar_operators_cannot(
    db: Database, admin: Actor, operator: Actor
) -> None:
    spec = calendar.ShiftSpec(
        "9", "weekend", time(8), time(16), "67",
        (calendar.BreakSpec(180, 30, "lunch"), calendar.BreakSpec(360, 10)),
    )
    with db.session() as session:
        calendar.save_shift(session, admin, spec)
        assert calendar.set_non_working_day(session, admin, date(2026, 12, 25), note="Christmas")
        assert not calendar.set_non_working_day(session, admin, date(2026, 12, 25))
        with pytest.raises(PermissionDenied):
            calendar.save_shift(session, operator, spec)
        with pytest.raises(PermissionDenied):
            calendar.set_non_working_day(session, operator, date(2026, 12, 26))
        with pytest.raises(ValidationError):  # a break past the shift's end
            calendar.save_shift(
                session, admin,
                calendar.ShiftSpec(
                    "8", "bad", time(8), time(9), "1", (calendar.BreakSpec(50, 20),)
                ),
            )
        shifts, off = calendar.read_calendar(session)
    saved = {s.shift_id: s for s in shifts}
    assert saved["9"] == spec
    assert set(saved) == {"1", "2", "3", "9"}  # the seeded three and the new one
    assert saved["3"].length_minutes == 480  # 22:00 to 06:00
    assert off == {date(2026, 12, 25)}
    assert len(_events(db, "shift_saved")) == 1
    assert len(_events(db, "non_working_day_set")) == 1


def test_ideal_cycle_set_by_supervisors_and_defaulted_from_the_part(
    db: Database, admin: Actor, supervisor: Actor, operator: Actor
) -> None:
    make_job(db, admin, "JOB-A", qty_total=10)
    with db.session() as session:
        assert ideal_rate.set_ideal_cycle(session, supervisor, "JOB-A", 12.5)
        assert not ideal_rate.set_ideal_cycle(session, supervisor, "JOB-A", 12.5)
        with pytest.raises(PermissionDenied):
            ideal_rate.set_ideal_cycle(session, operator, "JOB-A", 3)
        for bad in (0, -1, float("nan"), 86_401, "fast"):
            with pytest.raises(ValidationError):
                ideal_rate.set_ideal_cycle(session, supervisor, "JOB-A", bad)
        with pytest.raises(NotFound):
            ideal_rate.set_ideal_cycle(session, supervisor, "JOB-NONE", 3)
        jobs.create_job(
            session, admin, job_id="JOB-B", part_name="Part for JOB-A", qty_total=5,
            due_date=date(2027, 1, 1),
        )
        jobs.create_job(
            session, admin, job_id="JOB-C", part_name="Another part", qty_total=5,
            due_date=date(2027, 1, 1),
        )
        job_b, job_c = session.get(Job, "JOB-B"), session.get(Job, "JOB-C")
        assert job_b is not None and job_c is not None
        assert job_b.ideal_cycle_s == 12.5  # the part's last known ideal
        assert job_c.ideal_cycle_s is None
    [event] = [e for e in _events(db, "job_updated") if "ideal_cycle_s" in e.meta.get("new", {})]
    assert event.meta["new"]["ideal_cycle_s"] == 12.5 and event.job_id == "JOB-A"


def test_the_upgrade_seeds_reasons_and_shifts_from_the_site_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, supervisor: Actor
) -> None:
    site = tmp_path / "leanops.toml"
    site.write_text(
        '[kiosk]\nblock_reasons = ["Robot fault", "changeover", "No work"]\n'
        '[shifts]\nstarts = ["19:00", "07:00"]\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("LEANOPS_CONFIG", str(site))
    db = open_database(str(tmp_path / "seeded.db"))
    try:
        migrate.upgrade(db)
        with db.session() as session:
            tree = {row.id: row for row in reasons.list_reasons(session)}
            shifts, _off = calendar.read_calendar(session)
    finally:
        db.dispose()
    assert tree["Robot fault"].category is ReasonCategory.UNPLANNED_STOP
    assert tree["No work"].category is ReasonCategory.NO_WORK
    assert tree["changeover"].category is ReasonCategory.CHANGEOVER  # the seed's, once
    assert "quality/surface" in tree and "planned stop/meeting" in tree
    assert [(s.start, s.end, s.days) for s in shifts] == [
        (time(7), time(19), "12345"),
        (time(19), time(7), "12345"),
    ]
    assert all(s.breaks == (calendar.BreakSpec(240, 30),) for s in shifts)
