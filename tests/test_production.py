"""Quantity reports: counted once per client-made id, atomic, corrected never deleted."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from leanops_desktop.core.actor import Actor
from leanops_desktop.core.errors import OverReportNotConfirmed, RuleViolation, ValidationError
from leanops_desktop.db.engine import Database
from leanops_desktop.db.models import EventLog, PerformanceLog
from leanops_desktop.services.floor import dispatch
from leanops_desktop.services.reads import history, queries
from leanops_desktop.services.reporting import production
from tests.factories import make_job, make_station


@pytest.fixture
def running(db: Database, supervisor: Actor) -> Database:
    make_station(db, supervisor, "ST-01")
    make_station(db, supervisor, "ST-02")
    make_job(db, supervisor, "JOB-1001", qty_total=10)
    with db.session() as session:
        dispatch.assign_job(session, supervisor, "JOB-1001", "ST-01")
    return db


def report(
    db: Database, actor: Actor, qty: int, report_id: uuid.UUID | None = None, **kwargs: object
) -> production.ReportResult:
    with db.session() as session:
        return production.report_quantity(
            session,
            actor,
            station_id="ST-01",
            job_id="JOB-1001",
            qty=qty,
            report_id=report_id or uuid.uuid4(),
            **kwargs,  # type: ignore[arg-type]
        )


def test_reports_add_up(running: Database, operator: Actor) -> None:
    assert report(running, operator, 3).assignment_qty_done == 3
    result = report(running, operator, 4)
    assert (result.counted, result.assignment_qty_done, result.job_qty_done) == (True, 7, 7)
    with running.session() as session:
        assert queries.job_progress(session, "JOB-1001").qty_done == 7
        assert queries.job_progress(session, "JOB-1001").remaining == 3


def test_the_same_report_id_counts_once(running: Database, operator: Actor) -> None:
    report_id = uuid.uuid4()
    first = report(running, operator, 5, report_id)
    again = report(running, operator, 5, report_id)
    assert first.counted and not again.counted
    assert again.assignment_qty_done == 5
    with running.session() as session:
        assert session.scalar(select(func.count()).select_from(PerformanceLog)) == 1
        reported = session.scalar(select(func.count()).where(EventLog.event_type == "qty_reported"))
        assert reported == 1
    with pytest.raises(ValidationError, match="different report"):
        report(running, operator, 6, report_id)


def test_over_reporting_needs_confirmation_which_the_event_records(
    running: Database, operator: Actor
) -> None:
    report(running, operator, 8)
    with pytest.raises(OverReportNotConfirmed, match="11 of 10"):
        report(running, operator, 3)
    assert report(running, operator, 3, confirm_over=True).job_qty_done == 11
    with running.session() as session:
        flags = session.scalars(
            select(EventLog.meta).where(EventLog.event_type == "qty_reported")
        ).all()
    assert sorted(meta["over_reported"] for meta in flags) == [False, True]


def test_a_report_for_a_job_that_moved_away_is_refused(
    running: Database, operator: Actor, supervisor: Actor
) -> None:
    with running.session() as session:
        dispatch.move_job(session, supervisor, "JOB-1001", "ST-01", "ST-02")
    with pytest.raises(RuleViolation, match="not running on station ST-01 any more"):
        report(running, operator, 1)


def test_a_correction_takes_a_report_back_without_deleting_it(
    running: Database, operator: Actor
) -> None:
    first = report(running, operator, 4)
    report(running, operator, 2)
    with running.session() as session:
        corrected = production.correct_report(
            session, operator, log_id=first.log_id, correction_id=uuid.uuid4()
        )
        assert (corrected.assignment_qty_done, corrected.job_qty_done) == (2, 2)
        with pytest.raises(RuleViolation, match="already been taken back"):
            production.correct_report(
                session, operator, log_id=first.log_id, correction_id=uuid.uuid4()
            )
        logs = history.list_performance(session, job_id="JOB-1001")
    assert sorted(log.qty_completed for log in logs) == [-4, 2, 4]


def test_a_late_report_names_who_tapped(running: Database, operator: Actor, admin: Actor) -> None:
    from sqlalchemy import select as sql_select

    from leanops_desktop.services.accounts import users

    night = f"night.shift-{uuid.uuid4().hex[:8]}@plant.test"
    with running.session() as session:
        users.add_user(session, admin, email=night, role="operator", password="Night-Shift-Pw-1")
    report(running, operator, 1, reported_by=night)
    report(running, operator, 1, reported_by=operator.email)
    with running.session() as session:
        metas = session.scalars(
            sql_select(EventLog.meta)
            .where(EventLog.event_type == "qty_reported")
            .order_by(EventLog.timestamp)
        ).all()
    assert metas[0]["reported_by"] == night
    assert "reported_by" not in metas[1]


def test_who_tapped_must_be_an_active_user(
    running: Database, operator: Actor, admin: Actor
) -> None:
    from leanops_desktop.services.accounts import users

    gone = f"gone-{uuid.uuid4().hex[:8]}@plant.test"
    with running.session() as session:
        users.add_user(session, admin, email=gone, role="operator", password="Gone-User-Pw-1")
        users.set_active(session, admin, gone, False)
    not_a_user = "reported by: is not the email of an active"
    for forged, reason in (
        ("night.shift@plant.test", not_a_user),
        (gone, not_a_user),
        ("olga", not_a_user),
        ("x" * 300, "reported by: .* is too long"),
    ):
        with pytest.raises(ValidationError, match=reason):
            report(running, operator, 1, reported_by=forged)
    with running.session() as session:
        assert session.scalar(select(func.count()).select_from(PerformanceLog)) == 0
        assert queries.job_progress(session, "JOB-1001").qty_done == 0


def test_a_batch_judges_each_report_on_its_own(running: Database, operator: Actor) -> None:
    from leanops_desktop.core.errors import NotFound
    from leanops_desktop.services.reporting.report_request import ReportRequest

    first, other = uuid.uuid4(), uuid.uuid4()
    requests = [
        ReportRequest("ST-01", "JOB-1001", 2, first),
        ReportRequest("ST-99", "JOB-1001", 1, uuid.uuid4()),  # unknown station
        ReportRequest("ST-01", "JOB-1001", 9, uuid.uuid4()),  # 11 of 10: not confirmed
        ReportRequest("ST-01", "JOB-1001", 0, uuid.uuid4()),  # not a quantity
        ReportRequest("ST-02", "JOB-1001", 1, uuid.uuid4()),  # the job is not on ST-02
        ReportRequest("ST-01", "JOB-1001", 3, other),
        ReportRequest("ST-01", "JOB-1001", 2, first),  # the same report again
        ReportRequest("ST-01", "JOB-1001", 4, first),  # its id with other content
        ReportRequest("ST-01", "JOB-1001", 6, uuid.uuid4(), confirm_over=True),
    ]
    with running.session() as session:
        outcomes = production.report_quantities(session, operator, requests)
    kinds = [type(outcome).__name__ for outcome in outcomes]
    assert kinds == [
        "ReportResult",
        "NotFound",
        "OverReportNotConfirmed",
        "ValidationError",
        "RuleViolation",
        "ReportResult",
        "ReportResult",
        "ValidationError",
        "ReportResult",
    ]
    counted = [o.counted for o in outcomes if isinstance(o, production.ReportResult)]
    assert counted == [True, True, False, True]
    last = outcomes[-1]
    assert isinstance(last, production.ReportResult)
    assert (last.assignment_qty_done, last.job_qty_done) == (11, 11)
    missing = outcomes[1]
    assert isinstance(missing, NotFound) and missing.key == "ST-99"
    assert "11 of 10" in str(outcomes[2]) and "at least 1" in str(outcomes[3])
    assert "report id: was already used" in str(outcomes[7])
    with running.session() as session:
        logs = session.execute(select(PerformanceLog.id, PerformanceLog.qty_completed)).all()
        events = session.scalar(select(func.count()).where(EventLog.event_type == "qty_reported"))
    assert sorted(qty for _id, qty in logs) == [2, 3, 6] and events == 3


def test_an_empty_batch_sends_nothing(running: Database, operator: Actor) -> None:
    with running.session() as session:
        assert production.report_quantities(session, operator, []) == []


def test_an_operator_takes_a_report_back_only_within_the_undo_window(
    running: Database, operator: Actor, supervisor: Actor
) -> None:
    from datetime import UTC, datetime, timedelta

    from leanops_desktop.db.engine import write_transaction

    old_id = uuid.uuid4()
    with running.session() as session, write_transaction(session):
        session.add(
            PerformanceLog(
                id=old_id,
                station_id="ST-01",
                job_id="JOB-1001",
                qty_completed=3,
                timestamp=datetime.now(UTC) - production.UNDO_WINDOW - timedelta(minutes=1),
            )
        )
    fresh = report(running, operator, 2)
    with running.session() as session:
        with pytest.raises(RuleViolation, match="more than 15 minutes ago: only a supervisor"):
            production.correct_report(session, operator, log_id=old_id, correction_id=uuid.uuid4())
        assert session.scalar(select(func.count()).select_from(PerformanceLog)) == 2
        undone = production.correct_report(
            session, operator, log_id=fresh.log_id, correction_id=uuid.uuid4()
        )
        assert (undone.counted, undone.job_qty_done) == (True, 3)
        late = production.correct_report(
            session, supervisor, log_id=old_id, correction_id=uuid.uuid4()
        )
        assert (late.counted, late.assignment_qty_done, late.job_qty_done) == (True, 0, 0)
        assert queries.job_progress(session, "JOB-1001").qty_done == 0
