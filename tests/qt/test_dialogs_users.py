"""The users dialog: list, add, change role, disable/enable, reset password (admins)."""

from __future__ import annotations

import uuid

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from leanops_desktop.core.actor import Actor
from leanops_desktop.core.enums import EventType, Role
from leanops_desktop.db.engine import Database
from leanops_desktop.qt.db_runner import DbRunner
from leanops_desktop.qt.dialogs.user_forms import AddUserDialog, ResetPasswordDialog
from leanops_desktop.qt.dialogs.users_dialog import UsersDialog
from leanops_desktop.services.accounts import auth, users
from leanops_desktop.services.reads import history
from tests.qt.conftest import RecordingMessages


def unique(name: str) -> str:
    return f"{name}-{uuid.uuid4().hex[:8]}@plant.test"


def open_dialog(
    qtbot: QtBot, db: Database, actor: Actor, messages: RecordingMessages
) -> UsersDialog:
    dialog = UsersDialog(db, actor, messages, runner=DbRunner(inline=True))
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_add_user_then_change_role_disable_and_reset(
    qtbot: QtBot, db: Database, db_url: str, admin: Actor, messages: RecordingMessages
) -> None:
    with db.session() as session:  # the dialog's admin must exist on PostgreSQL too
        users.add_user(session, admin, email=unique("first-admin"), role="admin", password="x" * 10)
    dialog = open_dialog(qtbot, db, admin, messages)
    before = len(dialog.rows)

    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    form = dialog.active_form
    assert isinstance(form, AddUserDialog)
    email = unique("nina")
    qtbot.keyClicks(form.email_edit, email)
    qtbot.keyClicks(form.passwords.first, "first-pass-1")
    qtbot.keyClicks(form.passwords.second, "first-pass-2")
    assert form.problems() == {"Repeat": "the two passwords differ"}
    form.passwords.second.clear()
    qtbot.keyClicks(form.passwords.second, "first-pass-1")
    qtbot.mouseClick(form.submit_button, Qt.MouseButton.LeftButton)

    assert len(dialog.rows) == before + 1
    assert dialog.selected_email() == email
    assert dialog.selected() is not None and dialog.selected().role == Role.OPERATOR  # type: ignore[union-attr]
    assert messages.texts()[-1] == f"Added {email} as operator."

    dialog.role_actions[Role.SUPERVISOR].trigger()
    assert dialog.selected().role == Role.SUPERVISOR  # type: ignore[union-attr]

    messages.answers = [True]
    qtbot.mouseClick(dialog.active_button, Qt.MouseButton.LeftButton)
    assert messages.questions and email in messages.questions[-1]
    assert dialog.selected().is_active is False  # type: ignore[union-attr]
    assert dialog.active_button.text() == "Enable"
    qtbot.mouseClick(dialog.active_button, Qt.MouseButton.LeftButton)
    assert dialog.selected().is_active is True  # type: ignore[union-attr]

    qtbot.mouseClick(dialog.password_button, Qt.MouseButton.LeftButton)
    reset = dialog.active_form
    assert isinstance(reset, ResetPasswordDialog)
    qtbot.keyClicks(reset.passwords.first, "second-pass-2")
    qtbot.keyClicks(reset.passwords.second, "second-pass-2")
    qtbot.mouseClick(reset.submit_button, Qt.MouseButton.LeftButton)
    signed = auth.sign_in(db_url, email, "second-pass-2")
    assert signed.actor.role == Role.SUPERVISOR
    signed.db.dispose()

    with db.session() as session:
        kinds = [e.event_type for e in history.list_events(session) if email in str(e.meta)]
    for kind in (
        EventType.USER_CREATED,
        EventType.USER_ROLE_CHANGED,
        EventType.USER_DISABLED,
        EventType.USER_ENABLED,
        EventType.USER_PASSWORD_RESET,
    ):
        assert kind.value in kinds
    assert messages.errors == []


def test_refusal_is_shown_in_the_dialog(
    qtbot: QtBot, db: Database, admin: Actor, messages: RecordingMessages
) -> None:
    with db.session() as session:
        users.add_user(session, admin, email=unique("boss"), role="admin", password="x" * 10)
    dialog = open_dialog(qtbot, db, admin, messages)
    taken = dialog.rows[0].email
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    form = dialog.active_form
    assert isinstance(form, AddUserDialog)
    qtbot.keyClicks(form.email_edit, taken)
    assert form.problems()["Email"] == f"{taken} already has an account"
    form.email_edit.clear()
    qtbot.keyClicks(form.email_edit, "not an email")
    assert "is not an email address" in form.problems()["Email"]
    qtbot.keyClicks(form.passwords.first, "short")
    assert "at least 8 characters" in form.problems()["Password"]


def test_supervisor_sees_the_refusal_not_a_traceback(
    qtbot: QtBot, db: Database, supervisor: Actor, messages: RecordingMessages
) -> None:
    dialog = open_dialog(qtbot, db, supervisor, messages)
    assert dialog.rows == []
    assert messages.errors and "needs the admin role" in messages.errors[0]
