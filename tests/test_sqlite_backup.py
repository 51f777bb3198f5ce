"""``leanops db backup`` / ``db restore`` on a SQLite plant: a consistent, checked copy while
a seat writes; restore with the old file kept; the refusals; the daily copies' retention."""

from __future__ import annotations

import re
import sqlite3
import threading
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from leanops_desktop.core.actor import Actor
from leanops_desktop.core.errors import ConfigError
from leanops_desktop.db import migrate
from leanops_desktop.db.engine import open_database
from leanops_desktop.db.sqlite_backup import (
    backup_file,
    daily_backup,
    daily_backups,
    prune_backups,
)
from leanops_desktop.db.sqlite_restore import restore_file
from tests.conftest import copy_sqlite
from tests.factories import make_station
from tests.test_cli import leanops


@pytest.fixture
def plant(sqlite_template: Path, tmp_path: Path) -> Path:
    path = tmp_path / "leanops.db"
    copy_sqlite(sqlite_template, path)
    return path


def count(path: Path, sql: str) -> int:
    connection = sqlite3.connect(path)
    try:
        return int(connection.execute(sql).fetchone()[0])
    finally:
        connection.close()


STATIONS = "SELECT count(*) FROM stations"
CREATED = "SELECT count(*) FROM events_log WHERE event_type = 'station_created'"


def test_a_backup_while_a_seat_writes_is_consistent_and_checked(plant: Path) -> None:
    db = open_database(f"sqlite:///{plant}")
    stop = threading.Event()
    written = [0]

    def seat() -> None:  # a seat adding stations, each with its event, as fast as it can
        while not stop.is_set():
            make_station(db, Actor.system(), f"ST-{written[0]:04d}")
            written[0] += 1

    writer = threading.Thread(target=seat, name="leanops-test-seat")
    for index in range(20):
        make_station(db, Actor.system(), f"ST-B{index:02d}")
    writer.start()
    try:
        while written[0] < 20:
            stop.wait(0.01)
        committed_before = count(plant, STATIONS)
        copy = backup_file(plant, plant.parent / "copy.db")
        committed_after = count(plant, STATIONS)
    finally:
        stop.set()
        writer.join()
        db.dispose()
    assert written[0] > 20  # the seat kept writing
    assert copy.revision == migrate.head_revision()
    in_copy = count(copy.path, STATIONS)
    assert committed_before <= in_copy <= committed_after
    # one snapshot: every station's creation and its event, never one without the other
    assert count(copy.path, CREATED) == in_copy
    assert sqlite3.connect(copy.path).execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert list(plant.parent.glob(".copy.db.partial-*")) == []


def test_backup_and_restore_from_the_command_line(plant: Path, tmp_path: Path) -> None:
    url = f"sqlite:///{plant}"
    db = open_database(url)
    try:
        make_station(db, Actor.system(), "ST-KEPT")
    finally:
        db.dispose()
    backup = tmp_path / "monday.db"
    made = leanops("db", "backup", str(backup), "--database", url)
    assert made.returncode == 0, made.stderr
    head = migrate.head_revision()
    assert f"{backup} (schema version {head}, integrity ok)" in made.stdout

    db = open_database(url)
    try:
        make_station(db, Actor.system(), "ST-LATER")
    finally:
        db.dispose()
    restored = leanops("db", "restore", str(backup), "--database", url)
    assert restored.returncode == 0, restored.stderr
    replaced = next(tmp_path.glob("leanops.db.replaced-*"))
    assert f"the replaced database is kept as {replaced}" in restored.stdout
    names = "SELECT group_concat(id) FROM (SELECT id FROM stations ORDER BY id)"
    assert sqlite3.connect(plant).execute(names).fetchone() == ("ST-KEPT",)
    assert "ST-LATER" in sqlite3.connect(replaced).execute(names).fetchone()[0]


def test_restore_is_refused_while_a_seat_has_the_database_open(plant: Path, tmp_path: Path) -> None:
    backup = backup_file(plant, tmp_path / "copy.db").path
    seat = open_database(f"sqlite:///{plant}")
    try:
        with seat.engine.connect():  # a window or kiosk with its connection open
            before = plant.read_bytes()
            with pytest.raises(ConfigError, match="is in use: close LeanOps"):
                restore_file(backup, plant)
            assert plant.read_bytes() == before
            assert list(tmp_path.glob("leanops.db.replaced-*")) == []
            assert list(tmp_path.glob(".leanops.db.partial-*")) == []
    finally:
        seat.dispose()


def test_restore_refuses_a_newer_or_foreign_file(plant: Path, tmp_path: Path) -> None:
    newer = backup_file(plant, tmp_path / "newer.db").path
    with sqlite3.connect(newer) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '0099'")
    foreign = tmp_path / "foreign.db"
    with sqlite3.connect(foreign) as connection:
        connection.execute("CREATE TABLE notes (text TEXT)")
    text_file = tmp_path / "notes.txt"
    text_file.write_text("not a database at all, just some text of a person's notes\n" * 20)
    before = plant.read_bytes()
    for path, reason in (
        (newer, "schema version 0099, which this LeanOps does not know"),
        (foreign, "holds no LeanOps schema"),
        (text_file, "is not a SQLite database"),
        (tmp_path / "missing.db", "no such file"),
    ):
        result = leanops("db", "restore", str(path), "--database", str(plant))
        assert result.returncode == 2, path
        assert reason in result.stderr and "Traceback" not in result.stderr
    assert plant.read_bytes() == before
    assert list(tmp_path.glob("leanops.db.replaced-*")) == []


def test_backup_refusals_and_postgresql(plant: Path, tmp_path: Path) -> None:
    existing = tmp_path / "exists.db"
    existing.write_bytes(b"keep me")
    taken = leanops("db", "backup", str(existing), "--database", str(plant))
    assert taken.returncode == 2 and "exists already" in taken.stderr
    assert existing.read_bytes() == b"keep me"
    missing = leanops("db", "backup", str(tmp_path / "x.db"), "--database", str(tmp_path / "no.db"))
    assert missing.returncode == 2 and "no such file" in missing.stderr
    assert not (tmp_path / "x.db").exists() and not (tmp_path / "no.db").exists()
    pg = leanops("db", "backup", str(tmp_path / "x.db"), "--database", "postgresql://h/plant")
    assert pg.returncode == 2 and "back it up with pg_dump" in pg.stderr


def test_daily_backups_one_a_day_and_the_oldest_pruned(plant: Path, tmp_path: Path) -> None:
    folder = tmp_path / "backups"
    start = datetime(2026, 3, 1, 7, 30)
    made = [daily_backup(plant, folder, 3, start + timedelta(days=day)) for day in range(5)]
    assert all(path is not None for path in made)
    again = daily_backup(plant, folder, 3, start + timedelta(days=4, hours=9))
    assert again is None  # today's exists: no second copy
    kept = daily_backups(folder)
    assert [path.name for path in kept] == [
        "leanops-20260303-073000.db",
        "leanops-20260304-073000.db",
        "leanops-20260305-073000.db",
    ]
    other = folder / "leanops-before-migration.db"
    other.write_bytes(b"someone's own copy")
    assert prune_backups(folder, 1) == kept[:2]
    assert other.exists()  # not one of the daily copies: never pruned


def test_the_backup_section_of_leanops_toml(tmp_path: Path) -> None:
    from leanops_desktop.config import load_config

    site = tmp_path / "leanops.toml"
    site.write_text('[backup]\nfolder = "~/LeanOps backups"\nkeep = 30\n')
    config = load_config(site)
    assert config.backup_folder == Path.home() / "LeanOps backups"
    assert config.backup_keep == 30 and config.unknown == ()
    for bad, reason in (
        ("keep = 0", "keep must be a whole number from 1 to 3650"),
        ('keep = "14"', "keep must be a whole number"),
        ('folder = ""', "[backup] folder must be a folder"),
        ("folder = 3", "[backup] folder must be a folder"),
    ):
        site.write_text(f"[backup]\n{bad}\n")
        with pytest.raises(ConfigError, match=re.escape(reason)):
            load_config(site)


def test_a_full_disk_during_a_backup_is_one_line_and_leaves_nothing(
    plant: Path, tmp_path: Path
) -> None:
    from tests.test_cli_errors import assert_one_line_refusal, run_on_a_full_disk

    db = open_database(f"sqlite:///{plant}")
    try:
        for index in range(200):  # a plant big enough that half of it is a real file size
            make_station(db, Actor.system(), f"ST-F{index:03d}")
    finally:
        db.dispose()
    out = tmp_path / "backups" / "monday.db"
    out.parent.mkdir()
    limit = 64 * 1024
    assert plant.stat().st_size > 2 * limit
    result = run_on_a_full_disk(limit, "db", "backup", str(out), "--database", str(plant))
    assert_one_line_refusal(result, f"cannot write the backup {out}", "is the disk full")
    assert list(out.parent.iterdir()) == []  # no half-written copy, not even its journal


def test_restore_into_a_new_place_and_then_the_app_opens_it(plant: Path, tmp_path: Path) -> None:
    backup = backup_file(plant, tmp_path / "copy.db").path
    target = tmp_path / "new-pc" / "leanops.db"
    restored = restore_file(backup, target)
    assert restored.replaced is None and restored.revision == migrate.head_revision()
    db = open_database(f"sqlite:///{target}")
    try:
        assert migrate.current_revision(db) == migrate.head_revision()
    finally:
        db.dispose()


def test_a_damaged_database_is_replaced_and_kept_aside(plant: Path, tmp_path: Path) -> None:
    backup = backup_file(plant, tmp_path / "copy.db").path
    damaged = b"\x00" * 4096 + b"what a failing disk left of the plant" * 50
    plant.write_bytes(damaged)
    restored = restore_file(backup, plant)
    assert restored.replaced is not None and restored.replaced.read_bytes() == damaged
    assert count(plant, STATIONS) == count(backup, STATIONS)


def test_an_older_backup_is_restored_with_the_upgrade_to_run(plant: Path, tmp_path: Path) -> None:
    older = tmp_path / "older.db"
    db = open_database(f"sqlite:///{older}")
    try:
        migrate.upgrade(db, "0011")
    finally:
        db.dispose()
    result = leanops("db", "restore", str(older), "--database", str(plant))
    assert result.returncode == 0, result.stderr
    assert "(schema version 0011)" in result.stdout
    assert f"older than this LeanOps ({migrate.head_revision()}): run 'leanops db upgrade'" in (
        result.stdout
    )
    assert count(plant, "SELECT count(*) FROM alembic_version WHERE version_num = '0011'") == 1
