"""The rules of the floor: assign, unassign, move, complete, block and unblock."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import select

from leanops_desktop.core.actor import Actor
from leanops_desktop.core.enums import JobStatus, StationStatus
from leanops_desktop.core.errors import NotFound, PermissionDenied, RuleViolation
from leanops_desktop.db.engine import Database
from leanops_desktop.db.models import EventLog
from leanops_desktop.services.floor import dispatch, stations
from leanops_desktop.services.reads import queries
from leanops_desktop.services.reporting import production
from tests.factories import make_job, make_station


def events(db: Database) -> list[EventLog]:
    with db.session() as session:
        return list(session.scalars(select(EventLog).order_by(EventLog.timestamp)))


def last_event(db: Database, event_type: str) -> dict[str, Any]:
    matching = [event for event in events(db) if event.event_type == event_type]
    assert len(matching) == 1, [event.event_type for event in events(db)]
    return {
        "station_id": matching[0].station_id,
        "job_id": matching[0].job_id,
        "actor": matching[0].actor,
        **matching[0].meta,
    }


@pytest.fixture
def floor(db: Database, supervisor: Actor) -> Database:
    for station_id, line in (("ST-01", "Line A"), ("ST-02", "Line A"), ("ST-03", "Line B")):
        make_station(db, supervisor, station_id, line)
    make_job(db, supervisor, "JOB-1001", qty_total=50)
    make_job(db, supervisor, "JOB-1002", qty_total=20, priority="high")
    return db


def test_assign_sets_station_and_job_running(floor: Database, supervisor: Actor) -> None:
    with floor.session() as session:
        row = dispatch.assign_job(session, supervisor, "JOB-1001", "ST-01")
        assert (row.station_id, row.job_id, row.qty_done) == ("ST-01", "JOB-1001", 0)
        assert queries.get_station(session, "ST-01").status == StationStatus.RUNNING
        assert queries.get_station(session, "ST-01").current_job_id == "JOB-1001"
        assert queries.get_job(session, "JOB-1001").status == JobStatus.RUNNING
    event = last_event(floor, "job_assigned")
    assert event["actor"] == supervisor.email
    assert event["old"]["job_status"] == "waiting"
    assert event["new"] == {"job_status": "running", "station_status": "running"}


def test_a_job_may_run_on_several_stations(floor: Database, supervisor: Actor) -> None:
    with floor.session() as session:
        dispatch.assign_job(session, supervisor, "JOB-1001", "ST-01")
        dispatch.assign_job(session, supervisor, "JOB-1001", "ST-02")
        assert queries.get_job(session, "JOB-1001").station_ids == ("ST-01", "ST-02")


def test_a_station_works_on_one_job(floor: Database, supervisor: Actor) -> None:
    with floor.session() as session:
        dispatch.assign_job(session, supervisor, "JOB-1001", "ST-01")
        with pytest.raises(RuleViolation, match="already working"):
            dispatch.assign_job(session, supervisor, "JOB-1002", "ST-01")
        assert queries.get_job(session, "JOB-1002").status == JobStatus.WAITING


def test_inactive_and_blocked_stations_cannot_be_assigned(
    floor: Database, supervisor: Actor
) -> None:
    with floor.session() as session:
        stations.set_station_active(session, supervisor, "ST-02", False)
        with pytest.raises(RuleViolation, match="not in use"):
            dispatch.assign_job(session, supervisor, "JOB-1001", "ST-02")
        stations.block_station(session, supervisor, "ST-03", "maintenance")
        with pytest.raises(RuleViolation, match="blocked"):
            dispatch.assign_job(session, supervisor, "JOB-1001", "ST-03")


def test_unassigning_the_last_station_returns_the_job_to_waiting(
    floor: Database, supervisor: Actor
) -> None:
    with floor.session() as session:
        dispatch.assign_job(session, supervisor, "JOB-1001", "ST-01")
        dispatch.assign_job(session, supervisor, "JOB-1001", "ST-02")
        dispatch.unassign_job(session, supervisor, "ST-01")
        assert queries.get_job(session, "JOB-1001").status == JobStatus.RUNNING
        assert queries.get_station(session, "ST-01").status == StationStatus.IDLE
        dispatch.unassign_job(session, supervisor, "ST-02")
        assert queries.get_job(session, "JOB-1001").status == JobStatus.WAITING
        with pytest.raises(RuleViolation, match="no job"):
            dispatch.unassign_job(session, supervisor, "ST-02")
        with pytest.raises(NotFound):
            dispatch.unassign_job(session, supervisor, "ST-99")


def test_move_keeps_the_history_and_restarts_the_count(
    floor: Database, supervisor: Actor, operator: Actor
) -> None:
    with floor.session() as session:
        dispatch.assign_job(session, supervisor, "JOB-1001", "ST-01")
        production.report_quantity(
            session,
            operator,
            station_id="ST-01",
            job_id="JOB-1001",
            qty=7,
            report_id=uuid.uuid4(),
        )
        moved = dispatch.move_job(session, supervisor, "JOB-1001", "ST-01", "ST-03")
        assert (moved.station_id, moved.qty_done, moved.job_qty_done) == ("ST-03", 0, 7)
        assert queries.get_station(session, "ST-01").status == StationStatus.IDLE
        assert queries.get_station(session, "ST-03").status == StationStatus.RUNNING
        with pytest.raises(RuleViolation, match="not running on station ST-01"):
            dispatch.move_job(session, supervisor, "JOB-1001", "ST-01", "ST-02")
    event = last_event(floor, "job_moved")
    assert (event["old"], event["new"]) == ({"station_id": "ST-01"}, {"station_id": "ST-03"})
    assert event["qty_done_at_source"] == 7


def test_complete_ends_every_assignment(floor: Database, supervisor: Actor) -> None:
    with floor.session() as session:
        dispatch.assign_job(session, supervisor, "JOB-1001", "ST-01")
        dispatch.assign_job(session, supervisor, "JOB-1001", "ST-02")
        stations.block_station(session, supervisor, "ST-02", "tooling")
        job = dispatch.complete_job(session, supervisor, "JOB-1001")
        assert job.status == JobStatus.COMPLETED and job.station_ids == ()
        assert queries.list_assignments(session) == []
        assert queries.get_station(session, "ST-01").status == StationStatus.IDLE
        assert queries.get_station(session, "ST-02").status == StationStatus.BLOCKED
        with pytest.raises(RuleViolation, match="already completed"):
            dispatch.complete_job(session, supervisor, "JOB-1001")
        with pytest.raises(RuleViolation, match="completed"):
            dispatch.assign_job(session, supervisor, "JOB-1001", "ST-01")
    event = last_event(floor, "job_completed")
    assert event["short_by"] == 50 and event["old"]["stations"] == ["ST-01", "ST-02"]


def test_operator_completes_only_on_their_station(
    floor: Database, supervisor: Actor, operator: Actor
) -> None:
    with floor.session() as session:
        dispatch.assign_job(session, supervisor, "JOB-1001", "ST-01")
        with pytest.raises(RuleViolation, match="kiosk"):
            dispatch.complete_job(session, operator, "JOB-1001")
        with pytest.raises(RuleViolation, match="not running on station ST-02"):
            dispatch.complete_job(session, operator, "JOB-1001", station_id="ST-02")
        done = dispatch.complete_job(session, operator, "JOB-1001", station_id="ST-01")
        assert done.status == JobStatus.COMPLETED


def test_operators_may_not_dispatch(floor: Database, operator: Actor) -> None:
    with floor.session() as session, pytest.raises(PermissionDenied, match="supervisor"):
        dispatch.assign_job(session, operator, "JOB-1001", "ST-01")
    assert events(floor)[-1].event_type == "job_created"


def test_block_needs_a_reason_and_unblock_returns_to_the_right_state(
    floor: Database, supervisor: Actor, operator: Actor
) -> None:
    with floor.session() as session:
        dispatch.assign_job(session, supervisor, "JOB-1001", "ST-01")
        blocked = stations.block_station(session, operator, "ST-01", "material")
        assert (blocked.status, blocked.blocked_reason) == (StationStatus.BLOCKED, "material")
        with pytest.raises(RuleViolation, match="already blocked"):
            stations.block_station(session, operator, "ST-01", "again")
        assert stations.unblock_station(session, operator, "ST-01").status == StationStatus.RUNNING
        stations.block_station(session, operator, "ST-02", "no operator")
        assert stations.unblock_station(session, operator, "ST-02").status == StationStatus.IDLE
        with pytest.raises(RuleViolation, match="not blocked"):
            stations.unblock_station(session, operator, "ST-02")
    blocked_events = [e for e in events(floor) if e.event_type == "station_blocked"]
    assert [e.meta["reason"] for e in blocked_events] == ["material", "no operator"]


def test_a_station_with_a_job_cannot_be_deactivated(floor: Database, supervisor: Actor) -> None:
    with floor.session() as session:
        dispatch.assign_job(session, supervisor, "JOB-1001", "ST-01")
        with pytest.raises(RuleViolation, match="unassign or move it first"):
            stations.set_station_active(session, supervisor, "ST-01", False)
        assert queries.get_station(session, "ST-01").is_active


def test_queue_lists_waiting_jobs_high_priority_first(floor: Database, supervisor: Actor) -> None:
    make_job(floor, supervisor, "JOB-1003", due_in_days=1)
    with floor.session() as session:
        dispatch.assign_job(session, supervisor, "JOB-1001", "ST-01")
        queue = queries.station_queue(session, "ST-02")
        assert [job.id for job in queue] == ["JOB-1002", "JOB-1003"]
        assert queries.current_assignment(session, "ST-02") is None
        current = queries.current_assignment(session, "ST-01")
        assert current is not None and current.job_id == "JOB-1001"
