"""The ``leanops`` command line, run as a user would run it."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy.engine import make_url

from leanops_desktop import __version__
from leanops_desktop.db import migrate
from leanops_desktop.services.demo_plant import DEMO_USERS, plant_demo_email


def leanops(
    *args: str,
    stdin: str | None = None,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "LEANOPS_CONFIG": "", **(env or {})}
    environment.pop("LEANOPS_DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "leanops_desktop", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        env=environment,
    )


def test_version() -> None:
    result = leanops("--version")
    assert result.returncode == 0 and result.stdout.strip() == f"LeanOps {__version__}"


def test_upgrade_demo_and_users_on_a_fresh_file(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'plant.db'}"
    first = leanops("db", "upgrade", "--database", url)
    assert first.returncode == 0, first.stderr
    assert "upgraded from empty to" in first.stdout
    again = leanops("db", "upgrade", "--database", url)
    assert "already at version" in again.stdout
    head = migrate.head_revision()
    assert leanops("db", "current", "--database", url).stdout.startswith(f"{head} (up to date)")

    demo = leanops("demo", "--database", url)
    assert demo.returncode == 0, demo.stderr
    assert "10 stations" in demo.stdout
    for email, _role, password in DEMO_USERS:
        assert email in demo.stdout and password in demo.stdout
    refused = leanops("demo", "--database", url)
    assert refused.returncode == 2 and "already holds data" in refused.stderr

    added = leanops(
        "user",
        "add",
        "new@plant.test",
        "--role",
        "operator",
        "--password-stdin",
        "--database",
        url,
        stdin="long-enough-pw\n",
    )
    assert added.returncode == 0, added.stderr
    listing = leanops("user", "list", "--database", url)
    assert "new@plant.test" in listing.stdout and "operator" in listing.stdout
    assert (
        leanops("user", "set-role", "new@plant.test", "supervisor", "--database", url).returncode
        == 0
    )
    assert leanops("user", "disable", "new@plant.test", "--database", url).returncode == 0
    listing = leanops("user", "list", "--database", url).stdout
    line = next(row for row in listing.splitlines() if row.startswith("new@plant.test"))
    assert "supervisor" in line and "disabled" in line
    short = leanops(
        "user", "passwd", "new@plant.test", "--password-stdin", "--database", url, stdin="short\n"
    )
    assert (
        short.returncode == 2 and "at least 8" in short.stderr and "Traceback" not in short.stderr
    )


def test_user_commands_refuse_an_unmigrated_database(tmp_path: Path) -> None:
    (tmp_path / "empty.db").touch()
    result = leanops("user", "list", "--database", str(tmp_path / "empty.db"))
    assert result.returncode == 2
    assert "run 'leanops db upgrade' first" in result.stderr


def test_user_commands_create_no_database(tmp_path: Path) -> None:
    target = tmp_path / "folder" / "plant.db"
    for command in (("user", "list"), ("user", "disable", "a@plant.test")):
        result = leanops(*command, "--database", str(target))
        assert result.returncode == 2
        assert "no such file" in result.stderr and "run 'leanops db upgrade'" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_sql_prints_the_postgres_script() -> None:
    result = leanops("db", "sql")
    assert result.returncode == 0
    assert "CREATE TABLE station_assignments" in result.stdout
    assert "CREATE TRIGGER trg_events_log_append_only" in result.stdout
    assert result.stdout.rstrip().endswith("COMMIT;")


def test_unreachable_postgres_gives_a_clear_message() -> None:
    result = leanops("db", "current", "--database", "postgresql://nobody@127.0.0.1:1/leanops")
    assert result.returncode == 2
    assert "database unreachable" in result.stderr and "Traceback" not in result.stderr


def test_password_in_site_config_is_refused(tmp_path: Path) -> None:
    config = tmp_path / "leanops.toml"
    config.write_text('[database]\nurl = "postgresql://leanops:hunter22@db.plant/leanops"\n')
    result = leanops("db", "current", env={"LEANOPS_CONFIG": str(config)})
    assert result.returncode == 2
    assert "remove the password" in result.stderr and "hunter22" not in result.stderr


@pytest.mark.parametrize("backend", ["postgresql"])
@pytest.mark.postgres
def test_upgrade_init_admin_and_users_on_postgres(empty_db_url: str) -> None:
    import uuid

    from leanops_desktop.services.accounts import auth

    assert leanops("db", "upgrade", "--database", empty_db_url).returncode == 0
    email = f"it-{uuid.uuid4().hex[:8]}@plant.test"
    made = leanops(
        "db",
        "init-admin",
        email,
        "--password-stdin",
        "--database",
        empty_db_url,
        stdin="first-admin-pw\n",
    )
    assert made.returncode == 0, made.stderr
    again = leanops(
        "db",
        "init-admin",
        "x" + email,
        "--password-stdin",
        "--database",
        empty_db_url,
        stdin="first-admin-pw\n",
    )
    assert again.returncode == 2 and "admin account exists" in again.stderr
    operator = "op-" + email
    added = leanops(
        "user",
        "add",
        operator,
        "--role",
        "operator",
        "--password-stdin",
        "--database",
        empty_db_url,
        stdin="operator-pw-1\n",
    )
    assert added.returncode == 0, added.stderr
    signed = auth.sign_in(empty_db_url, operator, "operator-pw-1")
    signed.db.dispose()
    assert signed.actor.role == "operator"


@pytest.mark.parametrize("backend", ["postgresql"])
@pytest.mark.postgres
def test_demo_on_postgres_never_uses_the_published_passwords(empty_db_url: str) -> None:
    """On a shared server the demo accounts are logins: each gets a random password,
    printed once, and the README's passwords sign nobody in."""
    from leanops_desktop.core.errors import AuthenticationFailed
    from leanops_desktop.services.accounts import auth

    assert leanops("db", "upgrade", "--database", empty_db_url).returncode == 0
    demo = leanops("demo", "--database", empty_db_url)
    assert demo.returncode == 0, demo.stderr
    assert "shown only this once and stored nowhere" in demo.stdout
    printed: dict[str, str] = {}
    for line in demo.stdout.splitlines():
        if "password: " in line:
            _role, email, _label, password = line.split()
            printed[email] = password
    database = make_url(empty_db_url).database or ""
    logins = {email: plant_demo_email(email, database) for email, _role, _pw in DEMO_USERS}
    assert sorted(printed) == sorted(logins.values())
    for published_email, role, published in DEMO_USERS:
        email = logins[published_email]
        assert published not in demo.stdout
        assert len(printed[email]) >= 16 and printed[email] != published
        with pytest.raises(AuthenticationFailed):
            auth.sign_in(empty_db_url, email, published)
        signed = auth.sign_in(empty_db_url, email, printed[email])
        signed.db.dispose()
        assert signed.actor.role == role
    assert len(set(printed.values())) == len(printed)


def test_demo_logins_are_named_after_their_plant() -> None:
    assert plant_demo_email("admin@demo.leanops", "Plant_A") == "admin@plant-a.demo.leanops"
    long = plant_demo_email("supervisor@demo.leanops", "x" * 60)
    other = plant_demo_email("supervisor@demo.leanops", "x" * 59 + "y")
    assert len(long.encode()) <= 63 and long.endswith(".demo.leanops") and long != other


def test_demo_on_sqlite_keeps_the_published_passwords(tmp_path: Path) -> None:
    from leanops_desktop.services.accounts import auth

    url = f"sqlite:///{tmp_path / 'demo.db'}"
    demo = leanops("demo", "--database", url)
    assert demo.returncode == 0, demo.stderr
    assert "stored nowhere" not in demo.stdout
    for email, role, password in DEMO_USERS:
        assert f"{email:<26} password: {password}" in demo.stdout
        signed = auth.sign_in(url, email, password)
        signed.db.dispose()
        assert signed.actor.role == role


# -- db current: the state in the exit status ----------------------------------------------


def test_db_current_help_documents_the_exit_codes() -> None:
    help_text = leanops("db", "current", "--help").stdout
    for code, state in (("0", "up to date"), ("2", "error"), ("3", "behind"), ("4", "empty")):
        assert f"  {code}  {state}" in help_text
    assert "  5  missing" in help_text


def test_db_current_states_on_sqlite(tmp_path: Path, sqlite_template: Path) -> None:
    from alembic import command

    from leanops_desktop.db.engine import open_database
    from tests.conftest import copy_sqlite

    missing = tmp_path / "no" / "such" / "plant.db"
    result = leanops("db", "current", "--database", str(missing))
    assert result.returncode == 5 and result.stdout.startswith("missing")
    assert list(tmp_path.iterdir()) == []  # no file, no folder
    result = leanops("db", "current", "--database", f"sqlite:///{tmp_path / 'x.db'}")
    assert result.returncode == 5 and list(tmp_path.iterdir()) == []

    empty = tmp_path / "empty.db"
    empty.touch()
    result = leanops("db", "current", "--database", str(empty))
    assert result.returncode == 4 and result.stdout.startswith("empty"), result.stdout

    older = tmp_path / "older.db"
    copy_sqlite(sqlite_template, older)
    db = open_database(str(older))
    try:
        with db.engine.begin() as connection:
            command.downgrade(migrate.alembic_config(connection), "-1")
        previous = migrate.current_revision(db)
    finally:
        db.dispose()
    result = leanops("db", "current", "--database", str(older))
    assert result.returncode == 3, result.stderr
    assert result.stdout.startswith(f"{previous} (behind: newest is {migrate.head_revision()}")

    current = tmp_path / "current.db"
    copy_sqlite(sqlite_template, current)
    result = leanops("db", "current", "--database", str(current))
    assert result.returncode == 0 and result.stdout.startswith(f"{migrate.head_revision()} (up")

    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    result = leanops("db", "current", "--database", str(junk))
    assert result.returncode == 2 and "not a SQLite database" in result.stderr


def test_db_current_of_a_newer_leanops_is_an_error(tmp_path: Path, sqlite_template: Path) -> None:
    import sqlite3

    from tests.conftest import copy_sqlite

    path = tmp_path / "newer.db"
    copy_sqlite(sqlite_template, path)
    connection = sqlite3.connect(path)
    with connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999'")
    connection.close()
    result = leanops("db", "current", "--database", str(path))
    assert result.returncode == 2 and "9999, which this LeanOps does not know" in result.stderr
    upgrade = leanops("db", "upgrade", "--database", str(path))
    assert upgrade.returncode == 2 and "a newer LeanOps migrated it" in upgrade.stderr


@pytest.mark.parametrize("backend", ["postgresql"])
@pytest.mark.postgres
def test_db_current_states_on_postgres(empty_db_url: str) -> None:
    from sqlalchemy.engine import make_url

    missing = make_url(empty_db_url).set(database="leanops_no_such_database")
    result = leanops("db", "current", "--database", missing.render_as_string(False))
    assert result.returncode == 5 and result.stdout.startswith("missing"), result.stderr
    result = leanops("db", "current", "--database", empty_db_url)
    assert result.returncode == 4 and result.stdout.startswith("empty")
    assert leanops("db", "upgrade", "--database", empty_db_url).returncode == 0
    assert leanops("db", "current", "--database", empty_db_url).returncode == 0
    unreachable = leanops("db", "current", "--database", "postgresql://nobody@127.0.0.1:1/x")
    assert unreachable.returncode == 2


def test_export_writes_tables_people_can_calculate_with(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'plant.db'}"
    assert leanops("db", "upgrade", "--database", url).returncode == 0
    assert leanops("demo", "--database", url).returncode == 0
    xlsx = tmp_path / "jobs.xlsx"
    result = leanops("export", "jobs", str(xlsx), "--database", url)
    assert result.returncode == 0, result.stderr
    assert "jobs written to" in result.stdout
    assert result.stderr == ""
    workbook = openpyxl.load_workbook(xlsx)
    sheet = workbook["Jobs"]
    headers = [cell.value for cell in sheet[1]]
    assert headers[:7] == ["Job", "Part", "Priority", "Status", "Due", "Done", "Total"]
    assert sheet.max_row == int(result.stdout.split()[0]) + 1
    for row in sheet.iter_rows(min_row=2):
        due, done, total, created = row[4], row[5], row[6], row[8]
        assert type(done.value) is int and type(total.value) is int
        assert due.is_date and isinstance(due.value, datetime)
        assert created.is_date
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == f"A1:I{sheet.max_row}"
    assert all(sheet.column_dimensions[letter].width for letter in "ABCDEFGHI")

    stations = tmp_path / "stations.csv"
    assert leanops("export", "stations", str(stations), "--database", url).returncode == 0
    with stations.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 10
    busy = [row for row in rows if row["Job"]]
    assert busy and all(int(row["Job done"]) <= int(row["Job total"]) * 2 for row in busy)

    events = tmp_path / "events.csv"
    assert (
        leanops("export", "events", str(events), "--events", "3", "--database", url).returncode == 0
    )
    with events.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 3
    assert all(datetime.fromisoformat(row["Time"]).date() <= date.today() for row in rows)

    refused = leanops("export", "jobs", str(tmp_path / "jobs.pdf"), "--database", url)
    assert refused.returncode == 2 and "use .csv or .xlsx" in refused.stderr
    missing = leanops("export", "jobs", str(xlsx), "--database", str(tmp_path / "none.db"))
    assert missing.returncode == 2 and "no database" in missing.stderr
