"""The kiosk's job panel shows the job's scrap beside its good units: at once after a scrap
report and its undo, once (not twice) after they are sent, and while the server is away."""

from __future__ import annotations

from pathlib import Path
from uuid import uuid4

import pytest
from pytestqt.qtbot import QtBot

from leanops_desktop.db.engine import Database, open_database
from leanops_desktop.qt.kiosk.kiosk_window import KioskWindow
from leanops_desktop.services.accounts.signed_in import SignedIn
from leanops_desktop.services.quality.scrap import ScrapReport, report_scrap
from tests.qt.test_kiosk import ADMIN, Plant, plant, settle, sign_in, tap  # noqa: F401
from tests.qt.test_kiosk_offline import OPERATOR, SUPERVISOR, pg_plant, proxy  # noqa: F401
from tests.qt.test_kiosk_scrap import open_kiosk_at, scrap, scrapped
from tests.test_kiosk_faults import FaultProxy


def tally(kiosk: KioskWindow) -> tuple[str, str, str]:
    panel = kiosk.job_panel
    return panel.good_label.text(), panel.scrap_label.text(), panel.progress.text()


def test_scrap_and_its_undo_show_beside_the_good_units_at_once_and_once(
    qtbot: QtBot, plant: Plant, tmp_path: Path  # noqa: F811
) -> None:
    kiosk = open_kiosk_at(qtbot, plant.url, tmp_path / "outbox.sqlite3")
    sign_in(qtbot, kiosk)
    qtbot.waitUntil(lambda: bool(kiosk.scrap.reasons), timeout=10_000)
    assert tally(kiosk) == ("Good 0  ·", "Scrap 0", "0 / 20")
    assert kiosk.job_panel.scrap_label.property("role") == "muted"
    tap(qtbot, kiosk.quick.buttons[1])  # +1 good
    settle(qtbot, kiosk)
    scrap(qtbot, kiosk, "3", "quality/surface")
    # Confirmed here before it reaches the server; the bar still counts good units only.
    assert tally(kiosk) == ("Good 1  ·", "Scrap 3", "1 / 20")
    assert kiosk.job_panel.scrap_label.property("role") == "late"
    settle(qtbot, kiosk)
    qtbot.waitUntil(lambda: kiosk.controller.scrap_queue.pending_count() == 0, timeout=10_000)
    assert scrapped(plant.db)[2] == 3
    kiosk.controller.refresh()
    qtbot.waitUntil(lambda: not kiosk.controller.runner.is_busy(), timeout=10_000)
    assert tally(kiosk) == ("Good 1  ·", "Scrap 3", "1 / 20")  # the server's 3, not 3 + 3
    tap(qtbot, kiosk.scrap.undo_button)
    assert tally(kiosk)[1] == "Scrap 0"
    qtbot.waitUntil(lambda: kiosk.controller.scrap_queue.pending_count() == 0, timeout=10_000)
    kiosk.controller.refresh()
    qtbot.waitUntil(lambda: not kiosk.controller.runner.is_busy(), timeout=10_000)
    assert tally(kiosk)[1] == "Scrap 0" and scrapped(plant.db)[2] == 0


def test_scrap_reported_elsewhere_on_the_job_shows_after_the_next_read(
    qtbot: QtBot, plant: Plant, tmp_path: Path  # noqa: F811
) -> None:
    kiosk = open_kiosk_at(qtbot, plant.url, tmp_path / "outbox.sqlite3")
    sign_in(qtbot, kiosk)
    with plant.db.session() as session:  # a supervisor books scrap of ST-01's job
        elsewhere = ScrapReport("ST-01", "JOB-1001", 4, "quality/dimension", uuid4())
        report_scrap(session, ADMIN, elsewhere)
    assert tally(kiosk)[1] == "Scrap 0"
    kiosk.controller.refresh()
    qtbot.waitUntil(lambda: tally(kiosk)[1] == "Scrap 4", timeout=10_000)
    kiosk.controller.sign_out()  # no job shown: no figures either
    assert tally(kiosk)[:2] == ("", "")


@pytest.mark.postgres
def test_scrap_waiting_offline_is_counted_on_the_panel(
    qtbot: QtBot, pg_plant: tuple[str, Database], proxy: FaultProxy, tmp_path: Path,  # noqa: F811
) -> None:
    url, db = pg_plant
    via_proxy = proxy.url(url)
    kiosk = open_kiosk_at(qtbot, via_proxy, tmp_path / "outbox.sqlite3")
    controller = kiosk.controller
    controller.start_session(SignedIn(open_database(via_proxy, connect_timeout=2), OPERATOR))
    qtbot.waitUntil(lambda: bool(kiosk.scrap.reasons), timeout=15_000)
    qtbot.waitUntil(lambda: controller.snapshot is not None, timeout=15_000)
    with db.session() as session:  # scrap already on the server before the kiosk's
        earlier = ScrapReport("ST-01", "JOB-1001", 1, "quality/dimension", uuid4())
        report_scrap(session, SUPERVISOR, earlier)
    controller.refresh()
    qtbot.waitUntil(lambda: tally(kiosk)[1] == "Scrap 1", timeout=15_000)
    proxy.set_down(True)
    scrap(qtbot, kiosk, "2", "quality/setup scrap")
    scrap(qtbot, kiosk, "5", "quality/surface")
    assert tally(kiosk)[1] == "Scrap 8"
    tap(qtbot, kiosk.scrap.undo_button)  # the 5 taken back, offline too
    qtbot.waitUntil(lambda: controller.online is False, timeout=15_000)
    assert tally(kiosk) == ("Good 0  ·", "Scrap 3", "0 / 20")
    assert scrapped(db)[2] == 1

    proxy.set_down(False)
    controller.refresh()
    qtbot.waitUntil(lambda: controller.scrap_queue.pending_count() == 0, timeout=20_000)
    controller.refresh()
    qtbot.waitUntil(lambda: not controller.runner.is_busy(), timeout=10_000)
    assert scrapped(db)[2] == 3 and tally(kiosk)[1] == "Scrap 3"
