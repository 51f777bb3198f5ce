"""End to end on both backends: create a station and a job in the window, assign the job by
dragging it onto the station's tile, report quantities through the production service, and
see the progress in the job table, the assignment table and on the tile."""

from __future__ import annotations

import uuid

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from leanops_desktop.core.actor import Actor
from leanops_desktop.core.enums import JobStatus, StationStatus
from leanops_desktop.db.engine import Database
from leanops_desktop.qt.dialogs.job_dialog import JobDialog
from leanops_desktop.qt.dialogs.station_dialog import StationDialog
from leanops_desktop.qt.models.job_mime import job_mime_data
from leanops_desktop.qt.models.job_table_model import COL_PROGRESS
from leanops_desktop.services.reporting import production
from tests.qt.conftest import RecordingMessages
from tests.qt.window_helpers import drop, open_window


def click(qtbot: QtBot, widget: object) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)  # type: ignore[arg-type]


def test_create_assign_report_and_see_progress(
    qtbot: QtBot,
    db: Database,
    supervisor: Actor,
    operator: Actor,
    messages: RecordingMessages,
) -> None:
    window = open_window(qtbot, db, supervisor, messages)
    assert window.overview.tiles() == []

    window.registry["new_station"].trigger()
    station_form = window.commands.active_dialog
    assert isinstance(station_form, StationDialog)
    qtbot.keyClicks(station_form.id_edit, "ST-21")
    qtbot.keyClicks(station_form.name_edit, "Laser cutter")
    qtbot.keyClicks(station_form.line_combo.lineEdit(), "Line A")
    click(qtbot, station_form.submit_button)
    tile = window.overview.tile("ST-21")
    assert tile is not None and tile.row.status == StationStatus.IDLE

    window.registry["new_job"].trigger()
    job_form = window.commands.active_dialog
    assert isinstance(job_form, JobDialog)
    job_form.id_edit.clear()
    qtbot.keyClicks(job_form.id_edit, "JOB-5001")
    qtbot.keyClicks(job_form.part_edit, "Hinge plate")
    job_form.qty_spin.lineEdit().selectAll()
    qtbot.keyClicks(job_form.qty_spin.lineEdit(), "120")
    click(qtbot, job_form.submit_button)
    job = window.models.jobs.row_for_key("JOB-5001")
    assert job is not None and (job.qty_total, job.status) == (120, JobStatus.WAITING)

    drop(tile, job_mime_data(["JOB-5001"]))
    assert tile.row.current_job_id == "JOB-5001"
    assignment = next(a for a in window.assignment_rows() if a.job_id == "JOB-5001")
    assert window.models.jobs.row_for_key("JOB-5001").status == JobStatus.RUNNING

    # An operator reports at the station (another seat); the change arrives through the
    # window's feed (here one that reads when asked): the new log, the assignment, the event.
    reports = []
    for qty in (30, 12):
        report_id = uuid.uuid4()
        with db.session() as session:
            production.report_quantity(
                session, operator, station_id="ST-21", job_id="JOB-5001", qty=qty,
                report_id=report_id,
            )  # fmt: skip
        reports.append(report_id)
        window.live_feed.read_now()

    job = window.models.jobs.row_for_key("JOB-5001")
    assert job is not None and job.qty_done == 42
    shown = window.models.assignments.row_for_key(assignment.id)
    assert shown is not None and (shown.qty_done, shown.job_qty_done) == (42, 42)
    assert (tile.row.job_qty_done, tile.row.job_qty_total) == (42, 120)
    assert "42 of 120 made" in tile.accessibleDescription()
    jobs_model = window.models.jobs
    progress_cell = jobs_model.index_for_key("JOB-5001", COL_PROGRESS)
    assert progress_cell.data(jobs_model.ProgressRole) == (42, 120)
    assert progress_cell.data() == "42 / 120"
    assert window.status.last_change is not None
    assert messages.errors == []

    messages.answers = [True]  # complete 78 short
    window.overview.select_station("ST-21")
    window.registry["complete_job"].trigger()
    assert window.models.jobs.row_for_key("JOB-5001").status == JobStatus.COMPLETED
    assert tile.row.current_job_id is None and tile.row.status == StationStatus.IDLE
    assert window.models.assignments.row_for_key(assignment.id) is None
