"""Windows and kiosks behind PgBouncer: in session mode notifications arrive as on a direct
connection; in transaction mode they do not, and the feed is read every second instead, which
the status bar says. Kiosk reports count once across a PgBouncer restart in both modes."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from leanops_desktop.config import SiteConfig
from leanops_desktop.core.actor import Actor
from leanops_desktop.db.delivery_watch import NOTIFICATIONS, TIMER
from leanops_desktop.db.engine import open_database
from leanops_desktop.db.outbox import Outbox
from leanops_desktop.qt.kiosk.kiosk_window import KioskWindow
from leanops_desktop.qt.kiosk.launch import create_kiosk
from leanops_desktop.qt.live import LiveFeed
from leanops_desktop.services.accounts.signed_in import SignedIn
from leanops_desktop.services.floor import stations
from tests.factories import report_from_another_seat as report
from tests.pg_bouncer import BouncerStartError, PoolMode, ThrowawayBouncer, find_pgbouncer
from tests.pg_server import create_database, drop_database
from tests.qt.test_kiosk import logged_units, tap
from tests.qt.test_kiosk_offline import OPERATOR, SUPERVISOR
from tests.qt.test_live_delivery import NOTIFIED, POLLED, open_live_window
from tests.qt.test_live_feed import assigned_plant
from tests.qt.test_live_reconnect import shows

pytestmark = pytest.mark.postgres

MODES: list[PoolMode] = ["session", "transaction"]
#: How other seats' changes arrive through each pool mode.
EXPECTED = {"session": (NOTIFICATIONS, NOTIFIED), "transaction": (TIMER, POLLED)}


def start_bouncer(server_url: str, mode: PoolMode) -> ThrowawayBouncer:
    if find_pgbouncer() is None:
        pytest.fail("pgbouncer is not installed (apt-get install pgbouncer)", pytrace=False)
    try:
        return ThrowawayBouncer(server_url, pool_mode=mode).start()
    except BouncerStartError as exc:
        pytest.fail(str(exc), pytrace=False)


@pytest.fixture(scope="module")
def bouncers(pg_server_url: str) -> Iterator[dict[str, ThrowawayBouncer]]:
    """One PgBouncer per pool mode in front of the test server, for the whole module."""
    started: dict[str, ThrowawayBouncer] = {}
    try:
        for mode in MODES:
            started[mode] = start_bouncer(pg_server_url, mode)
        yield started
    finally:
        for bouncer in started.values():
            bouncer.cleanup()


@pytest.fixture
def plant_url(pg_server_url: str, pg_template: str) -> Iterator[str]:
    """A database of this test's own (direct URL), ST-01 running JOB-0001."""
    name = f"bouncer_{uuid.uuid4().hex[:10]}"
    url = create_database(pg_server_url, name, template=pg_template)
    db = open_database(url)
    try:
        assigned_plant(db, SUPERVISOR)
    finally:
        db.dispose()
    yield url
    drop_database(pg_server_url, name)


@pytest.mark.parametrize("mode", MODES)
def test_the_windows_models_follow_another_seat_through_pgbouncer(
    mode: PoolMode,
    bouncers: dict[str, ThrowawayBouncer],
    plant_url: str,
    operator: Actor,
    qtbot: QtBot,
) -> None:
    via = bouncers[mode].url(plant_url)
    db = open_database(via)
    feed = LiveFeed(db, heartbeat_ms=200)
    feed.start()
    window = open_live_window(qtbot, db, SUPERVISOR, feed)
    floor = window.models
    label = window.status.connection_label
    delivery, text = EXPECTED[mode]
    try:
        qtbot.waitUntil(lambda: feed.online, timeout=10_000)
        qtbot.wait(500)  # the heartbeat has seen the feed's end
        total = 0
        for qty in (1, 2, 3):
            report(via, operator, qty)  # another seat, through the same pooler
            total += qty
            qtbot.waitUntil(shows(floor, total), timeout=5000)
            qtbot.wait(300)  # each growth is seen by a heartbeat of its own
        qtbot.waitUntil(lambda: feed.delivery == delivery, timeout=3000)
        assert label.text() == text
        report(via, operator, 4)
        qtbot.waitUntil(shows(floor, total + 4), timeout=3000)
        assert feed.delivery == delivery
    finally:
        window.close()
        feed.stop()
        db.dispose()


def open_kiosk_via(
    qtbot: QtBot, via: str, tmp_path: Path, *, connect_timeout: int = 5
) -> KioskWindow:
    kiosk: KioskWindow = create_kiosk(
        via,
        SiteConfig(),
        "ST-01",
        outbox=Outbox(tmp_path / "outbox.sqlite3"),
        refresh_ms=60_000,  # only the live feed makes it re-read
    )
    qtbot.addWidget(kiosk)
    kiosk.resize(1024, 768)
    kiosk.show()
    db = open_database(via, connect_timeout=connect_timeout)
    kiosk.controller.start_session(SignedIn(db, OPERATOR))
    qtbot.waitUntil(lambda: kiosk.controller.snapshot is not None, timeout=15_000)
    return kiosk


def kiosk_feed(kiosk: KioskWindow) -> LiveFeed:
    live = kiosk.controller._live
    assert live is not None and isinstance(live.feed, LiveFeed)
    return live.feed


@pytest.mark.parametrize("mode", MODES)
def test_the_kiosk_follows_a_supervisor_through_pgbouncer(
    mode: PoolMode,
    bouncers: dict[str, ThrowawayBouncer],
    plant_url: str,
    operator: Actor,
    qtbot: QtBot,
    tmp_path: Path,
) -> None:
    via = bouncers[mode].url(plant_url)
    kiosk = open_kiosk_via(qtbot, via, tmp_path)
    feed = kiosk_feed(kiosk)
    qtbot.waitUntil(lambda: feed.online, timeout=10_000)
    qtbot.wait(900)  # the heartbeat (every 400 ms) has seen the feed's end
    for qty in (1, 2, 3):  # reports from the office: each seen by a heartbeat of its own
        report(via, operator, qty)
        qtbot.wait(900)
    qtbot.waitUntil(lambda: feed.delivery == EXPECTED[mode][0], timeout=3000)
    other = open_database(via)
    try:
        with other.session() as session:
            stations.block_station(session, SUPERVISOR, "ST-01", "maintenance")
        qtbot.waitUntil(
            lambda: kiosk.header.status_chip.text() == "BLOCKED: maintenance", timeout=5000
        )
        assert feed.delivery == EXPECTED[mode][0]
    finally:
        other.dispose()


@pytest.mark.parametrize("mode", MODES)
def test_kiosk_reports_count_once_across_a_pgbouncer_restart(
    mode: PoolMode, pg_server_url: str, plant_url: str, qtbot: QtBot, tmp_path: Path
) -> None:
    bouncer = start_bouncer(pg_server_url, mode)
    direct = open_database(plant_url)
    try:
        via = bouncer.url(plant_url)
        kiosk = open_kiosk_via(qtbot, via, tmp_path, connect_timeout=2)
        controller = kiosk.controller
        tap(qtbot, kiosk.quick.buttons[1])
        qtbot.waitUntil(lambda: logged_units(direct, "JOB-0001") == (1, 1), timeout=15_000)

        bouncer.stop()
        tap(qtbot, kiosk.quick.buttons[5])
        tap(qtbot, kiosk.quick.buttons[10])
        qtbot.waitUntil(lambda: controller.online is False, timeout=15_000)
        assert logged_units(direct, "JOB-0001") == (1, 1)

        bouncer.start_again()
        controller.refresh()  # the kiosk's refresh timer; a good read wakes the sender
        qtbot.waitUntil(lambda: controller.outbox.counts().pending == 0, timeout=20_000)
        tap(qtbot, kiosk.quick.buttons[1])
        qtbot.waitUntil(lambda: controller.outbox.counts().pending == 0, timeout=20_000)
        qtbot.wait(500)  # nothing is sent twice afterwards
        assert logged_units(direct, "JOB-0001") == (4, 17)
        qtbot.waitUntil(lambda: kiosk_feed(kiosk).online, timeout=20_000)
    finally:
        direct.dispose()
        bouncer.cleanup()
