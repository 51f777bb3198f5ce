"""The job, station, assign/move and block dialogs: typed into and clicked, real services."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from PySide6.QtCore import QDate, Qt
from pytestqt.qtbot import QtBot

from leanops_desktop.core.actor import Actor
from leanops_desktop.core.enums import JobStatus, Priority, StationStatus
from leanops_desktop.db.engine import Database
from leanops_desktop.qt.dialogs.assign_dialog import AssignDialog, AssignValues, MoveDialog
from leanops_desktop.qt.dialogs.block_dialog import BlockDialog, BlockValues, reason_text
from leanops_desktop.qt.dialogs.job_dialog import JobDialog, JobValues, next_job_id
from leanops_desktop.qt.dialogs.station_dialog import StationDialog, StationValues
from leanops_desktop.services.floor import dispatch, jobs, stations
from leanops_desktop.services.reads import queries
from tests.factories import make_job, make_station
from tests.qt.conftest import RecordingMessages


def click(qtbot: QtBot, button: object) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)  # type: ignore[arg-type]


def test_next_job_id_follows_the_highest_number() -> None:
    assert next_job_id([]) == "JOB-1001"
    assert next_job_id(["JOB-1001", "JOB-1040", "OTHER-9", "JOB-x"]) == "JOB-1041"


def test_new_job_typed_and_created(
    qtbot: QtBot, db: Database, supervisor: Actor, messages: RecordingMessages
) -> None:
    def submit(values: JobValues) -> object:
        with db.session() as session:
            return jobs.create_job(
                session,
                supervisor,
                job_id=values.job_id,
                part_name=values.part_name,
                qty_total=values.qty_total,
                due_date=values.due_date,
                priority=values.priority,
            )

    dialog = JobDialog(messages, submit, today=date(2030, 1, 10))
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.id_edit.text() == "JOB-1001"
    assert not dialog.submit_button.isEnabled()  # no part name yet
    qtbot.keyClicks(dialog.part_edit, "Hinge plate")
    dialog.qty_spin.lineEdit().selectAll()
    qtbot.keyClicks(dialog.qty_spin.lineEdit(), "250")
    dialog.priority_combo.setCurrentIndex(dialog.priority_combo.findData("high"))
    assert dialog.submit_button.isEnabled()
    click(qtbot, dialog.submit_button)

    assert dialog.result() == JobDialog.DialogCode.Accepted
    with db.session() as session:
        job = queries.get_job(session, "JOB-1001")
    assert (job.part_name, job.qty_total, job.priority) == ("Hinge plate", 250, Priority.HIGH)
    assert job.due_date == date(2030, 1, 17)
    assert messages.errors == []


def test_job_form_checks_as_you_type(qtbot: QtBot, messages: RecordingMessages) -> None:
    dialog = JobDialog(messages, lambda values: None, taken_ids=["JOB-7"])
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.id_edit.clear()
    qtbot.keyClicks(dialog.id_edit, "bad id!")
    assert "not a valid id" in dialog.problems()["Job id"]
    assert dialog.hint("Job id").isVisible()
    assert "not a valid id" in dialog.hint("Job id").text()
    assert not dialog.submit_button.isEnabled()
    dialog.id_edit.clear()
    qtbot.keyClicks(dialog.id_edit, "JOB-7")
    assert dialog.problems()["Job id"] == "JOB-7 already exists: choose another id"
    dialog.id_edit.clear()
    qtbot.keyClicks(dialog.id_edit, "JOB-8")
    qtbot.keyClicks(dialog.part_edit, "Cover lid")
    assert dialog.problems() == {}
    assert dialog.submit_button.isEnabled()


def test_refused_job_keeps_the_form_and_says_why(
    qtbot: QtBot, db: Database, supervisor: Actor, messages: RecordingMessages
) -> None:
    make_job(db, supervisor, "JOB-1001")

    def submit(values: JobValues) -> object:
        with db.session() as session:
            return jobs.create_job(
                session,
                supervisor,
                job_id=values.job_id,
                part_name=values.part_name,
                qty_total=values.qty_total,
                due_date=values.due_date,
            )

    dialog = JobDialog(messages, submit)  # the dialog was not told JOB-1001 is taken
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.id_edit.setText("")
    qtbot.keyClicks(dialog.id_edit, "JOB-1001")
    qtbot.keyClicks(dialog.part_edit, "Valve body")
    click(qtbot, dialog.submit_button)

    assert dialog.isVisible()
    assert messages.errors == ["Job JOB-1001 already exists."]
    assert dialog.message_bar.text() == "Job JOB-1001 already exists."
    assert (dialog.id_edit.text(), dialog.part_edit.text()) == ("JOB-1001", "Valve body")


def test_edit_job_shows_its_values_and_saves_changes(
    qtbot: QtBot, db: Database, supervisor: Actor, messages: RecordingMessages
) -> None:
    job = make_job(db, supervisor, "JOB-1001", qty_total=100)

    def submit(values: JobValues) -> object:
        with db.session() as session:
            return jobs.update_job(
                session, supervisor, values.job_id, part_name=values.part_name,
                qty_total=values.qty_total, due_date=values.due_date, priority=values.priority,
            )  # fmt: skip

    dialog = JobDialog(messages, submit, job=job)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.id_edit.isReadOnly() and dialog.part_edit.text() == job.part_name
    dialog.part_edit.selectAll()
    qtbot.keyClicks(dialog.part_edit, "Renamed part")
    click(qtbot, dialog.submit_button)
    with db.session() as session:
        assert queries.get_job(session, "JOB-1001").part_name == "Renamed part"


def test_new_station_and_duplicate_ids(
    qtbot: QtBot, db: Database, supervisor: Actor, messages: RecordingMessages
) -> None:
    def submit(values: StationValues) -> object:
        with db.session() as session:
            return stations.create_station(
                session, supervisor, station_id=values.station_id, name=values.name,
                line=values.line, is_active=values.is_active,
            )  # fmt: skip

    dialog = StationDialog(messages, submit, lines=["Line A", "Line B"], taken_ids=["ST-01"])
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.id_edit, "ST-01")
    assert "already exists" in dialog.problems()["Station id"]
    dialog.id_edit.clear()
    qtbot.keyClicks(dialog.id_edit, "ST-11")
    qtbot.keyClicks(dialog.name_edit, "Paint booth")
    dialog.line_combo.setCurrentText("")
    assert "must not be empty" in dialog.problems()["Line"]
    qtbot.keyClicks(dialog.line_combo.lineEdit(), "Line D")
    click(qtbot, dialog.submit_button)
    with db.session() as session:
        row = queries.get_station(session, "ST-11")
    assert (row.name, row.line, row.status) == ("Paint booth", "Line D", StationStatus.IDLE)


def test_assign_dialog_offers_only_free_stations_and_open_jobs(
    qtbot: QtBot, db: Database, supervisor: Actor, messages: RecordingMessages
) -> None:
    for station_id in ("ST-01", "ST-02", "ST-03"):
        make_station(db, supervisor, station_id)
    make_job(db, supervisor, "JOB-1", priority="high")
    make_job(db, supervisor, "JOB-2")
    with db.session() as session:
        dispatch.assign_job(session, supervisor, "JOB-1", "ST-01")
        stations.block_station(session, supervisor, "ST-02", "tooling")
        all_jobs, all_stations = queries.list_jobs(session), queries.list_stations(session)

    def submit(values: AssignValues) -> object:
        with db.session() as session:
            return dispatch.assign_job(session, supervisor, values.job_id, values.station_id)

    dialog = AssignDialog(messages, submit, jobs=all_jobs, stations=all_stations, job_id="JOB-2")
    qtbot.addWidget(dialog)
    dialog.show()
    offered = [dialog.station_combo.itemData(i) for i in range(dialog.station_combo.count())]
    assert offered == ["ST-03"]
    assert dialog.job_combo.currentData() == "JOB-2"
    assert "0 of 100 made" in dialog.details.text()
    click(qtbot, dialog.submit_button)
    with db.session() as session:
        assert queries.get_job(session, "JOB-2").station_ids == ("ST-03",)


def test_move_dialog_moves_the_job(
    qtbot: QtBot, db: Database, supervisor: Actor, messages: RecordingMessages
) -> None:
    for station_id in ("ST-01", "ST-02"):
        make_station(db, supervisor, station_id)
    make_job(db, supervisor, "JOB-1")
    with db.session() as session:
        dispatch.assign_job(session, supervisor, "JOB-1", "ST-01")
        source = queries.get_station(session, "ST-01")
        all_stations = queries.list_stations(session)

    def submit(values: AssignValues) -> object:
        assert values.from_station_id is not None
        with db.session() as session:
            return dispatch.move_job(
                session, supervisor, values.job_id, values.from_station_id, values.station_id
            )

    dialog = MoveDialog(
        messages, submit, job_id="JOB-1", from_station=source, stations=all_stations
    )
    qtbot.addWidget(dialog)
    dialog.show()
    click(qtbot, dialog.submit_button)
    with db.session() as session:
        job = queries.get_job(session, "JOB-1")
    assert (job.station_ids, job.status) == (("ST-02",), JobStatus.RUNNING)


@pytest.mark.parametrize(
    ("reason", "details", "expected"),
    [("maintenance", "", "maintenance"), ("quality", " burr ", "quality: burr"),
     ("other", "forklift in the way", "other: forklift in the way")],
)  # fmt: skip
def test_reason_text(reason: str, details: str, expected: str) -> None:
    assert reason_text(reason, details) == expected


def test_block_dialog_needs_details_for_other(
    qtbot: QtBot, db: Database, operator: Actor, supervisor: Actor, messages: RecordingMessages
) -> None:
    station = make_station(db, supervisor, "ST-01")

    def submit(values: BlockValues) -> object:
        with db.session() as session:
            return stations.block_station(session, operator, values.station_id, values.reason)

    dialog = BlockDialog(
        messages, submit, station=station, reasons=["maintenance", "tooling", "other"]
    )
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.reason_combo.currentIndex() == -1  # nothing is chosen for the user
    assert dialog.reason() == ""
    assert not dialog.submit_button.isEnabled()
    dialog.reason_combo.setCurrentIndex(dialog.reason_combo.findData("maintenance"))
    assert dialog.submit_button.isEnabled()  # "maintenance" alone is a reason
    dialog.reason_combo.setCurrentIndex(dialog.reason_combo.findData("other"))
    assert not dialog.submit_button.isEnabled()
    qtbot.keyClicks(dialog.details_edit, "forklift blocks the cell")
    assert dialog.submit_button.isEnabled()
    click(qtbot, dialog.submit_button)
    with db.session() as session:
        row = queries.get_station(session, "ST-01")
    assert (row.status, row.blocked_reason) == (
        StationStatus.BLOCKED,
        "other: forklift blocks the cell",
    )


def test_due_date_in_the_past_is_noted_not_refused(
    qtbot: QtBot, messages: RecordingMessages
) -> None:
    today = date(2030, 5, 1)
    dialog = JobDialog(messages, lambda values: None, today=today)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.part_edit, "Gear blank")
    past = today - timedelta(days=3)
    dialog.due_edit.setDate(QDate(past.year, past.month, past.day))
    assert dialog.problems() == {} and dialog.submit_button.isEnabled()
    assert "in the past" in dialog.hint("Due date").text()
