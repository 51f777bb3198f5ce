"""Reading job lists as systems export them: encodings, separators, quoting, numbers, dates."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from leanops_desktop.services.job_import.mapping import (
    Field,
    MappingError,
    apply_overrides,
    guess_columns,
)
from leanops_desktop.services.job_import.reading import ImportFileError, read_table
from leanops_desktop.services.job_import.values import (
    CellError,
    DateOrder,
    decimal_mark_of,
    parse_date,
    parse_quantity,
)
from tests.job_files import write_csv


def test_utf16_tab_text_as_excel_saves_unicode_text(tmp_path: Path) -> None:
    path = tmp_path / "unicode.txt"
    path.write_bytes("Job\tPart\tQty\tDue\r\nJ-1\tRöhre\t5\t2027-01-02\r\n".encode("utf-16"))
    table = read_table(path)
    assert (table.encoding, table.delimiter) == ("utf-16", "\t")
    assert table.headers == ("Job", "Part", "Qty", "Due")
    assert table.rows[0].cells == ("J-1", "Röhre", "5", "2027-01-02")


def test_quoted_cells_keep_their_separators_and_rows_keep_their_numbers(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "quoted.csv",
        [
            ["Order No", "Item", "Qty", "Due"],
            ["O-1", 'Bolt, M8 "long"', "1,200", "2027-01-02"],
            ["", "", "", ""],
            ["O-2", "Nut", "3", "2027-01-03"],
        ],
    )
    table = read_table(path)
    assert table.delimiter == ","
    assert [(row.number, row.cells[1]) for row in table.rows] == [
        (2, 'Bolt, M8 "long"'),
        (4, "Nut"),
    ]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("old.xls", b"\xd0\xcf\x11\xe0", "old Excel 97-2003 file"),
        ("empty.csv", b"\r\n\r\n", "is empty"),
        ("binary.csv", b"job,part\x00\x01", "not a text file"),
        ("broken.xlsx", b"PK\x03\x04not really a zip", "not a readable .xlsx workbook"),
    ],
)
def test_files_that_are_no_job_list_are_refused_clearly(
    tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ImportFileError, match=message):
        read_table(path)
    with pytest.raises(ImportFileError, match="no such file"):
        read_table(tmp_path / "missing.csv")


def test_obvious_names_map_themselves_without_case_or_accents() -> None:
    headers = ("ORDER NO.", "Artícle", "qty", "Due-Date", "Priorité", "Notes")
    assert guess_columns(headers) == {
        0: Field.JOB_ID,
        1: Field.PART_NAME,
        2: Field.QTY_TOTAL,
        3: Field.DUE_DATE,
        4: Field.PRIORITY,
    }
    moved = apply_overrides(headers, guess_columns(headers), ["notes=part", "Artícle="])
    assert moved[5] == Field.PART_NAME and 1 not in moved
    with pytest.raises(MappingError, match="write it as"):
        apply_overrides(headers, {}, ["notes"])


@pytest.mark.parametrize(
    ("text", "mark", "expected"),
    [
        ("1,200", ".", 1200),
        ("1.200", ",", 1200),
        ("1 200", ",", 1200),
        ("1\u202f200", ".", 1200),
        ("1'200", ".", 1200),
        ("1,234,567", ".", 1_234_567),
        ("1200.00", ".", 1200),
        ("1200,0", ",", 1200),
        (" 7 ", ".", 7),
    ],
)
def test_quantities_with_thousands_separators(text: str, mark: str, expected: int) -> None:
    assert parse_quantity(text, mark) == expected


@pytest.mark.parametrize(
    ("text", "mark"),
    [("1.200", "."), ("1,5", ","), ("12,00,0", "."), ("", "."), ("1e3", "."), ("two", ".")],
)
def test_quantities_that_are_not_whole_numbers(text: str, mark: str) -> None:
    with pytest.raises(CellError):
        parse_quantity(text, mark)


def test_the_decimal_mark_comes_from_the_values_then_the_separator() -> None:
    assert decimal_mark_of(["1.200,5"], ",") == ","
    assert decimal_mark_of(["12,5"], ",") == ","
    assert decimal_mark_of(["1,200"], ";") == ","  # 1.2 there: refused as not whole
    assert decimal_mark_of(["1,200"], ",") == "."
    assert decimal_mark_of(["1.200"], ";") == ","
    assert decimal_mark_of(["1200"], ",") == "."


def test_dates_in_every_form_a_system_writes() -> None:
    assert parse_date("2026-12-05", None) == date(2026, 12, 5)
    assert parse_date("2026-12-05 00:00:00", None) == date(2026, 12, 5)
    assert parse_date("05.12.2026", DateOrder.DAY_FIRST) == date(2026, 12, 5)
    assert parse_date("12/05/2026", DateOrder.MONTH_FIRST) == date(2026, 12, 5)
    assert parse_date("25.12.2026", None) == date(2026, 12, 25)
    assert parse_date("05.05.2026", None) == date(2026, 5, 5)
    with pytest.raises(CellError, match="two different days"):
        parse_date("05.12.2026", None)
    with pytest.raises(CellError, match="4-digit year"):
        parse_date("05.12.26", DateOrder.DAY_FIRST)
    with pytest.raises(CellError, match="not a date"):
        parse_date("next week", None)
