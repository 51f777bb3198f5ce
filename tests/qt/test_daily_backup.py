"""The main window's daily backup (``[backup] folder``, ``keep``): made off the GUI thread
at start, one a day, the oldest pruned, told in the status bar."""

from __future__ import annotations

import sqlite3
import threading
from datetime import datetime
from pathlib import Path

from PySide6.QtWidgets import QMainWindow
from pytestqt.qtbot import QtBot

from leanops_desktop.composition.main_window import start_daily_backup
from leanops_desktop.config import SiteConfig
from leanops_desktop.db import migrate
from leanops_desktop.db.sqlite_backup import daily_backups
from leanops_desktop.qt.daily_backup import DailyBackup
from leanops_desktop.qt.db_runner import DbRunner
from leanops_desktop.services.backups import BackupPlan, backup_plan, run_daily_backup
from tests.conftest import copy_sqlite

OLD_DAYS = ("20250101-060000", "20250102-060000", "20250103-060000")


def plant_with_old_backups(sqlite_template: Path, tmp_path: Path) -> tuple[Path, Path]:
    database = tmp_path / "leanops.db"
    copy_sqlite(sqlite_template, database)
    folder = tmp_path / "backups"
    folder.mkdir()
    for day in OLD_DAYS:
        copy_sqlite(sqlite_template, folder / f"leanops-{day}.db")
    return database, folder


def test_todays_copy_is_made_off_the_gui_thread_and_old_ones_pruned(
    qtbot: QtBot, runner: DbRunner, sqlite_template: Path, tmp_path: Path
) -> None:
    database, folder = plant_with_old_backups(sqlite_template, tmp_path)
    threads: list[str] = []

    def work(plan: BackupPlan) -> Path | None:
        threads.append(threading.current_thread().name)
        return run_daily_backup(plan)

    backups = DailyBackup(BackupPlan(database, folder, keep=2), runner, work=work)
    with qtbot.waitSignal(backups.finished, timeout=20_000) as told:
        backups.start()
    backups.stop()
    made = daily_backups(folder)[-1]
    assert told.args == [f"Backup saved: {made.name}"]
    assert made.name.startswith(f"leanops-{datetime.now():%Y%m%d}-")
    assert [path.name for path in daily_backups(folder)] == [
        f"leanops-{OLD_DAYS[-1]}.db",
        made.name,
    ]
    with sqlite3.connect(made) as copy:
        assert copy.execute("SELECT version_num FROM alembic_version").fetchone() == (
            migrate.head_revision(),
        )
    assert threads and threads[0] != threading.main_thread().name
    # the hourly check later the same day: nothing new
    backups.check_now()
    assert runner.wait(20_000)
    assert len(daily_backups(folder)) == 2 and len(threads) == 2


def test_the_window_shows_the_outcome_and_only_sqlite_is_copied(
    qtbot: QtBot, runner: DbRunner, sqlite_template: Path, tmp_path: Path
) -> None:
    database, folder = plant_with_old_backups(sqlite_template, tmp_path)
    config = SiteConfig(backup_folder=folder, backup_keep=5)
    window = QMainWindow()
    qtbot.addWidget(window)
    backups = start_daily_backup(f"sqlite:///{database}", config, runner, window)
    assert backups is not None
    qtbot.waitUntil(lambda: window.statusBar().currentMessage().startswith("Backup saved: "))
    backups.stop()
    assert len(daily_backups(folder)) == 4
    assert start_daily_backup(f"sqlite:///{database}", SiteConfig(), runner, window) is None
    assert backup_plan("postgresql://db.plant.local/leanops", folder, 5) is None


def test_a_failed_copy_is_told_not_raised(qtbot: QtBot, runner: DbRunner, tmp_path: Path) -> None:
    plan = BackupPlan(tmp_path / "gone.db", tmp_path / "backups", keep=3)
    backups = DailyBackup(plan, runner)
    with qtbot.waitSignal(backups.finished, timeout=20_000) as told:
        backups.start()
    backups.stop()
    assert told.args[0].startswith(f"Backup failed: no database {plan.database}")
    assert daily_backups(plan.folder) == []
