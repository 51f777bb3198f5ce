"""FloorRefresher: live changes read in a worker thread, applied in order, never lost.

On PostgreSQL a table lock held by another connection makes a read wait as long as the test
wants: the GUI thread must keep running meanwhile, later changes must be merged behind the
waiting read, and a read killed on the server must be retried until the models converge.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator

import psycopg
import pytest
from PySide6.QtCore import QTimer
from pytestqt.qtbot import QtBot

from leanops_desktop.core.actor import Actor
from leanops_desktop.db.engine import Database
from leanops_desktop.qt.db_runner import DbRunner
from leanops_desktop.qt.live.floor_refresher import STEP_ABOVE_ROWS, FloorRefresher
from leanops_desktop.qt.models.refresh import FloorModels, FloorRows
from leanops_desktop.services.reporting import production
from tests.qt.test_live_feed import assigned_plant
from tests.qt.test_models_refresh import load_floor

STATIONS = 12


@pytest.fixture
def floor(db: Database, supervisor: Actor) -> FloorModels:
    assigned_plant(db, supervisor, stations=STATIONS)
    return load_floor(db)


@pytest.fixture
def refresher(db: Database, floor: FloorModels) -> Iterator[FloorRefresher]:
    refresher = FloorRefresher(db, floor, retry_ms=100)
    yield refresher
    refresher.stop()


def report(db: Database, operator: Actor, station: int, qty: int) -> dict[str, set[str]]:
    """Report ``qty`` at ST-nn and return the change the feed would announce for it."""
    with db.session() as session:
        result = production.report_quantity(
            session,
            operator,
            station_id=f"ST-{station:02d}",
            job_id=f"JOB-{station:04d}",
            qty=qty,
            report_id=uuid.uuid4(),
        )
    return {"performance_logs": {str(result.log_id)}}


def shown_done(floor: FloorModels, station: int) -> int:
    row = floor.stations.row_for_key(f"ST-{station:02d}")
    assert row is not None
    return row.assignment_qty_done


def test_submitted_changes_reach_every_model(
    db: Database, floor: FloorModels, refresher: FloorRefresher, operator: Actor, qtbot: QtBot
) -> None:
    changes = report(db, operator, 1, 7)
    with qtbot.waitSignal(refresher.applied, timeout=5000) as applied:
        refresher.submit(changes)
    rows: FloorRows = applied.args[0]
    assert [log.qty_completed for log in rows.logs] == [7]
    assert shown_done(floor, 1) == 7
    job = floor.jobs.row_for_key("JOB-0001")
    assert job is not None and job.qty_done == 7
    assert [row.qty_done for row in floor.assignments.all_rows() if row.job_id == "JOB-0001"] == [7]
    assert shown_done(floor, 2) == 0  # untouched rows stay as they were
    assert not refresher.busy


def test_a_large_refresh_lets_the_event_loop_run_between_models(
    db: Database, floor: FloorModels, refresher: FloorRefresher, operator: Actor, qtbot: QtBot
) -> None:
    changes: dict[str, set[str]] = {"performance_logs": set()}
    for station in range(1, STATIONS + 1):
        changes["performance_logs"] |= report(db, operator, station, station)["performance_logs"]
    turns = [0]
    ticker = QTimer()
    ticker.setInterval(0)
    ticker.timeout.connect(lambda: turns.__setitem__(0, turns[0] + 1))
    seen: dict[str, int] = {}
    floor.stations.dataChanged.connect(lambda *_: seen.setdefault("stations", turns[0]))
    floor.assignments.dataChanged.connect(lambda *_: seen.setdefault("assignments", turns[0]))
    ticker.start()
    try:
        with qtbot.waitSignal(refresher.applied, timeout=5000) as applied:
            refresher.submit(changes)
    finally:
        ticker.stop()
    rows: FloorRows = applied.args[0]
    assert len(rows.stations) + len(rows.assignments) > STEP_ABOVE_ROWS
    assert [shown_done(floor, n) for n in range(1, STATIONS + 1)] == list(range(1, STATIONS + 1))
    # Stations went in first; the event loop turned (views repaint) before the assignments.
    assert seen["assignments"] > seen["stations"]


def test_with_an_inline_runner_the_models_are_current_before_submit_returns(
    db: Database, floor: FloorModels, operator: Actor
) -> None:
    inline = FloorRefresher(db, floor, runner=DbRunner(inline=True))
    try:
        inline.submit(report(db, operator, 3, 4))
        assert shown_done(floor, 3) == 4
        assert not inline.busy
        assert inline.reads == 1
    finally:
        inline.stop()


@pytest.fixture
def table_lock(db_url: str) -> Iterator[psycopg.Connection]:
    """A connection that can hold an ACCESS EXCLUSIVE lock on the performance logs."""
    with psycopg.connect(db_url) as connection:
        yield connection


def hold_lock(connection: psycopg.Connection, release_after_s: float) -> threading.Timer:
    connection.execute("LOCK TABLE performance_logs IN ACCESS EXCLUSIVE MODE")
    safety = threading.Timer(release_after_s, connection.rollback)  # never hang the suite
    safety.start()
    return safety


def waiting_reader_pids(db_url: str) -> list[int]:
    with psycopg.connect(db_url, autocommit=True) as admin:
        rows = admin.execute(
            "SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
            " AND datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchall()
    return [row[0] for row in rows]


@pytest.mark.parametrize("backend", ["postgresql"])
def test_a_slow_read_does_not_block_the_gui_thread_and_later_changes_wait_behind_it(
    db: Database,
    db_url: str,
    floor: FloorModels,
    refresher: FloorRefresher,
    operator: Actor,
    table_lock: psycopg.Connection,
    qtbot: QtBot,
) -> None:
    first = report(db, operator, 1, 2)
    second = report(db, operator, 2, 3)
    third = report(db, operator, 1, 5)
    applied: list[FloorRows] = []
    refresher.applied.connect(applied.append)
    safety = hold_lock(table_lock, release_after_s=20)
    try:
        started = time.monotonic()
        refresher.submit(first)
        assert time.monotonic() - started < 1.0  # the read waits in the worker, not here
        qtbot.waitUntil(lambda: bool(waiting_reader_pids(db_url)), timeout=5000)
        ticks = [0]
        ticker = QTimer()
        ticker.setInterval(10)
        ticker.timeout.connect(lambda: ticks.__setitem__(0, ticks[0] + 1))
        ticker.start()
        refresher.submit(second)
        refresher.submit(third)
        qtbot.wait(300)
        ticker.stop()
        assert ticks[0] >= 10  # the event loop kept turning while the read waited
        assert applied == [] and refresher.busy
        assert shown_done(floor, 1) == 0
        table_lock.rollback()
        qtbot.waitUntil(lambda: not refresher.busy, timeout=5000)
    finally:
        safety.cancel()
    # The waiting read first, then one read for both changes that came meanwhile.
    assert len(applied) == 2
    assert applied[0].changes == first
    assert applied[1].changes == {
        "performance_logs": second["performance_logs"] | third["performance_logs"]
    }
    assert (shown_done(floor, 1), shown_done(floor, 2)) == (7, 3)


@pytest.mark.parametrize("backend", ["postgresql"])
def test_a_read_killed_on_the_server_is_retried_until_the_models_converge(
    db: Database,
    db_url: str,
    floor: FloorModels,
    refresher: FloorRefresher,
    operator: Actor,
    table_lock: psycopg.Connection,
    qtbot: QtBot,
) -> None:
    changes = report(db, operator, 4, 6)
    failures: list[BaseException] = []
    refresher.failed.connect(failures.append)
    safety = hold_lock(table_lock, release_after_s=20)
    try:
        refresher.submit(changes)
        qtbot.waitUntil(lambda: bool(waiting_reader_pids(db_url)), timeout=5000)
        with (
            qtbot.waitSignal(refresher.failed, timeout=5000),
            psycopg.connect(db_url, autocommit=True) as admin,
        ):
            for pid in waiting_reader_pids(db_url):
                admin.execute("SELECT pg_terminate_backend(%s)", [pid])
        assert shown_done(floor, 4) == 0 and refresher.busy  # kept, not dropped
        table_lock.rollback()
        qtbot.waitUntil(lambda: shown_done(floor, 4) == 6, timeout=5000)
    finally:
        safety.cancel()
    assert len(failures) >= 1
    assert not refresher.busy
