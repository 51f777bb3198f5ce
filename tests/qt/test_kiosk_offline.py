"""The kiosk on PostgreSQL while the connection comes and goes (cut by a proxy).

While offline the kiosk keeps confirming reports from its outbox and says so plainly;
block and complete are refused with the reason; when the server answers again the
waiting reports go out in order and count exactly once.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from leanops_desktop.config import SiteConfig
from leanops_desktop.core.actor import Actor
from leanops_desktop.core.enums import Role
from leanops_desktop.db.engine import Database, open_database
from leanops_desktop.db.outbox import Outbox
from leanops_desktop.qt.kiosk.kiosk_window import KioskWindow
from leanops_desktop.qt.kiosk.launch import create_kiosk
from leanops_desktop.services.accounts.signed_in import SignedIn
from leanops_desktop.services.floor import dispatch
from tests.factories import make_job, make_station
from tests.pg_server import create_database, drop_database
from tests.qt.test_kiosk import logged_units, tap
from tests.test_kiosk_faults import FaultProxy

pytestmark = [pytest.mark.postgres]

OPERATOR = Actor(email="olga.operator@plant.test", role=Role.OPERATOR)
SUPERVISOR = Actor(email="sam.supervisor@plant.test", role=Role.SUPERVISOR)


@pytest.fixture
def pg_plant(pg_server_url: str, pg_template: str) -> Iterator[tuple[str, Database]]:
    name = f"kiosk_{uuid.uuid4().hex[:10]}"
    url = create_database(pg_server_url, name, template=pg_template)
    db = open_database(url)
    try:
        make_station(db, SUPERVISOR, "ST-01")
        make_job(db, SUPERVISOR, "JOB-1001", qty_total=20)
        with db.session() as session:
            dispatch.assign_job(session, SUPERVISOR, "JOB-1001", "ST-01")
        yield url, db
    finally:
        db.dispose()
        drop_database(pg_server_url, name)


@pytest.fixture
def proxy(pg_server_url: str) -> Iterator[FaultProxy]:
    port = int(pg_server_url.rsplit(":", 1)[1].split("/", 1)[0])
    fault = FaultProxy(port)
    yield fault
    fault.close()


def test_offline_reports_wait_and_go_out_once_when_back(
    qtbot: QtBot, pg_plant: tuple[str, Database], proxy: FaultProxy, tmp_path: Path
) -> None:
    url, db = pg_plant
    via_proxy = proxy.url(url)
    kiosk: KioskWindow = create_kiosk(
        via_proxy,
        SiteConfig(),
        "ST-01",
        outbox=Outbox(tmp_path / "outbox.sqlite3"),
        refresh_ms=60_000,
    )
    qtbot.addWidget(kiosk)
    kiosk.resize(1024, 768)
    kiosk.show()
    controller = kiosk.controller
    controller.start_session(SignedIn(open_database(via_proxy, connect_timeout=2), OPERATOR))
    qtbot.waitUntil(lambda: controller.snapshot is not None, timeout=15_000)
    tap(qtbot, kiosk.quick.buttons[1])
    qtbot.waitUntil(lambda: logged_units(db) == (1, 1), timeout=15_000)

    proxy.set_down(True)
    tap(qtbot, kiosk.quick.buttons[5])
    assert "+5 counted on JOB-1001 (sending…)" in kiosk.banner.label.text()
    tap(qtbot, kiosk.quick.buttons[10])
    qtbot.waitUntil(lambda: controller.online is False, timeout=15_000)
    assert kiosk.header.connection_label.text() == "● OFFLINE · 2 waiting"
    assert kiosk.job_panel.progress.text() == "16 / 20"
    assert "+15 not sent yet" in kiosk.job_panel.here_label.text()
    tap(qtbot, kiosk.complete_button)
    assert kiosk.notice.text() == (
        "2 report(s) for JOB-1001 still wait to be sent: complete the job once they are sent."
    )
    tap(qtbot, kiosk.block_button)
    tap(qtbot, kiosk.choice_page.buttons["material"])
    qtbot.waitUntil(lambda: "NOT recorded" in kiosk.notice.text(), timeout=15_000)
    assert kiosk.notice.text().startswith("No connection to the database: blocking the station")
    assert logged_units(db) == (1, 1)

    proxy.set_down(False)
    controller.refresh()  # the kiosk's refresh timer; a good read wakes the sender at once
    qtbot.waitUntil(lambda: controller.outbox.counts().pending == 0, timeout=20_000)
    assert logged_units(db) == (3, 16)
    qtbot.waitUntil(
        lambda: kiosk.header.connection_label.text() == "● Online · all sent", timeout=5000
    )
    qtbot.waitUntil(lambda: kiosk.job_panel.progress.text() == "16 / 20", timeout=5000)
