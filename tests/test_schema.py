"""The migrated schema is exactly the data model, on both backends, and never drifts."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from leanops_desktop.db import migrate
from leanops_desktop.db.engine import open_database
from leanops_desktop.db.models import Base

#: SCHEMA.md, column by column: the contract other tools read.
CONTRACT = {
    "stations": ["id", "name", "line", "status", "is_active", "created_at"],
    "jobs": ["id", "part_name", "qty_total", "due_date", "priority", "status", "created_at"],
    "station_assignments": ["id", "station_id", "job_id", "qty_done", "started_at", "updated_at"],
    "performance_logs": ["id", "station_id", "job_id", "qty_completed", "timestamp"],
    "events_log": ["id", "event_type", "station_id", "job_id", "meta", "timestamp"],
    "users": ["id", "email", "role", "created_at"],
}
#: Additions, each recorded in docs/schema.md.
ADDED = {
    "stations": ["blocked_reason"],
    "jobs": ["qty_reported", "qty_scrapped", "ideal_cycle_s"],
    "station_assignments": ["qty_scrap"],
    "performance_logs": ["assignment_id", "corrects_id"],
    "events_log": ["actor"],
    "users": ["password_hash", "is_active"],
}
POSTGRES_TYPES = {
    ("stations", "id"): "text",
    ("stations", "is_active"): "boolean",
    ("stations", "created_at"): "timestamp with time zone",
    ("jobs", "qty_total"): "integer",
    ("jobs", "due_date"): "date",
    ("station_assignments", "id"): "uuid",
    ("station_assignments", "updated_at"): "timestamp with time zone",
    ("performance_logs", "id"): "uuid",
    ("performance_logs", "qty_completed"): "integer",
    ("events_log", "meta"): "jsonb",
    ("events_log", "timestamp"): "timestamp with time zone",
    ("users", "id"): "uuid",
    ("users", "email"): "text",
}


def test_upgrade_creates_exactly_the_contract_columns(empty_db_url: str) -> None:
    db = open_database(empty_db_url)
    try:
        assert migrate.current_revision(db) is None
        migrate.upgrade(db)
        assert migrate.current_revision(db) == migrate.head_revision()
        inspector = inspect(db.engine)
        for table, columns in CONTRACT.items():
            actual = [column["name"] for column in inspector.get_columns(table)]
            assert actual == columns + ADDED.get(table, []), table
        assert "change_feed" in inspector.get_table_names()
    finally:
        db.dispose()


@pytest.mark.postgres
def test_postgres_column_types_match_the_contract(pg_server_url: str, pg_template: str) -> None:
    from tests.pg_server import admin_connect

    url = pg_server_url.rsplit("/", 1)[0] + "/" + pg_template
    with admin_connect(url) as connection:
        rows = connection.execute(
            "SELECT table_name, column_name, data_type FROM information_schema.columns"
            " WHERE table_schema = 'public'"
        ).fetchall()
    types = {(table, column): kind for table, column, kind in rows}
    for key, expected in POSTGRES_TYPES.items():
        assert types[key] == expected, key


def test_migrated_schema_matches_the_orm_and_upgrading_twice_is_harmless(db_url: str) -> None:
    db = open_database(db_url)
    try:
        migrate.upgrade(db)  # the fixture migrated already: this second run must change nothing
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []
        assert migrate.current_revision(db) == migrate.head_revision()
    finally:
        db.dispose()


def test_sqlite_upgrade_backs_up_an_existing_file_first(tmp_path: Path) -> None:
    path = tmp_path / "plant.db"
    db = open_database(str(path))
    try:
        migrate.upgrade(db, "0001")
        with db.engine.begin() as connection:
            connection.execute(text("INSERT INTO stations (id, name, line) VALUES ('S', 'S', 'L')"))
        backup = migrate.upgrade(db)  # 0001 -> head: the file is copied first
        assert migrate.current_revision(db) == migrate.head_revision() != "0001"
        assert backup is not None and backup.exists()
        assert backup.name.startswith("plant.db.backup-")
        copy = open_database(str(backup))
        try:
            with copy.engine.connect() as connection:
                assert connection.execute(text("SELECT id FROM stations")).scalar() == "S"
        finally:
            copy.dispose()
    finally:
        db.dispose()


def test_empty_sqlite_file_gets_no_backup(tmp_path: Path) -> None:
    db = open_database(str(tmp_path / "new.db"))
    try:
        assert migrate.upgrade(db) is None
        assert not list(tmp_path.glob("new.db.backup-*"))
    finally:
        db.dispose()


@pytest.mark.postgres
def test_offline_script_applies_cleanly_with_psql(pg_server_url: str, tmp_path: Path) -> None:
    from tests.pg_server import create_database, drop_database

    psql = shutil.which("psql")
    if psql is None:
        pytest.fail("psql is needed to apply the offline script")
    script = tmp_path / "leanops.sql"
    script.write_text(migrate.offline_sql())
    url = create_database(pg_server_url, "offline_script")
    try:
        result = subprocess.run(
            [psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url, "-f", str(script)],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr
        db = open_database(url)
        try:
            assert migrate.current_revision(db) == migrate.head_revision()
            with db.engine.connect() as connection:
                context = MigrationContext.configure(connection, opts={"compare_type": True})
                assert compare_metadata(context, Base.metadata) == []
        finally:
            db.dispose()
    finally:
        drop_database(pg_server_url, "offline_script")
