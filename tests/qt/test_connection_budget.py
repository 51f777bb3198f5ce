"""The connection budget on a real PostgreSQL: after real use a window holds at most 3
connections and a kiosk at most 2, counted in ``pg_stat_activity`` by the seat's
``application_name`` (the listener included)."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest
from pytestqt.qtbot import QtBot

from leanops_desktop.composition.main_window import DesktopSession
from leanops_desktop.config import SiteConfig
from leanops_desktop.core.actor import Actor
from leanops_desktop.db.engine import Database
from leanops_desktop.db.seats import KIOSK, WINDOW
from leanops_desktop.qt.main_window import MainWindow
from leanops_desktop.services.accounts.auth import window_sign_in
from leanops_desktop.services.floor import stations
from tests.factories import make_station, report_from_another_seat
from tests.qt.test_kiosk import (
    ADMIN,
    SUPERVISOR,
    Plant,
    build_plant,
    open_kiosk,
    settle,
    sign_in,
    tap,
)

pytestmark = pytest.mark.postgres


def held(url: str, application_name: str) -> int:
    """Connections to ``url``'s database that carry ``application_name`` now."""
    with psycopg.connect(url, autocommit=True) as admin:
        row = admin.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND application_name = %s",
            [application_name],
        ).fetchone()
    assert row is not None
    return int(row[0])


@pytest.fixture
def pg_plant(db: Database, db_url: str) -> Plant:
    plant = build_plant(db_url, db)
    make_station(db, ADMIN, "ST-03")
    return plant


@pytest.mark.parametrize("backend", ["postgresql"])
def test_a_window_holds_at_most_three_connections_after_real_use(
    qtbot: QtBot, pg_plant: Plant, db_url: str, operator: Actor
) -> None:
    session = DesktopSession(db_url, SiteConfig())
    session.open_window(window_sign_in(db_url, *SUPERVISOR))
    window = session.window
    assert isinstance(window, MainWindow) and session.feed is not None and session.runner
    feed, runner = session.feed, session.runner
    try:
        qtbot.waitUntil(lambda: feed.online is True, timeout=10_000)
        qtbot.waitUntil(lambda: len(window.job_rows()) >= 4, timeout=10_000)
        # A save from the window, changes from other seats through the feed, a full reload
        # and the performance view's reads, some of them at once.
        assert window.commands.drop_job("JOB-1002", "ST-03")
        for qty in (1, 2, 3):
            report_from_another_seat(db_url, operator, qty, job_id="JOB-1001")
        window.reload()
        if window.performance is not None:
            window.central_tabs.setCurrentWidget(window.performance)
        qtbot.waitUntil(
            lambda: any(row.current_job_id == "JOB-1002" for row in window.station_rows()),
            timeout=10_000,
        )
        qtbot.waitUntil(lambda: not runner.is_busy(), timeout=15_000)
        qtbot.wait(300)  # the feed's trailing read
        qtbot.waitUntil(lambda: not runner.is_busy(), timeout=15_000)
        assert held(db_url, WINDOW.application_name) <= WINDOW.steady_connections == 3
        assert held(db_url, WINDOW.application_name) >= 2  # the listener and the feed reader
    finally:
        session.close_window()
    # Signing out gives every connection back, the feed reader's included.
    qtbot.waitUntil(lambda: held(db_url, WINDOW.application_name) == 0, timeout=10_000)


@pytest.mark.parametrize("backend", ["postgresql"])
def test_a_kiosk_holds_at_most_two_connections_after_sending_and_reading(
    qtbot: QtBot, pg_plant: Plant, db_url: str, tmp_path: Path
) -> None:
    kiosk = open_kiosk(qtbot, pg_plant, tmp_path)
    sign_in(qtbot, kiosk)
    controller = kiosk.controller
    for amount in (1, 5, 10, 1, 1):
        tap(qtbot, kiosk.quick.buttons[amount])
    with pg_plant.db.session() as session:  # a change the feed brings and the kiosk reads
        stations.block_station(session, ADMIN, "ST-02", "maintenance")
    settle(qtbot, kiosk)
    controller.refresh()
    qtbot.waitUntil(lambda: not controller.runner.is_busy(), timeout=15_000)
    qtbot.wait(300)
    assert controller.outbox.counts().pending == 0
    assert held(db_url, KIOSK.application_name) <= KIOSK.steady_connections == 2
    assert held(db_url, KIOSK.application_name) >= 1  # the listener at least
    controller.sign_out()
    qtbot.waitUntil(lambda: held(db_url, KIOSK.application_name) == 0, timeout=10_000)
