"""Raw psycopg attacks on ``leanops_correct_scrap`` (migration 0016): a scrap report is taken
back once, only by whoever made it (or a supervisor), only on a kiosk's own station, and the
counters follow the logs."""

from __future__ import annotations

import uuid

import psycopg
import pytest

from leanops_desktop.db.engine import Database
from tests.test_pg_attacks import Floor, assert_counts_match_logs, floor, sqlstate_of  # noqa: F401

pytestmark = [pytest.mark.postgres, pytest.mark.parametrize("backend", ["postgresql"])]

RULE, NOT_FOUND, DEVICE_REFUSED = "LP004", "LP002", "LR005"
CORRECT = "SELECT leanops_correct_scrap(%s, %s, %s, %s)"


Conn = psycopg.Connection[tuple[object, ...]]


def _scrap(conn: Conn, station: str, job: str, qty: int) -> uuid.UUID:
    report_id = uuid.uuid4()
    with conn.transaction():
        conn.execute(
            "SELECT leanops_report_scrap(%s, %s, %s, %s, 'quality/surface', NULL, NULL)",
            (report_id, station, job, qty),
        )
    return report_id


def _refusal(conn: Conn, *args: object) -> str | None:
    def run() -> None:
        with conn.transaction():
            conn.execute(CORRECT, args)

    return sqlstate_of(run)


def _scrap_on(floor: Floor, station: str) -> tuple[int, int]:  # noqa: F811
    with floor.superuser() as conn:
        row = conn.execute(
            "SELECT a.qty_scrap, j.qty_scrapped FROM station_assignments a"
            " JOIN jobs j ON j.id = a.job_id WHERE a.station_id = %s",
            (station,),
        ).fetchone()
    assert row is not None
    return int(str(row[0])), int(str(row[1]))


def test_an_operator_takes_back_their_own_scrap_once(floor: Floor) -> None:  # noqa: F811
    with floor.seats["operator"].connect() as conn:
        report = _scrap(conn, "ST-07", "J-07", 4)
        correction = uuid.uuid4()
        for expected in (True, False):  # the same correction sent again counts once
            with conn.transaction():
                row = conn.execute(CORRECT, (correction, report, "x@plant.test", "admin"))
                assert row.fetchone() == (expected,)
        assert _refusal(conn, uuid.uuid4(), report, None, "operator") == RULE  # twice
        assert _refusal(conn, uuid.uuid4(), correction, None, "operator") == RULE  # a correction
        assert _refusal(conn, uuid.uuid4(), uuid.uuid4(), None, "operator") == NOT_FOUND
        # A correction id already used for another report is no new correction.
        other = _scrap(conn, "ST-07", "J-07", 1)
        assert _refusal(conn, correction, other, None, "operator") == "LP001"
    assert _scrap_on(floor, "ST-07") == (1, 1)
    with floor.superuser() as conn:
        logs = conn.execute(
            "SELECT qty_scrapped, actor FROM scrap_logs WHERE corrects_id = %s", (report,)
        ).fetchall()
        event = conn.execute(
            "SELECT actor, meta ->> 'qty' FROM events_log WHERE event_type = 'scrap_corrected'"
        ).fetchall()
    operator = floor.seats["operator"].email
    assert logs == [(-4, operator)]  # the caller, not the actor it claimed
    assert event == [(operator, "-4")]
    assert_counts_match_logs(floor)


def test_someone_elses_scrap_is_for_a_supervisor_to_take_back(floor: Floor) -> None:  # noqa: F811
    with floor.seats["admin"].connect() as conn:
        report = _scrap(conn, "ST-07", "J-07", 3)
    with floor.seats["operator"].connect() as conn:
        # Claiming to be its maker, or an admin, changes nothing: the login decides.
        claimed = floor.seats["admin"].email
        assert _refusal(conn, uuid.uuid4(), report, claimed, "admin") == RULE
    assert _scrap_on(floor, "ST-07") == (3, 3)
    with floor.seats["supervisor"].connect() as conn, conn.transaction():
        assert conn.execute(CORRECT, (uuid.uuid4(), report, None, None)).fetchone() == (True,)
    assert _scrap_on(floor, "ST-07") == (0, 0)
    assert_counts_match_logs(floor)


def test_a_kiosk_cannot_take_back_another_stations_scrap(floor: Floor) -> None:  # noqa: F811
    with floor.seats["admin"].connect() as conn:
        with conn.transaction():
            conn.execute("SELECT leanops_assign_job('J-08', 'ST-08', NULL, 'admin')")
        report = _scrap(conn, "ST-08", "J-08", 2)
    with floor.seats["device"].connect() as conn:
        refused = _refusal(conn, uuid.uuid4(), report, floor.seats["operator"].email, "device")
        assert refused == DEVICE_REFUSED
    for kind in ("stranger", "board"):
        with floor.seats[kind].connect() as conn:
            assert _refusal(conn, uuid.uuid4(), report, None, "admin") == "42501"
    assert _scrap_on(floor, "ST-08") == (2, 2)
    assert_counts_match_logs(floor)


def test_downgrade_drops_the_function_and_upgrade_gives_execute_to_the_floor(
    db: Database,
) -> None:
    from alembic import command

    from leanops_desktop.db.migrate import alembic_config

    def granted() -> dict[str, bool]:
        with db.engine.connect() as connection:
            return {
                str(row[0]): bool(row[1])
                for row in connection.exec_driver_sql(
                    "SELECT g.kind, has_function_privilege(leanops_plant_role(g.kind),"
                    " p.oid, 'EXECUTE') FROM pg_proc p,"
                    " unnest(ARRAY['operator', 'supervisor', 'admin', 'device', 'board']) g(kind)"
                    " WHERE p.proname = 'leanops_correct_scrap'"
                )
            }

    floor_groups = {"operator": True, "supervisor": True, "admin": True, "device": True}
    assert granted() == {**floor_groups, "board": False}
    with db.engine.begin() as connection:
        command.downgrade(alembic_config(connection), "0015")
    assert granted() == {}
    with db.engine.begin() as connection:
        command.upgrade(alembic_config(connection), "0016")
    assert granted() == {**floor_groups, "board": False}
