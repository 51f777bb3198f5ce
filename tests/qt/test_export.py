"""Exporting a view to CSV and XLSX, read back cell by cell."""

from __future__ import annotations

import csv
import sys
from datetime import date, datetime, timedelta
from pathlib import Path

import openpyxl
import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from leanops_desktop.qt.docks import JobsDock
from leanops_desktop.qt.export import ExportError, export_view, snapshot_view
from leanops_desktop.qt.models import JobTableModel
from leanops_desktop.qt.models import job_table_model as jcols
from leanops_desktop.qt.models.row_filter import RowFilter
from leanops_desktop.qt.models.time_text import export_time
from tests.qt.test_models_rows import NOW, TODAY, job

EXPECTED_HEADERS = ["Due", "Job", "Part", "Priority", "Status", "Progress", "Created"]


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
         "Waiting", "1,200 / 1,000", created[3]],
        [TODAY + timedelta(days=4), "JOB-0001", "Hinge plate", "Normal",
         "Waiting", "30 / 120", created[1]],
        [TODAY, "JOB-0004", "Hinge plate", "Normal", "Completed", "5 / 5", created[4]],
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


def test_empty_view_exports_headers_only(qtbot: QtBot, tmp_path: Path) -> None:
    dock = JobsDock(JobTableModel())
    qtbot.addWidget(dock)
    path = tmp_path / "empty.csv"
    assert export_view(dock.view, path) == 0
    with open(path, encoding="utf-8-sig", newline="") as handle:
        assert list(csv.reader(handle)) == [list(JobTableModel.headers())]


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
