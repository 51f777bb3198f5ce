"""The Notifications dock in the supervisor's window, driven by a controllable clock: an
alert appears once, newest first; Acknowledge records the event and a restarted window does
not raise it again."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from leanops_desktop.config import SiteConfig
from leanops_desktop.core.actor import Actor
from leanops_desktop.db.engine import Database
from leanops_desktop.qt.andon import NotificationsDock, attach_andon
from leanops_desktop.services.andon.rules import AndonRule
from leanops_desktop.services.floor import dispatch, stations
from leanops_desktop.services.reads import history
from tests.factories import make_job, make_station
from tests.qt.conftest import RecordingMessages
from tests.qt.window_helpers import open_window


class Clock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


def blocked_plant(db: Database, supervisor: Actor) -> None:
    make_station(db, supervisor, "ST-01")
    make_station(db, supervisor, "ST-02")
    make_job(db, supervisor, "JOB-0001", qty_total=100, due_in_days=30)
    with db.session() as session:
        dispatch.assign_job(session, supervisor, "JOB-0001", "ST-01")
    with db.session() as session:
        stations.block_station(session, supervisor, "ST-02", "material")


def acknowledged_events(db: Database) -> list[str]:
    with db.session() as session:
        events = history.list_events(session, limit=100)
    return [e.meta["key"] for e in events if e.event_type == "andon_acknowledged"]


def test_alerts_appear_once_newest_first_and_acknowledging_is_recorded(
    qtbot: QtBot, db: Database, supervisor: Actor, messages: RecordingMessages, tmp_path: Path
) -> None:
    blocked_plant(db, supervisor)
    clock = Clock()
    window = open_window(qtbot, db, supervisor, messages, restore_layout=False)
    controller = attach_andon(window, SiteConfig(), clock=clock)
    assert controller is not None
    dock = window.findChild(NotificationsDock)
    assert dock is not None
    qtbot.waitUntil(dock.isVisible)
    assert not dock.features() & dock.DockWidgetFeature.DockWidgetClosable
    assert dock.alerts() == []  # blocked a moment ago, running a moment ago

    clock.now += timedelta(minutes=11)
    controller.check()
    assert [(a.rule, a.station_id) for a in dock.alerts()] == [
        (AndonRule.BLOCKED_TOO_LONG, "ST-02")
    ]
    clock.now += timedelta(minutes=10)
    controller.check()
    controller.check()
    assert [(a.rule, a.station_id) for a in dock.alerts()] == [
        (AndonRule.STATION_SILENT, "ST-01"),  # newest first
        (AndonRule.BLOCKED_TOO_LONG, "ST-02"),
    ]
    dock.grab().save(str(tmp_path / "notifications.png"))

    blocked = dock.alerts()[1]
    dock.list.setCurrentRow(1)
    assert dock.acknowledge_button.isEnabled()
    qtbot.mouseClick(dock.acknowledge_button, Qt.MouseButton.LeftButton)
    assert acknowledged_events(db) == [blocked.key]
    assert dock.is_acknowledged(blocked.key) and not dock.acknowledge_button.isEnabled()
    assert dock.list.item(1).text().startswith("✓ ")
    window.close()

    # Restarted: the acknowledged alert stays quiet; the other one is raised again.
    again = open_window(qtbot, db, supervisor, messages, restore_layout=False)
    restarted = attach_andon(again, SiteConfig(), clock=clock)
    assert restarted is not None
    new_dock = again.findChild(NotificationsDock)
    assert new_dock is not None
    assert [(a.rule, a.station_id) for a in new_dock.alerts()] == [
        (AndonRule.STATION_SILENT, "ST-01")
    ]
    assert acknowledged_events(db) == [blocked.key]
    again.close()


def test_a_window_without_the_right_gets_no_dock(
    qtbot: QtBot, db: Database, operator: Actor, messages: RecordingMessages
) -> None:
    window = open_window(qtbot, db, operator, messages, restore_layout=False)
    assert attach_andon(window, SiteConfig()) is None
    assert window.findChild(NotificationsDock) is None
    window.close()


def test_a_burst_of_alerts_is_one_tray_message() -> None:
    from leanops_desktop.qt.andon.andon_controller import tray_message
    from leanops_desktop.services.andon.rules import Alert

    now = datetime.now(UTC)
    alerts = [
        Alert(AndonRule.STATION_SILENT, f"ST-0{n}", None, "e", now, f"Station {n} quiet")
        for n in range(1, 6)
    ]
    assert tray_message([]) is None
    assert tray_message(alerts[:1]) == ("No reports", "Station 1 quiet")
    title, text = tray_message(alerts) or ("", "")
    assert title == "5 new alerts"
    assert text.splitlines() == [
        "Station 1 quiet",
        "Station 2 quiet",
        "Station 3 quiet",
        "… and 2 more",
    ]
