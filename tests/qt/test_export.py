"""Exporting a view to CSV and XLSX, read back cell by cell."""

from __future__ import annotations

import csv
import sys
import threading
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from leanops_desktop.qt import export as export_module
from leanops_desktop.qt.db_runner import FILES, THREAD_PREFIX, DbRunner
from leanops_desktop.qt.docks import JobsDock
from leanops_desktop.qt.export import ExportError, export_view, snapshot_view, start_export
from leanops_desktop.qt.models import AssignmentTableModel, JobTableModel, StationTableModel
from leanops_desktop.qt.models import assignment_table_model as acols
from leanops_desktop.qt.models import job_table_model as jcols
from leanops_desktop.qt.models import station_table_model as scols
from leanops_desktop.qt.models.row_filter import RowFilter
from leanops_desktop.qt.models.time_text import export_time
from leanops_desktop.services.table_files import csv_text
from tests.qt.test_models_rows import NOW, TODAY, job

EXPECTED_HEADERS = ["Due", "Job", "Part", "Priority", "Status", "Done", "Total", "Created"]


@pytest.fixture
def dock(qtbot: QtBot) -> JobsDock:
    """A jobs view filtered to hinges, sorted by due date (latest first), one column
    hidden and the due column moved to the front."""
    model = JobTableModel(clock=lambda: NOW)
    model.set_rows(
        [
            job(1, due=4, part="Hinge plate", done=30, total=120),
            job(2, due=-1, part="Bolt", priority="high"),
            job(3, due=9, part='Hinge, large "XL"', priority="high", done=1200, total=1000),
            job(4, due=0, part="Hinge plate", status="completed", done=5, total=5),
        ]
    )
    dock = JobsDock(model)
    qtbot.addWidget(dock)
    dock.view.sortByColumn(jcols.COL_DUE, Qt.SortOrder.DescendingOrder)
    dock.set_row_filter(RowFilter(text="hinge"))  # every status (the queue opens on open jobs)
    dock.set_column_visible(jcols.COL_STATIONS, False)
    header = dock.view.horizontalHeader()
    header.moveSection(header.visualIndex(jcols.COL_DUE), 0)
    return dock


def expected_rows() -> list[list[object]]:
    created = {n: export_time(job(n).created_at) for n in (1, 3, 4)}
    return [
        [TODAY + timedelta(days=9), "JOB-0003", 'Hinge, large "XL"', "High",
         "Waiting", 1200, 1000, created[3]],
        [TODAY + timedelta(days=4), "JOB-0001", "Hinge plate", "Normal",
         "Waiting", 30, 120, created[1]],
        [TODAY, "JOB-0004", "Hinge plate", "Normal", "Completed", 5, 5, created[4]],
    ]  # fmt: skip


def test_snapshot_follows_filter_sort_and_columns(dock: JobsDock) -> None:
    table = snapshot_view(dock.view)
    assert table.headers == EXPECTED_HEADERS
    assert table.rows == expected_rows()


def test_csv_reads_back_cell_by_cell(dock: JobsDock, tmp_path: Path) -> None:
    path = tmp_path / "jobs.csv"
    assert export_view(dock.view, path) == 3
    with open(path, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == EXPECTED_HEADERS
    expected = [
        [
            value.strftime("%Y-%m-%d %H:%M:%S")
            if isinstance(value, datetime)
            else value.isoformat()
            if isinstance(value, date)
            else str(value)
            for value in row
        ]
        for row in expected_rows()
    ]
    assert rows[1:] == expected
    assert rows[1][2] == 'Hinge, large "XL"'  # quoting survives the round trip


def test_xlsx_reads_back_cell_by_cell(dock: JobsDock, tmp_path: Path) -> None:
    path = tmp_path / "jobs.xlsx"
    assert export_view(dock.view, path, title="Jobs") == 3
    workbook = openpyxl.load_workbook(path)
    sheet = workbook["Jobs"]
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert values[0] == EXPECTED_HEADERS
    assert sheet.cell(row=1, column=1).font.bold
    for row_number, expected in enumerate(expected_rows(), start=2):
        for column_number, value in enumerate(expected, start=1):
            cell = sheet.cell(row=row_number, column=column_number)
            if isinstance(value, date) and not isinstance(value, datetime):
                assert cell.value == datetime(value.year, value.month, value.day)
                assert cell.number_format == "yyyy-mm-dd"
            else:
                assert cell.value == value, (row_number, column_number)
    assert sheet.max_row == 4 and sheet.max_column == len(EXPECTED_HEADERS)


def test_xlsx_cells_are_typed_and_the_sheet_is_ready_to_filter(
    dock: JobsDock, tmp_path: Path
) -> None:
    path = tmp_path / "jobs.xlsx"
    export_view(dock.view, path, title="Jobs: due [this week]")
    sheet = openpyxl.load_workbook(path).worksheets[0]
    assert sheet.title == "Jobs  due  this week"  # characters Excel refuses are replaced
    done, total = EXPECTED_HEADERS.index("Done") + 1, EXPECTED_HEADERS.index("Total") + 1
    for row in range(2, sheet.max_row + 1):
        assert type(sheet.cell(row, done).value) is int
        assert type(sheet.cell(row, total).value) is int
        assert sheet.cell(row, done).data_type == "n"
        assert sheet.cell(row, 1).is_date and isinstance(sheet.cell(row, 1).value, datetime)
        created = sheet.cell(row, len(EXPECTED_HEADERS))
        assert created.is_date and created.number_format == "yyyy-mm-dd hh:mm:ss"
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:H4"
    widths = {letter: sheet.column_dimensions[letter].width for letter in "ABCDEFGH"}
    assert all(6 <= width <= 60 for width in widths.values()), widths
    assert widths["C"] >= len('Hinge, large "XL"')  # the part column fits its longest name
    assert widths["A"] >= len("2026-01-01") and widths["H"] >= len("2026-01-01 00:00:00")


def test_csv_numbers_are_plain_and_dates_iso(dock: JobsDock, tmp_path: Path) -> None:
    path = tmp_path / "jobs.csv"
    export_view(dock.view, path)
    with open(path, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    first = rows[0]
    assert (first["Done"], first["Total"]) == ("1200", "1000")  # no thousands separator
    assert int(first["Done"]) / int(first["Total"]) == 1.2
    assert date.fromisoformat(first["Due"]) == TODAY + timedelta(days=9)
    assert datetime.fromisoformat(first["Created"]) == export_time(job(3).created_at)


def test_csv_text_of_numbers() -> None:
    assert [csv_text(v) for v in (12000, 0.5, 2.0, 1e-07, -0.0, None, True)] == [
        "12000", "0.5", "2", "0.0000001", "0", "", "true"
    ]  # fmt: skip


def test_station_and_assignment_progress_export_as_two_numbers() -> None:
    assert StationTableModel().export_headers(scols.COL_PROGRESS) == ("Job done", "Job total")
    model = AssignmentTableModel()
    assert model.export_headers(acols.COL_JOB_PROGRESS) == ("Job done", "Job total")
    assert model.export_headers(acols.COL_DONE_HERE) == ("Done here",)


def test_the_file_is_written_on_the_runner_not_the_gui_thread(
    qtbot: QtBot, dock: JobsDock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    threads: list[str] = []
    real_write = export_module.write_table

    def spy(*args: Any, **kwargs: Any) -> int:
        threads.append(threading.current_thread().name)
        return real_write(*args, **kwargs)

    monkeypatch.setattr(export_module, "write_table", spy)
    runner = DbRunner()
    try:
        done: list[int] = []
        path = tmp_path / "jobs.xlsx"
        start_export(dock.view, path, runner, on_done=done.append)
        qtbot.waitUntil(lambda: bool(done), timeout=10_000)
    finally:
        runner.close()
    assert done == [3]
    assert threads == [THREAD_PREFIX + FILES]
    assert threads[0] != threading.current_thread().name
    assert openpyxl.load_workbook(path).worksheets[0].max_row == 4
    assert not list(tmp_path.glob(".*.partial"))


def test_a_failed_write_leaves_no_file_and_reports(
    qtbot: QtBot, dock: JobsDock, tmp_path: Path
) -> None:
    errors: list[BaseException] = []
    runner = DbRunner(inline=True)
    start_export(dock.view, tmp_path / "nowhere" / "jobs.csv", runner, on_error=errors.append)
    assert len(errors) == 1 and isinstance(errors[0], ExportError)
    assert "cannot write" in str(errors[0])
    assert not list(tmp_path.rglob("*jobs*"))


def test_empty_view_exports_headers_only(qtbot: QtBot, tmp_path: Path) -> None:
    dock = JobsDock(JobTableModel())
    qtbot.addWidget(dock)
    path = tmp_path / "empty.csv"
    assert export_view(dock.view, path) == 0
    with open(path, encoding="utf-8-sig", newline="") as handle:
        assert list(csv.reader(handle)) == [
            ["Job", "Part", "Priority", "Status", "Due", "Done", "Total", "Stations", "Created"]
        ]


def test_bad_format_and_missing_openpyxl_are_clear_errors(
    dock: JobsDock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(ExportError, match=r"use \.csv or \.xlsx"):
        export_view(dock.view, tmp_path / "jobs.pdf")
    monkeypatch.setitem(sys.modules, "openpyxl", None)
    with pytest.raises(ExportError, match="needs the openpyxl package"):
        export_view(dock.view, tmp_path / "jobs.xlsx")
    assert not (tmp_path / "jobs.xlsx").exists()
    with pytest.raises(ExportError, match="cannot write"):
        export_view(dock.view, tmp_path / "missing-folder" / "jobs.csv")
