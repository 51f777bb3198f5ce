"""What the floor found: nothing moves under the finger, no message covers a button, no
keypad without a job, a count on a blocked station is asked first, big numbers are grouped."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from leanops_desktop.core.enums import StationStatus
from leanops_desktop.db.engine import open_database
from leanops_desktop.qt.kiosk.kiosk_window import KioskWindow
from leanops_desktop.services.floor import dispatch, stations
from leanops_desktop.services.reads import queries
from tests.conftest import copy_sqlite
from tests.factories import make_job, make_station
from tests.qt.test_kiosk import (
    ADMIN,
    Plant,
    build_plant,
    logged_units,
    open_kiosk,
    sign_in,
    tap,
)


@pytest.fixture
def plant(sqlite_template: Path, tmp_path: Path) -> Iterator[Plant]:
    """test_kiosk's plant (ST-01 runs JOB-1001 of 20 units) in a SQLite file."""
    copy_sqlite(sqlite_template, tmp_path / "plant.db")
    url = f"sqlite:///{tmp_path / 'plant.db'}"
    db = open_database(url)
    try:
        yield build_plant(url, db)
    finally:
        db.dispose()


@pytest.fixture
def kiosk(qtbot: QtBot, plant: Plant, tmp_path: Path) -> KioskWindow:
    return open_kiosk(qtbot, plant, tmp_path)


def rect_in(window: QWidget, widget: QWidget) -> QRect:
    rect = widget.rect()
    rect.moveTopLeft(widget.mapTo(window, QPoint(0, 0)))
    return rect


def test_keypad_and_header_keep_their_place_when_texts_appear(
    qtbot: QtBot, kiosk: KioskWindow
) -> None:
    sign_in(qtbot, kiosk)
    qtbot.waitUntil(lambda: not kiosk.controller.runner.is_busy(), timeout=10_000)
    places = [rect_in(kiosk, w) for w in (kiosk.keypad, kiosk.header, kiosk.header.sign_out_button)]
    controller = kiosk.controller
    for _ in range(3):  # three counts the server has not had yet: "+22 not sent yet"
        controller.outbox.add_report(
            station_id="ST-01", job_id="JOB-1001", qty=22, operator="olga@plant.test"
        )
    controller.set_online(False, "no connection")
    kiosk._show_counts(controller.counts())
    kiosk.show_notice("warning", "JOB-2001 runs on ST-02, not here. Check the label.")
    qtbot.wait(50)
    assert "+66 not sent yet" in kiosk.job_panel.here_label.text()
    label = kiosk.header.connection_label
    assert label.text() == "● OFFLINE · 3 waiting"
    assert label.width() >= label.fontMetrics().horizontalAdvance(label.text())  # not cut
    after = [rect_in(kiosk, w) for w in (kiosk.keypad, kiosk.header, kiosk.header.sign_out_button)]
    assert after == places


def test_a_message_never_covers_cancel_on_the_complete_page(
    qtbot: QtBot, kiosk: KioskWindow
) -> None:
    sign_in(qtbot, kiosk)
    kiosk.show_notice("warning", "JOB-2001 runs on ST-02, not here. Check the label.")
    tap(qtbot, kiosk.complete_button)
    qtbot.wait(50)
    assert kiosk.stack.currentWidget() is kiosk.choice_page and kiosk.notice.isVisible()
    notice = rect_in(kiosk, kiosk.notice)
    page = kiosk.choice_page
    for button in [page.cancel_button, *page.buttons.values()]:
        assert button.isVisible() and not notice.intersects(rect_in(kiosk, button)), button.text()


def test_no_keypad_without_a_job(qtbot: QtBot, plant: Plant, tmp_path: Path) -> None:
    make_station(plant.db, ADMIN, "ST-09")
    kiosk = open_kiosk(qtbot, plant, tmp_path, station="ST-09")
    sign_in(qtbot, kiosk)
    assert not kiosk.keypad.isEnabled() and not kiosk.quick.isEnabled()


def test_counting_on_a_blocked_station_asks_then_counts_and_resumes(
    qtbot: QtBot, plant: Plant, kiosk: KioskWindow
) -> None:
    with plant.db.session() as session:
        stations.block_station(session, ADMIN, "ST-01", "material")
    sign_in(qtbot, kiosk)
    tap(qtbot, kiosk.quick.buttons[5])
    page = kiosk.choice_page
    assert kiosk.stack.currentWidget() is page
    assert page.title.text() == "ST-01 is blocked (material). Count 5 anyway?"
    assert logged_units(plant.db) == (0, 0)  # nothing counted silently
    tap(qtbot, page.buttons["resume"])
    qtbot.waitUntil(lambda: logged_units(plant.db) == (1, 5), timeout=10_000)
    qtbot.waitUntil(lambda: kiosk.block_button.isVisible(), timeout=10_000)
    with plant.db.session() as session:
        station = queries.get_station(session, "ST-01")
    assert station.status == StationStatus.RUNNING


def test_a_cancelled_blocked_count_counts_nothing(
    qtbot: QtBot, plant: Plant, kiosk: KioskWindow
) -> None:
    with plant.db.session() as session:
        stations.block_station(session, ADMIN, "ST-01", "material")
    sign_in(qtbot, kiosk)
    tap(qtbot, kiosk.quick.buttons[1])
    tap(qtbot, kiosk.choice_page.cancel_button)
    assert kiosk.controller.outbox.counts().pending == 0
    assert logged_units(plant.db) == (0, 0)


def test_big_numbers_have_thousands_separators(qtbot: QtBot, plant: Plant, tmp_path: Path) -> None:
    make_station(plant.db, ADMIN, "ST-08")
    make_job(plant.db, ADMIN, "JOB-8000", qty_total=12_000)
    with plant.db.session() as session:
        dispatch.assign_job(session, ADMIN, "JOB-8000", "ST-08")
    kiosk = open_kiosk(qtbot, plant, tmp_path, station="ST-08")
    sign_in(qtbot, kiosk)
    kiosk.keypad.press("1")
    for _ in range(3):
        kiosk.keypad.press("0")
    kiosk.keypad.press("0")
    kiosk.keypad.submit()
    qtbot.waitUntil(lambda: kiosk.job_panel.progress.text() == "10,000 / 12,000", timeout=10_000)
    assert "+10,000 counted" in kiosk.banner.label.text()


def test_the_site_theme_applies_to_the_kiosk(qtbot: QtBot, plant: Plant, tmp_path: Path) -> None:
    from leanops_desktop.config import SiteConfig
    from leanops_desktop.qt.kiosk.style import BACKGROUND

    backgrounds = {}
    for theme in ("dark", "light", "high-contrast"):
        kiosk = open_kiosk(qtbot, plant, tmp_path / theme, config=SiteConfig(theme=theme))
        backgrounds[theme] = kiosk.palette().color(kiosk.backgroundRole()).name()
    assert backgrounds == {"dark": BACKGROUND, "light": "#e9edf2", "high-contrast": "#000000"}
