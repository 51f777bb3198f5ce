"""The sign-in dialog: messages per failure, growing delay, remembered email, no leaks."""

from __future__ import annotations

import logging
import socket
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from pytestqt.qtbot import QtBot
from sqlalchemy.engine import make_url

from leanops_desktop.core.actor import Actor
from leanops_desktop.core.enums import Role
from leanops_desktop.db.engine import Database
from leanops_desktop.db.seats import WINDOW
from leanops_desktop.qt.db_runner import DbRunner
from leanops_desktop.qt.dialogs.caps_lock import caps_lock_from_key
from leanops_desktop.qt.dialogs.sign_in_dialog import LAST_EMAIL_KEY, SignInDialog, retry_delay_ms
from leanops_desktop.services.accounts import users
from leanops_desktop.services.accounts.signed_in import SignedIn
from leanops_desktop.services.database_target import describe_target
from leanops_desktop.services.demo_plant import DEMO_USERS
from tests.qt.conftest import RecordingMessages

SENTINEL = "Sentinel-Pass-7c1e9"
UNREACHABLE = "postgresql://x@127.0.0.1:1/leanops"


@pytest.fixture
def account(db: Database, admin: Actor) -> Iterator[tuple[str, str]]:
    """An operator account (unique email: PostgreSQL roles are shared by the cluster)."""
    email = f"olga-{uuid.uuid4().hex[:8]}@plant.test"
    with db.session() as session:
        users.add_user(session, admin, email=email, role=Role.OPERATOR, password="operator-pw-1")
    yield email, "operator-pw-1"


def dialog_for(
    qtbot: QtBot, url: str, messages: RecordingMessages, **kwargs: object
) -> SignInDialog:
    kwargs.setdefault("runner", DbRunner(inline=True))
    dialog = SignInDialog(url, messages, retry_base_ms=100, **kwargs)  # type: ignore[arg-type]
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def type_in(qtbot: QtBot, dialog: SignInDialog, email: str, password: str) -> None:
    dialog.email_edit.clear()
    qtbot.keyClicks(dialog.email_edit, email)
    qtbot.keyClicks(dialog.password_edit, password)
    qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)


def test_retry_delay_grows_and_is_capped() -> None:
    assert [retry_delay_ms(n, 1000) for n in range(6)] == [0, 1000, 2000, 4000, 8000, 16000]
    assert retry_delay_ms(12, 1000) == 30_000


def test_target_is_described_without_password() -> None:
    assert describe_target("postgresql://sam:hunter22@db.plant:5432/leanops") == (
        "PostgreSQL sam@db.plant:5432/leanops"
    )


def test_right_password_signs_in_and_remembers_the_email_only(
    qtbot: QtBot,
    db_url: str,
    account: tuple[str, str],
    messages: RecordingMessages,
    isolated_settings: Path,
) -> None:
    email, password = account
    dialog = dialog_for(qtbot, db_url, messages)
    type_in(qtbot, dialog, email, password)

    assert dialog.result() == SignInDialog.DialogCode.Accepted
    assert dialog.signed_in is not None
    assert (dialog.signed_in.actor.email, dialog.signed_in.actor.role) == (email, Role.OPERATOR)
    dialog.signed_in.db.dispose()
    assert QSettings().value(LAST_EMAIL_KEY) == email
    stored = "".join(p.read_text(errors="replace") for p in isolated_settings.rglob("*.ini"))
    assert email in stored and password not in stored

    again = dialog_for(qtbot, db_url, messages)
    assert again.email_edit.text() == email and again.password_edit.text() == ""


def test_wrong_password_says_so_and_waits_longer_each_time(
    qtbot: QtBot, db_url: str, account: tuple[str, str], messages: RecordingMessages
) -> None:
    email, _password = account
    dialog = dialog_for(qtbot, db_url, messages)
    type_in(qtbot, dialog, email, "not-the-password")

    assert dialog.isVisible() and dialog.signed_in is None
    assert messages.errors == ["Wrong email or password. You can try again in 1 s."]
    assert dialog.message_bar.text() == messages.errors[0]
    assert dialog.password_edit.text() == "" and dialog.email_edit.text() == email
    first_wait = dialog.waiting_ms()
    assert first_wait == 100 and not dialog.sign_in_button.isEnabled()

    qtbot.keyClicks(dialog.password_edit, "still-wrong")
    qtbot.waitUntil(dialog.sign_in_button.isEnabled, timeout=3000)
    qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
    assert dialog.failures == 2 and dialog.waiting_ms() == 200
    assert "Sign in (" in dialog.sign_in_button.text()


def test_unknown_email_reads_like_a_wrong_password(
    qtbot: QtBot, db_url: str, messages: RecordingMessages
) -> None:
    dialog = dialog_for(qtbot, db_url, messages)
    type_in(qtbot, dialog, "nobody@plant.test", "whatever-pass")
    assert messages.errors[0].startswith("Wrong email or password.")


def test_disabled_account_has_its_own_message(
    qtbot: QtBot,
    db: Database,
    db_url: str,
    admin: Actor,
    account: tuple[str, str],
    messages: RecordingMessages,
) -> None:
    email, password = account
    with db.session() as session:
        users.set_active(session, admin, email, False)
    dialog = dialog_for(qtbot, db_url, messages)
    type_in(qtbot, dialog, email, password)
    assert dialog.signed_in is None
    assert messages.errors[0].startswith(f"Account {email} is disabled: ask an admin.")


def test_unreachable_database_has_its_own_message_and_no_delay(
    qtbot: QtBot, messages: RecordingMessages
) -> None:
    dialog = dialog_for(qtbot, UNREACHABLE, messages)
    assert dialog.target_label.text() == "PostgreSQL x@127.0.0.1:1/leanops"
    type_in(qtbot, dialog, "sam@plant.test", "some-password")
    assert len(messages.errors) == 1
    assert messages.errors[0].startswith("Database unreachable: PostgreSQL")
    assert dialog.failures == 0 and dialog.waiting_ms() == 0


@pytest.mark.parametrize("target", ["wrong", "disabled", "unreachable"])
def test_passwords_never_reach_logs_or_messages(
    qtbot: QtBot,
    db: Database,
    db_url: str,
    admin: Actor,
    target: str,
    messages: RecordingMessages,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    email = f"sentinel-{uuid.uuid4().hex[:8]}@plant.test"
    with db.session() as session:
        users.add_user(session, admin, email=email, role=Role.SUPERVISOR, password=SENTINEL)
        if target == "disabled":
            users.set_active(session, admin, email, False)
    url = UNREACHABLE if target == "unreachable" else db_url
    password = SENTINEL + "-wrong" if target == "wrong" else SENTINEL
    dialog = dialog_for(qtbot, url, messages)
    type_in(qtbot, dialog, email, password)
    assert dialog.signed_in is None and len(messages.errors) == 1
    assert all(SENTINEL not in text for text in messages.texts())
    assert SENTINEL not in caplog.text
    assert all(SENTINEL not in record.getMessage() for record in caplog.records)
    assert SENTINEL not in dialog.message_bar.text()


def test_demo_accounts_are_listed_and_fill_the_form(
    qtbot: QtBot, demo_db_url: str, messages: RecordingMessages
) -> None:
    dialog = dialog_for(qtbot, demo_db_url, messages, demo_accounts=DEMO_USERS)
    assert dialog.demo_box is not None
    assert [b.text() for b in dialog.demo_buttons] == [email for email, _r, _p in DEMO_USERS]
    qtbot.mouseClick(dialog.demo_buttons[1], Qt.MouseButton.LeftButton)
    assert dialog.email_edit.text() == "supervisor@demo.leanops"
    qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
    assert dialog.signed_in is not None and dialog.signed_in.actor.role == Role.SUPERVISOR
    dialog.signed_in.db.dispose()


def test_no_demo_accounts_on_an_ordinary_database(
    qtbot: QtBot, db_url: str, messages: RecordingMessages
) -> None:
    assert dialog_for(qtbot, db_url, messages).demo_box is None


def test_caps_lock_hint(qtbot: QtBot, messages: RecordingMessages) -> None:
    dialog = dialog_for(qtbot, "sqlite:///unused.db", messages)
    dialog.password_edit.setFocus()
    assert dialog.caps_hint.isHidden()
    qtbot.keyClicks(dialog.password_edit, "SECRET")  # capitals without Shift
    assert dialog.caps_hint.isVisible()
    qtbot.keyClicks(dialog.password_edit, "x")
    assert dialog.caps_hint.isHidden()
    qtbot.keyClicks(dialog.password_edit, "X", Qt.KeyboardModifier.ShiftModifier)
    assert dialog.caps_hint.isHidden()


def test_caps_lock_guess_from_one_key() -> None:
    assert caps_lock_from_key("A", shift=False) is True
    assert caps_lock_from_key("a", shift=True) is True
    assert caps_lock_from_key("A", shift=True) is False
    assert caps_lock_from_key("7", shift=False) is None


def test_signing_in_runs_off_the_gui_thread_and_says_so(
    qtbot: QtBot, messages: RecordingMessages, runner: DbRunner, admin: Actor
) -> None:
    release = threading.Event()
    answered: list[str] = []

    def slow_sign_in(url: str, email: str, password: str) -> SignedIn:
        release.wait(5)
        answered.append(email)
        return SignedIn(db=None, actor=admin)  # type: ignore[arg-type]

    dialog = dialog_for(
        qtbot, "sqlite:///nowhere.db", messages, authenticate=slow_sign_in, runner=runner
    )
    type_in(qtbot, dialog, "ada@plant.test", "pw")
    dialog.attempt()  # returns at once: the check runs on the runner
    assert dialog.checking and not dialog.sign_in_button.isEnabled()
    assert dialog.sign_in_button.text() == "Signing in…"
    dialog.attempt()  # a second press meanwhile does nothing
    release.set()
    qtbot.waitUntil(lambda: dialog.signed_in is not None)
    assert answered == ["ada@plant.test"]
    assert not dialog.checking


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgresql"])
def test_signing_in_through_a_list_of_servers_skips_one_that_is_down(
    qtbot: QtBot, db_url: str, account: tuple[str, str], messages: RecordingMessages
) -> None:
    real = make_url(db_url)
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        down = int(probe.getsockname()[1])
    listed = (
        f"postgresql://127.0.0.1:{down},{real.host}:{real.port}/{real.database}"
        "?target_session_attrs=read-write"
    )
    dialog = dialog_for(qtbot, listed, messages)
    assert dialog.target_label.text() == (
        f"PostgreSQL 127.0.0.1:{down},{real.host}:{real.port}/{real.database}"
    )
    type_in(qtbot, dialog, *account)
    assert dialog.signed_in is not None, messages.texts()
    try:
        assert dialog.signed_in.db.seat is WINDOW
        assert dialog.signed_in.actor.email == account[0]
    finally:
        dialog.signed_in.db.dispose()
