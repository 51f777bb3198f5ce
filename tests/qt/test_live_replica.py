"""A window on a server that refuses LISTEN (a hot standby) reads the feed on the timer at once
and says why; the primary's changes still reach its models. Promoted, the server accepts
LISTEN when it is tried again, and the window goes back to notifications."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from leanops_desktop.core.actor import Actor
from leanops_desktop.db import migrate
from leanops_desktop.db.delivery_watch import NOTIFICATIONS, TIMER
from leanops_desktop.db.engine import open_database
from leanops_desktop.qt.live import LiveFeed
from leanops_desktop.qt.live.pg_wakeup import PgWakeup
from tests.factories import report_from_another_seat as report
from tests.pg_server import ClusterStartError, ThrowawayCluster, create_database, find_pg_bindir
from tests.pg_standby import StreamingReplica
from tests.qt.test_live_delivery import NOTIFIED, POLLED, open_live_window
from tests.qt.test_live_feed import assigned_plant
from tests.qt.test_live_reconnect import shows

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

PLANT = "replica_plant"


@pytest.fixture(scope="module")
def primary_and_standby() -> Iterator[tuple[ThrowawayCluster, StreamingReplica]]:
    if find_pg_bindir() is None:
        pytest.skip("no PostgreSQL server binaries")
    primary = ThrowawayCluster()
    standby: StreamingReplica | None = None
    try:
        primary.start()
        standby = StreamingReplica(primary)
        standby.start()
    except ClusterStartError as exc:
        pytest.fail(f"the primary and its standby did not start: {exc}", pytrace=False)
    try:
        yield primary, standby
    finally:
        standby.cleanup()
        primary.cleanup()


def test_a_standby_refusing_listen_reads_on_the_timer_until_promoted(
    primary_and_standby: tuple[ThrowawayCluster, StreamingReplica],
    supervisor: Actor,
    operator: Actor,
    qtbot: QtBot,
) -> None:
    primary, standby = primary_and_standby
    url = create_database(primary.url, PLANT)
    db = open_database(url)
    try:
        migrate.upgrade(db)
        assigned_plant(db, supervisor)
    finally:
        db.dispose()
    standby.wait_for(PLANT, "SELECT count(*) FROM station_assignments")
    replica_url = standby.url.rsplit("/", 1)[0] + f"/{PLANT}"
    replica = open_database(replica_url)
    feed = LiveFeed(replica)
    wakeup = feed.wakeup
    assert isinstance(wakeup, PgWakeup)
    wakeup.watch.relisten_interval = 0.3  # LISTEN is tried again every 0.3 s (30 s in use)
    feed.start()
    window = open_live_window(qtbot, replica, supervisor, feed)
    label = window.status.connection_label
    try:
        qtbot.waitUntil(lambda: feed.online and feed.delivery == TIMER, timeout=10_000)
        assert label.text() == POLLED
        assert "refused LISTEN" in label.toolTip() and "recovery" in label.toolTip()
        report(url, operator, 3)  # a seat on the primary
        qtbot.waitUntil(shows(window.models, 3), timeout=5000)
        qtbot.wait(1200)  # LISTEN refused again meanwhile: still online, still on the timer
        assert feed.online and feed.delivery == TIMER

        standby.promote()  # a failover: the replica becomes the primary
        listener = wakeup.listener
        assert listener is not None
        qtbot.waitUntil(lambda: not listener.listen_error, timeout=5000)
        assert feed.delivery == TIMER  # until a notification proves that they arrive
        report(replica_url, operator, 4)  # a seat on the new primary: the server notifies
        qtbot.waitUntil(lambda: feed.delivery == NOTIFICATIONS, timeout=5000)
        assert label.text() == NOTIFIED
        qtbot.waitUntil(shows(window.models, 7), timeout=5000)
    finally:
        window.close()
        feed.stop()
        replica.dispose()
