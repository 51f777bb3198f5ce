"""Taking back a scrap report (the kiosk's undo), on both backends: its exact negation,
once, by whoever made it or a supervisor; the counters and rollup follow, the log stays."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from leanops_desktop.core.actor import Actor
from leanops_desktop.core.errors import NotFound, RuleViolation, ValidationError
from leanops_desktop.db.engine import Database
from leanops_desktop.db.models import EventLog, Job, StationAssignment, ThroughputRollup
from leanops_desktop.db.oee_models import ScrapLog
from leanops_desktop.services.quality.scrap import ScrapReport, report_scrap
from leanops_desktop.services.quality.scrap_correction import ScrapCorrection, correct_scrap
from tests.test_quality import running  # noqa: F401 (the fixture)


def _scrap(db: Database, actor: Actor, qty: int) -> uuid.UUID:
    report_id = uuid.uuid4()
    with db.session() as session:
        report_scrap(session, actor, ScrapReport("ST-01", "JOB-1", qty, "quality/surface",
                                                 report_id))
    return report_id


def _figures(db: Database) -> tuple[int, int, int, int]:
    """(scrap logs, assignment's qty_scrap, job's qty_scrapped, rollup's scrap_units)."""
    with db.session() as session:
        logs = session.scalar(select(func.count()).select_from(ScrapLog))
        here = session.scalars(select(StationAssignment.qty_scrap)).one()
        job = session.scalar(select(Job.qty_scrapped).where(Job.id == "JOB-1"))
        rollup = session.scalar(select(func.sum(ThroughputRollup.scrap_units)))
    return int(logs or 0), int(here), int(job or 0), int(rollup or 0)


def test_a_scrap_report_is_taken_back_once_and_the_counters_follow(
    running: Database, operator: Actor  # noqa: F811
) -> None:
    report = _scrap(running, operator, 4)
    kept = _scrap(running, operator, 1)
    undo = ScrapCorrection(uuid.uuid4(), report)
    with running.session() as session:
        assert correct_scrap(session, operator, undo) is True
        assert correct_scrap(session, operator, undo) is False  # a retry counts once
        with pytest.raises(RuleViolation, match="already been taken back"):
            correct_scrap(session, operator, ScrapCorrection(uuid.uuid4(), report))
        with pytest.raises(RuleViolation, match="correction cannot"):
            correct_scrap(session, operator, ScrapCorrection(uuid.uuid4(), undo.correction_id))
        with pytest.raises(ValidationError, match="correction id"):
            correct_scrap(session, operator, ScrapCorrection(undo.correction_id, kept))
        with pytest.raises(NotFound):
            correct_scrap(session, operator, ScrapCorrection(uuid.uuid4(), uuid.uuid4()))
    assert _figures(running) == (3, 1, 1, 1)  # report, correction and the kept one
    with running.session() as session:
        [event] = session.scalars(
            select(EventLog).where(EventLog.event_type == "scrap_corrected")
        ).all()
        log = session.get(ScrapLog, undo.correction_id)
    assert log is not None and (log.qty_scrapped, log.corrects_id) == (-4, report)
    assert event.actor == operator.email and event.meta["qty"] == -4
    assert event.meta["corrects_id"] == str(report)


def test_someone_elses_scrap_is_taken_back_by_a_supervisor_only(
    running: Database, operator: Actor, supervisor: Actor, admin: Actor  # noqa: F811
) -> None:
    report = _scrap(running, admin, 2)
    with running.session() as session, pytest.raises(RuleViolation, match="own scrap"):
        correct_scrap(session, operator, ScrapCorrection(uuid.uuid4(), report))
    assert _figures(running) == (1, 2, 2, 2)
    with running.session() as session:
        assert correct_scrap(session, supervisor, ScrapCorrection(uuid.uuid4(), report))
    assert _figures(running) == (2, 0, 0, 0)
