"""LiveFeed survives a lost PostgreSQL connection: it says so once, reconnects with backoff,
catches up from the feed, and the floor models converge to the database."""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Callable, Iterator

import psycopg
import pytest
from pytestqt.qtbot import QtBot

from leanops_desktop.core.actor import Actor
from leanops_desktop.db import migrate
from leanops_desktop.db.engine import Database, open_database
from leanops_desktop.qt.live import LiveFeed
from leanops_desktop.qt.models import FloorModels
from tests.factories import report_from_another_seat
from tests.pg_server import ClusterStartError, ThrowawayCluster, create_database, find_pg_bindir
from tests.qt.test_live_feed import Recorder, assigned_plant, follow

pytestmark = pytest.mark.postgres


def shows(floor: FloorModels, qty: int) -> Callable[[], bool]:
    def check() -> bool:
        job = floor.jobs.row_for_key("JOB-0001")
        station = floor.stations.row_for_key("ST-01")
        assignment = floor.assignments.all_rows()[0]
        return (
            job is not None
            and station is not None
            and job.qty_done == station.job_qty_done == assignment.qty_done == qty
        )

    return check


def in_thread(work: Callable[[], None]) -> threading.Thread:
    """Run ``work`` beside the GUI thread, so the event loop keeps running meanwhile."""
    thread = threading.Thread(target=work)
    thread.start()
    return thread


def is_offline(online: bool, _message: str) -> bool:
    return not online


def is_online(online: bool, _message: str) -> bool:
    return online


@pytest.mark.parametrize("backend", ["postgresql"])
def test_a_killed_listener_reports_offline_reconnects_and_catches_up(
    db: Database, db_url: str, supervisor: Actor, operator: Actor, qtbot: QtBot
) -> None:
    assigned_plant(db, supervisor)
    feed = LiveFeed(db)
    feed.start()
    floor = follow(feed, db)
    qtbot.waitUntil(lambda: feed.online, timeout=5000)
    recorder = Recorder(feed)
    try:
        listener = feed.wakeup.listener
        assert listener is not None
        killed_pid = listener.backend_pid
        with (
            qtbot.waitSignal(
                feed.connection_state_changed, timeout=2000, check_params_cb=is_offline
            ),
            psycopg.connect(db_url, autocommit=True) as admin,
        ):
            admin.execute("SELECT pg_terminate_backend(%s)", [killed_pid])
            # Committed while the listener is gone: nobody is told, the catch-up finds it.
            report_from_another_seat(db_url, operator, 3)
        assert not feed.online
        with qtbot.waitSignal(
            feed.connection_state_changed, timeout=10_000, check_params_cb=is_online
        ):
            pass
        qtbot.waitUntil(shows(floor, 3), timeout=5000)
        listener = feed.wakeup.listener
        assert listener is not None and listener.backend_pid != killed_pid
        report_from_another_seat(db_url, operator, 4)  # and the new listener hears the next one
        qtbot.waitUntil(shows(floor, 7), timeout=5000)
    finally:
        feed.stop()
    assert [online for online, _ in recorder.states] == [False, True]
    assert "reconnecting" in recorder.states[0][1]


@pytest.mark.parametrize("backend", ["postgresql"])
def test_a_silent_connection_is_noticed_by_the_heartbeat(
    db: Database, db_url: str, supervisor: Actor, operator: Actor, qtbot: QtBot
) -> None:
    assigned_plant(db, supervisor)
    feed = LiveFeed(db)
    feed.start()
    floor = follow(feed, db)
    qtbot.waitUntil(lambda: feed.online, timeout=5000)
    listener = feed.wakeup.listener
    assert listener is not None
    frozen = listener.backend_pid
    os.kill(frozen, signal.SIGSTOP)  # the server process stops answering; the socket stays open
    try:
        with qtbot.waitSignal(
            feed.connection_state_changed, timeout=2000, check_params_cb=is_offline
        ) as blocker:
            report_from_another_seat(db_url, operator, 2)
        assert blocker.args is not None
        assert "no answer" in blocker.args[1]
        qtbot.waitUntil(lambda: feed.online, timeout=10_000)
        qtbot.waitUntil(shows(floor, 2), timeout=5000)
    finally:
        os.kill(frozen, signal.SIGCONT)
        feed.stop()


@pytest.fixture
def own_cluster() -> Iterator[ThrowawayCluster]:
    """A server of this test's own, which it may stop and start without disturbing others."""
    if find_pg_bindir() is None:
        pytest.skip("no PostgreSQL server binaries")
    cluster = ThrowawayCluster()
    try:
        cluster.start()
    except ClusterStartError as exc:
        pytest.skip(f"the throwaway PostgreSQL cluster did not start: {exc}")
    try:
        yield cluster
    finally:
        cluster.cleanup()


@pytest.mark.slow
def test_a_server_restart_is_survived_without_a_storm(
    own_cluster: ThrowawayCluster, supervisor: Actor, operator: Actor, qtbot: QtBot
) -> None:
    url = create_database(own_cluster.url, "live_restart")
    db = open_database(url)
    migrate.upgrade(db)
    assigned_plant(db, supervisor)
    feed = LiveFeed(db)
    feed.start()
    floor = follow(feed, db)
    qtbot.waitUntil(lambda: feed.online, timeout=5000)
    recorder = Recorder(feed)
    try:
        report_from_another_seat(url, operator, 1)
        qtbot.waitUntil(shows(floor, 1), timeout=5000)

        stopping = in_thread(own_cluster.stop)
        with qtbot.waitSignal(
            feed.connection_state_changed, timeout=2000, check_params_cb=is_offline
        ):
            pass
        qtbot.waitUntil(lambda: not stopping.is_alive(), timeout=60_000)
        qtbot.wait(2500)  # several reconnection attempts fail meanwhile
        assert not feed.online

        starting = in_thread(own_cluster.start_again)
        qtbot.waitUntil(lambda: not starting.is_alive(), timeout=60_000)
        report_from_another_seat(
            url, operator, 5
        )  # committed before the feed is back (it is backing off)
        qtbot.waitUntil(lambda: feed.online, timeout=20_000)
        qtbot.waitUntil(shows(floor, 6), timeout=5000)
        report_from_another_seat(url, operator, 2)
        qtbot.waitUntil(shows(floor, 8), timeout=5000)
    finally:
        feed.stop()
        db.dispose()
    # One "offline" for the whole outage, one "online" at the end: no storm of messages.
    assert [online for online, _ in recorder.states] == [False, True]


@pytest.mark.parametrize("backend", ["postgresql"])
def test_history_pruned_while_offline_asks_for_a_full_reload(
    db: Database, db_url: str, supervisor: Actor, qtbot: QtBot
) -> None:
    feed = LiveFeed(db)
    feed.start()
    qtbot.waitUntil(lambda: feed.online, timeout=5000)
    lost: list[bool] = []
    feed.history_lost.connect(lambda: lost.append(True))
    try:
        listener = feed.wakeup.listener
        assert listener is not None
        with (
            qtbot.waitSignal(
                feed.connection_state_changed, timeout=2000, check_params_cb=is_offline
            ),
            psycopg.connect(db_url, autocommit=True) as admin,
        ):
            admin.execute("SELECT pg_terminate_backend(%s)", [listener.backend_pid])
            admin.execute("INSERT INTO stations (id, name, line) VALUES ('ST-77', 'X', 'A')")
            admin.execute("DELETE FROM change_feed")  # pruned before this seat came back
            admin.execute("INSERT INTO stations (id, name, line) VALUES ('ST-78', 'Y', 'A')")
        with qtbot.waitSignal(feed.history_lost, timeout=10_000):
            pass
        qtbot.waitUntil(lambda: feed.online, timeout=5000)
    finally:
        feed.stop()
    assert lost == [True]
