"""``leanops --self-check`` from source: one line per check, exit code 0 only when all pass."""

from __future__ import annotations

import socket
import sqlite3
import uuid
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication
from sqlalchemy.engine import make_url

from leanops_desktop.config import SiteConfig
from leanops_desktop.core.actor import Actor
from leanops_desktop.db import migrate
from leanops_desktop.db.engine import Database, open_database
from leanops_desktop.qt.self_check import run_self_check
from leanops_desktop.services.accounts import users
from tests.conftest import copy_sqlite

CHECKS = (
    "config",
    "storage",
    "database",
    "schema",
    "connections",
    "display",
    "qt",
    "resources",
    "plots",
    "export",
)


@pytest.fixture(autouse=True)
def isolated_folders(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Keep the user data and config folders of the check inside the test's folder."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.delenv("LEANOPS_CONFIG", raising=False)
    return tmp_path


def check(
    url: str, capsys: pytest.CaptureFixture[str], config: SiteConfig | None = None
) -> tuple[int, dict[str, str]]:
    """Run the self-check; the exit code and each check's line by check name."""
    code = run_self_check(url, config or SiteConfig())
    lines = capsys.readouterr().out.splitlines()
    if code == 0:
        assert lines[-1] == f"self-check passed ({len(CHECKS)} checks)"
    else:
        assert lines[-1].startswith("self-check FAILED: ")
    by_name = {}
    for line in lines[1:-1]:
        status_and_name, _, _ = line.partition(":")
        by_name[status_and_name.split()[-1]] = line
    assert lines[0].startswith("LeanOps ") and lines[0].endswith(" self-check")
    assert tuple(by_name) == CHECKS, lines
    return code, by_name


def test_passes_on_a_migrated_database(
    db_url: str, qapp: QApplication, capsys: pytest.CaptureFixture[str]
) -> None:
    code, lines = check(db_url, capsys)
    assert code == 0
    assert all(line.startswith("ok   ") for line in lines.values()), lines
    assert lines["schema"] == f"ok   schema: at version {migrate.head_revision()} (the newest)"
    if db_url.startswith("postgresql"):
        server = make_url(db_url)
        assert lines["connections"] == (
            "ok   connections: a window holds at most 3 connections (application_name"
            f" leanops-window); reached {server.host}:{server.port}, the primary"
        )
    else:
        assert "no server connections" in lines["connections"]
    assert "platform offscreen" in lines["qt"]
    assert "pyqtgraph" in lines["plots"]
    assert "openpyxl" in lines["export"]


def test_a_missing_sqlite_file_is_not_initialised(
    tmp_path: Path, qapp: QApplication, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "nowhere" / "leanops.db"
    code, lines = check(f"sqlite:///{path}", capsys)
    assert code == 1
    assert lines["database"].startswith(f"FAIL database: SQLite {path} does not exist")
    assert "not initialised" in lines["database"]
    assert "leanops db upgrade" in lines["database"]
    assert lines["schema"] == "skip schema: not checked without a database"
    assert not path.parent.exists(), "the check must not create the database"
    assert lines["qt"].startswith("ok   qt:")


def test_an_empty_sqlite_file_fails_on_the_schema(
    tmp_path: Path, qapp: QApplication, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "empty.db"
    sqlite3.connect(path).close()
    code, lines = check(str(path), capsys)
    assert code == 1
    assert lines["database"].startswith("ok   database:")
    assert lines["schema"].startswith("FAIL schema: the database is empty (not initialised)")


def test_an_older_schema_asks_for_an_upgrade(
    tmp_path: Path, qapp: QApplication, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    db = open_database(url)
    try:
        migrate.upgrade(db, "0001")
    finally:
        db.dispose()
    code, lines = check(url, capsys)
    assert code == 1
    head = migrate.head_revision()
    assert lines["schema"].startswith("FAIL schema: the database is at version 0001, LeanOps ")
    assert f"needs {head}: run 'leanops db upgrade'" in lines["schema"]


def test_a_newer_schema_asks_for_a_newer_program(
    tmp_path: Path, qapp: QApplication, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'new.db'}"
    db = open_database(url)
    try:
        migrate.upgrade(db)
    finally:
        db.dispose()
    with sqlite3.connect(tmp_path / "new.db") as connection:
        connection.execute("UPDATE alembic_version SET version_num = '9000_future'")
    code, lines = check(url, capsys)
    assert code == 1
    assert "at version 9000_future, newer than this LeanOps" in lines["schema"]
    assert "install the newer LeanOps" in lines["schema"]


@pytest.fixture
def migrated_sqlite(sqlite_template: Path, tmp_path: Path) -> str:
    """URL of a fresh copy of the migrated SQLite template."""
    path = tmp_path / "leanops.db"
    copy_sqlite(sqlite_template, path)
    return f"sqlite:///{path}"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_an_unreachable_postgresql_fails_clearly(
    qapp: QApplication, capsys: pytest.CaptureFixture[str]
) -> None:
    port = free_port()
    code, lines = check(f"postgresql://leanops@127.0.0.1:{port}/leanops", capsys)
    assert code == 1
    assert lines["database"].startswith(
        f"FAIL database: PostgreSQL leanops@127.0.0.1:{port}/leanops is unreachable: "
    )
    assert "Traceback" not in lines["database"]
    assert lines["schema"].startswith("skip schema:")


def test_names_the_config_file_it_used(
    migrated_sqlite: str, tmp_path: Path, qapp: QApplication, capsys: pytest.CaptureFixture[str]
) -> None:
    site = tmp_path / "leanops.toml"
    site.write_text('[ui]\ntheme = "dark"\n', encoding="utf-8")
    from leanops_desktop.config import load_config

    assert run_self_check(migrated_sqlite, load_config(site)) == 0
    out = capsys.readouterr().out
    assert f"ok   config: {site}\n" in out


def test_the_command_line_runs_it(
    migrated_sqlite: str, tmp_path: Path, qapp: QApplication, capsys: pytest.CaptureFixture[str]
) -> None:
    from leanops_desktop.cli.main import main

    assert main(["--self-check", "--database", migrated_sqlite]) == 0
    out = capsys.readouterr().out
    assert out.rstrip().endswith(f"self-check passed ({len(CHECKS)} checks)")
    assert main(["--self-check", "--database", str(tmp_path / "none.db")]) == 1
    assert "FAIL database: SQLite " in capsys.readouterr().out


@pytest.mark.postgres
def test_a_refused_postgresql_password_is_named(
    pg_server_url: str, qapp: QApplication, capsys: pytest.CaptureFixture[str]
) -> None:

    url = make_url(pg_server_url).set(password="not-the-password")
    code, lines = check(url.render_as_string(hide_password=False), capsys)
    assert code == 1
    assert lines["database"].startswith("FAIL database: PostgreSQL ")
    assert "password authentication failed" in lines["database"]
    assert "set PGPASSWORD" in lines["database"]
    assert "not-the-password" not in lines["database"]


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgresql"])
def test_a_leanops_login_with_pgpassword_passes(
    db: Database,
    db_url: str,
    admin: Actor,
    monkeypatch: pytest.MonkeyPatch,
    qapp: QApplication,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """What IT does on a seat: the site URL has no password, PGPASSWORD gives one."""
    from sqlalchemy.engine import URL

    email = f"olga-{uuid.uuid4().hex[:8]}@plant.test"
    with db.session() as session:
        users.add_user(session, admin, email=email, role="operator", password="Kiosk-Pw-3b9d")
    server = make_url(db_url)
    url = URL.create("postgresql", email, None, server.host, server.port, server.database)
    monkeypatch.setenv("PGPASSWORD", "Kiosk-Pw-3b9d")
    code, lines = check(url.render_as_string(hide_password=False), capsys)
    assert code == 0, lines
    assert lines["schema"].startswith("ok   schema: at version ")
    code, lines = check(
        url.render_as_string(hide_password=False), capsys, SiteConfig(kiosk_station="ST-01")
    )
    assert code == 0, lines
    assert lines["connections"].startswith("ok   connections: a kiosk holds at most 2 connections")
