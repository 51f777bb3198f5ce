"""Signing in at start, switching user from the File menu, exporting, and screenshots."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from leanops_desktop.app import take_screenshot
from leanops_desktop.config import SiteConfig
from leanops_desktop.core.actor import Actor
from leanops_desktop.core.enums import Role
from leanops_desktop.core.errors import ConfigError
from leanops_desktop.db.engine import Database, open_database
from leanops_desktop.qt.dialogs.sign_in_dialog import SignInDialog
from leanops_desktop.qt.main_window import MainWindow
from leanops_desktop.qt.screenshot import parse_size
from leanops_desktop.qt.window.layout_state import user_key
from leanops_desktop.services.demo_plant import DEMO_USERS
from leanops_desktop.services.floor import stations
from tests.qt.conftest import RecordingMessages
from tests.qt.window_helpers import open_window


def sign_in_when_asked(qtbot: QtBot, email: str, password: str) -> Callable[[], None]:
    """Type into the modal sign-in dialog once it is up, as a user would."""

    def answer() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, SignInDialog):
            QTimer.singleShot(20, answer)
            return
        dialog.email_edit.clear()
        qtbot.keyClicks(dialog.email_edit, email)
        qtbot.keyClicks(dialog.password_edit, password)
        qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)

    return answer


def test_sign_in_then_switch_user(qtbot: QtBot, demo_db_url: str) -> None:
    from leanops_desktop.app import DesktopSession

    session = DesktopSession(demo_db_url, SiteConfig(), demo=True)
    QTimer.singleShot(0, sign_in_when_asked(qtbot, "supervisor@demo.leanops", "demo-supervisor"))
    assert session.start()
    first = session.window
    assert isinstance(first, MainWindow) and first.actor.role == Role.SUPERVISOR
    qtbot.waitUntil(lambda: first.models.stations.total_count() == 10, timeout=5000)
    assert first.live_feed is not None

    QTimer.singleShot(0, sign_in_when_asked(qtbot, "operator@demo.leanops", "demo-operator"))
    first.registry["switch_user"].trigger()
    qtbot.waitUntil(lambda: session.window is not first, timeout=5000)
    second = session.window
    assert isinstance(second, MainWindow) and second.actor.role == Role.OPERATOR
    assert not shiboken6.isValid(first) or not first.isVisible()
    assert not second.registry["new_job"].isEnabled()
    qtbot.waitUntil(lambda: second.models.jobs.total_count() > 0, timeout=5000)
    session.close_window()
    assert session.window is None and session.signed_in is None


def test_export_the_jobs_view_as_shown(
    qtbot: QtBot,
    demo_db: Database,
    supervisor: Actor,
    messages: RecordingMessages,
    tmp_path: Path,
) -> None:
    window = open_window(qtbot, demo_db, supervisor, messages)
    jobs = window.docks["jobs"]
    jobs.set_row_filter(jobs.row_filter().__class__(status="waiting"))
    qtbot.mouseClick(jobs.view.viewport(), Qt.MouseButton.LeftButton)
    target = tmp_path / "queue"
    asked: list[str] = []

    def choose(parent: QWidget, title: str, suggested: str, file_filter: str) -> str:
        asked.append(suggested)
        return str(target)

    window.choose_save_path = choose
    window.registry["export_csv"].trigger()
    written = tmp_path / "queue.csv"
    assert asked and asked[0].endswith(".csv") and "jobs" in asked[0]
    with written.open(newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle))
    assert rows[0][0] == "Job"
    waiting = [job for job in window.job_rows() if job.status == "waiting"]
    assert len(rows) - 1 == len(waiting) == jobs.model.rowCount()
    assert {row[0] for row in rows[1:]} == {job.id for job in waiting}
    assert messages.texts()[-1] == f"Exported {len(waiting)} jobs to {written}."


def test_screenshots_of_the_main_window_and_sign_in(demo_db_url: str, tmp_path: Path) -> None:
    main = tmp_path / "main.png"
    take_screenshot(main, "main", demo_db_url, SiteConfig(), None, (1280, 720))
    image = QImage(str(main))
    assert (image.width(), image.height()) == (1280, 720)
    login = tmp_path / "login.png"
    take_screenshot(login, "login", demo_db_url, SiteConfig(), None, (1600, 900))
    assert QImage(str(login)).width() >= 460


def test_screenshot_arguments_are_checked(tmp_path: Path) -> None:
    assert parse_size("1600x900") == (1600, 900)
    with pytest.raises(ConfigError, match="WIDTHxHEIGHT"):
        parse_size("big")
    with pytest.raises(ConfigError, match="unknown view"):
        take_screenshot(
            tmp_path / "x.png", "plots", "sqlite:///x.db", SiteConfig(), None, (800, 600)
        )
    with pytest.raises(ConfigError, match="which station"):
        take_screenshot(
            tmp_path / "x.png", "kiosk", "sqlite:///x.db", SiteConfig(), None, (800, 600)
        )


def test_a_screenshot_never_touches_the_users_saved_layout(
    demo_db_url: str, tmp_path: Path, isolated_settings: Path
) -> None:
    """The screenshot's window saves its layout on closing: into a folder of its own."""
    email = DEMO_USERS[1][0]
    group = f"layout/{user_key(email)}"
    mine = QSettings()
    mine.setValue(f"{group}/central_tab", "Performance")
    mine.setValue(f"{group}/filters/jobs", '{"text": "mine"}')
    mine.sync()
    users_file = Path(mine.fileName())
    assert users_file.is_relative_to(isolated_settings)
    before = users_file.read_bytes()

    take_screenshot(tmp_path / "main.png", "main", demo_db_url, SiteConfig(), None, (1280, 720))

    assert users_file.read_bytes() == before
    again = QSettings(str(users_file), QSettings.Format.IniFormat)
    assert again.value(f"{group}/central_tab") == "Performance"
    assert again.value(f"{group}/state") is None  # the screenshot's layout went elsewhere
    assert not Path(QSettings().fileName()).is_relative_to(isolated_settings)


def test_a_kiosk_screenshot_without_a_station_takes_the_first_active_one(
    demo_db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from leanops_desktop.composition import files

    asked: list[str] = []
    real = files.build_kiosk_for_screenshot

    def build(url: str, config: SiteConfig, station: str, size: tuple[int, int]) -> QWidget:
        asked.append(station)
        return real(url, config, station, size)

    monkeypatch.setattr(files, "build_kiosk_for_screenshot", build)
    db = open_database(demo_db_url)
    with db.session() as session:  # a station before it, not in use
        stations.create_station(
            session, Actor.system(), station_id="AA-00", name="Spare", line="Line A",
            is_active=False,
        )  # fmt: skip
    db.dispose()
    out = tmp_path / "kiosk.png"
    take_screenshot(out, "kiosk", demo_db_url, SiteConfig(), None, (1024, 768))
    assert asked == ["ST-01"]
    assert QImage(str(out)).width() == 1024
