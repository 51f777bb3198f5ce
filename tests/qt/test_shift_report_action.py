"""File ▸ Shift report… on the demo plant: the choices come from the calendar and the
stations, and the chosen shift is written to a one-page PDF (or a CSV) on the files lane."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date, timedelta
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from leanops_desktop.core.actor import Actor
from leanops_desktop.core.enums import Role
from leanops_desktop.db.engine import Database
from leanops_desktop.qt.window.shift_report_action import (
    ALL_LINES,
    ShiftReportChoice,
    ShiftReportDialog,
    save_shift_report,
)
from leanops_desktop.services.oee.shift_report import ReportChoices
from tests.qt.conftest import RecordingMessages
from tests.qt.window_helpers import open_window

SUPERVISOR = Actor(email="supervisor@demo.leanops", role=Role.SUPERVISOR)


def last_weekday() -> date:
    """The latest day before today on which the demo's shift 1 runs (Monday to Friday)."""
    day = date.today() - timedelta(days=1)
    while day.isoweekday() > 5:
        day -= timedelta(days=1)
    return day


def test_the_dialog_offers_the_calendars_shifts_and_the_lines(qtbot: QtBot) -> None:
    choices = ReportChoices((("1", "early"), ("2", "late")), ("Line A", "Line B"))
    dialog = ShiftReportDialog(None, choices)
    qtbot.addWidget(dialog)
    assert [dialog.shift.itemText(i) for i in range(2)] == ["1 · early", "2 · late"]
    assert [dialog.line.itemText(i) for i in range(3)] == [ALL_LINES, "Line A", "Line B"]
    dialog.shift.setCurrentIndex(1)
    dialog.line.setCurrentIndex(2)
    dialog.fmt.setCurrentIndex(1)
    choice = dialog.choice()
    assert (choice.shift_id, choice.line, choice.fmt) == ("2", "Line B", "csv")
    assert choice.day == date.today() - timedelta(days=1)


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_the_action_writes_the_chosen_shift_to_a_one_page_pdf(
    qtbot: QtBot, demo_db: Database, messages: RecordingMessages, tmp_path: Path
) -> None:
    window = open_window(qtbot, demo_db, SUPERVISOR, messages)
    offered: list[ReportChoices] = []
    day = last_weekday()

    def ask(_parent: object, choices: ReportChoices) -> ShiftReportChoice:
        offered.append(choices)
        return ShiftReportChoice(day, "1", None, "pdf")

    target = tmp_path / "early"
    save_shift_report(window, ask, lambda *_args: str(target), paper="a4")
    saved = target.with_name("early.pdf")
    done = f"Saved the shift report to {saved}."
    qtbot.waitUntil(lambda: done in messages.texts(), timeout=20_000)
    assert [shift_id for shift_id, _ in offered[0].shifts] == ["1", "2", "3"]
    assert "Line A" in offered[0].lines
    info = subprocess.run(["pdfinfo", str(saved)], capture_output=True, text=True, check=True)
    assert "Pages:           1" in info.stdout
    text = subprocess.run(["pdftotext", "-layout", str(saved), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert f"{day.isoformat()} · shift 1 (early)" in text
    for number in range(1, 11):
        assert f"ST-{number:02d}" in text


def test_a_shift_that_does_not_run_that_day_is_refused_and_nothing_written(
    qtbot: QtBot, demo_db: Database, messages: RecordingMessages, tmp_path: Path
) -> None:
    window = open_window(qtbot, demo_db, SUPERVISOR, messages)
    sunday = last_weekday() - timedelta(days=last_weekday().isoweekday())
    target = tmp_path / "sunday.csv"
    save_shift_report(
        window,
        lambda *_args: ShiftReportChoice(sunday, "2", "Line A", "csv"),
        lambda *_args: str(target),
    )
    refusal = f"does not run on {sunday.isoformat()}"
    qtbot.waitUntil(lambda: any(refusal in text for text in messages.texts()), timeout=20_000)
    assert not target.exists()
