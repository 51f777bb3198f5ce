"""The window's actions on the demo plant: dialogs, drops, menus, and what the views show after."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from pytestqt.qtbot import QtBot

from leanops_desktop.core.actor import Actor
from leanops_desktop.core.enums import EventType, JobStatus, StationStatus
from leanops_desktop.core.rows import JobRow
from leanops_desktop.db.engine import Database
from leanops_desktop.qt.actions import ACTION_SPECS
from leanops_desktop.qt.dialogs.assign_dialog import MoveDialog
from leanops_desktop.qt.dialogs.block_dialog import BlockDialog
from leanops_desktop.qt.dialogs.job_dialog import JobDialog
from leanops_desktop.qt.dialogs.station_dialog import StationDialog
from leanops_desktop.qt.main_window import MainWindow
from leanops_desktop.qt.models.job_mime import job_mime_data
from leanops_desktop.services.reads import history
from tests.qt.conftest import RecordingMessages
from tests.qt.window_helpers import activate, drop, open_window


def click(qtbot: QtBot, widget: object) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)  # type: ignore[arg-type]


def waiting_job(window: MainWindow) -> JobRow:
    return next(job for job in window.job_rows() if job.status == JobStatus.WAITING)


def event_types(window: MainWindow) -> list[str]:
    return [row.event_type for row in window.models.events.all_rows()]


def test_every_action_has_a_unique_shortcut() -> None:
    keys = [QKeySequence(spec.shortcut).toString() for spec in ACTION_SPECS if spec.shortcut]
    assert len(keys) == len(ACTION_SPECS)
    assert len(set(keys)) == len(keys)


def test_block_and_resume_from_the_overview(
    qtbot: QtBot, demo_db: Database, operator: Actor, messages: RecordingMessages
) -> None:
    window = open_window(qtbot, demo_db, operator, messages)
    tile = window.overview.tile("ST-04")
    assert tile is not None
    click(qtbot, tile)
    assert window.selected_station() is not None
    window.registry["block_station"].trigger()
    dialog = window.commands.active_dialog
    assert isinstance(dialog, BlockDialog)
    dialog.reason_combo.setCurrentIndex(dialog.reason_combo.findData("tooling"))
    qtbot.keyClicks(dialog.details_edit, "worn punch")
    click(qtbot, dialog.submit_button)

    row = window.models.stations.row_for_key("ST-04")
    assert (row.status, row.blocked_reason) == (StationStatus.BLOCKED, "tooling: worn punch")
    assert tile.row.status == StationStatus.BLOCKED
    assert "station_blocked" in event_types(window)
    assert messages.texts()[-1] == "Station ST-04 blocked: tooling: worn punch."

    window.registry["unblock_station"].trigger()
    assert window.models.stations.row_for_key("ST-04").status == StationStatus.IDLE
    assert tile.row.status == StationStatus.IDLE


def test_drop_a_job_on_a_tile_assigns_it(
    qtbot: QtBot, demo_db: Database, supervisor: Actor, messages: RecordingMessages
) -> None:
    window = open_window(qtbot, demo_db, supervisor, messages)
    job = waiting_job(window)
    tile = window.overview.tile("ST-04")
    assert tile is not None and tile.row.current_job_id is None
    event = drop(tile, job_mime_data([job.id]))
    assert event.isAccepted()

    assert tile.row.current_job_id == job.id
    assert tile.row.status == StationStatus.RUNNING
    assert window.models.jobs.row_for_key(job.id).status == JobStatus.RUNNING
    assert any(a.job_id == job.id for a in window.assignment_rows())
    assert messages.errors == []


def test_drop_on_a_busy_station_is_refused_with_a_message(
    qtbot: QtBot, demo_db: Database, supervisor: Actor, messages: RecordingMessages
) -> None:
    window = open_window(qtbot, demo_db, supervisor, messages)
    job = waiting_job(window)
    tile = window.overview.tile("ST-02")
    assert tile is not None
    before = tile.row
    drop(tile, job_mime_data([job.id]))
    assert messages.errors == ["Station ST-02 is already working on a job."]
    assert window.message_bar.text() == messages.errors[0]
    assert tile.row == before


def test_drop_a_job_on_a_station_row(
    qtbot: QtBot, demo_db: Database, supervisor: Actor, messages: RecordingMessages
) -> None:
    window = open_window(qtbot, demo_db, supervisor, messages)
    window.docks["stations"].raise_()
    view = window.tables["stations"]
    model = view.model()
    assert model is not None
    row = next(r for r in range(model.rowCount()) if model.index(r, 0).data() == "ST-04")
    job = waiting_job(window)
    viewport = view.viewport()
    assert viewport is not None
    drop(viewport, job_mime_data([job.id]), view.visualRect(model.index(row, 0)).center())
    assert window.models.stations.row_for_key("ST-04").current_job_id == job.id


def test_double_click_a_tile_edits_the_station(
    qtbot: QtBot, demo_db: Database, supervisor: Actor, messages: RecordingMessages
) -> None:
    window = open_window(qtbot, demo_db, supervisor, messages)
    busy = next(row for row in window.station_rows() if row.current_job_id)
    tile = window.overview.tile(busy.id)
    assert tile is not None
    qtbot.mouseDClick(tile, Qt.MouseButton.LeftButton)
    dialog = window.commands.active_dialog
    assert isinstance(dialog, StationDialog)
    assert dialog.id_edit.text() == busy.id and dialog.id_edit.isReadOnly()
    dialog.name_edit.selectAll()
    qtbot.keyClicks(dialog.name_edit, "Renamed station")
    click(qtbot, dialog.submit_button)
    assert tile.row.name == "Renamed station"
    assignment = next(a for a in window.assignment_rows() if a.station_id == busy.id)
    assert assignment.station_name == "Renamed station"


def test_unassign_then_move(
    qtbot: QtBot, demo_db: Database, supervisor: Actor, messages: RecordingMessages
) -> None:
    window = open_window(qtbot, demo_db, supervisor, messages)
    job_on_2 = window.models.stations.row_for_key("ST-02").current_job_id
    window.overview.select_station("ST-02")
    window.registry["unassign_job"].trigger()
    assert window.models.stations.row_for_key("ST-02").current_job_id is None
    assert window.models.jobs.row_for_key(job_on_2).status == JobStatus.WAITING
    assert all(a.station_id != "ST-02" for a in window.assignment_rows())

    job_on_3 = window.models.stations.row_for_key("ST-03").current_job_id
    window.overview.select_station("ST-03")
    window.registry["move_job"].trigger()
    dialog = window.commands.active_dialog
    assert isinstance(dialog, MoveDialog)
    dialog.station_combo.setCurrentIndex(dialog.station_combo.findData("ST-02"))
    click(qtbot, dialog.submit_button)
    assert window.overview.tile("ST-02").row.current_job_id == job_on_3  # type: ignore[union-attr]
    assert window.overview.tile("ST-03").row.current_job_id is None  # type: ignore[union-attr]
    assert window.models.jobs.row_for_key(job_on_3).station_ids == ("ST-02",)


def test_complete_asks_first_when_short(
    qtbot: QtBot, demo_db: Database, supervisor: Actor, messages: RecordingMessages
) -> None:
    window = open_window(qtbot, demo_db, supervisor, messages)
    window.overview.select_station("ST-09")
    job_id = window.models.stations.row_for_key("ST-09").current_job_id
    messages.answers = [False]
    window.registry["complete_job"].trigger()
    assert "short?" in messages.questions[-1]
    assert window.models.jobs.row_for_key(job_id).status == JobStatus.RUNNING
    messages.answers = [True]
    window.registry["complete_job"].trigger()
    assert window.models.jobs.row_for_key(job_id).status == JobStatus.COMPLETED
    assert window.overview.tile("ST-09").row.current_job_id is None  # type: ignore[union-attr]
    with demo_db.session() as session:
        events = history.list_events(session, limit=5, job_id=job_id)
    assert events[0].event_type == EventType.JOB_COMPLETED.value


def test_new_job_from_the_menu(
    qtbot: QtBot, demo_db: Database, supervisor: Actor, messages: RecordingMessages
) -> None:
    window = open_window(qtbot, demo_db, supervisor, messages)
    count = len(window.job_rows())
    activate(qtbot, window)
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    dialog = window.commands.active_dialog
    assert isinstance(dialog, JobDialog)
    new_id = dialog.id_edit.text()
    assert new_id not in {job.id for job in window.job_rows()}
    qtbot.keyClicks(dialog.part_edit, "Pump impeller")
    click(qtbot, dialog.submit_button)
    assert len(window.job_rows()) == count + 1
    assert window.models.jobs.row_for_key(new_id).part_name == "Pump impeller"
    assert window.commands.active_dialog is None
