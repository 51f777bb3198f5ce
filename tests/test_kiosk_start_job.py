"""A kiosk starts the next job of its station's queue, for the operator signed in at it.

Both backends through ``kiosk_floor.start_job`` (the device's own login on PostgreSQL, the
app's checks on SQLite); on PostgreSQL also as raw psycopg clients holding nothing but the
device's credential, an operator's login, or a login of no LeanOps plant.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import psycopg
import pytest
from sqlalchemy import select

from leanops_desktop.core.actor import Actor
from leanops_desktop.core.enums import JobStatus, StationStatus
from leanops_desktop.core.errors import NotFound, PermissionDenied, RuleViolation
from leanops_desktop.db.engine import Database
from leanops_desktop.db.models import EventLog
from leanops_desktop.services.accounts import users
from leanops_desktop.services.floor import dispatch, stations
from leanops_desktop.services.kiosk import (
    kiosk_devices,
    kiosk_floor,
    operator_credentials,
    operator_sign_in,
)
from leanops_desktop.services.kiosk.kiosk_devices import DeviceSession, Enrolment
from leanops_desktop.services.kiosk.operator_credentials import Method
from leanops_desktop.services.reads import queries
from tests.factories import make_job, make_station
from tests.pg_clients import connect_as, counts_off_their_logs
from tests.pg_server import admin_connect

PIN = "4711"
BADGE = "Badge-00AF17"
PASSWORD = "Op-pw-1234"
DENIED = "42501"
NOT_THIS_KIOSK = "LR005"
NOT_FOUND = "LP002"
RULE = "LP004"
START = "SELECT leanops_kiosk_start_job(%s, %s)"


@dataclass
class Floor:
    db: Database
    url: str
    enrolment: Enrolment
    device: DeviceSession
    operator: str
    other: str


@pytest.fixture
def floor(db: Database, db_url: str, admin: Actor) -> Iterator[Floor]:
    """ST-07 (its kiosk enrolled) is free; ST-08 runs J-08; J-10 and J-11 wait; J-12 is
    completed; ST-09 is free and has a kiosk of its own."""
    tag = uuid.uuid4().hex[:6]
    operator, other = f"op-{tag}@plant.test", f"other-{tag}@plant.test"
    for email in (operator, other):
        with db.session() as session:
            users.add_user(session, admin, email=email, role="operator", password=PASSWORD)
    for station in ("ST-07", "ST-08", "ST-09"):
        make_station(db, admin, station)
    for job in ("J-08", "J-10", "J-11", "J-12"):
        make_job(db, admin, job, qty_total=50)
    with db.session() as session:
        dispatch.assign_job(session, admin, "J-08", "ST-08")
    with db.session() as session:
        dispatch.assign_job(session, admin, "J-12", "ST-09")
    with db.session() as session:
        dispatch.complete_job(session, admin, "J-12")
    with db.session() as session:
        operator_credentials.set_pin(session, admin, operator, PIN)
    with db.session() as session:
        operator_credentials.set_badge(session, admin, operator, BADGE)
    with db.session() as session:
        enrolment = kiosk_devices.enrol_kiosk(session, admin, "ST-07")
    device = kiosk_devices.open_device(enrolment)
    try:
        yield Floor(db, db_url, enrolment, device, operator, other)
    finally:
        device.close()


def _assigned_events(db: Database) -> list[EventLog]:
    with db.session() as session:
        rows = list(
            session.scalars(
                select(EventLog)
                .where(EventLog.event_type == "job_assigned", EventLog.station_id == "ST-07")
                .order_by(EventLog.timestamp)
            )
        )
        session.expunge_all()
    return rows


def _job_on(db: Database, station: str) -> str | None:
    with db.session() as session:
        assignment = queries.current_assignment(session, station)
    return None if assignment is None else assignment.job_id


def test_a_signed_in_operator_starts_a_waiting_job_on_the_kiosks_station(floor: Floor) -> None:
    with pytest.raises(PermissionDenied, match="no sign-in at this kiosk"):
        kiosk_floor.start_job(floor.device, floor.operator, "J-10")  # nobody signed in
    assert _job_on(floor.db, "ST-07") is None and _assigned_events(floor.db) == []
    assert operator_sign_in.sign_in(floor.device, Method.PIN, PIN, floor.operator).ok
    with pytest.raises(PermissionDenied):
        kiosk_floor.start_job(floor.device, floor.other, "J-10")  # not signed in here
    started = kiosk_floor.start_job(floor.device, floor.operator, "J-10")
    assert (started.station_id, started.job_id, started.qty_done) == ("ST-07", "J-10", 0)
    with floor.db.session() as session:
        assert queries.get_job(session, "J-10").status == JobStatus.RUNNING
        assert queries.get_station(session, "ST-07").status == StationStatus.RUNNING
    (event,) = _assigned_events(floor.db)
    assert event.job_id == "J-10" and event.actor == floor.operator
    assert event.meta["assignment_id"] == str(started.id)
    assert event.meta["new"] == {"job_status": "running", "station_status": "running"}
    assert event.meta["role"] == "operator"
    if floor.db.backend == "postgresql":  # the database names the device alongside
        assert event.meta["device"] == floor.enrolment.login
        assert event.meta["device_station"] == "ST-07"
    # One job at a time: the station is busy now.
    with pytest.raises(RuleViolation, match="already working on a job"):
        kiosk_floor.start_job(floor.device, floor.operator, "J-11")
    assert _job_on(floor.db, "ST-07") == "J-10" and len(_assigned_events(floor.db)) == 1


def test_only_a_waiting_job_on_a_free_station_in_use(floor: Floor, admin: Actor) -> None:
    assert operator_sign_in.sign_in(floor.device, Method.BADGE, BADGE).ok
    refusals: dict[str, tuple[str, type[Exception], str]] = {
        "running elsewhere": ("J-08", RuleViolation, "J-08 is running: a kiosk starts only"),
        "completed": ("J-12", RuleViolation, "J-12 is completed and cannot be assigned"),
        "unknown": ("J-404", NotFound, "J-404"),
    }
    for name, (job, error, message) in refusals.items():
        with pytest.raises(error, match=message):
            kiosk_floor.start_job(floor.device, floor.operator, job)
        assert _job_on(floor.db, "ST-07") is None, name
    with floor.db.session() as session:
        stations.block_station(session, admin, "ST-07", "material")
    with pytest.raises(RuleViolation, match="is blocked"):
        kiosk_floor.start_job(floor.device, floor.operator, "J-10")
    assert _job_on(floor.db, "ST-07") is None and _assigned_events(floor.db) == []
    with floor.db.session() as session:
        assert queries.get_job(session, "J-10").status == JobStatus.WAITING
        assert queries.get_job(session, "J-08").status == JobStatus.RUNNING


# -- PostgreSQL: what the database itself refuses -------------------------------------------


def _state(conn: psycopg.Connection[Any], statement: str, params: Any = None) -> str | None:
    try:
        with conn.transaction():
            conn.execute(statement, params).fetchall()
    except psycopg.Error as error:
        return error.sqlstate
    return None


def _nothing_started(url: str) -> None:
    with admin_connect(url) as it:
        rows = it.execute(
            "SELECT a.station_id, a.job_id FROM station_assignments a ORDER BY 1"
        ).fetchall()
        assigned = it.execute(
            "SELECT count(*) FROM events_log WHERE event_type = 'job_assigned'"
            " AND (meta ? 'device' OR station_id = 'ST-07')"
        ).fetchone()
        states = it.execute(
            "SELECT id, status FROM jobs WHERE id IN ('J-10', 'J-11') ORDER BY id"
        ).fetchall()
        assert counts_off_their_logs(it) == []
    assert rows == [("ST-08", "J-08")]
    assert assigned == (0,)
    assert states == [("J-10", "waiting"), ("J-11", "waiting")]


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_the_device_credential_starts_nothing_but_its_stations_next_job(
    floor: Floor, admin: Actor
) -> None:
    op = floor.operator
    with floor.db.session() as session:  # ST-09's kiosk: where the operator never signed in
        other_kiosk = kiosk_devices.enrol_kiosk(session, admin, "ST-09")
    device = connect_as(floor.url, floor.enrolment.login, floor.enrolment.password)
    elsewhere = connect_as(floor.url, other_kiosk.login, other_kiosk.password)
    operator = connect_as(floor.url, op, PASSWORD)
    stranger_name = f"stranger-{uuid.uuid4().hex[:8]}"
    with admin_connect(floor.url) as it:
        it.execute(f"CREATE ROLE \"{stranger_name}\" LOGIN PASSWORD 'Str-pw-1234'")
    stranger = connect_as(floor.url, stranger_name, "Str-pw-1234")
    try:
        # Nobody signed in at this kiosk: a copied credential alone starts nothing.
        assert _state(device, START, ("J-10", op)) == NOT_THIS_KIOSK
        assert _state(device, START, ("J-10", None)) == NOT_THIS_KIOSK
        signed = device.execute(
            "SELECT status, email FROM leanops_kiosk_sign_in('badge', NULL, %s)", (BADGE,)
        ).fetchone()
        assert signed == ("ok", op)
        refused = {
            "an operator not signed in here": (
                device, START, ("J-10", floor.other), NOT_THIS_KIOSK,
            ),
            "at a kiosk the operator did not sign in at": (
                elsewhere, START, ("J-10", op), NOT_THIS_KIOSK,
            ),
            "a job running on another station": (device, START, ("J-08", op), RULE),
            "a completed job": (device, START, ("J-12", op), RULE),
            "a job that does not exist": (device, START, ("J-404", op), NOT_FOUND),
            "another station, the planners' way": (
                device, "SELECT leanops_assign_job('J-10', 'ST-08', NULL, NULL)", None, DENIED,
            ),
            "the operator's own login": (operator, START, ("J-10", op), DENIED),
            "a login of no plant": (stranger, START, ("J-10", op), DENIED),
            "a direct write": (
                device,
                "INSERT INTO station_assignments (id, station_id, job_id, qty_done)"
                " VALUES (gen_random_uuid(), 'ST-07', 'J-10', 0)",
                None,
                DENIED,
            ),
        }  # fmt: skip
        wrong = {}
        for name, (conn, statement, params, expected) in refused.items():
            if (state := _state(conn, statement, params)) != expected:
                wrong[name] = state
        assert wrong == {}
        _nothing_started(floor.url)
        # IT's own account is no kiosk either; PUBLIC and the API roles hold no EXECUTE.
        with admin_connect(floor.url) as it:
            assert _state(it, START, ("J-10", op)) == DENIED
            grantees = it.execute(
                "SELECT r FROM unnest(ARRAY['public', 'anon', 'authenticated', 'service_role'])"
                " r WHERE CASE WHEN r = 'public' OR EXISTS (SELECT 1 FROM pg_roles"
                " WHERE rolname = r) THEN has_function_privilege(r,"
                " 'leanops_kiosk_start_job(text, text)', 'EXECUTE') ELSE false END"
            ).fetchall()
        assert grantees == []
        _nothing_started(floor.url)
        # Its own station, a waiting job, the operator signed in: started, named for them.
        (new_id,) = device.execute(START, ("J-10", op)).fetchone() or (None,)
        assert new_id is not None
        assert _state(device, START, ("J-11", op)) == RULE  # the station is busy now
    finally:
        for conn in (device, elsewhere, operator, stranger):
            conn.close()
        with admin_connect(floor.url) as it:
            it.execute(f'DROP ROLE IF EXISTS "{stranger_name}"')
    with admin_connect(floor.url) as it:
        row = it.execute(
            "SELECT a.station_id, a.job_id, e.actor, e.meta->>'device'"
            " FROM station_assignments a JOIN events_log e"
            " ON e.meta->>'assignment_id' = a.id::text WHERE a.id = %s",
            (new_id,),
        ).fetchone()
    assert row == ("ST-07", "J-10", op, floor.enrolment.login)


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_downgrade_drops_the_function_and_upgrade_brings_it_back(db: Database) -> None:
    from alembic import command

    from leanops_desktop.db.migrate import alembic_config

    def granted() -> list[tuple[str, bool]]:
        with db.engine.connect() as connection:
            return [
                (str(row[0]), bool(row[1]))
                for row in connection.exec_driver_sql(
                    "SELECT g.kind, has_function_privilege(leanops_plant_role(g.kind),"
                    " p.oid, 'EXECUTE') FROM pg_proc p,"
                    " unnest(ARRAY['operator', 'supervisor', 'admin', 'device', 'board']) g(kind)"
                    " WHERE p.proname = 'leanops_kiosk_start_job' ORDER BY 1"
                )
            ]

    assert granted() == [
        ("admin", False), ("board", False), ("device", True), ("operator", False),
        ("supervisor", False),
    ]  # fmt: skip
    with db.engine.begin() as connection:
        command.downgrade(alembic_config(connection), "0014")
    assert granted() == []
    with db.engine.begin() as connection:
        command.upgrade(alembic_config(connection), "0015")
    assert dict(granted())["device"] is True
