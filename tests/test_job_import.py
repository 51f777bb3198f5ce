"""Importing jobs from CSV and XLSX files, on SQLite and PostgreSQL, checked in the database."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, func, select

from leanops_desktop.core.actor import Actor
from leanops_desktop.core.enums import JobStatus
from leanops_desktop.core.errors import PermissionDenied, RuleViolation
from leanops_desktop.db.engine import Database, open_database
from leanops_desktop.db.models import EventLog, Job
from leanops_desktop.services.floor import dispatch
from leanops_desktop.services.job_import.prepare import prepare_import
from leanops_desktop.services.job_import.upsert import ImportReport, import_jobs
from leanops_desktop.services.job_import.validation import DateOrderNeeded
from leanops_desktop.services.job_import.values import DateOrder
from tests.factories import make_job, make_station
from tests.job_files import order_book, write_csv, write_xlsx


def run_import(
    db: Database,
    actor: Actor,
    path: Path,
    *,
    date_order: DateOrder | None = None,
    overrides: tuple[str, ...] = (),
    dry_run: bool = False,
) -> ImportReport:
    prepared = prepare_import(path, overrides=overrides, date_order=date_order)
    with db.session() as session:
        return import_jobs(session, actor, prepared.plan, dry_run=dry_run)


def jobs_in(db: Database) -> dict[str, tuple[Any, ...]]:
    with db.session() as session:
        rows = session.execute(
            select(Job.id, Job.part_name, Job.qty_total, Job.due_date, Job.priority, Job.status)
        ).all()
    return {row[0]: tuple(row[1:]) for row in rows}


def events_of(db: Database) -> list[tuple[str, str | None, dict[str, Any]]]:
    with db.session() as session:
        rows = session.execute(
            select(EventLog.event_type, EventLog.job_id, EventLog.meta).order_by(EventLog.job_id)
        ).all()
    return [(row[0], row[1], row[2]) for row in rows]


def test_a_utf8_file_with_bom_creates_waiting_jobs_with_their_events(
    db: Database, supervisor: Actor, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "orders.csv",
        [
            ["Job ID", "Part", "Quantity", "Due date", "Priority", "Notes"],
            ["JOB-2001", "Ventilgehäuse Ø40", "1,200", "2027-01-15", "HIGH", "rush"],
            ["JOB-2002", "Lagerbock", "35", "2027-02-01", "", ""],
        ],
        bom=True,
    )
    report = run_import(db, supervisor, path)

    assert report.created == ("JOB-2001", "JOB-2002")
    assert not report.refused
    assert jobs_in(db) == {
        "JOB-2001": ("Ventilgehäuse Ø40", 1200, date(2027, 1, 15), "high", "waiting"),
        "JOB-2002": ("Lagerbock", 35, date(2027, 2, 1), "normal", "waiting"),
    }
    events = events_of(db)
    assert [(kind, job) for kind, job, _ in events] == [
        ("job_created", "JOB-2001"),
        ("job_created", "JOB-2002"),
    ]
    assert events[0][2]["new"] == {
        "part_name": "Ventilgehäuse Ø40",
        "qty_total": 1200,
        "due_date": "2027-01-15",
        "priority": "high",
    }
    assert events[0][2]["actor"] == supervisor.email


def test_a_windows_1252_semicolon_file_with_day_first_dates(
    db: Database, supervisor: Actor, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "auftraege.csv",
        [
            ["Order No", "Article", "Qty", "Due", "Priorität"],
            ["A-100", "Gehäuse Größe 3", "1.200", "05.12.2026", "normal"],
            ["A-101", "Zahnrad ß", "1 500", "13.01.2027", "high"],
            ["A-102", "Mutter", "7", "2027-03-01", "normal"],
        ],
        delimiter=";",
        encoding="cp1252",
    )
    prepared = prepare_import(path)
    assert prepared.table.encoding == "cp1252"
    assert prepared.table.delimiter == ";"
    assert prepared.plan.date_order is DateOrder.DAY_FIRST  # 13.01.2027 decides it
    report = run_import(db, supervisor, path, overrides=("Priorität=priority",))

    assert report.created == ("A-100", "A-101", "A-102")
    assert jobs_in(db) == {
        "A-100": ("Gehäuse Größe 3", 1200, date(2026, 12, 5), "normal", "waiting"),
        "A-101": ("Zahnrad ß", 1500, date(2027, 1, 13), "high", "waiting"),
        "A-102": ("Mutter", 7, date(2027, 3, 1), "normal", "waiting"),
    }


def test_dates_that_read_both_ways_need_the_persons_choice(
    db: Database, supervisor: Actor, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "tab.txt",
        [["id", "item", "qty", "due date"], ["T-1", "Pin", "5", "05.12.2026"]],
        delimiter="\t",
    )
    with pytest.raises(DateOrderNeeded, match=r"--day-first / --month-first"):
        prepare_import(path)
    assert jobs_in(db) == {}

    run_import(db, supervisor, path, date_order=DateOrder.MONTH_FIRST)
    assert jobs_in(db)["T-1"][2] == date(2026, 5, 12)


def test_dates_that_disagree_are_refused_until_the_person_chooses(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "mixed.csv",
        [
            ["job", "part", "qty", "due"],
            ["M-1", "a", "1", "13.05.2026"],
            ["M-2", "b", "1", "05.13.2026"],
        ],
    )
    with pytest.raises(DateOrderNeeded, match=r"row 2 '13.05.2026'.*row 3 '05.13.2026'"):
        prepare_import(path)
    plan = prepare_import(path, date_order=DateOrder.DAY_FIRST).plan
    assert [job.job_id for job in plan.jobs] == ["M-1"]
    assert [(e.row, e.column, e.value) for e in plan.refused] == [(3, "due", "05.13.2026")]


def test_an_xlsx_workbook_with_date_and_number_cells(
    db: Database, supervisor: Actor, tmp_path: Path
) -> None:
    path = write_xlsx(
        tmp_path / "orders.xlsx",
        [
            ["Order", "Item", "Qty", "Due date", "Customer"],
            [4711, "Welle", 250, date(2027, 4, 1), "ACME"],
            ["JOB-4712", "Nabe", 1200.0, "2027-04-02", None],
            [None, None, None, None, None],
            ["JOB-4713", "Bolzen", 3.5, date(2027, 4, 3), "x"],
        ],
    )
    report = run_import(db, supervisor, path)

    assert report.created == ("4711", "JOB-4712")
    assert [(e.row, e.column, e.value, e.reason) for e in report.refused] == [
        (5, "Qty", "3.5", "quantity is not a whole number")
    ]
    assert jobs_in(db) == {
        "4711": ("Welle", 250, date(2027, 4, 1), "normal", "waiting"),
        "JOB-4712": ("Nabe", 1200, date(2027, 4, 2), "normal", "waiting"),
    }


def test_every_bad_row_is_named_and_the_good_rows_are_imported(
    db: Database, supervisor: Actor, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "bad.csv",
        [
            ["job", "part", "qty", "due", "priority"],
            ["OK-1", "Good", "10", "2027-01-01", "normal"],
            ["bad id!", "Part", "10", "2027-01-01", "normal"],
            ["OK-2", "", "0", "2027-02-30", "urgent"],
            ["OK-3", "Part", "1,20", "someday", "high"],
            ["OK-1", "Again", "5", "2027-01-01", "normal"],
            ["OK-4", "Fine", "12.000.000", "2027-01-01", "high"],
            ["OK-5", "Fine too", "9", "2027-01-02", "high"],
        ],
    )
    report = run_import(db, supervisor, path)

    refused = [(e.row, e.column, e.value) for e in report.refused]
    assert refused == [
        (3, "job", "bad id!"),
        (4, "part", ""),
        (4, "qty", "0"),
        (4, "due", "2027-02-30"),
        (4, "priority", "urgent"),
        (5, "qty", "1,20"),
        (5, "due", "someday"),
        (6, "job", "OK-1"),
        (7, "qty", "12.000.000"),
    ]
    reasons = {(e.row, e.column): e.reason for e in report.refused}
    assert "not a valid id" in reasons[(3, "job")]
    assert reasons[(4, "qty")] == "quantity: must be at least 1, got 0"
    assert reasons[(4, "due")] == "due date is no day of the calendar"
    assert reasons[(6, "job")] == "job id is also in row 2"
    assert "more than the 10,000,000 allowed" in reasons[(7, "qty")]
    assert report.refused_rows == 5
    assert sorted(jobs_in(db)) == ["OK-1", "OK-5"]
    assert len(events_of(db)) == 2


def test_the_same_file_twice_changes_nothing_and_writes_no_events(
    db: Database, supervisor: Actor, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "book.csv", order_book(30))
    first = run_import(db, supervisor, path)
    before_jobs, before_events = jobs_in(db), events_of(db)

    second = run_import(db, supervisor, path)

    assert len(first.created) == 30
    assert second.created == () and second.updated == () and len(second.unchanged) == 30
    assert jobs_in(db) == before_jobs
    assert events_of(db) == before_events


def test_waiting_jobs_are_updated_running_and_completed_ones_left_alone(
    db: Database, supervisor: Actor, tmp_path: Path
) -> None:
    make_station(db, supervisor, "ST-01")
    make_station(db, supervisor, "ST-02")
    for job_id in ("W-1", "R-1", "C-1", "W-2"):
        make_job(db, supervisor, job_id, qty_total=100)
    with db.session() as session:
        dispatch.assign_job(session, supervisor, "R-1", "ST-01")
        dispatch.assign_job(session, supervisor, "C-1", "ST-02")
        dispatch.complete_job(session, supervisor, "C-1")
    before = jobs_in(db)
    path = write_csv(
        tmp_path / "changes.csv",
        [
            ["job", "part", "qty", "due", "priority"],
            ["W-1", "New part", "150", "2027-06-01", "high"],
            ["R-1", "Changed", "999", "2027-06-01", "high"],
            ["C-1", "Changed", "999", "2027-06-01", "high"],
            ["W-2", before["W-2"][0], "100", before["W-2"][2].isoformat(), "normal"],
        ],
    )
    events_before = len(events_of(db))

    report = run_import(db, supervisor, path)

    assert report.updated == ("W-1",)
    assert report.unchanged == ("W-2",)
    assert [(job.row, job.job_id, job.status) for job in report.left_alone] == [
        (3, "R-1", JobStatus.RUNNING),
        (4, "C-1", JobStatus.COMPLETED),
    ]
    after = jobs_in(db)
    assert after["W-1"] == ("New part", 150, date(2027, 6, 1), "high", "waiting")
    for job_id in ("R-1", "C-1", "W-2"):
        assert after[job_id] == before[job_id]
    events = events_of(db)
    assert len(events) == events_before + 1
    update = next(meta for kind, job, meta in events if kind == "job_updated" and job == "W-1")
    assert update["old"]["qty_total"] == 100 and update["new"]["qty_total"] == 150
    assert set(update["new"]) == {"part_name", "qty_total", "due_date", "priority"}


def test_a_file_without_a_priority_column_keeps_the_priority(
    db: Database, supervisor: Actor, tmp_path: Path
) -> None:
    make_job(db, supervisor, "P-1", priority="high")
    due = jobs_in(db)["P-1"][2].isoformat()
    path = write_csv(tmp_path / "p.csv", [["job", "part", "qty", "due"], ["P-1", "X", "5", due]])
    run_import(db, supervisor, path)
    assert jobs_in(db)["P-1"][:4] == ("X", 5, date.fromisoformat(due), "high")


def test_a_dry_run_writes_nothing(db: Database, supervisor: Actor, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "book.csv", order_book(5))
    report = run_import(db, supervisor, path, dry_run=True)
    assert len(report.created) == 5 and report.dry_run
    assert jobs_in(db) == {}
    assert events_of(db) == []


def test_an_operator_may_not_import(db: Database, operator: Actor, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "book.csv", order_book(3))
    with pytest.raises(PermissionDenied, match="needs the supervisor role"):
        run_import(db, operator, path)
    assert jobs_in(db) == {}


def test_a_large_file_is_one_transaction_of_batched_writes(
    db: Database, supervisor: Actor, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "big.csv", order_book(1500))
    report = run_import(db, supervisor, path)
    assert len(report.created) == 1500
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(Job)) == 1500
        assert session.scalar(select(func.count()).select_from(EventLog)) == 1500


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgresql"])
def test_a_job_started_while_importing_rolls_the_whole_import_back(
    db: Database, supervisor: Actor, tmp_path: Path
) -> None:
    """Dispatch starts a job between the import's read and its update: the import notices
    (the job is no longer waiting under its own row lock) and writes nothing."""
    make_station(db, supervisor, "ST-01")
    make_job(db, supervisor, "W-1", qty_total=100)
    before_jobs, before_events = jobs_in(db), events_of(db)
    path = write_csv(
        tmp_path / "race.csv",
        [
            ["job", "part", "qty", "due"],
            ["W-1", "Changed", "150", "2027-06-01"],
            ["NEW-1", "Fresh", "5", "2027-06-02"],
        ],
    )
    plan = prepare_import(path).plan
    other = open_database(db.url)
    started: list[bool] = []

    def start_it_first(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if "leanops_update_job" in statement and not started:
            started.append(True)
            with other.session() as session:
                dispatch.assign_job(session, supervisor, "W-1", "ST-01")

    importer = open_database(db.url)
    event.listen(importer.engine, "before_cursor_execute", start_it_first)
    try:
        with importer.session() as session, pytest.raises(RuleViolation, match="became running"):
            import_jobs(session, supervisor, plan)
    finally:
        importer.dispose()
        other.dispose()
    after = jobs_in(db)
    assert after["W-1"][:4] == before_jobs["W-1"][:4] and after["W-1"][4] == "running"
    assert "NEW-1" not in after
    new_events = [
        (kind, job) for kind, job, _meta in events_of(db) if (kind, job, _meta) not in before_events
    ]
    assert new_events == [("job_assigned", "W-1")]  # the dispatch's; nothing of the import
