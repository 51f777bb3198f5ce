"""A window whose notifications stop arriving reads the feed every second and says so in the
status bar; it goes back to notifications when one arrives (real PostgreSQL, no pooler)."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import insert

from leanops_desktop.config import SiteConfig
from leanops_desktop.core.actor import Actor
from leanops_desktop.db.delivery_watch import GREW_UNANNOUNCED, NOTIFICATIONS, TIMER
from leanops_desktop.db.engine import Database
from leanops_desktop.db.models import ChangeFeed
from leanops_desktop.qt.db_runner import DbRunner
from leanops_desktop.qt.live import LiveFeed
from leanops_desktop.qt.main_window import MainWindow
from leanops_desktop.qt.messages import MessageService
from leanops_desktop.services.accounts.signed_in import SignedIn
from tests.factories import make_station

pytestmark = pytest.mark.postgres

POLLED = "Live updates: every 1 s (no notifications)"
NOTIFIED = "Live: changes from other seats appear within a second (PostgreSQL notifications)"


def unannounced_feed_row(db: Database, key: str) -> None:
    """A feed row committed without a notification, as a transaction pooler loses them."""
    with db.engine.begin() as connection:
        connection.execute(insert(ChangeFeed).values(table_name="stations", row_key=key, op="U"))


def open_live_window(qtbot: QtBot, db: Database, actor: Actor, feed: LiveFeed) -> MainWindow:
    window = MainWindow(
        SignedIn(db=db, actor=actor),
        SiteConfig(),
        messages=MessageService(),
        runner=DbRunner(inline=True),
        live_feed=feed,
        restore_layout=False,
    )
    qtbot.addWidget(window)
    return window


@pytest.mark.parametrize("backend", ["postgresql"])
def test_unannounced_growth_twice_switches_to_the_timer_and_a_notification_back(
    db: Database, supervisor: Actor, qtbot: QtBot
) -> None:
    feed = LiveFeed(db, heartbeat_ms=100)
    feed.start()
    window = open_live_window(qtbot, db, supervisor, feed)
    modes: list[tuple[str, str]] = []
    feed.delivery_changed.connect(lambda mode, reason: modes.append((mode, reason)))
    label = window.status.connection_label
    try:
        qtbot.waitUntil(lambda: feed.online and label.text() == NOTIFIED, timeout=5000)
        qtbot.wait(300)  # the heartbeat has seen the feed's end
        unannounced_feed_row(db, "ST-90")
        qtbot.wait(350)  # seen by a heartbeat: once proves nothing
        assert feed.delivery == NOTIFICATIONS and label.text() == NOTIFIED
        unannounced_feed_row(db, "ST-91")
        qtbot.waitUntil(lambda: feed.delivery == TIMER, timeout=2000)
        assert label.text() == POLLED
        assert "grew without a notification" in label.toolTip()
        wakeup = feed.wakeup
        assert getattr(wakeup, "polling", False)

        make_station(db, supervisor, "ST-05")  # a real change: the server notifies
        qtbot.waitUntil(lambda: feed.delivery == NOTIFICATIONS, timeout=2000)
        assert label.text() == NOTIFIED
        assert not getattr(wakeup, "polling", True)
        stations = window.models.stations
        qtbot.waitUntil(lambda: stations.row_for_key("ST-05") is not None, timeout=2000)
    finally:
        window.close()
        feed.stop()
    assert modes == [(TIMER, GREW_UNANNOUNCED), (NOTIFICATIONS, "")]


@pytest.mark.parametrize("backend", ["postgresql"])
def test_the_timer_reads_changes_without_notifications_or_heartbeats(
    db: Database, supervisor: Actor, qtbot: QtBot
) -> None:
    feed = LiveFeed(db, heartbeat_ms=100, poll_ms=1000)
    feed.start()
    window = open_live_window(qtbot, db, supervisor, feed)
    try:
        qtbot.waitUntil(lambda: feed.online, timeout=5000)
        qtbot.wait(300)
        for key in ("ST-90", "ST-91"):
            unannounced_feed_row(db, key)
            qtbot.wait(250)
        qtbot.waitUntil(lambda: feed.delivery == TIMER, timeout=2000)
        feed.wakeup._heartbeat.stop()  # only the 1 s timer wakes the feed now
        emissions = feed.emissions
        unannounced_feed_row(db, "ST-92")
        with qtbot.waitSignal(feed.changes_arrived, timeout=1500) as arrived:
            pass
        assert arrived.args is not None and arrived.args[0] == {"stations": {"ST-92"}}
        assert feed.emissions == emissions + 1
    finally:
        window.close()
        feed.stop()
