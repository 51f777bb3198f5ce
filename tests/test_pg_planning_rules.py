"""Planning on PostgreSQL: the database refuses through raw SQL whatever the services refuse.

Migration 0010 takes direct INSERT, UPDATE and DELETE away from the LeanOps groups; each test
here revokes them first in its own database (as 0010 will), so everything a supervisor does
goes through the functions of migration 0009, as a real LOGIN role of its group.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from leanops_desktop.core.actor import Actor
from leanops_desktop.core.enums import Role
from leanops_desktop.core.errors import (
    AlreadyExists,
    LeanOpsError,
    NotFound,
    PermissionDenied,
    RuleViolation,
    ValidationError,
)
from leanops_desktop.core.validation import MAX_NAME_LENGTH, MAX_QTY_TOTAL, check_id, check_text
from leanops_desktop.db.engine import Database, open_database
from leanops_desktop.db.models import EventLog, Job, Station, StationAssignment
from leanops_desktop.services.accounts import pg_auth, users
from leanops_desktop.services.accounts.signed_in import SignedIn
from leanops_desktop.services.floor import dispatch, jobs, stations
from tests.conftest import copy_sqlite
from tests.factories import make_job, make_station
from tests.pg_clients import REVOKE_DIRECT_WRITES, connect_as

pytestmark = [pytest.mark.postgres, pytest.mark.parametrize("backend", ["postgresql"])]

GROUPS = ("operator", "supervisor", "admin")
PASSWORD = "Planning-Pw-3e9a"
PLANNING_FUNCTIONS = (
    "leanops_create_job",
    "leanops_update_job",
    "leanops_create_station",
    "leanops_update_station",
    "leanops_set_station_active",
    "leanops_assign_job",
    "leanops_unassign_job",
    "leanops_move_job",
)

Connection = psycopg.Connection[tuple[Any, ...]]


@dataclass(frozen=True)
class Plant:
    url: str
    emails: dict[str, str]
    it: Database  # IT's own account (the test server's superuser)

    def connect(self, role: str) -> Connection:
        """A raw autocommit connection as the group's real LOGIN role."""
        return connect_as(self.url, self.emails[role], PASSWORD)

    def sign_in(self, role: str) -> SignedIn:
        return pg_auth.sign_in_postgres(make_url(self.url), self.emails[role], PASSWORD)


@pytest.fixture
def plant(db: Database, db_url: str, admin: Actor) -> Plant:
    tag = uuid.uuid4().hex[:8]
    emails = {role: f"{role}-{tag}@plant.test" for role in GROUPS}
    with db.session() as session:
        for role, email in emails.items():
            users.add_user(session, admin, email=email, role=role, password=PASSWORD)
    with db.engine.begin() as connection:
        connection.execute(text(REVOKE_DIRECT_WRITES))
    return Plant(url=db_url, emails=emails, it=db)


@pytest.fixture
def floor(plant: Plant, admin: Actor) -> Plant:
    """ST-01 runs JOB-R, ST-02 idle, ST-03 out of use, ST-04 blocked, ST-05 runs JOB-B;
    JOB-W waits, JOB-C is completed. Made by IT, whose writes the revoke does not touch."""
    for station_id in ("ST-01", "ST-02", "ST-03", "ST-04", "ST-05"):
        make_station(plant.it, admin, station_id)
    for job_id in ("JOB-R", "JOB-W", "JOB-C", "JOB-B"):
        make_job(plant.it, admin, job_id)
    with plant.it.session() as session:
        dispatch.assign_job(session, admin, "JOB-R", "ST-01")
        dispatch.assign_job(session, admin, "JOB-B", "ST-05")
        dispatch.assign_job(session, admin, "JOB-C", "ST-02")
        dispatch.complete_job(session, admin, "JOB-C")
        stations.set_station_active(session, admin, "ST-03", False)
        stations.block_station(session, admin, "ST-04", "maintenance")
    return plant


@pytest.fixture
def signed_in(plant: Plant) -> Iterator[dict[str, SignedIn]]:
    sessions = {role: plant.sign_in(role) for role in GROUPS}
    yield sessions
    for signed in sessions.values():
        signed.db.dispose()


def snapshot(plant: Plant) -> dict[str, Any]:
    """Everything a planning call could have written."""
    with plant.it.engine.connect() as connection:
        return {
            table: connection.execute(text(f"SELECT * FROM {table} ORDER BY 1")).all()
            for table in ("stations", "jobs", "station_assignments", "events_log", "change_feed")
        }


# -- the supervisor's work, through the functions only -------------------------------------


def test_direct_writes_are_revoked_in_the_test_database(floor: Plant) -> None:
    with floor.connect("supervisor") as connection:
        for statement in (
            "UPDATE jobs SET priority = 'high' WHERE id = 'JOB-W'",
            "INSERT INTO stations (id, name, line) VALUES ('ST-X', 'x', 'L')",
            "DELETE FROM station_assignments",
            "INSERT INTO events_log (id, event_type, meta) VALUES (gen_random_uuid(), 'x', '{}')",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                connection.execute(statement)


def test_a_supervisor_plans_through_the_services_without_table_grants(
    floor: Plant, signed_in: dict[str, SignedIn]
) -> None:
    supervisor = signed_in["supervisor"]
    me = supervisor.actor
    with supervisor.db.session() as session:
        created = stations.create_station(
            session, me, station_id="ST-10", name="Press 10", line="Line C"
        )
        assert (created.status, created.is_active) == ("idle", True)
        assert stations.update_station(session, me, "ST-10", name="Press ten").name == "Press ten"
        assert not stations.set_station_active(session, me, "ST-10", False).is_active
        assert stations.set_station_active(session, me, "ST-10", True).is_active
        job = jobs.create_job(
            session,
            me,
            job_id="JOB-10",
            part_name="Hinge",
            qty_total=30,
            due_date="2030-03-01",
            priority="high",
        )
        assert (job.status, job.priority) == ("waiting", "high")
        assert jobs.update_job(session, me, "JOB-10", qty_total=35).qty_total == 35
        assert jobs.set_job_priority(session, me, "JOB-10", "normal").priority == "normal"
        assert jobs.set_job_due_date(session, me, "JOB-10", "2030-04-01").due_date == date(
            2030, 4, 1
        )
        row = dispatch.assign_job(session, me, "JOB-10", "ST-10")
        assert (row.station_id, row.job_id, row.qty_done) == ("ST-10", "JOB-10", 0)
        moved = dispatch.move_job(session, me, "JOB-10", "ST-10", "ST-02")
        assert moved.station_id == "ST-02" and moved.id != row.id
        station = dispatch.unassign_job(session, me, "ST-02")
        assert station.status == "idle" and station.current_job_id is None
        assert jobs.update_job(session, me, "JOB-10", part_name="Hinge").part_name == "Hinge"
    with floor.it.session() as session:
        events = session.scalars(
            select(EventLog).where(EventLog.actor == me.email).order_by(EventLog.timestamp)
        ).all()
        assert session.get(Job, "JOB-10").status == "waiting"  # type: ignore[union-attr]
    assert [event.event_type for event in events] == [
        "station_created",
        "station_updated",
        "station_deactivated",
        "station_activated",
        "job_created",
        "job_updated",
        "job_updated",
        "job_updated",
        "job_assigned",
        "job_moved",
        "job_unassigned",
    ]  # the last edit changed nothing and wrote nothing
    assert all(event.meta["actor"] == me.email for event in events)
    assert all(event.meta["role"] == "supervisor" for event in events)


def test_the_database_names_the_actor_whatever_the_client_claims(floor: Plant) -> None:
    with floor.connect("supervisor") as connection:
        connection.execute(
            "SELECT public.leanops_create_station('ST-11', 'n', 'L', true, 'boss@plant.test',"
            " 'admin')"
        )
    with floor.it.session() as session:
        event = session.scalars(select(EventLog).where(EventLog.station_id == "ST-11")).one()
    assert event.actor == floor.emails["supervisor"]
    assert (event.meta["actor"], event.meta["role"]) == (floor.emails["supervisor"], "supervisor")


# -- the differential: every refusal of the services, as raw SQL -------------------------


Service = Callable[[Session, Actor], object]


@dataclass(frozen=True)
class Refusal:
    name: str
    sql: str
    params: tuple[Any, ...]
    sqlstate: str
    message: str
    service: Service | None  # the same through the services (None: Python cannot express it)
    error: type[LeanOpsError] = RuleViolation


DUE = date(2030, 1, 1)
CREATE_JOB = "SELECT public.leanops_create_job(%s, %s, %s, %s, %s)"
UPDATE_JOB = "SELECT public.leanops_update_job(%s, %s, %s, %s, %s)"
CREATE_STATION = "SELECT public.leanops_create_station(%s, %s, %s, %s)"
UPDATE_STATION = "SELECT public.leanops_update_station(%s, %s, %s)"
SET_ACTIVE = "SELECT public.leanops_set_station_active(%s, %s)"
ASSIGN = "SELECT public.leanops_assign_job(%s, %s)"
UNASSIGN = "SELECT public.leanops_unassign_job(%s)"
MOVE = "SELECT public.leanops_move_job(%s, %s, %s)"


def _create_job(
    job_id: str = "JOB-N", part: str = "p", qty: Any = 5, priority: str = "normal"
) -> Service:
    return lambda s, a: jobs.create_job(
        s, a, job_id=job_id, part_name=part, qty_total=qty, due_date=DUE, priority=priority
    )


def _create_station(station_id: str = "ST-N", name: str = "n", line: str = "L") -> Service:
    return lambda s, a: stations.create_station(s, a, station_id=station_id, name=name, line=line)


REFUSALS = [
    Refusal(
        "duplicate job id",
        CREATE_JOB,
        ("JOB-W", "p", 5, DUE, "normal"),
        "LP003",
        "job JOB-W already exists",
        _create_job("JOB-W"),
        AlreadyExists,
    ),
    Refusal(
        "duplicate station id",
        CREATE_STATION,
        ("ST-02", "n", "L", True),
        "LP003",
        "station ST-02 already exists",
        _create_station("ST-02"),
        AlreadyExists,
    ),
    Refusal(
        "bad job id",
        CREATE_JOB,
        ("bad id!", "p", 5, DUE, "normal"),
        "LP001",
        "job id: 'bad id!' is not a valid id",
        _create_job("bad id!"),
        ValidationError,
    ),
    Refusal(
        "blank station id",
        CREATE_STATION,
        ("   ", "n", "L", True),
        "LP001",
        "station id: must not be empty",
        _create_station("   "),
        ValidationError,
    ),
    Refusal(
        "qty_total zero",
        CREATE_JOB,
        ("JOB-N", "p", 0, DUE, "normal"),
        "LP001",
        "quantity: must be at least 1, got 0",
        _create_job(qty=0),
        ValidationError,
    ),
    Refusal(
        "qty_total above the maximum",
        CREATE_JOB,
        ("JOB-N", "p", MAX_QTY_TOTAL + 1, DUE, "normal"),
        "LP001",
        f"quantity: {MAX_QTY_TOTAL + 1} is more than the {MAX_QTY_TOTAL:,} allowed",
        _create_job(qty=MAX_QTY_TOTAL + 1),
        ValidationError,
    ),
    Refusal(
        "negative qty_total in an edit",
        UPDATE_JOB,
        ("JOB-W", None, -3, None, None),
        "LP001",
        "quantity: must be at least 1, got -3",
        lambda s, a: jobs.update_job(s, a, "JOB-W", qty_total=-3),
        ValidationError,
    ),
    Refusal(
        "bad priority",
        CREATE_JOB,
        ("JOB-N", "p", 5, DUE, "urgent"),
        "LP001",
        "priority: 'urgent' is not one of: normal, high",
        _create_job(priority="urgent"),
        ValidationError,
    ),
    Refusal(
        "bad priority in an edit",
        UPDATE_JOB,
        ("JOB-W", None, None, None, "HIGH"),
        "LP001",
        "priority: 'HIGH' is not one of: normal, high",
        lambda s, a: jobs.set_job_priority(s, a, "JOB-W", "HIGH"),
        ValidationError,
    ),
    Refusal(
        "blank part name",
        CREATE_JOB,
        ("JOB-N", " \t ", 5, DUE, "normal"),
        "LP001",
        "part name: must not be empty",
        _create_job(part=" \t "),
        ValidationError,
    ),
    Refusal(
        "station name too long",
        CREATE_STATION,
        ("ST-N", "x" * (MAX_NAME_LENGTH + 1), "L", True),
        "LP001",
        f"name: is {MAX_NAME_LENGTH + 1} characters long; at most {MAX_NAME_LENGTH} allowed",
        _create_station(name="x" * (MAX_NAME_LENGTH + 1)),
        ValidationError,
    ),
    Refusal(
        "control character in a line",
        UPDATE_STATION,
        ("ST-02", None, "Line\x07A"),
        "LP001",
        "line: must not contain control characters",
        lambda s, a: stations.update_station(s, a, "ST-02", line="Line\x07A"),
        ValidationError,
    ),
    Refusal(
        "an endless due date",
        CREATE_JOB,
        ("JOB-N", "p", 5, "infinity", "normal"),
        "LP001",
        "due date: 'infinity' is not a date between 0001-01-01 and 9999-12-31",
        None,
        ValidationError,
    ),
    Refusal(
        "editing a completed job",
        UPDATE_JOB,
        ("JOB-C", None, 9, None, None),
        "LP004",
        "job JOB-C is completed and can no longer be edited",
        lambda s, a: jobs.update_job(s, a, "JOB-C", qty_total=9),
        RuleViolation,
    ),
    Refusal(
        "editing an unknown job",
        UPDATE_JOB,
        ("JOB-X", "p", None, None, None),
        "LP002",
        "job JOB-X does not exist",
        lambda s, a: jobs.update_job(s, a, "JOB-X", part_name="p"),
        NotFound,
    ),
    Refusal(
        "editing an unknown station",
        UPDATE_STATION,
        ("ST-99", "n", None),
        "LP002",
        "station ST-99 does not exist",
        lambda s, a: stations.update_station(s, a, "ST-99", name="n"),
        NotFound,
    ),
    Refusal(
        "assigning to an inactive station",
        ASSIGN,
        ("JOB-W", "ST-03"),
        "LP004",
        "station ST-03 is not in use and cannot take a job",
        lambda s, a: dispatch.assign_job(s, a, "JOB-W", "ST-03"),
    ),
    Refusal(
        "assigning to a busy station",
        ASSIGN,
        ("JOB-W", "ST-01"),
        "LP004",
        "station ST-01 is already working on a job",
        lambda s, a: dispatch.assign_job(s, a, "JOB-W", "ST-01"),
    ),
    Refusal(
        "assigning to a blocked station",
        ASSIGN,
        ("JOB-W", "ST-04"),
        "LP004",
        "station ST-04 is blocked (maintenance): resume it first",
        lambda s, a: dispatch.assign_job(s, a, "JOB-W", "ST-04"),
    ),
    Refusal(
        "assigning a completed job",
        ASSIGN,
        ("JOB-C", "ST-02"),
        "LP004",
        "job JOB-C is completed and cannot be assigned",
        lambda s, a: dispatch.assign_job(s, a, "JOB-C", "ST-02"),
    ),
    Refusal(
        "assigning an unknown job",
        ASSIGN,
        ("JOB-X", "ST-02"),
        "LP002",
        "job JOB-X does not exist",
        lambda s, a: dispatch.assign_job(s, a, "JOB-X", "ST-02"),
        NotFound,
    ),
    Refusal(
        "assigning to an unknown station",
        ASSIGN,
        ("JOB-W", "ST-99"),
        "LP002",
        "station ST-99 does not exist",
        lambda s, a: dispatch.assign_job(s, a, "JOB-W", "ST-99"),
        NotFound,
    ),
    Refusal(
        "moving to a busy station",
        MOVE,
        ("JOB-R", "ST-01", "ST-05"),
        "LP004",
        "station ST-05 is already working on a job",
        lambda s, a: dispatch.move_job(s, a, "JOB-R", "ST-01", "ST-05"),
    ),
    Refusal(
        "moving to an inactive station",
        MOVE,
        ("JOB-R", "ST-01", "ST-03"),
        "LP004",
        "station ST-03 is not in use and cannot take a job",
        lambda s, a: dispatch.move_job(s, a, "JOB-R", "ST-01", "ST-03"),
    ),
    Refusal(
        "moving to the same station",
        MOVE,
        ("JOB-R", "ST-01", "ST-01"),
        "LP004",
        "a job cannot be moved to the station it is already on",
        lambda s, a: dispatch.move_job(s, a, "JOB-R", "ST-01", "ST-01"),
    ),
    Refusal(
        "moving a job from a station it is not on",
        MOVE,
        ("JOB-W", "ST-01", "ST-02"),
        "LP004",
        "job JOB-W is not running on station ST-01",
        lambda s, a: dispatch.move_job(s, a, "JOB-W", "ST-01", "ST-02"),
    ),
    Refusal(
        "moving to an unknown station",
        MOVE,
        ("JOB-R", "ST-01", "ST-99"),
        "LP002",
        "station ST-99 does not exist",
        lambda s, a: dispatch.move_job(s, a, "JOB-R", "ST-01", "ST-99"),
        NotFound,
    ),
    Refusal(
        "unassigning an idle station",
        UNASSIGN,
        ("ST-02",),
        "LP004",
        "station ST-02 has no job to unassign",
        lambda s, a: dispatch.unassign_job(s, a, "ST-02"),
    ),
    Refusal(
        "unassigning an unknown station",
        UNASSIGN,
        ("ST-99",),
        "LP002",
        "station ST-99 does not exist",
        lambda s, a: dispatch.unassign_job(s, a, "ST-99"),
        NotFound,
    ),
    Refusal(
        "deactivating a station that works on a job",
        SET_ACTIVE,
        ("ST-01", False),
        "LP004",
        "station ST-01 is working on a job: unassign or move it first",
        lambda s, a: stations.set_station_active(s, a, "ST-01", False),
    ),
    Refusal(
        "deactivating an inactive station",
        SET_ACTIVE,
        ("ST-03", False),
        "LP004",
        "station ST-03 is already inactive",
        lambda s, a: stations.set_station_active(s, a, "ST-03", False),
    ),
    Refusal(
        "activating an active station",
        SET_ACTIVE,
        ("ST-02", True),
        "LP004",
        "station ST-02 is already active",
        lambda s, a: stations.set_station_active(s, a, "ST-02", True),
    ),
]


def test_every_refusal_of_the_services_is_a_refusal_of_the_database(
    floor: Plant, signed_in: dict[str, SignedIn]
) -> None:
    before = snapshot(floor)
    supervisor = signed_in["supervisor"]
    mismatches = []
    with floor.connect("supervisor") as connection:
        for case in REFUSALS:
            try:
                connection.execute(case.sql, case.params)
            except psycopg.Error as error:
                primary = error.diag.message_primary or ""
                if error.sqlstate != case.sqlstate or not primary.startswith(case.message):
                    mismatches.append(f"{case.name}: SQL said {error.sqlstate} {primary!r}")
            else:
                mismatches.append(f"{case.name}: SQL did it")
            if case.service is None:
                continue
            with supervisor.db.session() as session:
                try:
                    case.service(session, supervisor.actor)
                except LeanOpsError as error:
                    if type(error) is not case.error or not str(error).startswith(case.message):
                        mismatches.append(f"{case.name}: service said {error!r}")
                else:
                    mismatches.append(f"{case.name}: the service did it")
    assert mismatches == []
    assert snapshot(floor) == before  # no row, no event, no feed entry


VALID_CALLS = {
    "leanops_create_job": (CREATE_JOB, ("JOB-N", "p", 5, DUE, "normal")),
    "leanops_update_job": (UPDATE_JOB, ("JOB-W", "q", None, None, None)),
    "leanops_create_station": (CREATE_STATION, ("ST-N", "n", "L", True)),
    "leanops_update_station": (UPDATE_STATION, ("ST-02", "n", None)),
    "leanops_set_station_active": (SET_ACTIVE, ("ST-02", False)),
    "leanops_assign_job": (ASSIGN, ("JOB-W", "ST-02")),
    "leanops_unassign_job": (UNASSIGN, ("ST-01",)),
    "leanops_move_job": (MOVE, ("JOB-R", "ST-01", "ST-02")),
}


def test_an_operator_may_take_no_planning_action(
    floor: Plant, signed_in: dict[str, SignedIn]
) -> None:
    assert set(VALID_CALLS) == set(PLANNING_FUNCTIONS)
    before = snapshot(floor)
    with floor.connect("operator") as connection:
        for name, (sql, params) in VALID_CALLS.items():
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                connection.execute(sql, params)
            claimed = sql.replace(")", ", NULL, 'admin')")  # a claim changes nothing
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match=name):
                connection.execute(claimed, params)
    operator = signed_in["operator"]
    forged = Actor(email=operator.actor.email, role=Role.SUPERVISOR)  # a tampered client
    attempts: list[Service] = [
        _create_job(),
        lambda s, a: jobs.update_job(s, a, "JOB-W", part_name="q"),
        _create_station(),
        lambda s, a: stations.update_station(s, a, "ST-02", name="n"),
        lambda s, a: stations.set_station_active(s, a, "ST-02", False),
        lambda s, a: dispatch.assign_job(s, a, "JOB-W", "ST-02"),
        lambda s, a: dispatch.unassign_job(s, a, "ST-01"),
        lambda s, a: dispatch.move_job(s, a, "JOB-R", "ST-01", "ST-02"),
    ]
    for attempt in attempts:
        with operator.db.session() as session, pytest.raises(PermissionDenied, match="refused"):
            attempt(session, forged)
    assert snapshot(floor) == before


def test_the_functions_check_the_role_themselves(floor: Plant) -> None:
    """Even a caller allowed to run them (IT's account, acting as an operator) is refused."""
    before = snapshot(floor)
    with floor.it.engine.connect() as connection:
        for name, (sql, params) in VALID_CALLS.items():
            claimed = sql.replace(")", ", 'it@plant.test', 'operator')")
            driver = connection.connection.driver_connection
            assert isinstance(driver, psycopg.Connection)
            with (
                pytest.raises(psycopg.errors.InsufficientPrivilege, match="supervisor role"),
                driver.transaction(),
            ):
                driver.execute(claimed, params)
            assert name in claimed
    assert snapshot(floor) == before


def test_helpers_are_for_the_functions_only(floor: Plant) -> None:
    with floor.connect("supervisor") as connection:
        for sql in (
            "SELECT public.leanops_plan_event('note', NULL, NULL, 'x', 'admin', '{}')",
            "SELECT public.leanops_plan_start('ST-02', 'JOB-W')",
            "SELECT public.leanops_plan_role('admin', 'x')",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                connection.execute(sql)


# -- the same rows and events as the Python path -------------------------------------------


def _plan_a_day(db: Database, actor: Actor) -> None:
    with db.session() as session:
        stations.create_station(session, actor, station_id="ST-A", name="Saw", line="Line A")
        stations.create_station(session, actor, station_id="ST-B", name="Drill", line="Line A")
        stations.create_station(
            session, actor, station_id="ST-C", name="Mill", line="Line B", is_active=False
        )
        stations.update_station(session, actor, "ST-A", name="Band saw", line="Line A")
        stations.update_station(session, actor, "ST-A", name=" Band saw ")  # nothing changes
        stations.set_station_active(session, actor, "ST-C", True)
        jobs.create_job(
            session,
            actor,
            job_id="J-1",
            part_name="Bracket",
            qty_total=40,
            due_date="2030-05-01",
            priority="high",
        )
        jobs.update_job(session, actor, "J-1", part_name="Bracket", qty_total=50)
        jobs.set_job_priority(session, actor, "J-1", "normal")
        jobs.set_job_due_date(session, actor, "J-1", "2030-06-01")
        dispatch.assign_job(session, actor, "J-1", "ST-A")
        dispatch.assign_job(session, actor, "J-1", "ST-B")
        dispatch.move_job(session, actor, "J-1", "ST-A", "ST-C")
        dispatch.unassign_job(session, actor, "ST-B")
        dispatch.unassign_job(session, actor, "ST-C")
        stations.set_station_active(session, actor, "ST-A", False)


def _outcome(db: Database) -> dict[str, Any]:
    with db.session() as session:
        events = []
        for event in session.scalars(select(EventLog).order_by(EventLog.timestamp)):
            meta = dict(event.meta)
            if "assignment_id" in meta:
                meta["assignment_id"] = "<uuid>"
            events.append((event.event_type, event.station_id, event.job_id, event.actor, meta))
        return {
            "events": events,
            "stations": session.execute(
                select(
                    Station.id,
                    Station.name,
                    Station.line,
                    Station.status,
                    Station.is_active,
                    Station.blocked_reason,
                ).order_by(Station.id)
            ).all(),
            "jobs": session.execute(
                select(
                    Job.id, Job.part_name, Job.qty_total, Job.due_date, Job.priority, Job.status
                ).order_by(Job.id)
            ).all(),
            "assignments": session.execute(
                select(StationAssignment.station_id, StationAssignment.job_id)
            ).all(),
        }


def test_the_functions_write_what_the_python_path_writes(
    plant: Plant,
    signed_in: dict[str, SignedIn],
    sqlite_template: Path,
    tmp_path: Path,
) -> None:
    supervisor = signed_in["supervisor"]
    _plan_a_day(supervisor.db, supervisor.actor)
    copy_sqlite(sqlite_template, tmp_path / "python-path.db")
    python_path = open_database(f"sqlite:///{tmp_path / 'python-path.db'}")
    try:
        _plan_a_day(python_path, supervisor.actor)
        expected = _outcome(python_path)
    finally:
        python_path.dispose()
    actual = _outcome(plant.it)
    actual["events"] = [event for event in actual["events"] if event[0] != "user_created"]
    assert len(expected["events"]) == 15
    assert actual == expected


# -- input checks: the same as core.validation -----------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "  Press  ",
        "\u3000Press\u00a0",
        "\tPress\n",
        "Cafe\u0301",  # NFD: stored NFC, as Python does
        "x" * MAX_NAME_LENGTH,
        "\U0001f527" * MAX_NAME_LENGTH,  # 200 characters of 4 bytes
        "x" * (MAX_NAME_LENGTH + 1),
        "a\u0085b",
        "a\x7fb",
        "\u2028",
        "",
    ],
)
def test_text_checks_match_python(plant: Plant, raw: str) -> None:
    try:
        expected: object = check_text("name", raw)
    except ValidationError as error:
        expected = str(error)
    with plant.it.engine.connect() as connection:
        driver = connection.connection.driver_connection
        assert isinstance(driver, psycopg.Connection)
        try:
            with driver.transaction():
                row = driver.execute(
                    "SELECT public.leanops_plan_text('name', %s, %s)", (raw, MAX_NAME_LENGTH)
                ).fetchone()
                actual: object = row[0] if row else None
        except psycopg.Error as error:
            assert error.sqlstate == "LP001"
            actual = error.diag.message_primary
    assert actual == expected


@pytest.mark.parametrize(
    "raw", ["ST-01", " JOB-1004 ", "a" * 64, "a" * 65, "-x", "a b", "é", "x/y.z_1", "  "]
)
def test_id_checks_match_python(plant: Plant, raw: str) -> None:
    try:
        check_id("station id", raw)
        python_ok = True
    except ValidationError:
        python_ok = False
    with plant.it.engine.connect() as connection:
        driver = connection.connection.driver_connection
        assert isinstance(driver, psycopg.Connection)
        try:
            with driver.transaction():
                driver.execute("SELECT public.leanops_plan_id('station id', %s)", (raw,))
            sql_ok = True
        except psycopg.Error as error:
            assert error.sqlstate == "LP001"
            sql_ok = False
    assert sql_ok == python_ok


def test_the_largest_values_are_accepted(plant: Plant) -> None:
    with plant.connect("supervisor") as connection:
        connection.execute(
            CREATE_JOB, ("J" * 64, "\U0001f527" * MAX_NAME_LENGTH, MAX_QTY_TOTAL, DUE, "high")
        )
        connection.execute(UPDATE_JOB, ("J" * 64, "\U0001f6e0" * MAX_NAME_LENGTH, None, None, None))


# -- the catalog and the events_log checks ------------------------------------------------


def test_the_functions_are_locked_down(plant: Plant) -> None:
    with plant.it.engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT p.proname, p.prosecdef, pg_get_userbyid(p.proowner), p.proconfig,"
                " p.prosrc, coalesce(p.proacl::text[], '{}')"
                " FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
                " WHERE n.nspname = 'public' AND (p.proname = ANY(:names)"
                " OR p.proname LIKE 'leanops\\_plan\\_%')"
            ),
            {"names": list(PLANNING_FUNCTIONS)},
        ).all()
    assert {row[0] for row in rows} >= set(PLANNING_FUNCTIONS)
    with plant.it.engine.connect() as connection:
        names = {
            kind: str(connection.execute(text(f"SELECT leanops_plant_role('{kind}')")).scalar())
            for kind in ("owner", "supervisor", "admin")
        }
    for name, definer, owner, config, source, acl in rows:
        assert owner == names["owner"], name
        assert config == ["search_path=pg_catalog, public, pg_temp"], name
        for role in ("leanops_operator", "leanops_supervisor", "leanops_admin", "leanops_owner"):
            assert role not in source, name  # 0010 renames them: the bodies must not name them
        grantees = {item.split("=", 1)[0].strip('"') for item in acl}
        if name in PLANNING_FUNCTIONS:
            assert definer, name
            assert grantees == set(names.values()), name
        else:
            assert grantees == {names["owner"]}, name  # EXECUTE for nobody but the owner


def test_events_log_meta_is_a_bounded_object(plant: Plant) -> None:
    insert = "INSERT INTO events_log (id, event_type, meta) VALUES (gen_random_uuid(), 'x', %s)"
    with plant.it.engine.connect() as connection:
        driver = connection.connection.driver_connection
        assert isinstance(driver, psycopg.Connection)
        validated = driver.execute(
            "SELECT conname, convalidated FROM pg_constraint"
            " WHERE conrelid = 'public.events_log'::regclass AND contype = 'c' ORDER BY 1"
        ).fetchall()
        assert validated == [("ck_events_log_meta_object", True), ("ck_events_log_meta_size", True)]
        for meta in ('{"note": "%s"}' % ("x" * 16_400), "[]", '"text"'):
            with pytest.raises(psycopg.errors.CheckViolation), driver.transaction():
                driver.execute(insert, (meta,))
        with driver.transaction():
            driver.execute(insert, ('{"note": "%s"}' % ("x" * 16_000),))


def test_assigning_waits_on_no_assignment_a_completion_has_locked(floor: Plant) -> None:
    """complete_job locks a job's assignments before their stations; the planning functions
    take the station first and only read its assignment, so the two cannot deadlock."""
    with floor.it.engine.connect() as completing, floor.connect("supervisor") as planner:
        completing.execute(text("SELECT id FROM jobs WHERE id = 'JOB-R' FOR UPDATE"))
        completing.execute(
            text("SELECT id FROM station_assignments WHERE job_id = 'JOB-R' FOR UPDATE")
        )
        planner.execute("SET lock_timeout = '2s'")
        for sql, params in (
            (ASSIGN, ("JOB-W", "ST-01")),
            (SET_ACTIVE, ("ST-01", False)),
            (MOVE, ("JOB-B", "ST-05", "ST-01")),
        ):
            with pytest.raises(psycopg.Error) as refused:
                planner.execute(sql, params)
            assert refused.value.sqlstate == "LP004", refused.value.diag.message_primary
        completing.execute(text("SELECT id FROM stations WHERE id = 'ST-01' FOR UPDATE"))
        completing.rollback()


def test_downgrade_drops_the_functions_and_an_old_oversized_event_does_not_stop_upgrade(
    db_at_0009: Database,
) -> None:
    from alembic import command

    from leanops_desktop.db.migrate import alembic_config

    def migrate(target: str) -> None:
        with db_at_0009.engine.begin() as connection:
            config = alembic_config(connection)
            if target == "0009":
                command.upgrade(config, target)
            else:
                command.downgrade(config, target)

    def catalog() -> tuple[int, list[tuple[str, bool]]]:
        with db_at_0009.engine.connect() as connection:
            functions = connection.execute(
                text(
                    "SELECT count(*) FROM pg_proc WHERE proname = ANY(:names)"
                    " OR proname LIKE 'leanops\\_plan\\_%'"
                ),
                {"names": list(PLANNING_FUNCTIONS)},
            ).scalar_one()
            checks = connection.execute(
                text(
                    "SELECT conname, convalidated FROM pg_constraint"
                    " WHERE conrelid = 'public.events_log'::regclass AND contype = 'c'"
                    " ORDER BY 1"
                )
            ).all()
        return functions, [(name, valid) for name, valid in checks]

    migrate("0008")
    assert catalog() == (0, [])
    with db_at_0009.engine.begin() as connection:  # written before the checks existed
        connection.execute(
            text(
                "INSERT INTO events_log (id, event_type, meta)"
                " VALUES (gen_random_uuid(), 'x', CAST(:meta AS jsonb))"
            ),
            {"meta": '{"note": "%s"}' % ("x" * 20_000)},
        )
    migrate("0009")
    functions, checks = catalog()
    assert functions >= len(PLANNING_FUNCTIONS)
    assert checks == [("ck_events_log_meta_object", True), ("ck_events_log_meta_size", False)]
    with (
        pytest.raises(DBAPIError, match="ck_events_log_meta_size"),
        db_at_0009.engine.begin() as connection,
    ):
        connection.execute(
            text(
                "INSERT INTO events_log (id, event_type, meta)"
                " VALUES (gen_random_uuid(), 'x', CAST(:meta AS jsonb))"
            ),
            {"meta": '{"note": "%s"}' % ("x" * 20_000)},
        )
