"""The enrolled kiosk's sign-in page: badge scans, names and PINs, the refusals in plain words.

Both backends: the device's own login (PostgreSQL) or the SQLite file; the server (or, on
SQLite, the app) checks every badge and PIN. Helpers here are shared with
test_kiosk_device_offline.py.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import text

from leanops_desktop.config import SiteConfig
from leanops_desktop.core.actor import Actor
from leanops_desktop.db.engine import Database
from leanops_desktop.db.outbox import Outbox
from leanops_desktop.qt.kiosk.device_link import LOCKED, NOT_KNOWN, RATE_LIMITED
from leanops_desktop.qt.kiosk.device_window import DeviceKioskWindow
from leanops_desktop.qt.kiosk.launch import create_device_kiosk
from leanops_desktop.qt.kiosk.operator_page import display_name
from leanops_desktop.qt.kiosk.sign_in_page import RECENT_KEY
from leanops_desktop.services.accounts import users
from leanops_desktop.services.floor import dispatch
from leanops_desktop.services.kiosk import kiosk_devices, operator_credentials
from leanops_desktop.services.kiosk.kiosk_offline import OfflineSignInCache
from leanops_desktop.services.kiosk.kiosk_start import KioskStart, start_kiosk
from tests.factories import make_job, make_station

PIN = "4711"
BADGE = "Badge-00AF17"


@dataclass
class Floor:
    db: Database
    folder: Path  # the kiosk PC's credential folder
    operator: str


def prepare_floor(db: Database, admin: Actor, folder: Path) -> Floor:
    """ST-07 runs J-07 (500 units); an operator with a PIN and a badge; ST-07 enrolled."""
    operator = f"olga.{uuid.uuid4().hex[:6]}@plant.test"
    with db.session() as session:
        users.add_user(session, admin, email=operator, role="operator", password="Op-pw-1234")
    make_station(db, admin, "ST-07")
    make_job(db, admin, "J-07", qty_total=500)
    make_job(db, admin, "J-08", qty_total=40)
    with db.session() as session:
        dispatch.assign_job(session, admin, "J-07", "ST-07")
    with db.session() as session:
        operator_credentials.set_pin(session, admin, operator, PIN)
    with db.session() as session:
        operator_credentials.set_badge(session, admin, operator, BADGE)
    with db.session() as session:
        enrolment = kiosk_devices.enrol_kiosk(session, admin, "ST-07")
    kiosk_devices.save_enrolment(enrolment, folder)
    return Floor(db, folder, operator)


def open_device_kiosk(
    qtbot: QtBot,
    start: KioskStart,
    tmp_path: Path,
    *,
    idle_ms: int = 600_000,
    config: SiteConfig | None = None,
) -> DeviceKioskWindow:
    start.cache = OfflineSignInCache(start.cache.path, memory_kib=1024)  # fast Argon2 here
    outbox = Outbox(tmp_path / "outbox-ST-07.sqlite3")
    kiosk = create_device_kiosk(
        start,
        config or SiteConfig(),
        outbox=outbox,
        idle_ms=idle_ms,
        refresh_ms=60_000,
        live=False,
    )
    qtbot.addWidget(kiosk)
    kiosk.resize(1024, 768)
    kiosk.show()
    kiosk.destroyed.connect(lambda: (outbox.close(), start.device.close()))
    return kiosk


def type_keys(qtbot: QtBot, kiosk: DeviceKioskWindow, keys: str) -> None:
    """What a badge reader does: the code, then Enter, to whatever has the focus."""
    for char in keys:
        qtbot.keyClick(kiosk, char)
    qtbot.keyClick(kiosk, Qt.Key.Key_Return)


def enter_pin(qtbot: QtBot, kiosk: DeviceKioskWindow, email: str, pin: str) -> None:
    page = kiosk.operator_page
    QSettings().setValue(RECENT_KEY, [email])
    page.load_names()
    (button,) = [b for b in page.name_buttons if b.property("email") == email]
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert page.pages.currentWidget() is page.pin_page
    for digit in pin:
        qtbot.mouseClick(page.pin_keys[digit], Qt.MouseButton.LeftButton)
    assert page.pin_display.text() == "●" * len(pin)  # never the digits
    qtbot.mouseClick(page.pin_keys["OK"], Qt.MouseButton.LeftButton)


def wait_signed_in(qtbot: QtBot, kiosk: DeviceKioskWindow) -> None:
    controller = kiosk.controller
    qtbot.waitUntil(
        lambda: controller.signed_in is not None and controller.snapshot is not None,
        timeout=15_000,
    )
    assert kiosk.stack.currentWidget() is kiosk.work_page


def wait_message(qtbot: QtBot, kiosk: DeviceKioskWindow) -> str:
    page = kiosk.operator_page
    qtbot.waitUntil(lambda: page.message.text() not in ("", "Checking…"), timeout=15_000)
    return page.message.text()


@pytest.fixture
def floor(db: Database, admin: Actor, tmp_path: Path) -> Floor:
    return prepare_floor(db, admin, tmp_path / "kiosk-pc")


@pytest.fixture
def kiosk(qtbot: QtBot, floor: Floor, tmp_path: Path) -> DeviceKioskWindow:
    return open_device_kiosk(qtbot, start_kiosk("ST-07", floor.folder), tmp_path)


def test_the_kiosk_opens_on_the_badge_and_name_page(kiosk: DeviceKioskWindow) -> None:
    assert kiosk.stack.currentWidget() is kiosk.operator_page
    assert kiosk.controller.link is not None
    assert kiosk.controller.signed_in is None


def test_a_badge_scan_signs_in_whatever_the_case(
    qtbot: QtBot, kiosk: DeviceKioskWindow, floor: Floor
) -> None:
    type_keys(qtbot, kiosk, BADGE.lower())
    wait_signed_in(qtbot, kiosk)
    actor = kiosk.controller.actor
    assert actor is not None and actor.email == floor.operator
    assert kiosk.header.operator_label.toolTip() == floor.operator
    assert kiosk.controller.snapshot is not None
    assert kiosk.controller.snapshot.job_id == "J-07"


def test_a_pin_signs_in_and_reports_name_the_operator(
    qtbot: QtBot, kiosk: DeviceKioskWindow, floor: Floor
) -> None:
    enter_pin(qtbot, kiosk, floor.operator, PIN)
    wait_signed_in(qtbot, kiosk)
    qtbot.mouseClick(kiosk.quick.buttons[5], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: kiosk.controller.outbox.counts().pending == 0, timeout=15_000)
    with floor.db.session() as session:
        reported = session.execute(
            text("SELECT actor FROM events_log WHERE event_type = 'qty_reported'")
        ).scalars()
        assert list(reported) == [floor.operator]


def test_a_wrong_pin_says_not_known_and_stays(
    qtbot: QtBot, kiosk: DeviceKioskWindow, floor: Floor
) -> None:
    enter_pin(qtbot, kiosk, floor.operator, "0000")
    assert wait_message(qtbot, kiosk) == NOT_KNOWN
    assert kiosk.stack.currentWidget() is kiosk.operator_page
    assert kiosk.controller.signed_in is None


def test_an_unknown_badge_says_not_known(qtbot: QtBot, kiosk: DeviceKioskWindow) -> None:
    type_keys(qtbot, kiosk, "NOBODY-123")
    assert wait_message(qtbot, kiosk) == NOT_KNOWN


def test_a_locked_account_is_told_to_ask_for_a_new_pin(
    qtbot: QtBot, kiosk: DeviceKioskWindow, floor: Floor
) -> None:
    with floor.db.session() as session:  # ten wrong PINs earlier (at other kiosks)
        session.execute(
            text(
                "UPDATE operator_credentials SET failed_attempts = 10, locked_at = :at"
                " WHERE user_id = (SELECT id FROM users WHERE email = :email)"
            ),
            {"email": floor.operator, "at": datetime.now(UTC)},
        )
        session.commit()
    enter_pin(qtbot, kiosk, floor.operator, PIN)
    assert wait_message(qtbot, kiosk) == LOCKED
    assert kiosk.controller.signed_in is None


def test_sign_out_returns_to_the_names_with_the_operator_first(
    qtbot: QtBot, kiosk: DeviceKioskWindow, floor: Floor
) -> None:
    type_keys(qtbot, kiosk, BADGE)
    wait_signed_in(qtbot, kiosk)
    qtbot.mouseClick(kiosk.header.sign_out_button, Qt.MouseButton.LeftButton)
    assert kiosk.stack.currentWidget() is kiosk.operator_page
    first = kiosk.operator_page.name_buttons[0]
    assert first.isVisible() and first.property("email") == floor.operator


def test_email_and_password_stays_for_supervisors(qtbot: QtBot, kiosk: DeviceKioskWindow) -> None:
    qtbot.mouseClick(kiosk.operator_page.password_button, Qt.MouseButton.LeftButton)
    assert kiosk.stack.currentWidget() is kiosk.sign_in_page
    qtbot.mouseClick(kiosk.badge_button, Qt.MouseButton.LeftButton)
    assert kiosk.stack.currentWidget() is kiosk.operator_page


def test_idle_warning_counts_down_then_signs_out(
    qtbot: QtBot, floor: Floor, tmp_path: Path
) -> None:
    kiosk = open_device_kiosk(qtbot, start_kiosk("ST-07", floor.folder), tmp_path, idle_ms=1500)
    type_keys(qtbot, kiosk, BADGE)
    wait_signed_in(qtbot, kiosk)
    warning = kiosk.idle_warning
    qtbot.waitUntil(warning.isVisible, timeout=5_000)
    assert warning.title.text() == "Still there? Tap anywhere"
    assert warning.countdown.text().startswith("Signing out in ")
    qtbot.mouseClick(warning, Qt.MouseButton.LeftButton)  # still there
    assert warning.isHidden() and kiosk.controller.signed_in is not None
    qtbot.waitUntil(lambda: kiosk.controller.signed_in is None, timeout=5_000)
    assert kiosk.stack.currentWidget() is kiosk.operator_page
    assert warning.isHidden()


def test_block_then_a_count_asks_and_resumes_for_the_operator(
    qtbot: QtBot, kiosk: DeviceKioskWindow, floor: Floor
) -> None:
    type_keys(qtbot, kiosk, BADGE)
    wait_signed_in(qtbot, kiosk)
    qtbot.mouseClick(kiosk.block_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(kiosk.choice_page.buttons["material"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(kiosk.resume_button.isVisible, timeout=15_000)
    qtbot.mouseClick(kiosk.quick.buttons[1], Qt.MouseButton.LeftButton)
    assert kiosk.choice_page.title.text() == "ST-07 is blocked (material). Count 1 anyway?"
    qtbot.mouseClick(kiosk.choice_page.buttons["resume"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(kiosk.block_button.isVisible, timeout=15_000)
    with floor.db.session() as session:
        rows = session.execute(
            text(
                "SELECT event_type, actor FROM events_log WHERE event_type IN"
                " ('station_blocked', 'station_unblocked', 'qty_reported')"
            )
        ).all()
    assert {event_type for event_type, _ in rows} == {
        "station_blocked",
        "station_unblocked",
        "qty_reported",
    }
    assert {actor for _, actor in rows} == {floor.operator}


@pytest.mark.parametrize("allowed", [False, True])
def test_operators_start_the_next_job_only_where_the_site_allows(
    qtbot: QtBot, floor: Floor, admin: Actor, tmp_path: Path, backend: str, allowed: bool
) -> None:
    with floor.db.session() as session:  # ST-07 is free; J-08 waits
        dispatch.complete_job(session, admin, "J-07")
    config = SiteConfig(kiosk_start_next_job=allowed)
    kiosk = open_device_kiosk(qtbot, start_kiosk("ST-07", floor.folder), tmp_path, config=config)
    type_keys(qtbot, kiosk, BADGE)
    wait_signed_in(qtbot, kiosk)
    assert kiosk.start_button.isVisible() is allowed
    if not allowed:
        return
    qtbot.mouseClick(kiosk.start_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(kiosk.choice_page.buttons["J-08"], Qt.MouseButton.LeftButton)
    # Both backends: on PostgreSQL the device's login starts it (leanops_kiosk_start_job).
    qtbot.waitUntil(lambda: kiosk.job_panel.job_label.text() == "J-08", timeout=15_000)
    qtbot.waitUntil(lambda: "J-08 started on ST-07" in kiosk.notice.text(), timeout=15_000)
    with floor.db.session() as session:
        actor, device = session.execute(
            text(
                "SELECT actor, meta ->> 'device' FROM events_log"
                " WHERE event_type = 'job_assigned' AND job_id = 'J-08'"
            )
        ).one()
    assert actor == floor.operator
    if backend == "postgresql":  # the database names the device alongside the operator
        assert device is not None and device.startswith("kiosk-")


@pytest.mark.parametrize("size", [(1024, 768), (1920, 1080)])
def test_the_sign_in_pages_fit_with_gloves_sized_targets(
    qtbot: QtBot, floor: Floor, tmp_path: Path, size: tuple[int, int], backend: str
) -> None:
    from tests.qt.test_kiosk_layout import MIN_TARGET_MM, smallest_button_mm

    if backend == "postgresql":
        pytest.skip("layout only: SQLite is enough")
    QSettings().setValue(RECENT_KEY, [floor.operator, "sam.supervisor@plant.test"])
    kiosk = open_device_kiosk(qtbot, start_kiosk("ST-07", floor.folder), tmp_path)
    kiosk.resize(*size)
    page = kiosk.operator_page
    shows = {
        "names": page.reset,
        "pin": lambda: page.pick(floor.operator),
        "password": lambda: qtbot.mouseClick(page.password_button, Qt.MouseButton.LeftButton),
    }
    for name, show in shows.items():
        if name == "password":
            page.reset()
        show()
        qtbot.wait(50)
        assert kiosk.size().toTuple() == size, name
        millimetres, text = smallest_button_mm(kiosk)
        assert millimetres >= MIN_TARGET_MM, f"{name}: {text!r} is {millimetres:.1f} mm"
    qtbot.mouseClick(kiosk.badge_button, Qt.MouseButton.LeftButton)
    shown = [b.text() for b in page.name_buttons if b.isVisible()]
    assert shown == [display_name(floor.operator), "Sam Supervisor"]


def test_a_supervisor_by_password_then_an_operator_by_badge_both_count(
    qtbot: QtBot, kiosk: DeviceKioskWindow, floor: Floor, admin: Actor
) -> None:
    boss = f"sam.{uuid.uuid4().hex[:6]}@plant.test"
    with floor.db.session() as session:
        users.add_user(session, admin, email=boss, role="supervisor", password="Sup-pw-1234")
    qtbot.mouseClick(kiosk.operator_page.password_button, Qt.MouseButton.LeftButton)
    kiosk.sign_in_page.email.setText(boss)
    kiosk.sign_in_page.password.setText("Sup-pw-1234")
    qtbot.mouseClick(kiosk.sign_in_page.sign_in_button, Qt.MouseButton.LeftButton)
    wait_signed_in(qtbot, kiosk)
    qtbot.mouseClick(kiosk.quick.buttons[1], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: kiosk.controller.outbox.counts().pending == 0, timeout=15_000)
    qtbot.mouseClick(kiosk.header.sign_out_button, Qt.MouseButton.LeftButton)
    type_keys(qtbot, kiosk, BADGE)  # the device's sender takes over again
    wait_signed_in(qtbot, kiosk)
    qtbot.mouseClick(kiosk.quick.buttons[5], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: kiosk.controller.outbox.counts().pending == 0, timeout=15_000)
    assert kiosk.controller.outbox.refused() == []
    with floor.db.session() as session:
        actors = session.execute(
            text(
                "SELECT actor FROM events_log WHERE event_type = 'qty_reported' ORDER BY timestamp"
            )
        ).scalars()
        assert list(actors) == [boss, floor.operator]


def test_too_many_tries_at_this_kiosk_say_wait_a_minute(
    qtbot: QtBot, kiosk: DeviceKioskWindow
) -> None:
    for attempt in range(5):
        type_keys(qtbot, kiosk, f"NOBODY-{attempt}")
        assert wait_message(qtbot, kiosk) == NOT_KNOWN
        kiosk.operator_page.message.setText("")
    type_keys(qtbot, kiosk, BADGE)  # even the right badge waits now
    assert wait_message(qtbot, kiosk) == RATE_LIMITED
    assert kiosk.controller.signed_in is None
