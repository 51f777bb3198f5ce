"""The users dialog's kiosk parts: PIN, badge and lockout columns, Set PIN…, Set badge…,
Clear badge, Unlock…, and the Kiosks tab with Revoke; on SQLite and PostgreSQL, with a real
enrolled kiosk signing operators in."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import text

from leanops_desktop.core.actor import Actor
from leanops_desktop.core.errors import AuthenticationFailed
from leanops_desktop.db.engine import Database
from leanops_desktop.qt.db_runner import DbRunner
from leanops_desktop.qt.dialogs.credential_forms import SetBadgeDialog, SetPinDialog
from leanops_desktop.qt.dialogs.users_dialog import COLUMNS, UsersDialog
from leanops_desktop.services.accounts import auth, users
from leanops_desktop.services.kiosk import kiosk_devices, operator_credentials, operator_sign_in
from leanops_desktop.services.kiosk.kiosk_devices import DeviceSession, Enrolment
from leanops_desktop.services.kiosk.operator_credentials import Method
from leanops_desktop.services.kiosk.operator_sign_in import SignInStatus
from leanops_desktop.services.reads import history
from tests.factories import make_station
from tests.qt.conftest import RecordingMessages

PIN = "4711"
NEW_PIN = "908172"
BADGE = "Badge-77C3"


@dataclass
class Plant:
    db: Database
    operator: str
    other: str
    enrolment: Enrolment
    device: DeviceSession


@pytest.fixture
def plant(db: Database, admin: Actor) -> Iterator[Plant]:
    """Two operators (one with a PIN) and an enrolled kiosk at ST-07."""
    tag = uuid.uuid4().hex[:6]
    operator, other = f"op-{tag}@plant.test", f"other-{tag}@plant.test"
    for email in (operator, other):
        with db.session() as session:
            users.add_user(session, admin, email=email, role="operator", password="Op-pw-1234")
    make_station(db, admin, "ST-07")
    with db.session() as session:
        operator_credentials.set_pin(session, admin, operator, PIN)
    with db.session() as session:
        enrolment = kiosk_devices.enrol_kiosk(session, admin, "ST-07")
    device = kiosk_devices.open_device(enrolment)
    try:
        yield Plant(db, operator, other, enrolment, device)
    finally:
        device.close()


def open_dialog(
    qtbot: QtBot, db: Database, actor: Actor, messages: RecordingMessages
) -> UsersDialog:
    dialog = UsersDialog(db, actor, messages, runner=DbRunner(inline=True))
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def cells(dialog: UsersDialog, email: str) -> dict[str, str]:
    """What the users table shows for ``email``, by column name."""
    row = [r.email for r in dialog.rows].index(email)
    return {name: dialog.table.item(row, c).text() for c, name in enumerate(COLUMNS)}


def lock_out(plant: Plant) -> None:
    """Ten wrong PINs in a row at the kiosk (waiting out the per-minute limit between)."""
    for _ in range(2):
        for _ in range(5):
            operator_sign_in.sign_in(plant.device, Method.PIN, "0000", plant.operator)
        with plant.db.session() as session, session.begin():
            session.execute(text("DELETE FROM kiosk_sign_in_failures"))
    locked = operator_sign_in.sign_in(plant.device, Method.PIN, PIN, plant.operator)
    assert locked.status == SignInStatus.LOCKED


def test_columns_unlock_badge_and_clear(
    qtbot: QtBot, plant: Plant, admin: Actor, messages: RecordingMessages, tmp_path: Path
) -> None:
    lock_out(plant)
    dialog = open_dialog(qtbot, plant.db, admin, messages)
    shown = cells(dialog, plant.operator)
    assert (shown["PIN"], shown["Badge"], shown["Kiosk sign-in"]) == ("set", "—", "locked out")
    assert (cells(dialog, plant.other)["PIN"], cells(dialog, plant.other)["Kiosk sign-in"]) == (
        "—",
        "",
    )
    dialog.select_email(plant.other)
    assert not dialog.unlock_button.isEnabled() and not dialog.clear_badge_button.isEnabled()
    dialog.select_email(plant.operator)
    assert dialog.unlock_button.isEnabled() and dialog.pin_button.text() == "Change PIN…"
    dialog.resize(980, 460)
    dialog.grab().save(str(tmp_path / "users-dialog.png"))

    qtbot.mouseClick(dialog.unlock_button, Qt.MouseButton.LeftButton)
    form = dialog.active_form
    assert isinstance(form, SetPinDialog) and form.windowTitle() == f"Unlock {plant.operator}"
    qtbot.keyClicks(form.pin_edit, "12a")
    assert form.problems()["PIN"] == "4 to 12 digits"
    form.pin_edit.clear()
    qtbot.keyClicks(form.pin_edit, NEW_PIN)
    qtbot.keyClicks(form.repeat_edit, NEW_PIN[:-1])
    assert form.problems() == {"Repeat": "the two PINs differ"}
    qtbot.keyClicks(form.repeat_edit, NEW_PIN[-1])
    qtbot.mouseClick(form.submit_button, Qt.MouseButton.LeftButton)
    assert messages.texts()[-1] == f"{plant.operator} is unlocked with a new PIN."
    assert cells(dialog, plant.operator)["Kiosk sign-in"] == ""
    assert not dialog.unlock_button.isEnabled()
    assert operator_sign_in.sign_in(plant.device, Method.PIN, PIN, plant.operator).status == (
        SignInStatus.REFUSED
    )
    assert operator_sign_in.sign_in(plant.device, Method.PIN, NEW_PIN, plant.operator).ok

    qtbot.mouseClick(dialog.badge_button, Qt.MouseButton.LeftButton)
    badge_form = dialog.active_form
    assert isinstance(badge_form, SetBadgeDialog)
    qtbot.keyClicks(badge_form.code_edit, BADGE)
    qtbot.mouseClick(badge_form.submit_button, Qt.MouseButton.LeftButton)
    assert cells(dialog, plant.operator)["Badge"] == "set"
    by_badge = operator_sign_in.sign_in(plant.device, Method.BADGE, BADGE.lower())
    assert by_badge.ok and by_badge.email == plant.operator

    messages.answers = [False, True]
    qtbot.mouseClick(dialog.clear_badge_button, Qt.MouseButton.LeftButton)  # thought better
    assert cells(dialog, plant.operator)["Badge"] == "set"
    qtbot.mouseClick(dialog.clear_badge_button, Qt.MouseButton.LeftButton)
    assert plant.operator in messages.questions[-1]
    assert cells(dialog, plant.operator)["Badge"] == "—"
    assert not operator_sign_in.sign_in(plant.device, Method.BADGE, BADGE).ok
    with plant.db.session() as session:
        kinds = [
            e.event_type for e in history.list_events(session) if plant.operator in str(e.meta)
        ]
    for kind in ("operator_pin_set", "operator_badge_set", "operator_badge_cleared"):
        assert kind in kinds
    assert messages.errors == []


def test_a_refused_badge_keeps_the_form_open_with_the_reason(
    qtbot: QtBot, plant: Plant, admin: Actor, messages: RecordingMessages
) -> None:
    with plant.db.session() as session:
        operator_credentials.set_badge(session, admin, plant.operator, BADGE)
    dialog = open_dialog(qtbot, plant.db, admin, messages)
    dialog.select_email(plant.other)
    qtbot.mouseClick(dialog.badge_button, Qt.MouseButton.LeftButton)
    form = dialog.active_form
    assert isinstance(form, SetBadgeDialog)
    qtbot.keyClicks(form.code_edit, "ab")
    assert "4 to 128 characters" in form.problems()["Badge"]
    form.code_edit.clear()
    qtbot.keyClicks(form.code_edit, BADGE.upper())  # the other operator's badge
    qtbot.mouseClick(form.submit_button, Qt.MouseButton.LeftButton)
    assert dialog.active_form is form and form.isVisible()
    said = form.message_bar.text()
    assert "badge" in said and "already" in said, said
    assert "psycopg" not in said and "SQL" not in said
    assert cells(dialog, plant.other)["Badge"] == "—"


def test_the_kiosks_tab_lists_and_revokes(
    qtbot: QtBot, plant: Plant, admin: Actor, messages: RecordingMessages, tmp_path: Path
) -> None:
    assert operator_sign_in.sign_in(plant.device, Method.PIN, PIN, plant.operator).ok
    dialog = open_dialog(qtbot, plant.db, admin, messages)
    tab = dialog.kiosks
    assert [row.kiosk.login for row in tab.rows] == [plant.enrolment.login]
    shown = [tab.table.item(0, column).text() for column in range(tab.table.columnCount())]
    assert shown[0] == "ST-07" and shown[1] == plant.enrolment.login
    assert shown[3] == tab.rows[0].kiosk.enrolled_by and shown[5] == "active"
    assert tab.rows[0].last_seen is not None and shown[4] != "—"  # the sign-in just now
    assert not tab.revoke_button.isEnabled()
    tab.select_login(plant.enrolment.login)
    dialog.tabs.setCurrentWidget(tab)
    dialog.resize(980, 360)
    dialog.grab().save(str(tmp_path / "kiosks-tab.png"))
    messages.answers = [False]
    qtbot.mouseClick(tab.revoke_button, Qt.MouseButton.LeftButton)
    assert tab.rows[0].active
    kiosk_devices.open_device(plant.enrolment).close()  # still enrolled
    messages.answers = [True]
    qtbot.mouseClick(tab.revoke_button, Qt.MouseButton.LeftButton)
    assert "ST-07" in messages.questions[-1] and plant.enrolment.login in messages.questions[-1]
    assert not tab.rows[0].active and tab.table.item(0, 5).text().startswith("revoked")
    assert not tab.revoke_button.isEnabled()
    assert messages.texts()[-1] == f"The kiosk {plant.enrolment.login} of ST-07 is revoked."
    with pytest.raises(AuthenticationFailed):
        kiosk_devices.open_device(plant.enrolment)
    assert messages.errors == []


def test_the_lists_load_on_the_runner_lanes(
    qtbot: QtBot, plant: Plant, admin: Actor, messages: RecordingMessages, runner: DbRunner
) -> None:
    dialog = UsersDialog(plant.db, admin, messages, runner=runner)
    qtbot.addWidget(dialog)
    assert dialog.rows == [] and dialog.kiosks.rows == []  # nothing read on the GUI thread
    qtbot.waitUntil(lambda: bool(dialog.rows) and bool(dialog.kiosks.rows), timeout=10_000)
    assert cells(dialog, plant.operator)["PIN"] == "set"


def test_a_supervisor_sees_refusals_not_tracebacks(
    qtbot: QtBot, plant: Plant, supervisor: Actor, messages: RecordingMessages
) -> None:
    dialog = open_dialog(qtbot, plant.db, supervisor, messages)
    assert dialog.rows == [] and dialog.kiosks.rows == []
    assert len(messages.errors) == 2
    assert all("needs the admin role" in error for error in messages.errors)


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_an_admin_login_of_the_plant_does_it_all_under_the_database_rules(
    qtbot: QtBot, plant: Plant, db_url: str, admin: Actor, messages: RecordingMessages
) -> None:
    """As an admin's own database login (row-level security applies; the tests' superuser
    would pass any check), not the owner's."""
    email = f"admin-{uuid.uuid4().hex[:6]}@plant.test"
    with plant.db.session() as session:
        users.add_user(session, admin, email=email, role="admin", password="Admin-pw-1234")
    lock_out(plant)
    signed = auth.sign_in(db_url, email, "Admin-pw-1234")
    try:
        dialog = open_dialog(qtbot, signed.db, signed.actor, messages)
        assert cells(dialog, plant.operator)["Kiosk sign-in"] == "locked out"
        assert [row.kiosk.login for row in dialog.kiosks.rows] == [plant.enrolment.login]
        assert dialog.kiosks.rows[0].last_seen is not None  # the failed sign-ins' lock event
        dialog.select_email(plant.operator)
        qtbot.mouseClick(dialog.unlock_button, Qt.MouseButton.LeftButton)
        form = dialog.active_form
        assert isinstance(form, SetPinDialog)
        qtbot.keyClicks(form.pin_edit, NEW_PIN)
        qtbot.keyClicks(form.repeat_edit, NEW_PIN)
        qtbot.mouseClick(form.submit_button, Qt.MouseButton.LeftButton)
        assert cells(dialog, plant.operator)["Kiosk sign-in"] == ""
        dialog.kiosks.select_login(plant.enrolment.login)
        messages.answers = [True]
        qtbot.mouseClick(dialog.kiosks.revoke_button, Qt.MouseButton.LeftButton)
        assert not dialog.kiosks.rows[0].active
        assert messages.errors == []
    finally:
        signed.db.dispose()
    with pytest.raises(AuthenticationFailed):
        kiosk_devices.open_device(plant.enrolment)


def test_a_kiosk_revoked_meanwhile_is_said_plainly_and_the_list_catches_up(
    qtbot: QtBot, plant: Plant, admin: Actor, messages: RecordingMessages
) -> None:
    dialog = open_dialog(qtbot, plant.db, admin, messages)
    dialog.kiosks.select_login(plant.enrolment.login)
    with plant.db.session() as session:  # another admin, at the same time
        kiosk_devices.revoke_kiosks(session, admin, "ST-07")
    messages.answers = [True]
    qtbot.mouseClick(dialog.kiosks.revoke_button, Qt.MouseButton.LeftButton)
    assert messages.errors == [f"Active kiosk of ST-07 {plant.enrolment.login} does not exist."]
    assert not dialog.kiosks.rows[0].active


def test_an_unreachable_database_is_said_plainly(
    qtbot: QtBot, admin: Actor, messages: RecordingMessages
) -> None:
    from leanops_desktop.db.engine import open_database

    away = open_database("postgresql://leanops@127.0.0.1:9/leanops", connect_timeout=1)
    try:
        dialog = open_dialog(qtbot, away, admin, messages)
    finally:
        away.dispose()
    assert dialog.rows == [] and dialog.kiosks.rows == []
    assert "Could not read the accounts: the database does not answer." in messages.errors
    assert "Could not read the kiosks: the database does not answer." in messages.errors
