"""Scrap at the kiosk: how many, then a quality leaf in two levels, through the scrap outbox;
counted once, online (SQLite) and through a lost connection (PostgreSQL behind a proxy), with
the reasons last read kept for offline use."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from leanops_desktop.config import SiteConfig
from leanops_desktop.db.engine import Database, open_database
from leanops_desktop.db.models import Job, StationAssignment
from leanops_desktop.db.oee_models import ScrapLog
from leanops_desktop.db.outbox import Outbox
from leanops_desktop.qt.kiosk.kiosk_window import KioskWindow
from leanops_desktop.qt.kiosk.launch import create_kiosk
from leanops_desktop.services.accounts.signed_in import SignedIn
from tests.qt.test_kiosk import Plant, logged_units, notice, plant, settle, sign_in, tap  # noqa: F401
from tests.qt.test_kiosk_offline import OPERATOR, pg_plant, proxy  # noqa: F401
from tests.test_kiosk_faults import FaultProxy


def scrapped(db: Database, job_id: str = "JOB-1001") -> tuple[int, int, int, int]:
    """(scrap logs, their units, the job's qty_scrapped, its assignments' qty_scrap)."""
    with db.session() as session:
        logs, units = session.execute(
            select(func.count(), func.coalesce(func.sum(ScrapLog.qty_scrapped), 0)).where(
                ScrapLog.job_id == job_id
            )
        ).one()
        job = session.scalar(select(Job.qty_scrapped).where(Job.id == job_id))
        here = session.scalar(
            select(func.coalesce(func.sum(StationAssignment.qty_scrap), 0)).where(
                StationAssignment.job_id == job_id
            )
        )
    return int(logs), int(units), int(job or 0), int(here or 0)


def open_kiosk_at(qtbot: QtBot, url: str, outbox_path: Path) -> KioskWindow:
    kiosk = create_kiosk(
        url, SiteConfig(), "ST-01", outbox=Outbox(outbox_path), refresh_ms=60_000
    )
    qtbot.addWidget(kiosk)
    kiosk.resize(1024, 768)
    kiosk.show()
    return kiosk


def scrap(qtbot: QtBot, kiosk: KioskWindow, qty: str, reason: str) -> None:
    """Scrap… → how many → Quality › (when there are groups) → the leaf."""
    tap(qtbot, kiosk.scrap.button)
    if qty:
        tap(qtbot, kiosk.choice_page.buttons[qty])
    page = kiosk.choice_page
    assert kiosk.stack.currentWidget() is page
    if "group:quality" in page.buttons:
        tap(qtbot, page.buttons["group:quality"])
    tap(qtbot, page.buttons[f"leaf:{reason}"])
    assert kiosk.stack.currentWidget() is kiosk.work_page


def test_scrap_is_reported_with_a_quality_leaf_and_counted_once(
    qtbot: QtBot, plant: Plant, tmp_path: Path  # noqa: F811
) -> None:
    kiosk = open_kiosk_at(qtbot, plant.url, tmp_path / "outbox.sqlite3")
    sign_in(qtbot, kiosk)
    qtbot.waitUntil(lambda: bool(kiosk.scrap.reasons), timeout=10_000)
    # Only the active quality leaves are offered, under their group.
    assert {r.id for r in kiosk.scrap.reasons} == {
        "quality/dimension", "quality/surface", "quality/material defect", "quality/setup scrap"
    }
    tap(qtbot, kiosk.scrap.button)
    assert kiosk.choice_page.title.text() == "Scrap on JOB-1001: how many?"
    tap(qtbot, kiosk.choice_page.buttons["3"])
    # One group (quality): its leaves come at once.
    assert kiosk.choice_page.title.text() == "3 scrapped: quality"
    tap(qtbot, kiosk.choice_page.buttons["leaf:quality/surface"])
    assert notice(kiosk) == "✓ 3 scrapped on JOB-1001: surface defect"
    for key in ("1", "2"):  # the keypad's amount is the scrap amount when typed
        tap(qtbot, kiosk.keypad.buttons[key])
    scrap(qtbot, kiosk, "", "quality/dimension")
    assert kiosk.keypad.display.text() == "0"
    settle(qtbot, kiosk)
    qtbot.waitUntil(lambda: kiosk.controller.scrap_queue.pending_count() == 0, timeout=10_000)
    assert scrapped(plant.db) == (2, 15, 15, 15)
    assert logged_units(plant.db) == (0, 0)  # good units untouched
    assert kiosk.header.connection_label.text() == "● Online · all sent"


def test_scrap_needs_a_running_job_and_a_positive_amount(
    qtbot: QtBot, plant: Plant, tmp_path: Path  # noqa: F811
) -> None:
    kiosk = open_kiosk_at(qtbot, plant.url, tmp_path / "outbox.sqlite3")
    sign_in(qtbot, kiosk)
    qtbot.waitUntil(lambda: bool(kiosk.scrap.reasons), timeout=10_000)
    tap(qtbot, kiosk.keypad.buttons["0"])
    scrap(qtbot, kiosk, "", "quality/surface")
    assert notice(kiosk) == "Quantity: must be at least 1, got 0."
    assert kiosk.controller.scrap_queue.pending() == []


def test_undo_takes_scrap_back_with_a_correction_for_ten_seconds(
    qtbot: QtBot, plant: Plant, tmp_path: Path  # noqa: F811
) -> None:
    kiosk = open_kiosk_at(qtbot, plant.url, tmp_path / "outbox.sqlite3")
    sign_in(qtbot, kiosk)
    qtbot.waitUntil(lambda: bool(kiosk.scrap.reasons), timeout=10_000)
    assert kiosk.scrap.undo_button.isHidden()
    scrap(qtbot, kiosk, "5", "quality/surface")
    assert kiosk.scrap.undo_button.text() == "Undo scrap  10 s"
    tap(qtbot, kiosk.scrap.undo_button)
    assert notice(kiosk) == "✓ Scrap taken back: -5 on JOB-1001"
    assert kiosk.scrap.undo_button.isHidden()
    scrap(qtbot, kiosk, "2", "quality/dimension")
    qtbot.waitUntil(lambda: kiosk.controller.scrap_queue.pending_count() == 0, timeout=10_000)
    # The report and its correction stay in the log; only the kept 2 count, once.
    assert scrapped(plant.db) == (3, 2, 2, 2)


def test_the_scrap_undo_is_offered_only_for_the_undo_time(
    qtbot: QtBot, plant: Plant, tmp_path: Path  # noqa: F811
) -> None:
    kiosk = create_kiosk(
        plant.url, SiteConfig(), "ST-01", outbox=Outbox(tmp_path / "o.sqlite3"),
        refresh_ms=60_000, undo_ms=300,
    )  # fmt: skip
    qtbot.addWidget(kiosk)
    kiosk.resize(1024, 768)
    kiosk.show()
    sign_in(qtbot, kiosk)
    qtbot.waitUntil(lambda: bool(kiosk.scrap.reasons), timeout=10_000)
    scrap(qtbot, kiosk, "1", "quality/surface")
    assert kiosk.scrap.undo_button.isVisible()
    qtbot.waitUntil(lambda: kiosk.scrap.undo_button.isHidden(), timeout=3000)
    qtbot.waitUntil(lambda: kiosk.controller.scrap_queue.pending_count() == 0, timeout=10_000)
    assert scrapped(plant.db) == (1, 1, 1, 1)


@pytest.mark.postgres
def test_offline_scrap_waits_with_the_kept_reasons_and_counts_once_when_back(
    qtbot: QtBot, pg_plant: tuple[str, Database], proxy: FaultProxy, tmp_path: Path,  # noqa: F811
) -> None:
    url, db = pg_plant
    via_proxy = proxy.url(url)
    outbox_path = tmp_path / "outbox.sqlite3"
    first = open_kiosk_at(qtbot, via_proxy, outbox_path)
    first.controller.start_session(
        SignedIn(open_database(via_proxy, connect_timeout=2), OPERATOR)
    )
    qtbot.waitUntil(lambda: bool(first.scrap.reasons), timeout=15_000)
    first.close()
    first.controller.outbox.close()

    proxy.set_down(True)  # a restart while the server is away: the reasons come from the file
    kiosk = open_kiosk_at(qtbot, via_proxy, outbox_path)
    assert len(kiosk.scrap.reasons) == 4
    controller = kiosk.controller
    controller.start_session(SignedIn(open_database(via_proxy, connect_timeout=2), OPERATOR))
    qtbot.waitUntil(lambda: controller.online is False, timeout=15_000)
    # No read yet since the restart: the station as the previous session left it is not
    # known, so give the kiosk its last snapshot the way an enrolled kiosk keeps it.
    proxy.set_down(False)
    controller.refresh()
    qtbot.waitUntil(lambda: controller.snapshot is not None, timeout=15_000)
    proxy.set_down(True)
    scrap(qtbot, kiosk, "2", "quality/setup scrap")
    scrap(qtbot, kiosk, "5", "quality/surface")
    tap(qtbot, kiosk.scrap.undo_button)  # offline too: the correction waits behind its report
    qtbot.waitUntil(lambda: controller.online is False, timeout=15_000)
    assert kiosk.header.connection_label.text() == "● OFFLINE · 3 waiting"
    assert scrapped(db) == (0, 0, 0, 0)

    proxy.set_down(False)
    controller.refresh()
    qtbot.waitUntil(lambda: controller.scrap_queue.pending_count() == 0, timeout=20_000)
    assert scrapped(db) == (3, 2, 2, 2)
    qtbot.waitUntil(
        lambda: kiosk.header.connection_label.text() == "● Online · all sent", timeout=5000
    )


def test_the_scrap_page_renders_for_screenshots(tmp_path: Path) -> None:
    from PySide6.QtGui import QImage

    from tests.test_kiosk_start import leanops

    out = tmp_path / "scrap.png"
    result = leanops(
        "screenshot", str(out), "--view", "kiosk", "--station", "ST-01",
        "--size", "1024x768", "--page", "scrap",
        env={"QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": str(tmp_path / "config")},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    image = QImage(str(out))
    assert (image.width(), image.height()) == (1024, 768)


def test_scrap_the_server_refuses_is_said_on_the_kiosk(
    qtbot: QtBot, plant: Plant, tmp_path: Path  # noqa: F811
) -> None:
    kiosk = open_kiosk_at(qtbot, plant.url, tmp_path / "outbox.sqlite3")
    sign_in(qtbot, kiosk)
    controller = kiosk.controller
    # Queued while ST-01 ran JOB-2001 as the kiosk saw it; the server knows better.
    controller.scrap_queue.add(station_id="ST-01", job_id="JOB-2001", qty=2,
                               reason_id="quality/surface", operator="olga@plant.test")
    controller.wake_sender()
    qtbot.waitUntil(lambda: notice(kiosk).startswith("Scrap not counted"), timeout=10_000)
    assert notice(kiosk) == (
        "Scrap not counted: 2 for JOB-2001. Station ST-01 is not working on job JOB-2001."
    )
    assert kiosk.notice.level() == "error"
    assert scrapped(plant.db, "JOB-2001") == (0, 0, 0, 0)
