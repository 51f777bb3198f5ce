"""The enrolled kiosk while the PostgreSQL server comes and goes (cut by a proxy).

An operator who signed in here before signs in from the offline cache (the header says
OFFLINE); their counts wait in the outbox with the tap time and their name, and count once
the server is back and has confirmed the offline sign-in. Nothing on the screen ever shows
the driver's own words.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QLabel, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from leanops_desktop.core.actor import Actor
from leanops_desktop.db.engine import Database, open_database
from leanops_desktop.db.kiosk_models import KioskSignIn
from leanops_desktop.db.models import EventLog
from leanops_desktop.qt.kiosk.device_link import NOT_CACHED
from leanops_desktop.qt.kiosk.device_window import DeviceKioskWindow
from leanops_desktop.services.kiosk import kiosk_devices
from leanops_desktop.services.kiosk.kiosk_start import start_kiosk
from tests.fault_proxy import FaultProxy
from tests.pg_server import create_database, drop_database
from tests.qt.test_kiosk_sign_in import (
    PIN,
    Floor,
    enter_pin,
    open_device_kiosk,
    prepare_floor,
    type_keys,
    wait_message,
    wait_signed_in,
)

pytestmark = [pytest.mark.postgres]

RAW_DRIVER_WORDS = ("psycopg", "OperationalError", "sqlalchemy", "server closed", "errno", "SQL")


@pytest.fixture
def pg_db(pg_server_url: str, pg_template: str) -> Iterator[tuple[str, Database]]:
    name = f"kiosk_{uuid.uuid4().hex[:10]}"
    url = create_database(pg_server_url, name, template=pg_template)
    db = open_database(url)
    try:
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


@pytest.fixture
def floor(pg_db: tuple[str, Database], proxy: FaultProxy, admin: Actor, tmp_path: Path) -> Floor:
    """The floor of test_kiosk_sign_in, its kiosk enrolled to reach the server via the proxy."""
    url, db = pg_db
    folder = tmp_path / "kiosk-pc"
    floor = prepare_floor(db, admin, folder)
    enrolment = kiosk_devices.load_enrolment("ST-07", folder)
    database = open_database(proxy.url(url)).url.set(password=None, username=None)
    kiosk_devices.save_enrolment(
        kiosk_devices.Enrolment(
            enrolment.login,
            enrolment.password,
            "ST-07",
            database.render_as_string(hide_password=False),
        ),
        folder,
    )
    return floor


def screen_texts(kiosk: QWidget) -> list[str]:
    """Every text a person can read on the kiosk now."""
    texts = [w.text() for w in kiosk.findChildren(QLabel) if w.isVisible()]
    texts += [w.text() for w in kiosk.findChildren(QAbstractButton) if w.isVisible()]
    return texts


def events(db: Database, event_type: str) -> list[EventLog]:
    with db.session() as session:
        rows = list(session.scalars(select(EventLog).where(EventLog.event_type == event_type)))
        session.expunge_all()
    return rows


def test_offline_pin_sign_in_then_the_reports_arrive(
    qtbot: QtBot, floor: Floor, proxy: FaultProxy, tmp_path: Path
) -> None:
    kiosk = open_device_kiosk(qtbot, start_kiosk("ST-07", floor.folder), tmp_path)
    enter_pin(qtbot, kiosk, floor.operator, PIN)  # online once: the cache learns the PIN
    wait_signed_in(qtbot, kiosk)
    qtbot.mouseClick(kiosk.header.sign_out_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not kiosk.controller.runner.is_busy(), timeout=15_000)

    proxy.set_down(True)
    enter_pin(qtbot, kiosk, floor.operator, PIN)
    qtbot.waitUntil(lambda: kiosk.controller.signed_in is not None, timeout=20_000)
    assert kiosk.stack.currentWidget() is kiosk.work_page
    assert kiosk.header.connection_label.text().startswith("● OFFLINE")
    qtbot.mouseClick(kiosk.quick.buttons[5], Qt.MouseButton.LeftButton)  # the last read job
    (item,) = kiosk.controller.outbox.pending()
    assert item.operator == floor.operator and item.qty == 5
    assert kiosk.header.connection_label.text().startswith("● OFFLINE · 1 waiting")
    assert not any(word in text for text in screen_texts(kiosk) for word in RAW_DRIVER_WORDS)

    proxy.set_down(False)
    kiosk.controller.link.bridge.wake()  # type: ignore[union-attr]
    qtbot.waitUntil(lambda: kiosk.controller.outbox.counts().pending == 0, timeout=30_000)
    (reported,) = [e for e in events(floor.db, "qty_reported") if e.meta["log_id"] == str(item.id)]
    assert reported.actor == floor.operator and reported.meta["offline_sign_in"] is True


def test_an_operator_never_seen_here_is_told_plainly_offline(
    qtbot: QtBot, floor: Floor, proxy: FaultProxy, tmp_path: Path
) -> None:
    kiosk: DeviceKioskWindow = open_device_kiosk(
        qtbot, start_kiosk("ST-07", floor.folder), tmp_path
    )
    proxy.set_down(True)
    type_keys(qtbot, kiosk, "Badge-00AF17")
    assert wait_message(qtbot, kiosk) == NOT_CACHED
    qtbot.mouseClick(kiosk.operator_page.password_button, Qt.MouseButton.LeftButton)
    page = kiosk.sign_in_page
    page.email.setText(floor.operator)
    page.password.setText("Op-pw-1234")
    qtbot.mouseClick(page.sign_in_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.error.text() != "", timeout=20_000)
    for text in screen_texts(kiosk):
        assert not any(word in text for word in RAW_DRIVER_WORDS), text


def test_a_kiosk_started_offline_opens_and_connects_when_it_can(
    qtbot: QtBot, floor: Floor, proxy: FaultProxy, tmp_path: Path
) -> None:
    proxy.set_down(True)
    start = start_kiosk("ST-07", floor.folder)
    assert not start.online
    kiosk = open_device_kiosk(qtbot, start, tmp_path)
    assert kiosk.stack.currentWidget() is kiosk.operator_page
    assert kiosk.header.connection_label.text() == "● OFFLINE · 0 waiting"
    proxy.set_down(False)
    qtbot.waitUntil(lambda: kiosk.controller.online is True, timeout=15_000)
    assert kiosk.header.connection_label.text() == "● Online · all sent"
    type_keys(qtbot, kiosk, "Badge-00AF17")  # and the server signs operators in again
    wait_signed_in(qtbot, kiosk)


def test_idle_sign_out_warns_and_ends_an_offline_sign_in(
    qtbot: QtBot, floor: Floor, proxy: FaultProxy, tmp_path: Path
) -> None:
    start = start_kiosk("ST-07", floor.folder)
    kiosk = open_device_kiosk(qtbot, start, tmp_path, idle_ms=3000)
    enter_pin(qtbot, kiosk, floor.operator, PIN)
    wait_signed_in(qtbot, kiosk)
    qtbot.mouseClick(kiosk.header.sign_out_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not kiosk.controller.runner.is_busy(), timeout=15_000)
    proxy.set_down(True)
    enter_pin(qtbot, kiosk, floor.operator, PIN)
    qtbot.waitUntil(lambda: kiosk.controller.signed_in is not None, timeout=20_000)
    qtbot.waitUntil(kiosk.idle_warning.isVisible, timeout=10_000)
    assert kiosk.idle_warning.title.text() == "Still there? Tap anywhere"
    qtbot.waitUntil(lambda: kiosk.controller.signed_in is None, timeout=10_000)
    assert kiosk.stack.currentWidget() is kiosk.operator_page
    qtbot.waitUntil(lambda: not kiosk.controller.runner.is_busy(), timeout=15_000)
    (pending,) = start.cache.pending()
    assert pending.email == floor.operator and pending.ended_at is not None


def test_an_idle_sign_out_during_the_outage_ends_the_sign_in_at_its_real_time(
    qtbot: QtBot, floor: Floor, proxy: FaultProxy, tmp_path: Path
) -> None:
    """Signed in online, signed out by idle time while the server is away: when it is back,
    the server ends that sign-in at the sign-out's time, not at the reconnection (so it does
    not seem to cover the outage, when someone else may tap here)."""
    start = start_kiosk("ST-07", floor.folder)
    kiosk = open_device_kiosk(qtbot, start, tmp_path, idle_ms=3000)
    enter_pin(qtbot, kiosk, floor.operator, PIN)
    wait_signed_in(qtbot, kiosk)
    proxy.set_down(True)
    qtbot.waitUntil(lambda: kiosk.controller.signed_in is None, timeout=15_000)
    qtbot.waitUntil(lambda: not kiosk.controller.runner.is_busy(), timeout=30_000)
    signed_out_by = datetime.now(UTC)
    qtbot.wait(2500)  # the outage goes on after the sign-out
    proxy.set_down(False)
    kiosk.controller.link.bridge.wake()  # type: ignore[union-attr]

    def ended_at() -> datetime | None:
        with floor.db.session() as session:
            return session.scalar(
                select(KioskSignIn.ended_at).where(KioskSignIn.email == floor.operator)
            )

    qtbot.waitUntil(lambda: ended_at() is not None, timeout=30_000)
    ended = ended_at()
    assert ended is not None and ended <= signed_out_by
