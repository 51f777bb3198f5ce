"""Admin ▸ Downtime reasons and Shift calendar: editing writes the events, bad input is
refused with a clear message and nothing written, and only admins may change anything."""

from __future__ import annotations

from datetime import date, time

import pytest
from PySide6.QtCore import QDate, Qt, QTime
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from leanops_desktop.core.actor import Actor
from leanops_desktop.core.errors import ValidationError
from leanops_desktop.core.quality import ReasonCategory
from leanops_desktop.db.engine import Database
from leanops_desktop.db.models import EventLog
from leanops_desktop.qt.db_runner import DbRunner
from leanops_desktop.qt.dialogs.calendar_dialog import CalendarDialog
from leanops_desktop.qt.dialogs.reason_form import ReasonForm
from leanops_desktop.qt.dialogs.reasons_dialog import ReasonsDialog
from leanops_desktop.qt.dialogs.shift_form import (
    QUARTER_HOURS_NOTE,
    DayOffForm,
    ShiftForm,
    parse_breaks,
)
from leanops_desktop.services.quality import calendar, reasons
from leanops_desktop.services.quality.calendar import BreakSpec
from tests.qt.conftest import RecordingMessages
from tests.qt.window_helpers import open_window


def events(db: Database, kind: str) -> list[EventLog]:
    with db.session() as session:
        return list(session.scalars(select(EventLog).where(EventLog.event_type == kind)))


def reasons_dialog(
    qtbot: QtBot, db: Database, actor: Actor, messages: RecordingMessages
) -> ReasonsDialog:
    dialog = ReasonsDialog(db, actor, messages, runner=DbRunner(inline=True))
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def fill_reason(qtbot: QtBot, form: ReasonForm, name: str, category: ReasonCategory) -> None:
    form.name_edit.clear()
    qtbot.keyClicks(form.name_edit, name)
    form.category_combo.setCurrentIndex(form.category_combo.findData(category.value))


def test_admin_adds_a_reason_and_a_sub_reason_renames_and_deactivates(
    qtbot: QtBot, db: Database, admin: Actor, messages: RecordingMessages
) -> None:
    dialog = reasons_dialog(qtbot, db, admin, messages)
    before = len(events(db, "downtime_reason_saved"))
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    form = dialog.active_form
    assert isinstance(form, ReasonForm)
    fill_reason(qtbot, form, "Tooling", ReasonCategory.UNPLANNED_STOP)
    qtbot.mouseClick(form.submit_button, Qt.MouseButton.LeftButton)
    assert dialog.selected_id() == "Tooling"
    assert not dialog.add_sub_button.isHidden() and dialog.add_sub_button.isEnabled()

    qtbot.mouseClick(dialog.add_sub_button, Qt.MouseButton.LeftButton)
    sub = dialog.active_form
    assert isinstance(sub, ReasonForm)
    fill_reason(qtbot, sub, "Worn insert", ReasonCategory.CHANGEOVER)
    qtbot.mouseClick(sub.submit_button, Qt.MouseButton.LeftButton)
    assert dialog.selected_id() == "Tooling/Worn insert"
    assert not dialog.add_sub_button.isEnabled()  # two levels only

    qtbot.mouseClick(dialog.edit_button, Qt.MouseButton.LeftButton)
    rename = dialog.active_form
    assert isinstance(rename, ReasonForm)
    fill_reason(qtbot, rename, "Worn cutting insert", ReasonCategory.QUALITY)
    qtbot.mouseClick(rename.submit_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.active_button, Qt.MouseButton.LeftButton)
    assert dialog.active_button.text() == "Activate"

    with db.session() as session:
        rows = {row.id: row for row in reasons.list_reasons(session)}
    leaf = rows["Tooling/Worn insert"]
    assert (leaf.parent_id, leaf.name, leaf.category, leaf.is_active) == (
        "Tooling", "Worn cutting insert", ReasonCategory.QUALITY, False,
    )  # fmt: skip
    saved = events(db, "downtime_reason_saved")[before:]
    assert [e.meta["reason"] for e in saved] == ["Tooling"] + ["Tooling/Worn insert"] * 3
    assert saved[-1].meta["new"]["is_active"] is False
    assert messages.texts()[-1] == "Saved the reason Tooling/Worn insert (inactive)."
    assert not messages.errors


def test_bad_reason_names_are_refused_before_anything_is_written(
    qtbot: QtBot, db: Database, admin: Actor, messages: RecordingMessages
) -> None:
    with db.session() as session:
        reasons.save_reason(session, admin, reason_id="Tooling", name="Tooling",
                            category="unplanned_stop")  # fmt: skip
    dialog = reasons_dialog(qtbot, db, admin, messages)
    before = len(events(db, "downtime_reason_saved"))
    form = dialog.open_form(None, parent_id=None)
    for name, problem in (
        ("a/b", "a name may not hold '/' (it separates the two levels)"),
        ("Tooling", "Tooling already exists: choose another name"),
        ("   ", "must not be empty"),
    ):
        fill_reason(qtbot, form, name, ReasonCategory.QUALITY)
        assert form.problems() == {"Name": problem}
        assert not form.submit_button.isEnabled()
        form.accept()
        assert form.isVisible()
    assert len(events(db, "downtime_reason_saved")) == before


def test_a_supervisor_is_refused_with_a_clear_message_and_nothing_written(
    qtbot: QtBot, db: Database, supervisor: Actor, messages: RecordingMessages
) -> None:
    dialog = reasons_dialog(qtbot, db, supervisor, messages)
    assert dialog.rows  # reading is fine; the seeded reasons show
    form = dialog.open_form(None, parent_id=None)
    fill_reason(qtbot, form, "Sneaky", ReasonCategory.PLANNED_STOP)
    qtbot.mouseClick(form.submit_button, Qt.MouseButton.LeftButton)
    assert form.isVisible()
    assert messages.errors and "admin" in messages.errors[-1].lower()
    assert "Sneaky" not in {row.id for row in dialog.rows}
    assert events(db, "downtime_reason_saved") == []


def calendar_dialog(
    qtbot: QtBot, db: Database, actor: Actor, messages: RecordingMessages
) -> CalendarDialog:
    dialog = CalendarDialog(db, actor, messages, runner=DbRunner(inline=True))
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_admin_adds_and_edits_a_shift_with_breaks_and_days_off(
    qtbot: QtBot, db: Database, admin: Actor, messages: RecordingMessages
) -> None:
    dialog = calendar_dialog(qtbot, db, admin, messages)
    seeded = {spec.shift_id for spec in dialog.shifts}
    form = dialog.open_shift_form(None)
    assert isinstance(form, ShiftForm)
    qtbot.keyClicks(form.id_edit, "W")
    qtbot.keyClicks(form.name_edit, "weekend")
    form.start_edit.setTime(QTime(22, 0))
    form.end_edit.setTime(QTime(6, 0))  # over midnight
    for box in form.day_boxes:
        box.setChecked(box.text() in ("Sat", "Sun"))
    qtbot.keyClicks(form.breaks_edit, "02:00-02:30 meal; 04:00-04:10")
    qtbot.mouseClick(form.submit_button, Qt.MouseButton.LeftButton)
    assert not form.isVisible()
    saved = {spec.shift_id: spec for spec in dialog.shifts}
    assert set(saved) == seeded | {"W"}
    assert saved["W"].days == "67"
    assert saved["W"].breaks == (BreakSpec(240, 30, "meal"), BreakSpec(360, 10, "break"))

    dialog.shift_table.selectRow([s.shift_id for s in dialog.shifts].index("W"))
    qtbot.mouseClick(dialog.edit_shift_button, Qt.MouseButton.LeftButton)
    edit = dialog.active_form
    assert isinstance(edit, ShiftForm) and edit.id_edit.isReadOnly()
    assert edit.breaks_edit.text() == "02:00-02:30 meal; 04:00-04:10 break"
    edit.breaks_edit.clear()
    qtbot.mouseClick(edit.submit_button, Qt.MouseButton.LeftButton)

    day_form = dialog.open_day_form()
    assert isinstance(day_form, DayOffForm)
    day_form.date_edit.setDate(QDate(2027, 1, 1))
    qtbot.keyClicks(day_form.note_edit, "New Year")
    qtbot.mouseClick(day_form.submit_button, Qt.MouseButton.LeftButton)
    assert dialog.days_off == [date(2027, 1, 1)]
    dialog.day_table.selectRow(0)
    qtbot.mouseClick(dialog.remove_day_button, Qt.MouseButton.LeftButton)
    assert dialog.days_off == []

    with db.session() as session:
        shifts, off = calendar.read_calendar(session)
    assert {s.shift_id: s for s in shifts}["W"].breaks == ()
    assert off == set()
    assert [e.meta["shift"] for e in events(db, "shift_saved")] == ["W", "W"]
    assert [e.meta["off"] for e in events(db, "non_working_day_set")] == [True, False]
    assert not messages.errors


def test_bad_shifts_are_refused_with_a_clear_message_and_nothing_written(
    qtbot: QtBot, db: Database, admin: Actor, messages: RecordingMessages
) -> None:
    dialog = calendar_dialog(qtbot, db, admin, messages)
    form = dialog.open_shift_form(None)
    qtbot.keyClicks(form.id_edit, dialog.shifts[0].shift_id)
    qtbot.keyClicks(form.name_edit, "early")
    for box in form.day_boxes:
        box.setChecked(False)
    qtbot.keyClicks(form.breaks_edit, "15:00-15:30")  # 06:00-14:00 shift: after its end
    assert form.problems() == {
        "Id": f"shift {dialog.shifts[0].shift_id} already exists: choose another id",
        "Days": "choose at least one day",
        "Breaks": "a break must lie within its shift",
    }
    form.breaks_edit.clear()
    qtbot.keyClicks(form.breaks_edit, "09:00-09:10")  # fine, but off the quarter hour
    assert "Breaks" not in form.problems()
    assert form.hint("Breaks").text() == QUARTER_HOURS_NOTE
    form.breaks_edit.setText("noon for a bit")
    assert form.problems()["Breaks"] == "'noon for a bit' is not like 12:00-12:30 lunch"
    form.accept()
    assert form.isVisible()
    assert events(db, "shift_saved") == []


def test_an_operator_cannot_mark_a_day_off(
    qtbot: QtBot, db: Database, operator: Actor, messages: RecordingMessages
) -> None:
    dialog = calendar_dialog(qtbot, db, operator, messages)
    form = dialog.open_day_form()
    qtbot.mouseClick(form.submit_button, Qt.MouseButton.LeftButton)
    assert form.isVisible() and messages.errors
    assert "admin" in messages.errors[-1].lower()
    assert events(db, "non_working_day_set") == []


def test_breaks_typed_as_clock_times_become_offsets_from_the_shift_start() -> None:
    assert parse_breaks("23:00-23:15; 01:00-01:30 lunch", time(22)) == (
        BreakSpec(60, 15, "break"), BreakSpec(180, 30, "lunch"),
    )  # fmt: skip
    assert parse_breaks("  ", time(6)) == ()
    with pytest.raises(ValidationError, match="not a time of day"):
        parse_breaks("25:00-25:10", time(6))
    with pytest.raises(ValidationError, match="lasts no time"):
        parse_breaks("10:00-10:00", time(6))


def test_admin_opens_both_editors_from_the_admin_menu(
    qtbot: QtBot, demo_db: Database, admin: Actor, messages: RecordingMessages
) -> None:
    window = open_window(qtbot, demo_db, admin, messages)
    admin_menu = window.menus["Admin"].actions()
    for name, kind in (("downtime_reasons", ReasonsDialog), ("shift_calendar", CalendarDialog)):
        assert window.registry[name] in admin_menu and window.registry[name].isEnabled()
        window.registry[name].trigger()
        window.runner.wait(5000)
        qtbot.waitUntil(
            lambda: (
                bool(getattr(window.commands.active_dialog, "rows", None))
                or bool(getattr(window.commands.active_dialog, "shifts", None))
            )
        )
        assert isinstance(window.commands.active_dialog, kind)
        window.commands.active_dialog.close()
