"""Each role sees its own actions: gated from the one permission matrix."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from leanops_desktop.core.actor import Actor
from leanops_desktop.core.enums import Role
from leanops_desktop.core.permissions import allowed
from leanops_desktop.db.engine import Database
from leanops_desktop.qt.actions import ACTION_SPECS
from leanops_desktop.qt.window.menus import STATION_MENU, context_menu
from leanops_desktop.services.accounts import auth
from leanops_desktop.services.demo_plant import DEMO_USERS
from tests.qt.conftest import RecordingMessages
from tests.qt.window_helpers import open_window

ANYONE = {"switch_user", "sign_out", "quit", "refresh", "reset_layout", "shortcuts", "about"}
OPERATOR = ANYONE | {"complete_job", "block_station", "unblock_station"}
SUPERVISOR = OPERATOR | {
    "export_csv", "export_xlsx", "new_job", "edit_job", "new_station", "edit_station",
    "activate_station", "deactivate_station", "assign_job", "unassign_job", "move_job",
    "import_jobs", "print_travelers", "save_travelers_pdf", "shift_report",
}  # fmt: skip
ADMIN = SUPERVISOR | {"users", "downtime_reasons", "shift_calendar", "stop_detection"}


def test_the_expected_sets_follow_the_matrix() -> None:
    for role, expected in ((Role.OPERATOR, OPERATOR), (Role.SUPERVISOR, SUPERVISOR),
                           (Role.ADMIN, ADMIN)):  # fmt: skip
        derived = {
            spec.name
            for spec in ACTION_SPECS
            if spec.permission is None or allowed(role, spec.permission)
        }
        assert derived == expected


@pytest.mark.parametrize(
    ("role", "expected"),
    [(Role.OPERATOR, OPERATOR), (Role.SUPERVISOR, SUPERVISOR), (Role.ADMIN, ADMIN)],
)
def test_signed_in_role_sees_its_actions_only(
    qtbot: QtBot, demo_db_url: str, role: Role, expected: set[str], messages: RecordingMessages
) -> None:
    email, _role, password = next(user for user in DEMO_USERS if user[1] == role)
    signed_in = auth.sign_in(demo_db_url, email, password)
    try:
        window = open_window(qtbot, signed_in.db, signed_in.actor, messages)
        registry = window.registry
        assert set(registry.permitted_names()) == expected

        toolbar = {
            action.objectName().removeprefix("action_") for action in window.toolbar.actions()
        }
        toolbar.discard("")  # separators
        assert toolbar <= expected and toolbar

        for spec, action in registry:
            if spec.name in expected:
                assert "Needs the" not in action.toolTip()
            else:
                assert not action.isEnabled()
                needed = "admin" if spec.name in ADMIN - SUPERVISOR else "supervisor"
                assert action.toolTip() == f"Needs the {needed} role"

        window.overview.select_station("ST-02")  # running, in use
        menu = context_menu(registry, STATION_MENU, window)
        shown = {a.objectName().removeprefix("action_") for a in menu.actions() if a.text()}
        assert shown <= expected
        if role == Role.OPERATOR:
            assert shown == {"complete_job", "block_station", "unblock_station"}
        window.close()
    finally:
        signed_in.db.dispose()


def test_operator_cannot_act_by_shortcut_or_drop(
    qtbot: QtBot, demo_db: Database, messages: RecordingMessages
) -> None:
    operator = Actor(email="operator@demo.leanops", role=Role.OPERATOR)
    window = open_window(qtbot, demo_db, operator, messages)
    window.registry["new_job"].trigger()  # disabled: nothing happens
    assert window.commands.active_dialog is None
    assert not window.commands.drop_job("JOB-1045", "ST-04")
    assert messages.errors == ["Assigning jobs needs the supervisor role."]


def test_actions_follow_the_selection(
    qtbot: QtBot, demo_db: Database, supervisor: Actor, messages: RecordingMessages
) -> None:
    window = open_window(qtbot, demo_db, supervisor, messages)
    registry = window.registry
    assert not registry["edit_station"].isEnabled()
    assert "select a station" in registry["edit_station"].toolTip()
    window.overview.select_station("ST-07")  # blocked, with a job
    enabled = set(registry.enabled_names())
    assert {
        "edit_station",
        "unblock_station",
        "unassign_job",
        "move_job",
        "complete_job",
    } <= enabled
    assert not {"block_station", "activate_station", "deactivate_station"} & enabled
    window.overview.select_station("ST-04")  # idle, no job
    enabled = set(registry.enabled_names())
    assert {"block_station", "deactivate_station"} <= enabled
    assert not {"unblock_station", "unassign_job", "move_job", "complete_job"} & enabled
    window.overview.select_station("ST-10")  # not in use
    assert registry["activate_station"].isEnabled()
    assert not registry["block_station"].isEnabled()


def test_admin_opens_the_users_dialog_from_the_menu(
    qtbot: QtBot, demo_db: Database, admin: Actor, messages: RecordingMessages
) -> None:
    from leanops_desktop.qt.dialogs.users_dialog import UsersDialog

    window = open_window(qtbot, demo_db, admin, messages)
    assert window.registry["users"] in window.menus["Admin"].actions()
    window.registry["users"].trigger()
    dialog = window.commands.active_dialog
    assert isinstance(dialog, UsersDialog)
    assert {row.email for row in dialog.rows} >= {"admin@demo.leanops", "operator@demo.leanops"}
