"""Admin ▸ Stop detection: the plant's quiet limit, line and station overrides (0 = off,
removable), each change saved with its event; others are refused in words, nothing written."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from leanops_desktop.core.actor import Actor
from leanops_desktop.db.engine import Database
from leanops_desktop.db.models import EventLog
from leanops_desktop.qt.db_runner import DbRunner
from leanops_desktop.qt.dialogs.stop_limit_form import LimitForm, minutes_text
from leanops_desktop.qt.dialogs.stop_limits_dialog import StopLimitsDialog
from leanops_desktop.services.downtime import limits
from tests.factories import make_station
from tests.qt.conftest import RecordingMessages
from tests.qt.window_helpers import open_window


def limit_events(db: Database) -> list[EventLog]:
    with db.session() as session:
        kind = EventLog.event_type == "stop_limit_changed"
        return list(session.scalars(select(EventLog).where(kind)))


def stored(db: Database) -> limits.StopLimits:
    with db.session() as session:
        return limits.read_limits(session)


def test_admin_sets_the_plant_limit_and_line_and_station_overrides(
    qtbot: QtBot,
    db: Database,
    admin: Actor,
    supervisor: Actor,
    messages: RecordingMessages,
    tmp_path: Path,
) -> None:
    make_station(db, supervisor, "ST-01")
    make_station(db, supervisor, "ST-02", line="Line B")
    window = open_window(qtbot, db, admin, messages, restore_layout=False)
    window.registry["stop_detection"].trigger()
    dialog = window.commands.active_dialog
    assert isinstance(dialog, StopLimitsDialog)
    before = len(limit_events(db))

    dialog.plant_spin.setValue(15)
    qtbot.mouseClick(dialog.plant_save, Qt.MouseButton.LeftButton)
    assert stored(db).plant == 15

    form = dialog.open_form("line", None)
    assert [form.key_combo.itemText(n) for n in range(form.key_combo.count())] == [
        "Line A", "Line B"
    ]  # fmt: skip
    form.key_combo.setCurrentText("Line B")
    form.minutes_spin.setValue(0)
    form.accept()
    assert stored(db).lines == {"Line B": 0}
    station_form = dialog.open_form("station", None)
    station_form.key_combo.setCurrentText("ST-01")
    station_form.minutes_spin.setValue(45)
    station_form.accept()
    assert stored(db).stations == {"ST-01": 45}
    assert [(o.kind, o.key, o.minutes) for o in dialog.overrides] == [
        ("line", "Line B", 0), ("station", "ST-01", 45)
    ]  # fmt: skip
    assert dialog.table.item(0, 2).text() == "off"
    assert dialog.choices("line") == ["Line A"]
    dialog.grab().save(str(tmp_path / "stop_limits.png"))

    assert dialog.select("station", "ST-01")
    qtbot.mouseClick(dialog.remove_button, Qt.MouseButton.LeftButton)
    assert stored(db).stations == {}
    assert len(limit_events(db)) == before + 4
    assert messages.texts()[-1] == "Station ST-01 follows the line's limit again."
    dialog.close()
    window.close()


def test_a_supervisor_cannot_open_it_and_is_refused_in_words(
    qtbot: QtBot, db: Database, supervisor: Actor, messages: RecordingMessages
) -> None:
    window = open_window(qtbot, db, supervisor, messages, restore_layout=False)
    assert not window.registry["stop_detection"].isEnabled()
    window.close()
    before = stored(db)
    dialog = StopLimitsDialog(db, supervisor, messages, runner=DbRunner(inline=True))
    qtbot.addWidget(dialog)
    dialog.plant_spin.setValue(5)
    dialog.save_plant()
    assert "this needs the admin role" in messages.errors[-1]
    assert stored(db) == before


def test_the_form_refuses_when_every_line_has_its_own_limit(
    qtbot: QtBot, messages: RecordingMessages
) -> None:
    form = LimitForm(messages, lambda key, minutes: True, kind="line", choices=[], minutes=20)
    qtbot.addWidget(form)
    assert not form.submit_button.isEnabled()
    assert minutes_text(0) == "off" and minutes_text(20) == "20 min"
