"""``leanops jobs import`` as a planner runs it, and the database's own refusal on PostgreSQL."""

from __future__ import annotations

import uuid
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from leanops_desktop.cli.main import main
from leanops_desktop.core.actor import Actor
from leanops_desktop.core.enums import Role
from leanops_desktop.core.errors import PermissionDenied
from leanops_desktop.db.engine import Database
from leanops_desktop.db.models import EventLog, Job
from leanops_desktop.services.accounts import pg_auth, users
from leanops_desktop.services.job_import.prepare import prepare_import
from leanops_desktop.services.job_import.upsert import import_jobs
from tests.job_files import order_book, write_csv


def counts(db: Database) -> tuple[int, int]:
    with db.session() as session:
        jobs = session.scalar(select(func.count()).select_from(Job))
        events = session.scalar(select(func.count()).select_from(EventLog))
    return int(jobs or 0), int(events or 0)


@pytest.fixture
def german_file(tmp_path: Path) -> Path:
    return write_csv(
        tmp_path / "export.csv",
        [
            ["Auftrag", "Artikel", "Menge", "Termin", "Bemerkung"],
            ["JOB-3001", "Träger", "1.200", "05.12.2026", "eilt"],
            ["JOB-3002", "Schraube", "1 500", "07.12.2026", ""],
            ["JOB-3003", "Mutter", "zwölf", "08.12.2026", ""],
        ],
        delimiter=";",
        encoding="cp1252",
        bom=False,
    )


GERMAN_MAP = ("--map", "Auftrag=job", "--map", "Artikel=part", "--map", "Menge=qty")


def test_import_names_refused_rows_and_needs_the_date_order_chosen(
    db: Database, db_url: str, german_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["jobs", "import", str(german_file), *GERMAN_MAP, "--map", "Termin=due"]

    assert main([*args, "--database", db_url]) == 2
    assert "--day-first / --month-first" in capsys.readouterr().err
    assert counts(db) == (0, 0)

    assert main([*args, "--day-first", "--dry-run", "--database", db_url]) == 1
    out = capsys.readouterr()
    assert "dry run, nothing written" in out.out and "2 new" in out.out
    assert counts(db) == (0, 0)

    assert main([*args, "--day-first", "--database", db_url]) == 1
    out = capsys.readouterr()
    assert "refused: row 4, column 'Menge', value 'zwölf': quantity is not a whole number" in (
        out.err
    )
    assert "imported: 2 new, 0 updated" in out.out
    assert counts(db) == (2, 2)
    with db.session() as session:
        assert session.get(Job, "JOB-3001") is not None
        assert session.execute(
            select(Job.qty_total, Job.due_date).where(Job.id == "JOB-3001")
        ).one() == (
            1200,
            date(2026, 12, 5),
        )

    assert main([*args, "--day-first", "--database", db_url]) == 1
    assert "imported: 0 new, 0 updated, 2 unchanged" in capsys.readouterr().out
    assert counts(db) == (2, 2)


def test_a_missing_column_or_a_bad_map_is_one_clear_line(
    db_url: str, german_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["jobs", "import", str(german_file), "--database", db_url]) == 2
    err = capsys.readouterr().err
    assert "no column holds the job id, part, quantity, due date" in err
    assert "'Auftrag'" in err

    bad = ["jobs", "import", str(german_file), "--map", "Lieferant=job", "--database", db_url]
    assert main(bad) == 2
    assert "the file has no column 'Lieferant'" in capsys.readouterr().err

    wrong_field = ["jobs", "import", str(german_file), "--map", "Auftrag=colour"]
    assert main([*wrong_field, "--database", db_url]) == 2
    assert "'colour' is no field" in capsys.readouterr().err

    missing = ["jobs", "import", str(german_file.with_name("nope.csv")), "--database", db_url]
    assert main(missing) == 2
    assert "no such file" in capsys.readouterr().err


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgresql"])
def test_the_database_refuses_an_import_by_an_operator_login(
    db: Database, db_url: str, admin: Actor, tmp_path: Path
) -> None:
    """The client claims a supervisor, but the login is an operator's: the grants of the
    planning functions refuse every row, and nothing is written."""
    email = f"op-{uuid.uuid4().hex[:8]}@plant.test"
    password = "Import-Op-Pw-71c2"
    with db.session() as session:
        users.add_user(session, admin, email=email, role="operator", password=password)
    plan = prepare_import(write_csv(tmp_path / "book.csv", order_book(20))).plan
    before = counts(db)
    signed = pg_auth.sign_in_postgres(make_url(db_url), email, password)
    try:
        claimed = Actor(email=email, role=Role.SUPERVISOR)
        with signed.db.session() as session, pytest.raises(PermissionDenied):
            import_jobs(session, claimed, plan)
    finally:
        signed.db.dispose()
    assert counts(db) == before == (0, 1)  # the one event is the operator's account
