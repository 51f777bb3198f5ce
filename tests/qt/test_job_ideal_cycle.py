"""The job dialog's ideal cycle time (supervisors): set on a new job, shown and changed when
editing, cleared, and refused with a clear message when it is not a sensible number."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from leanops_desktop.core.actor import Actor
from leanops_desktop.db.engine import Database
from leanops_desktop.db.models import EventLog, Job
from leanops_desktop.qt.dialogs.job_dialog import IDEAL_LABEL, JobDialog
from tests.factories import make_job
from tests.qt.conftest import RecordingMessages
from tests.qt.window_helpers import open_window


def ideal_of(db: Database, job_id: str) -> float | None:
    with db.session() as session:
        job = session.get(Job, job_id)
        assert job is not None
        return job.ideal_cycle_s


def ideal_events(db: Database) -> list[EventLog]:
    with db.session() as session:
        return [
            e for e in session.scalars(select(EventLog).where(EventLog.event_type == "job_updated"))
            if "ideal_cycle_s" in (e.meta.get("new") or {})
        ]  # fmt: skip


def test_a_supervisor_sets_changes_and_clears_the_ideal_cycle(
    qtbot: QtBot, db: Database, admin: Actor, supervisor: Actor, messages: RecordingMessages
) -> None:
    make_job(db, admin, "JOB-7001")
    window = open_window(qtbot, db, supervisor, messages)
    window.commands.new_job()
    dialog = window.commands.active_dialog
    assert isinstance(dialog, JobDialog)
    new_id = dialog.id_edit.text()
    qtbot.keyClicks(dialog.part_edit, "Valve body")
    qtbot.keyClicks(dialog.ideal_edit, "12,5")  # a decimal comma is understood
    qtbot.mouseClick(dialog.submit_button, Qt.MouseButton.LeftButton)
    assert window.commands.active_dialog is None
    assert ideal_of(db, new_id) == 12.5

    [row] = [job for job in window.job_rows() if job.id == new_id]
    window.commands.edit_job(row)
    edit = window.commands.active_dialog
    assert isinstance(edit, JobDialog)
    assert edit.ideal_edit.text() == "12.5"
    edit.ideal_edit.clear()
    qtbot.mouseClick(edit.submit_button, Qt.MouseButton.LeftButton)
    assert ideal_of(db, new_id) is None
    assert [e.meta["new"]["ideal_cycle_s"] for e in ideal_events(db)] == [12.5, None]
    assert not messages.errors


def test_a_bad_ideal_cycle_is_refused_and_nothing_written(
    qtbot: QtBot, db: Database, admin: Actor, supervisor: Actor, messages: RecordingMessages
) -> None:
    row = make_job(db, admin, "JOB-7002")
    window = open_window(qtbot, db, supervisor, messages)
    window.commands.edit_job(row)
    dialog = window.commands.active_dialog
    assert isinstance(dialog, JobDialog)
    qtbot.keyClicks(dialog.part_edit, " changed")
    for typed, problem in (
        ("fast", "must be a number of seconds"),
        ("0", "must be more than 0 and at most 86400 seconds"),
        ("90000", "must be more than 0 and at most 86400 seconds"),
    ):
        dialog.ideal_edit.clear()
        qtbot.keyClicks(dialog.ideal_edit, typed)
        assert dialog.problems() == {IDEAL_LABEL: problem}
        assert not dialog.submit_button.isEnabled()
        dialog.accept()
        assert dialog.isVisible()
    assert ideal_of(db, "JOB-7002") is None
    with db.session() as session:
        job = session.get(Job, "JOB-7002")
        assert job is not None and not job.part_name.endswith("changed")
    assert ideal_events(db) == []
