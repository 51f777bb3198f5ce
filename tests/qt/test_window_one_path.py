"""One path for every change: the window's saves run on its runner, their changes come back
through the live feed (read once), and a save that fails keeps its dialog open and says why,
without the GUI thread ever waiting on the network."""

from __future__ import annotations

import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from PySide6.QtCore import Qt, QTimer
from pytestqt.qtbot import QtBot

from leanops_desktop.config import SiteConfig
from leanops_desktop.core.actor import Actor
from leanops_desktop.core.enums import StationStatus
from leanops_desktop.db.engine import Database, open_database
from leanops_desktop.qt.db_runner import UNREACHABLE, DbRunner
from leanops_desktop.qt.dialogs.block_dialog import BlockDialog
from leanops_desktop.qt.dialogs.form_dialog import SAVING_TEXT
from leanops_desktop.qt.live import floor_refresher
from leanops_desktop.qt.live.live_feed import LiveFeed
from leanops_desktop.qt.main_window import MainWindow
from leanops_desktop.services.accounts.signed_in import SignedIn
from leanops_desktop.services.floor import stations
from tests.factories import make_station
from tests.fault_proxy import FaultProxy
from tests.qt.conftest import RecordingMessages
from tests.qt.window_helpers import open_window


def click(qtbot: QtBot, widget: object) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)  # type: ignore[arg-type]


def block_from_dialog(qtbot: QtBot, window: MainWindow, station_id: str) -> BlockDialog:
    row = window.models.stations.row_for_key(station_id)
    assert row is not None
    window.commands.block_station(row)
    dialog = window.commands.active_dialog
    assert isinstance(dialog, BlockDialog)
    dialog.reason_combo.setCurrentIndex(dialog.reason_combo.findData("maintenance"))
    click(qtbot, dialog.submit_button)
    return dialog


class StallMeter:
    """The longest gap between two ticks of a 2 ms timer in the GUI thread."""

    def __init__(self) -> None:
        self.longest = 0.0
        self._last = time.perf_counter()
        self._timer = QTimer()
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(2)
        self._timer.timeout.connect(self._tick)
        self._timer.start()

    def _tick(self) -> None:
        now = time.perf_counter()
        self.longest = max(self.longest, now - self._last)
        self._last = now

    def stop(self) -> float:
        self._timer.stop()
        return self.longest


def test_an_own_change_is_applied_through_the_feed_and_read_once(
    qtbot: QtBot,
    demo_db: Database,
    supervisor: Actor,
    messages: RecordingMessages,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    reads: list[dict[str, set[str]]] = []
    real_read = floor_refresher.read_refresh

    def counted(db: Database, plan: floor_refresher.RefreshPlan) -> floor_refresher.FloorRows:
        reads.append(plan.changes)
        return real_read(db, plan)

    monkeypatch.setattr(floor_refresher, "read_refresh", counted)
    runner = DbRunner(inline=True)
    feed = LiveFeed(demo_db, runner=runner)
    feed.start()  # listening: the file's data_version is watched as well
    window = MainWindow(
        SignedIn(db=demo_db, actor=supervisor),
        SiteConfig(),
        messages=messages,
        live_feed=feed,
        runner=runner,
        restore_layout=False,
    )
    qtbot.addWidget(window)
    try:
        qtbot.waitUntil(lambda: feed.online, timeout=5000)
        qtbot.wait(100)  # any wake-up of the start has passed
        reads.clear()
        emissions = feed.emissions

        dialog = block_from_dialog(qtbot, window, "ST-04")

        # Applied before the click returned (inline runner), through the feed: one emission,
        # one read of the changed rows.
        station = window.models.stations.row_for_key("ST-04")
        assert station is not None and station.status == StationStatus.BLOCKED
        assert window.commands.active_dialog is None and not dialog.isVisible()
        assert feed.emissions == emissions + 1
        assert len(reads) == 1
        assert "ST-04" in reads[0]["stations"]
        assert "station_blocked" in {e.event_type for e in window.models.events.all_rows()}
        qtbot.wait(300)  # the file watch wakes up for the same commit: nothing new to read
        assert feed.emissions == emissions + 1
        assert len(reads) == 1
        assert messages.texts()[-1] == "Station ST-04 blocked: maintenance."
    finally:
        window.close()
        feed.stop()


def test_a_refused_save_keeps_the_dialog_open_with_the_services_message(
    qtbot: QtBot, demo_db: Database, supervisor: Actor, messages: RecordingMessages
) -> None:
    window = open_window(qtbot, demo_db, supervisor, messages)
    row = window.models.stations.row_for_key("ST-04")
    assert row is not None
    window.commands.block_station(row)
    dialog = window.commands.active_dialog
    assert isinstance(dialog, BlockDialog)
    dialog.reason_combo.setCurrentIndex(dialog.reason_combo.findData("maintenance"))
    with demo_db.session() as session:  # someone else blocks it meanwhile
        stations.block_station(session, supervisor, "ST-04", "tooling")
    click(qtbot, dialog.submit_button)
    assert dialog.isVisible() and window.commands.active_dialog is dialog
    assert dialog.message_bar.text() == messages.errors[-1]
    assert "blocked" in messages.errors[-1]
    assert dialog.submit_button.isEnabled() and dialog.submit_button.text() == "Block station"


@pytest.fixture
def proxied(db: Database, db_url: str, supervisor: Actor) -> Iterator[tuple[Database, FaultProxy]]:
    """The test's PostgreSQL database with a station, reached through a fault proxy."""
    make_station(db, supervisor, "ST-01")
    port = urlsplit(db_url).port
    assert port is not None
    proxy = FaultProxy(port)
    via_proxy = open_database(proxy.url(db_url), connect_timeout=2)
    try:
        yield via_proxy, proxy
    finally:
        via_proxy.dispose()
        proxy.close()


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgresql"])
@pytest.mark.parametrize("fault", ["stopped", "not answering"])
def test_a_save_the_database_does_not_take_keeps_the_dialog_open_and_the_window_alive(
    qtbot: QtBot,
    proxied: tuple[Database, FaultProxy],
    supervisor: Actor,
    messages: RecordingMessages,
    capfd: pytest.CaptureFixture[str],
    fault: str,
) -> None:
    db, proxy = proxied
    window = MainWindow(
        SignedIn(db=db, actor=supervisor),
        SiteConfig(),
        messages=messages,
        restore_layout=False,  # its own background runner, as in the app
    )
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.models.stations.row_for_key("ST-01") is not None)
    qtbot.waitUntil(lambda: not window.runner.is_busy())
    if fault == "stopped":
        proxy.set_down(True)
    else:
        proxy.set_hung(True)

    meter = StallMeter()
    started = time.perf_counter()
    dialog = block_from_dialog(qtbot, window, "ST-01")
    clicked_in = time.perf_counter() - started
    # The save is under way: the buttons are disabled and say so; nothing waited.
    assert dialog.saving
    assert dialog.submit_button.text() == SAVING_TEXT and not dialog.submit_button.isEnabled()
    cancel = [b for b in dialog.buttons.buttons() if b is not dialog.submit_button]
    assert cancel and not any(b.isEnabled() for b in cancel)
    qtbot.waitUntil(lambda: not dialog.saving, timeout=15_000)
    longest = meter.stop()

    assert clicked_in < 0.5
    assert longest < 0.5, f"the GUI thread stalled {longest * 1000:.0f} ms"
    assert dialog.isVisible() and window.commands.active_dialog is dialog
    assert dialog.message_bar.text() == UNREACHABLE
    assert messages.errors == [UNREACHABLE]
    assert dialog.submit_button.isEnabled() and dialog.submit_button.text() == "Block station"
    assert all(b.isEnabled() for b in cancel)
    station = window.models.stations.row_for_key("ST-01")
    assert station is not None and station.status != StationStatus.BLOCKED
    assert "Traceback" not in capfd.readouterr().err

    # Back again: the same dialog saves, and the change arrives through the feed.
    proxy.set_hung(False)
    proxy.set_down(False)
    click(qtbot, dialog.submit_button)
    qtbot.waitUntil(lambda: window.commands.active_dialog is None, timeout=15_000)
    qtbot.waitUntil(
        lambda: (
            window.models.stations.row_for_key("ST-01").status  # type: ignore[union-attr]
            == StationStatus.BLOCKED
        ),
        timeout=5000,
    )
    window.close()
