"""Every ``leanops`` command on bad input: one line on stderr, exit status 2, nothing changed."""

from __future__ import annotations

import os
import resource
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from leanops_desktop.db import migrate
from leanops_desktop.db.engine import open_database
from tests.test_cli import leanops

EMAIL = "new@plant.test"
PASSWORD = "long-enough-pw\n"

#: Every command that takes a database, with what it needs besides ``--database``.
COMMANDS: dict[str, tuple[str, ...]] = {
    "db upgrade": ("db", "upgrade"),
    "db current": ("db", "current"),
    "db init-admin": ("db", "init-admin", EMAIL, "--password-stdin"),
    "demo": ("demo",),
    "user add": ("user", "add", EMAIL, "--role", "operator", "--password-stdin"),
    "user list": ("user", "list"),
    "user set-role": ("user", "set-role", EMAIL, "admin"),
    "user passwd": ("user", "passwd", EMAIL, "--password-stdin"),
    "user disable": ("user", "disable", EMAIL),
    "user enable": ("user", "enable", EMAIL),
}
#: Commands that open a window, and the screenshot: refused before Qt starts.
WINDOW_COMMANDS: dict[str, tuple[str, ...]] = {
    "app": (),
    "kiosk": ("kiosk", "--station", "ST-01"),
    "board": ("board",),
    "board enroll": ("board", "enroll", "--admin", EMAIL, "--password-stdin"),
    "screenshot": ("screenshot", "never.png"),
    "self-check": ("--self-check",),
}
#: Commands that write to an up-to-date plant (db upgrade: test_upgrade_of_a_read_only_...).
WRITING = ("db init-admin", "demo", "user add", "user set-role", "user passwd", "user disable")


def run(
    command: tuple[str, ...],
    database: str,
    *,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
) -> subprocess.CompletedProcess[str]:
    if cwd is None:
        return leanops(*command, "--database", database, stdin=PASSWORD, env=env)
    environment = {**os.environ, "LEANOPS_CONFIG": "", **(env or {})}
    environment.pop("LEANOPS_DATABASE_URL", None)
    environment["PYTHONPATH"] = str(Path(__file__).resolve().parent.parent)
    return subprocess.run(
        [sys.executable, "-m", "leanops_desktop", *command, "--database", database],
        input=PASSWORD,
        capture_output=True,
        text=True,
        timeout=120,
        env=environment,
        cwd=cwd,
    )


def assert_one_line_refusal(result: subprocess.CompletedProcess[str], *expected: str) -> None:
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("leanops: ")
    for text in expected:
        assert text in lines[0], lines[0]


def content(path: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table (a read that writes nothing to the file)."""
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = [
            row[0]
            for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        ]
        return {
            table: sorted(map(tuple, connection.execute(f'SELECT * FROM "{table}"')), key=repr)
            for table in tables
            if table and not table.startswith("sqlite_")
        }
    finally:
        connection.close()


@pytest.fixture
def migrated(tmp_path: Path, sqlite_template: Path) -> Path:
    """A migrated, empty plant."""
    from tests.conftest import copy_sqlite

    path = tmp_path / "plant.db"
    copy_sqlite(sqlite_template, path)
    return path


def add_account(path: Path) -> None:
    """Give the plant one account, ``EMAIL``."""
    added = leanops(
        "user", "add", EMAIL, "--role", "supervisor", "--password-stdin",
        "--database", str(path), stdin=PASSWORD,
    )  # fmt: skip
    assert added.returncode == 0, added.stderr


BAD_URLS = {
    "port not a number": ("postgresql://leanops@db.plant:abc/leanops", "port is not a number"),
    "sqlite with two slashes": ("sqlite://relative.db", "three slashes"),
    "unknown database": ("mysql://db.plant/leanops", "unsupported database"),
    "empty": ("", "--database is empty"),
    "in memory": ("sqlite://", "names no SQLite file"),
}


@pytest.mark.parametrize("url_name", list(BAD_URLS))
@pytest.mark.parametrize("command", [*COMMANDS, *WINDOW_COMMANDS])
def test_a_malformed_url_is_one_line(command: str, url_name: str, tmp_path: Path) -> None:
    url, message = BAD_URLS[url_name]
    args = {**COMMANDS, **WINDOW_COMMANDS}[command]
    result = run(args, url, cwd=tmp_path)
    assert_one_line_refusal(result, message)
    assert list(tmp_path.iterdir()) == []  # no default file, no screenshot


def test_an_empty_database_option_does_not_open_the_default_file(tmp_path: Path) -> None:
    home = {"HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path / "data")}
    for args in (("db", "upgrade"), ("demo",), ("user", "list")):
        result = leanops(*args, "--database", "", env=home)
        assert_one_line_refusal(result, "--database is empty")
        result = leanops("--database", "", *args, env=home)
        assert_one_line_refusal(result, "--database is empty")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("command", list(COMMANDS))
def test_a_file_that_is_not_a_database_is_one_line(command: str, tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_bytes(b"shopping list: steel, bolts\n" * 200)
    before = path.read_bytes()
    result = run(COMMANDS[command], str(path))
    assert_one_line_refusal(result, "is not a SQLite database")
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.db"]


def test_a_folder_is_not_a_database(tmp_path: Path) -> None:
    result = run(COMMANDS["user list"], str(tmp_path))
    assert_one_line_refusal(result, "is not a file")


@contextmanager
def made_read_only(path: Path) -> Iterator[str]:
    """The database URL of ``path`` made read-only the way the OS allows: the file's and its
    folder's modes for a normal user; for root, who writes through modes, the immutable
    attribute where the file system has it, else SQLite's own read-only mode (then SQLite
    refuses the write just the same)."""
    if os.geteuid() != 0:
        path.chmod(0o444)
        path.parent.chmod(0o555)
        try:
            yield str(path)
        finally:
            path.parent.chmod(0o755)
            path.chmod(0o644)
        return
    immutable = bool(shutil.which("chattr")) and (
        subprocess.run(["chattr", "+i", str(path)], capture_output=True).returncode == 0
    )
    try:
        yield str(path) if immutable else f"sqlite:///file:{path}?mode=ro&uri=true"
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", str(path)], check=True)


@pytest.mark.parametrize("command", WRITING)
def test_a_read_only_file_is_one_line_for_commands_that_write(command: str, migrated: Path) -> None:
    if command.startswith("user") and command != "user add":
        add_account(migrated)
    before = content(migrated)
    with made_read_only(migrated) as url:
        result = run(COMMANDS[command], url)
    assert_one_line_refusal(result, "is read-only")
    assert content(migrated) == before


def older_plant(path: Path, sqlite_template: Path) -> None:
    """A plant at the migration before the newest one."""
    from alembic import command

    from tests.conftest import copy_sqlite

    copy_sqlite(sqlite_template, path)
    db = open_database(str(path))
    try:
        with db.engine.begin() as connection:
            command.downgrade(migrate.alembic_config(connection), "-1")
    finally:
        db.dispose()


def test_upgrade_of_a_read_only_older_file(tmp_path: Path, sqlite_template: Path) -> None:
    path = tmp_path / "old.db"
    older_plant(path, sqlite_template)
    before = content(path)
    with made_read_only(path) as url:
        result = run(COMMANDS["db upgrade"], url)
    assert_one_line_refusal(result, "read-only")
    assert content(path) == before
    assert [p.name for p in tmp_path.iterdir() if ".backup-" in p.name] == []


def limited(limit: int) -> None:
    """In the child: no file may grow past ``limit`` bytes, as on a full disk (Python
    ignores SIGXFSZ, so a write past it fails with EFBIG instead of killing the process)."""
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))


def run_on_a_full_disk(
    limit: int, *args: str, stdout: int | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "LEANOPS_CONFIG": "", **(env or {})}
    environment.pop("LEANOPS_DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "leanops_desktop", *args],
        input=PASSWORD,
        stdout=stdout if stdout is not None else subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        timeout=120,
        env=environment,
        preexec_fn=lambda: limited(limit),
    )


def test_a_full_disk_during_the_demo_changes_nothing(migrated: Path) -> None:
    before = content(migrated)
    size = migrated.stat().st_size
    result = run_on_a_full_disk(size + 64 * 1024, "demo", "--database", str(migrated))
    assert_one_line_refusal(result, "cannot write to SQLite")
    assert content(migrated) == before


def test_a_full_disk_while_creating_a_database_leaves_no_file(tmp_path: Path) -> None:
    target = tmp_path / "new" / "plant.db"
    for args in (("db", "upgrade"), ("demo",)):
        result = run_on_a_full_disk(16 * 1024, *args, "--database", str(target))
        assert_one_line_refusal(result, "cannot write to SQLite")
        assert not target.exists() and list(target.parent.iterdir()) == []


def test_a_full_disk_during_the_backup_leaves_no_half_backup(
    tmp_path: Path, sqlite_template: Path
) -> None:
    path = tmp_path / "old.db"
    older_plant(path, sqlite_template)
    before = content(path)
    result = run_on_a_full_disk(path.stat().st_size // 2, "db", "upgrade", "--database", str(path))
    assert_one_line_refusal(result)
    assert content(path) == before
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.endswith(("-wal", "-shm"))) == [
        "old.db"
    ]


@pytest.mark.parametrize("unbuffered", ["", "1"], ids=["buffered", "unbuffered"])
def test_a_full_disk_behind_stdout_is_one_line(tmp_path: Path, unbuffered: str) -> None:
    out = tmp_path / "schema.sql"
    with out.open("w") as handle:
        result = run_on_a_full_disk(
            4096, "db", "sql", stdout=handle.fileno(), env={"PYTHONUNBUFFERED": unbuffered}
        )
    assert_one_line_refusal(result, "disk is full")


CONFIG_PROBLEMS = {
    "a folder": (None, "is not a file"),
    "not text": (b"\x80\x81\xfe[database]\n", "not text in UTF-8 or UTF-16"),
    "not TOML": (b"[database\nurl = 1\n", "cannot read"),
    "misspelt section": (
        b'[databse]\nurl = "x.db"\n',
        "unknown section [databse] (did you mean [database]?)",
    ),
    "misspelt key": (b'[kiosk]\nstaton = "ST-01"\n', "unknown key 'staton' in [kiosk]"),
    "wrong value": (b'[ui]\ntheme = "neon"\n', "[ui] theme must be"),
}


@pytest.mark.parametrize("problem", list(CONFIG_PROBLEMS))
@pytest.mark.parametrize("command", ["db upgrade", "db current", "demo", "user list"])
def test_a_bad_site_config_stops_every_command(command: str, problem: str, tmp_path: Path) -> None:
    text, message = CONFIG_PROBLEMS[problem]
    config = tmp_path / "leanops.toml"
    if text is None:
        config.mkdir()
    else:
        config.write_bytes(text)
    target = tmp_path / "plant.db"
    result = run(COMMANDS[command], str(target), env={"LEANOPS_CONFIG": str(config)})
    assert_one_line_refusal(result, message)
    assert not target.exists()


def test_an_unreadable_site_config_stops_a_command(tmp_path: Path) -> None:
    """Without read permission; root reads through that, so for root a file whose read
    fails (the process's own memory file, unreadable at offset 0)."""
    config = tmp_path / "leanops.toml"
    config.write_text("[ui]\ntheme = 'dark'\n")
    if os.geteuid() == 0:
        config, problem = Path("/proc/self/mem"), "Input/output error"
    else:
        config.chmod(0)
        problem = "Permission denied"
    try:
        result = leanops("user", "list", env={"LEANOPS_CONFIG": str(config)})
    finally:
        (tmp_path / "leanops.toml").chmod(0o644)
    assert_one_line_refusal(result, f"cannot read {config}: {problem}")
