"""The job import's optional ideal cycle time column (seconds per unit)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from leanops_desktop.core.actor import Actor
from leanops_desktop.db.engine import Database
from leanops_desktop.db.models import EventLog, Job
from leanops_desktop.services.floor import dispatch
from leanops_desktop.services.job_import.mapping import Field, guess_columns
from leanops_desktop.services.job_import.prepare import prepare_import
from leanops_desktop.services.job_import.upsert import ImportReport, import_jobs
from tests.factories import make_job, make_station
from tests.job_files import write_csv


def run(db: Database, actor: Actor, path: Path, *, dry_run: bool = False) -> ImportReport:
    prepared = prepare_import(path)
    with db.session() as session:
        return import_jobs(session, actor, prepared.plan, dry_run=dry_run)


def ideals(db: Database) -> dict[str, float | None]:
    with db.session() as session:
        return {
            job_id: ideal for job_id, ideal in session.execute(select(Job.id, Job.ideal_cycle_s))
        }


def ideal_events(db: Database) -> list[tuple[str | None, float | None]]:
    with db.session() as session:
        rows = session.scalars(select(EventLog).where(EventLog.event_type == "job_updated"))
        return [(e.job_id, e.meta["new"]["ideal_cycle_s"]) for e in rows
                if "ideal_cycle_s" in (e.meta.get("new") or {})]  # fmt: skip


@pytest.mark.parametrize(
    "header", ["Cycle time (s)", "Ideal cycle", "Seconds per unit", "ideal_cycle_s"]
)
def test_the_usual_names_of_the_column_map_themselves(header: str) -> None:
    assert guess_columns(["Job", "Part", "Qty", "Due", header])[4] == Field.IDEAL_CYCLE


def test_an_import_sets_new_and_waiting_jobs_ideal_cycles_and_leaves_the_rest(
    db: Database, supervisor: Actor, tmp_path: Path
) -> None:
    make_job(db, supervisor, "W-1")
    make_job(db, supervisor, "R-1")
    make_station(db, supervisor, "ST-1")
    with db.session() as session:
        dispatch.assign_job(session, supervisor, "R-1", "ST-1")
    path = write_csv(tmp_path / "book.csv", [
        ["job", "part", "qty", "due", "cycle time"],
        ["N-1", "Gear", "10", "2030-01-10", "12.5"],
        ["W-1", "Part for W-1", "100", "2030-01-10", "30"],
        ["R-1", "Part for R-1", "100", "2030-01-10", "40"],
        ["N-2", "Shaft", "10", "2030-01-10", ""],
    ])  # fmt: skip
    dry = run(db, supervisor, path, dry_run=True)
    assert set(dry.ideal_cycles_set) == {"N-1", "W-1"}
    assert ideal_events(db) == []
    report = run(db, supervisor, path)
    assert set(report.ideal_cycles_set) == {"N-1", "W-1"}
    assert "2 ideal cycle times set" in report.summary()
    found = ideals(db)
    assert (found["N-1"], found["W-1"], found["R-1"], found["N-2"]) == (12.5, 30.0, None, None)
    assert sorted(ideal_events(db), key=str) == [("N-1", 12.5), ("W-1", 30.0)]
    again = run(db, supervisor, path)
    assert again.ideal_cycles_set == () and len(ideal_events(db)) == 2


def test_a_bad_ideal_cycle_refuses_its_row_with_a_clear_reason(
    db: Database, supervisor: Actor, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "bad.csv", [
        ["job", "part", "qty", "due", "seconds per unit"],
        ["B-1", "Gear", "10", "2030-01-10", "fast"],
        ["B-2", "Gear", "10", "2030-01-10", "0"],
        ["B-3", "Gear", "10", "2030-01-10", "8"],
    ])  # fmt: skip
    report = run(db, supervisor, path)
    assert [(e.row, e.reason) for e in report.refused] == [
        (2, "ideal cycle time must be a number of seconds"),
        (3, "ideal cycle time must be more than 0 and at most 86400 seconds"),
    ]
    assert report.created == ("B-3",)
    assert ideals(db) == {"B-3": 8.0}
