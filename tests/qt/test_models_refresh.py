"""apply_changes against a real database (SQLite and PostgreSQL) after real service calls:
only the changed rows are re-read, with one signal per changed row and no reset."""

from __future__ import annotations

from uuid import uuid4

import pytest

from leanops_desktop.core.actor import Actor
from leanops_desktop.core.enums import JobStatus, StationStatus
from leanops_desktop.db.engine import Database
from leanops_desktop.qt.models import (
    AssignmentTableModel,
    EventTableModel,
    FloorModels,
    JobTableModel,
    RowFilter,
    StationTableModel,
    apply_changes,
)
from leanops_desktop.qt.models.refresh import FloorRows
from leanops_desktop.services.floor import dispatch, jobs, stations
from leanops_desktop.services.reads import history, queries
from leanops_desktop.services.reporting import production
from tests.factories import make_job, make_station
from tests.qt.test_models_rows import SignalLog


def load_floor(db: Database) -> FloorModels:
    floor = FloorModels(
        stations=StationTableModel(),
        jobs=JobTableModel(),
        assignments=AssignmentTableModel(),
        events=EventTableModel(),
    )
    with db.session() as session:
        floor.stations.set_rows(queries.list_stations(session))
        floor.jobs.set_rows(queries.list_jobs(session))
        floor.assignments.set_rows(queries.list_assignments(session))
        floor.events.set_rows(history.list_events(session))
    return floor


@pytest.fixture
def plant(db: Database, supervisor: Actor) -> Database:
    make_station(db, supervisor, "ST-01", "Line A")
    make_station(db, supervisor, "ST-02", "Line B")
    make_job(db, supervisor, "JOB-0001", qty_total=100)
    make_job(db, supervisor, "JOB-0002", qty_total=50, due_in_days=3)
    return db


def logs_of(floor: FloorModels) -> dict[str, SignalLog]:
    return {
        "stations": SignalLog(floor.stations),
        "jobs": SignalLog(floor.jobs),
        "assignments": SignalLog(floor.assignments),
        "events": SignalLog(floor.events),
    }


def assign(db: Database, actor: Actor, job_id: str, station_id: str) -> str:
    with db.session() as session:
        return str(dispatch.assign_job(session, actor, job_id, station_id).id)


def test_an_assignment_refreshes_its_station_and_job(
    qapp: object, plant: Database, supervisor: Actor
) -> None:
    floor = load_floor(plant)
    logs = logs_of(floor)
    assignment_id = assign(plant, supervisor, "JOB-0001", "ST-01")

    apply_changes(plant, floor, {"station_assignments": {assignment_id}})

    station = floor.stations.row_for_key("ST-01")
    assert station is not None and station.status == StationStatus.RUNNING
    assert station.current_job_id == "JOB-0001"
    job = floor.jobs.row_for_key("JOB-0001")
    assert job is not None and job.status == JobStatus.RUNNING and job.station_ids == ("ST-01",)
    assert floor.assignments.keys() == [floor.assignments.row_at(0).id]
    st_row = floor.stations.row_number("ST-01")
    job_row = floor.jobs.row_number("JOB-0001")
    assert logs["stations"].events == [("changed", st_row, st_row)]
    assert logs["jobs"].events == [("changed", job_row, job_row)]
    assert logs["assignments"].events == [("inserted", 0, 0)]
    assert logs["events"].events == []  # not asked for: events come with their own keys


def test_a_report_refreshes_progress_everywhere(
    qapp: object, plant: Database, supervisor: Actor, operator: Actor
) -> None:
    assign(plant, supervisor, "JOB-0001", "ST-01")
    floor = load_floor(plant)
    logs = logs_of(floor)
    with plant.session() as session:
        result = production.report_quantity(
            session, operator, station_id="ST-01", job_id="JOB-0001", qty=25, report_id=uuid4()
        )

    apply_changes(plant, floor, {"performance_logs": {str(result.log_id)}})

    job = floor.jobs.row_for_key("JOB-0001")
    station = floor.stations.row_for_key("ST-01")
    running = floor.assignments.row_at(0)
    assert job is not None and job.qty_done == 25
    assert station is not None and (station.assignment_qty_done, station.job_qty_done) == (25, 25)
    assert (running.qty_done, running.job_qty_done) == (25, 25)
    for name in ("stations", "jobs", "assignments"):
        events = logs[name].events
        assert len(events) == 1 and events[0][0] == "changed", (name, events)
    assert floor.jobs.index_for_key("JOB-0001", 5).data() == "25 / 100"


def test_completing_a_job_removes_its_assignment(
    qapp: object, plant: Database, supervisor: Actor
) -> None:
    assignment_id = assign(plant, supervisor, "JOB-0001", "ST-01")
    floor = load_floor(plant)
    logs = logs_of(floor)
    with plant.session() as session:
        dispatch.complete_job(session, supervisor, "JOB-0001")

    apply_changes(plant, floor, {"jobs": {"JOB-0001"}})  # derived: its station and assignment

    assert floor.assignments.rowCount() == 0
    assert logs["assignments"].events == [("removed", 0, 0)]
    station = floor.stations.row_for_key("ST-01")
    assert station is not None and station.status == StationStatus.IDLE
    assert station.current_job_id is None
    job = floor.jobs.row_for_key("JOB-0001")
    assert job is not None and job.status == JobStatus.COMPLETED
    assert floor.assignments.total_count() == 0
    assert assignment_id not in {str(row.id) for row in floor.assignments.all_rows()}


def test_new_and_edited_jobs_reach_every_view(
    qapp: object, plant: Database, supervisor: Actor
) -> None:
    assign(plant, supervisor, "JOB-0002", "ST-02")
    floor = load_floor(plant)
    logs = logs_of(floor)
    make_job(plant, supervisor, "JOB-0003")
    with plant.session() as session:
        jobs.update_job(session, supervisor, "JOB-0002", part_name="Hinge plate")

    apply_changes(plant, floor, {"jobs": {"JOB-0003", "JOB-0002"}})

    assert floor.jobs.row_for_key("JOB-0003") is not None
    assert [event[0] for event in logs["jobs"].events].count("inserted") == 1
    station = floor.stations.row_for_key("ST-02")
    assert station is not None and station.current_part_name == "Hinge plate"
    assert floor.assignments.row_at(0).part_name == "Hinge plate"
    assert logs["assignments"].events == [("changed", 0, 0)]


def test_a_station_edit_reaches_its_assignment(
    qapp: object, plant: Database, supervisor: Actor
) -> None:
    assign(plant, supervisor, "JOB-0001", "ST-01")
    floor = load_floor(plant)
    with plant.session() as session:
        stations.update_station(session, supervisor, "ST-01", line="Line C")
    apply_changes(plant, floor, {"stations": {"ST-01"}})
    assert floor.assignments.row_at(0).line == "Line C"
    station = floor.stations.row_for_key("ST-01")
    assert station is not None and station.line == "Line C"


def test_filtered_views_follow_changes(qapp: object, plant: Database, supervisor: Actor) -> None:
    floor = load_floor(plant)
    floor.jobs.set_filter(RowFilter(status="waiting"))
    floor.stations.set_filter(RowFilter(status="running"))
    assert floor.jobs.rowCount() == 2 and floor.stations.rowCount() == 0
    job_row = floor.jobs.row_number("JOB-0001")
    assert job_row is not None
    logs = logs_of(floor)
    assignment_id = assign(plant, supervisor, "JOB-0001", "ST-01")
    apply_changes(plant, floor, {"station_assignments": {assignment_id}})
    assert floor.jobs.keys() == ["JOB-0002"]  # running now: no longer waiting
    assert floor.stations.keys() == ["ST-01"]  # running now
    assert logs["jobs"].events == [("removed", job_row, job_row)]
    assert logs["stations"].events == [("inserted", 0, 0)]


def test_events_listeners_and_unknown_keys(
    qapp: object, plant: Database, supervisor: Actor
) -> None:
    floor = load_floor(plant)
    heard: list[FloorRows] = []
    floor.listeners.append(heard.append)
    before = floor.events.total_count()
    with plant.session() as session:
        stations.block_station(session, supervisor, "ST-02", "material")
        newest = history.list_events(session, limit=1)[0]
    changes = {
        "events_log": {str(newest.id), "not-a-uuid"},
        "stations": {"ST-02", "ST-99"},  # ST-99 does not exist: nothing to show, no error
        "users": {str(uuid4())},
    }
    apply_changes(plant, floor, changes)
    assert floor.events.total_count() == before + 1
    assert floor.events.row_for_key(newest.id) == newest
    station = floor.stations.row_for_key("ST-02")
    assert station is not None and station.status == StationStatus.BLOCKED
    assert floor.stations.row_for_key("ST-99") is None
    assert [rows.changes for rows in heard] == [changes]
    assert [event.id for event in heard[0].events] == [newest.id]  # listeners get the rows
