"""A window on a server that refuses LISTEN (a hot standby) reads the feed on the timer at once
and says why; the primary's changes still reach its models."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from leanops_desktop.core.actor import Actor
from leanops_desktop.db import migrate
from leanops_desktop.db.delivery_watch import TIMER
from leanops_desktop.db.engine import open_database
from leanops_desktop.qt.live import LiveFeed
from tests.pg_server import ClusterStartError, ThrowawayCluster, create_database, find_pg_bindir
from tests.pg_standby import ThrowawayStandby
from tests.qt.test_live_delivery import POLLED, open_live_window
from tests.qt.test_live_feed import assigned_plant
from tests.qt.test_live_reconnect import report, shows

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

PLANT = "replica_plant"


@pytest.fixture(scope="module")
def primary_and_standby() -> Iterator[tuple[ThrowawayCluster, ThrowawayStandby]]:
    if find_pg_bindir() is None:
        pytest.skip("no PostgreSQL server binaries")
    primary = ThrowawayCluster()
    standby: ThrowawayStandby | None = None
    try:
        primary.start()
        standby = ThrowawayStandby(primary)
        standby.start()
    except ClusterStartError as exc:
        pytest.fail(f"the primary and its standby did not start: {exc}", pytrace=False)
    try:
        yield primary, standby
    finally:
        standby.cleanup()
        primary.cleanup()


def test_a_standby_refusing_listen_reads_on_the_timer_and_follows_the_primary(
    primary_and_standby: tuple[ThrowawayCluster, ThrowawayStandby],
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
    replica = open_database(standby.url.rsplit("/", 1)[0] + f"/{PLANT}")
    feed = LiveFeed(replica)
    feed.start()
    window = open_live_window(qtbot, replica, supervisor, feed)
    label = window.status.connection_label
    try:
        qtbot.waitUntil(lambda: feed.online and feed.delivery == TIMER, timeout=10_000)
        assert label.text() == POLLED
        assert "refused LISTEN" in label.toolTip() and "recovery" in label.toolTip()
        report(url, operator, 3)  # a seat on the primary
        qtbot.waitUntil(shows(window.models, 3), timeout=5000)
        assert feed.delivery == TIMER
    finally:
        window.close()
        feed.stop()
        replica.dispose()
