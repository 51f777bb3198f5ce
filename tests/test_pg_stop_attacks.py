"""Stops and quiet limits on PostgreSQL, attacked as raw psycopg clients: operators, kiosks,
the board login, logins of no plant and the Supabase API roles write nothing directly, and
the LeanOps functions let each do exactly what the services allow (migration 0017)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import psycopg
import pytest

from leanops_desktop.core.actor import Actor
from leanops_desktop.db.engine import Database
from leanops_desktop.db.stop_pg_functions import EXECUTE
from leanops_desktop.services.accounts import users
from leanops_desktop.services.board import board_login
from leanops_desktop.services.downtime import stops
from leanops_desktop.services.floor import dispatch
from leanops_desktop.services.kiosk import kiosk_devices, operator_credentials
from tests.factories import make_job, make_station
from tests.pg_clients import connect_as
from tests.pg_server import admin_connect
from tests.stop_clock import age_plant

pytestmark = [pytest.mark.postgres, pytest.mark.parametrize("backend", ["postgresql"])]

PASSWORD = "Stop-pw-4242"
BADGE = "Badge-5709"
DENIED = "42501"
NOT_THIS_KIOSK = "LR005"
CLASSIFY = "SELECT leanops_classify_stop(%s, %s, %s, %s, %s)"
SWEEP = "SELECT leanops_sweep_quiet_stations(NULL, NULL)"
SAVE_LIMIT = "SELECT leanops_save_stop_limit(%s, %s, %s, NULL, NULL)"


@dataclass
class Plant:
    db: Database
    url: str
    logins: dict[str, tuple[str, str]]  # kind -> (login, password)
    stop_here: uuid.UUID  # ST-07's open stop (the kiosk's station)
    stop_there: uuid.UUID  # ST-08's open stop

    def connect(self, kind: str) -> psycopg.Connection[Any]:
        login, password = self.logins[kind]
        return connect_as(self.url, login, password)


@pytest.fixture
def plant(db: Database, db_url: str, admin: Actor) -> Iterator[Plant]:
    """ST-07 (a kiosk enrolled) and ST-08 run jobs and have been quiet 30 minutes: each has
    an open, unclassified stop. One login of each kind; the operator has a badge."""
    tag = uuid.uuid4().hex[:6]
    logins: dict[str, tuple[str, str]] = {}
    for kind in ("operator", "supervisor", "admin"):
        email = f"{kind}-{tag}@plant.test"
        with db.session() as session:
            users.add_user(session, admin, email=email, role=kind, password=PASSWORD)
        logins[kind] = (email, PASSWORD)
    with db.session() as session:
        operator_credentials.set_badge(session, admin, logins["operator"][0], BADGE)
    for station in ("ST-07", "ST-08"):
        make_station(db, admin, station)
        make_job(db, admin, f"J-{station}")
        with db.session() as session:
            dispatch.assign_job(session, admin, f"J-{station}", station)
    with db.session() as session:
        kiosk = kiosk_devices.enrol_kiosk(session, admin, "ST-07")
    logins["device"] = (kiosk.login, kiosk.password)
    with db.session() as session:
        board = board_login.enroll_board(session, admin)
    logins["board"] = (board.login, board.password)
    stranger = f"stranger-{tag}"
    with admin_connect(db_url) as it:
        it.execute(f"CREATE ROLE \"{stranger}\" LOGIN PASSWORD '{PASSWORD}'")
    logins["stranger"] = (stranger, PASSWORD)
    age_plant(db_url, 30)
    with db.session() as session:
        opened = {row.station_id: row.id for row in stops.sweep_quiet_stations(session, admin)}
    try:
        yield Plant(db, db_url, logins, opened["ST-07"], opened["ST-08"])
    finally:
        with admin_connect(db_url) as it:
            it.execute(f'DROP OWNED BY "{stranger}"')
            it.execute(f'DROP ROLE "{stranger}"')


def state_of(conn: psycopg.Connection[Any], statement: str, params: Any = None) -> str | None:
    try:
        with conn.transaction():
            conn.execute(statement, params).fetchall()
    except psycopg.Error as error:
        return error.sqlstate
    return None


def stop_state(url: str) -> list[tuple[Any, ...]]:
    with admin_connect(url) as it:
        return it.execute(
            "SELECT station_id, reason_id, classified_by, ended_at IS NULL FROM downtime_stops"
            " ORDER BY station_id"
        ).fetchall()


def limit_state(url: str) -> list[tuple[Any, ...]]:
    with admin_connect(url) as it:
        return it.execute(
            "SELECT kind, key, quiet_minutes FROM stop_limits ORDER BY 1, 2"
        ).fetchall()


def direct_writes(stop: uuid.UUID) -> dict[str, tuple[str, Any]]:
    return {
        "insert a stop": (
            "INSERT INTO downtime_stops (id, station_id, started_at, quiet_minutes)"
            " VALUES (gen_random_uuid(), 'ST-08', now(), 5)", None),
        "classify by update": (
            "UPDATE downtime_stops SET reason_id = 'tooling' WHERE id = %s", (stop,)),
        "end by update": ("UPDATE downtime_stops SET ended_at = now() WHERE id = %s", (stop,)),
        "delete a stop": ("DELETE FROM downtime_stops WHERE id = %s", (stop,)),
        "insert a limit": (
            "INSERT INTO stop_limits (kind, key, quiet_minutes) VALUES ('line', 'Line A', 0)",
            None),
        "change the plant limit": ("UPDATE stop_limits SET quiet_minutes = 0", None),
        "delete the limits": ("DELETE FROM stop_limits", None),
        "truncate": ("TRUNCATE downtime_stops", None),
    }  # fmt: skip


def test_no_login_writes_stops_or_limits_directly(plant: Plant) -> None:
    before, limits_before = stop_state(plant.url), limit_state(plant.url)
    wrong: dict[str, str | None] = {}
    for kind in ("operator", "supervisor", "admin", "device", "board", "stranger"):
        with plant.connect(kind) as conn:
            for name, (statement, params) in direct_writes(plant.stop_there).items():
                if (state := state_of(conn, statement, params)) != DENIED:
                    wrong[f"{kind}: {name}"] = state
    assert wrong == {}
    assert stop_state(plant.url) == before and limit_state(plant.url) == limits_before


def test_operators_classify_once_supervisors_change_and_only_admins_set_limits(
    plant: Plant,
) -> None:
    operator, supervisor = plant.logins["operator"][0], plant.logins["supervisor"][0]
    with plant.connect("operator") as conn:
        # The actor is the login, whoever the call claims to be.
        row = conn.execute(CLASSIFY, (plant.stop_there, "maintenance", "boss@plant.test",
                                      "admin", None)).fetchone()
        assert row == (True,)
        assert state_of(conn, CLASSIFY, (plant.stop_there, "tooling", None, "admin", None)) \
            == DENIED
        assert state_of(conn, SAVE_LIMIT, ("plant", "", 0)) == DENIED
        assert state_of(conn, SAVE_LIMIT, ("station", "ST-08", 1)) == DENIED
    assert ("ST-08", "maintenance", operator, True) in stop_state(plant.url)
    with plant.connect("supervisor") as conn:
        assert conn.execute(CLASSIFY, (plant.stop_there, "tooling", None, None, None)).fetchone() \
            == (True,)
        assert state_of(conn, SAVE_LIMIT, ("line", "Line A", 5)) == DENIED
    assert ("ST-08", "tooling", supervisor, True) in stop_state(plant.url)
    with plant.connect("admin") as conn:
        assert conn.execute(SAVE_LIMIT, ("line", "Line A", 5)).fetchone() == (True,)
    assert ("line", "Line A", 5) in limit_state(plant.url)
    with admin_connect(plant.url) as it:
        actors = it.execute(
            "SELECT actor, meta->>'previous_reason_id' FROM events_log"
            " WHERE event_type = 'stop_classified' ORDER BY timestamp"
        ).fetchall()
    assert actors == [(operator, None), (supervisor, "maintenance")]


def test_the_board_strangers_and_the_api_roles_can_do_nothing(plant: Plant) -> None:
    before, limits_before = stop_state(plant.url), limit_state(plant.url)
    for kind in ("board", "stranger"):
        with plant.connect(kind) as conn:
            assert state_of(conn, SWEEP) == DENIED, kind
            assert state_of(conn, CLASSIFY, (plant.stop_there, "maintenance", None, None,
                                             None)) == DENIED, kind
            assert state_of(conn, SAVE_LIMIT, ("plant", "", 0)) == DENIED, kind
            assert state_of(conn, "SELECT count(*) FROM downtime_stops") == DENIED, kind
            assert state_of(conn, "SELECT count(*) FROM stop_limits") == DENIED, kind
    with admin_connect(plant.url) as it:
        for role in ("anon", "authenticated", "service_role"):
            it.execute(f'DO $r$ BEGIN CREATE ROLE "{role}" NOLOGIN;'
                       " EXCEPTION WHEN duplicate_object THEN NULL; END $r$")
        holders = it.execute(
            "SELECT r, f FROM unnest(ARRAY['public', 'anon', 'authenticated', 'service_role'])"
            " r, unnest(%s::text[]) f WHERE has_function_privilege(r, 'public.' || f, 'EXECUTE')",
            (list(EXECUTE),),
        ).fetchall()
        tables = it.execute(
            "SELECT r, t FROM unnest(ARRAY['public', 'anon', 'authenticated', 'service_role'])"
            " r, unnest(ARRAY['downtime_stops', 'stop_limits']) t"
            " WHERE has_table_privilege(r, 'public.' || t,"
            " 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER')"
        ).fetchall()
    assert holders == [] and tables == []
    assert stop_state(plant.url) == before and limit_state(plant.url) == limits_before


def test_a_kiosk_classifies_only_its_stations_stops_for_an_operator_signed_in_now(
    plant: Plant,
) -> None:
    operator = plant.logins["operator"][0]
    with plant.connect("device") as device:
        # Nobody signed in here yet: nothing, even for its own station.
        assert state_of(device, CLASSIFY, (plant.stop_here, "material", None, None,
                                           operator)) == NOT_THIS_KIOSK
        signed = device.execute(
            "SELECT status, email FROM leanops_kiosk_sign_in('badge', NULL, %s)", (BADGE,)
        ).fetchone()
        assert signed == ("ok", operator)
        # Another station's stop, or an operator not signed in here: refused.
        assert state_of(device, CLASSIFY, (plant.stop_there, "material", None, None,
                                           operator)) == NOT_THIS_KIOSK
        assert state_of(device, CLASSIFY, (plant.stop_here, "material", None, None,
                                           "someone@plant.test")) == NOT_THIS_KIOSK
        # The device sees only its own station's stops, and may sweep.
        seen = device.execute("SELECT station_id FROM downtime_stops").fetchall()
        assert seen == [("ST-07",)]
        assert device.execute(SWEEP).fetchone() == ([],)
        # Its own station, the operator signed in: classified, named for the operator;
        # changing it afterwards needs a supervisor, as for the operator's own login.
        assert device.execute(CLASSIFY, (plant.stop_here, "material", None, "admin",
                                         operator)).fetchone() == (True,)
        assert state_of(device, CLASSIFY, (plant.stop_here, "tooling", None, "admin",
                                           operator)) == DENIED
        assert state_of(device, SAVE_LIMIT, ("station", "ST-07", 0)) == DENIED
    assert stop_state(plant.url) == [
        ("ST-07", "material", operator, True), ("ST-08", None, None, True)
    ]
    with admin_connect(plant.url) as it:
        row = it.execute(
            "SELECT actor, meta->>'device', meta->>'role' FROM events_log"
            " WHERE event_type = 'stop_classified'"
        ).fetchone()
    assert row == (operator, plant.logins["device"][0], "operator")


def test_the_audit_names_leaks_on_stops_and_the_upgrade_repairs_them(plant: Plant) -> None:
    from leanops_desktop.db import migrate, pg_audit

    stranger = plant.logins["stranger"][0]
    with admin_connect(plant.url) as it:
        it.execute(f'GRANT SELECT, UPDATE ON downtime_stops TO "{stranger}"')
        it.execute("GRANT INSERT ON stop_limits TO PUBLIC")
        it.execute("GRANT EXECUTE ON FUNCTION leanops_save_stop_limit(text, text, integer,"
                   " text, text) TO PUBLIC")
        operators = it.execute("SELECT quote_ident(leanops_plant_role('operator'))").fetchone()
        assert operators is not None
        it.execute(f"GRANT EXECUTE ON FUNCTION leanops_stop_on_report() TO {operators[0]}")
    with plant.db.engine.connect() as connection:
        findings = {str(finding) for finding in pg_audit.audit(connection)}
    assert any(f"table downtime_stops: {stranger} has" in f for f in findings), findings
    assert any("table stop_limits: PUBLIC has INSERT" in f for f in findings), findings
    assert any("leanops_save_stop_limit" in f and "PUBLIC has EXECUTE" in f for f in findings)
    assert any("trigger function leanops_stop_on_report()" in f for f in findings), findings
    migrate.upgrade(plant.db)  # re-applies least privilege; the audit then passes
    with plant.db.engine.connect() as connection:
        assert pg_audit.audit(connection) == []
    with plant.connect("stranger") as conn:
        assert state_of(conn, "SELECT count(*) FROM downtime_stops") == DENIED
