"""The status bar says plainly how live the window is, on SQLite and on PostgreSQL."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from pytestqt.qtbot import QtBot

from leanops_desktop.config import SiteConfig
from leanops_desktop.core.actor import Actor
from leanops_desktop.db.engine import Database
from leanops_desktop.qt.db_runner import DbRunner
from leanops_desktop.qt.live.live_feed import LiveFeed
from leanops_desktop.qt.main_window import MainWindow
from leanops_desktop.qt.status_bar import NOT_LIVE, POSTGRESQL, SQLITE, live_texts
from leanops_desktop.services.accounts.auth import SignedIn
from tests.qt.conftest import RecordingMessages

PG_LIVE = "Live: changes from other seats appear within a second (PostgreSQL notifications)"


def test_the_words_for_each_way_of_being_live() -> None:
    assert live_texts(POSTGRESQL, True)[0] == PG_LIVE
    assert live_texts(SQLITE, True, 250)[0] == "Live: this PC's database, checked 4× a second"
    assert live_texts(SQLITE, True, 25)[0] == "Live: this PC's database, checked 40× a second"
    assert live_texts(POSTGRESQL, None)[0] == "Live: connecting…"
    offline, tip = live_texts(POSTGRESQL, False, reason="server closed — reconnecting")
    assert offline == "Offline: reconnecting…"
    assert tip.startswith("server closed — reconnecting.") and "none are lost" in tip
    assert live_texts(SQLITE, False)[0] == "Offline: reconnecting…"
    assert live_texts(NOT_LIVE, None)[0].startswith("Not live:")


class FakePgFeed(QObject):
    """What the window reads of a PostgreSQL live feed."""

    changes_arrived = Signal(object)
    connection_state_changed = Signal(bool, str)
    backend = "postgresql"
    listening = True
    state: bool | None = True

    def read_now(self) -> None:
        pass


def window_with(
    qtbot: QtBot, db: Database, actor: Actor, feed: object, runner: DbRunner
) -> MainWindow:
    window = MainWindow(
        SignedIn(db=db, actor=actor),
        SiteConfig(),
        messages=RecordingMessages(),
        live_feed=feed,  # type: ignore[arg-type]
        runner=runner,
        restore_layout=False,
    )
    qtbot.addWidget(window)
    return window


def test_postgresql_says_notifications_and_offline(
    qtbot: QtBot, demo_db: Database, supervisor: Actor
) -> None:
    feed = FakePgFeed()
    window = window_with(qtbot, demo_db, supervisor, feed, DbRunner(inline=True))
    label = window.status.connection_label
    assert label.text() == PG_LIVE
    feed.connection_state_changed.emit(False, "server closed the connection — reconnecting")
    assert label.text() == "Offline: reconnecting…"
    assert "server closed the connection" in label.toolTip()
    assert label.objectName() == "ConnectionOffline"
    feed.connection_state_changed.emit(True, "")
    assert label.text() == PG_LIVE
    window.close()


def test_postgresql_still_connecting(qtbot: QtBot, demo_db: Database, supervisor: Actor) -> None:
    feed = FakePgFeed()
    feed.state = None
    window = window_with(qtbot, demo_db, supervisor, feed, DbRunner(inline=True))
    assert window.status.connection_label.text() == "Live: connecting…"
    feed.connection_state_changed.emit(True, "")
    assert window.status.connection_label.text() == PG_LIVE
    window.close()


def test_sqlite_says_how_often_it_checks(
    qtbot: QtBot, demo_db: Database, supervisor: Actor
) -> None:
    runner = DbRunner(inline=True)
    feed = LiveFeed(demo_db, runner=runner, sqlite_check_ms=250)
    feed.start()  # online before the window is made: the window still says so
    try:
        window = window_with(qtbot, demo_db, supervisor, feed, runner)
        qtbot.waitUntil(lambda: feed.online, timeout=5000)
        text = window.status.connection_label.text()
        assert text == "Live: this PC's database, checked 4× a second"
        window.close()
    finally:
        feed.stop()


def test_a_window_without_a_listener_says_it_is_not_live(
    qtbot: QtBot, demo_db: Database, supervisor: Actor
) -> None:
    window = window_with(qtbot, demo_db, supervisor, None, DbRunner(inline=True))
    text = window.status.connection_label.text()
    assert text == "Not live: views refresh after your changes and on Refresh (F5)"
    window.close()
