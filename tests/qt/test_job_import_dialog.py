"""File ▸ Import jobs…: the preview, the mapping, the date choice, the refusals, the import."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from leanops_desktop.core.actor import Actor
from leanops_desktop.db.engine import Database
from leanops_desktop.db.models import EventLog, Job
from leanops_desktop.qt.db_runner import DbRunner
from leanops_desktop.qt.dialogs.job_import_dialog import JobImportDialog
from leanops_desktop.qt.window.import_action import open_job_import
from leanops_desktop.services.job_import.mapping import Field
from leanops_desktop.services.job_import.values import DateOrder
from tests.job_files import write_csv
from tests.qt.conftest import RecordingMessages
from tests.qt.window_helpers import open_window


def erp_export(folder: Path) -> Path:
    """A Windows-1252 export with semicolons, a column the import cannot guess, bad rows."""
    return write_csv(
        folder / "auftraege.csv",
        [
            ["Auftrag", "Part", "Qty", "Termin", "Priority", "Kunde"],
            ["JOB-5001", "Gehäuse groß", "1.200", "05.12.2026", "high", "Müller GmbH"],
            ["JOB-5002", "Welle", "40", "07.12.2026", "", "Bäcker AG"],
            ["JOB-5003", "Flansch", "zwölf", "08.12.2026", "", "Köhler"],
            ["JOB-5004", "", "5", "2027-02-30", "soon", "Köhler"],
        ],
        delimiter=";",
        encoding="cp1252",
    )


def counts(db: Database) -> tuple[int, int]:
    with db.session() as session:
        jobs = session.scalar(select(func.count()).select_from(Job))
        events = session.scalar(select(func.count()).select_from(EventLog))
    return int(jobs or 0), int(events or 0)


def test_preview_mapping_date_choice_refusals_and_import(
    qtbot: QtBot,
    db: Database,
    supervisor: Actor,
    messages: RecordingMessages,
    tmp_path: Path,
) -> None:
    imported = []
    export = erp_export(tmp_path)
    dialog = JobImportDialog(
        db,
        supervisor,
        messages,
        runner=DbRunner(inline=True),
        choose=lambda _parent, _title, _filter: str(export),
        on_imported=imported.append,
    )
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.mouseClick(dialog.file_button, Qt.MouseButton.LeftButton)

    assert dialog.table is not None and dialog.table.encoding == "cp1252"
    assert dialog.preview.columnCount() == 6 and dialog.preview.rowCount() == 5
    assert dialog.preview.item(1, 1).text() == "Gehäuse groß"
    assert dialog.mapping() == {1: Field.PART_NAME, 2: Field.QTY_TOTAL, 4: Field.PRIORITY}
    assert "No column holds the job id, due date: choose its column" in messages.texts()[-1]
    assert not dialog.import_button.isEnabled()

    dialog.set_column_field("Auftrag", Field.JOB_ID)
    dialog.set_column_field("Termin", Field.DUE_DATE)
    assert "day-first or month-first" in messages.texts()[-1]
    assert not dialog.import_button.isEnabled()

    dialog.set_date_order(DateOrder.DAY_FIRST)
    assert dialog.import_button.isEnabled()
    assert (
        "2 new" in dialog.summary_label.text() and "2 rows refused" in dialog.summary_label.text()
    )
    lines = [dialog.errors_list.item(i).text() for i in range(dialog.errors_list.count())]
    assert lines == [
        "row 4, column 'Qty', value 'zwölf': quantity is not a whole number",
        "row 5, column 'Part', value '': part: must not be empty",
        "row 5, column 'Termin', value '2027-02-30': due date is no day of the calendar",
        "row 5, column 'Priority', value 'soon': priority is not one of: normal, high (an empty"
        " cell is normal)",
    ]
    assert dialog.preview.item(3, 2).toolTip() == "quantity is not a whole number"
    assert dialog.preview.item(1, 2).toolTip() == ""
    assert "Windows-1252, separated by semicolons; 4 rows" in dialog.file_label.text()
    assert counts(db) == (0, 0)  # checking is a dry run
    shots = os.environ.get("LEANOPS_SHOTS")
    if shots:
        dialog.grab().save(str(Path(shots) / "job-import-preview.png"))

    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)

    assert counts(db) == (2, 2)
    with db.session() as session:
        job = session.get(Job, "JOB-5001")
        assert job is not None
        assert (job.part_name, job.qty_total, job.due_date, job.priority) == (
            "Gehäuse groß",
            1200,
            date(2026, 12, 5),
            "high",
        )
    assert len(imported) == 1 and imported[0].created == ("JOB-5001", "JOB-5002")
    assert "Jobs imported: 2 new" in messages.texts()[-1]
    assert not dialog.import_button.isEnabled()


def test_the_window_opens_it_from_the_file_menu_for_supervisors_only(
    qtbot: QtBot,
    db: Database,
    supervisor: Actor,
    operator: Actor,
    messages: RecordingMessages,
    tmp_path: Path,
) -> None:
    window = open_window(qtbot, db, supervisor, messages)
    file_menu = window.menuBar().actions()[0].menu()
    names = [action.objectName() for action in file_menu.actions()]
    assert names[0] == "action_import_jobs"
    assert window.registry["import_jobs"].isEnabled()
    dialog = open_job_import(window)
    assert dialog.isVisible() and window.commands.active_dialog is dialog
    dialog.load_file(erp_export(tmp_path))
    dialog.set_column_field("Auftrag", Field.JOB_ID)
    dialog.set_column_field("Termin", Field.DUE_DATE)
    dialog.set_date_order(DateOrder.DAY_FIRST)
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    # The window learns of the new jobs through the change feed, like any other seat's.
    qtbot.waitUntil(lambda: window.models.jobs.row_for_key("JOB-5002") is not None, timeout=10_000)
    dialog.reject()

    other = open_window(qtbot, db, operator, messages)
    action = other.registry["import_jobs"]
    assert not action.isEnabled() and action.toolTip() == "Needs the supervisor role"
