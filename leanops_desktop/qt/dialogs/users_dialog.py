"""The users dialog (admins): list accounts, add one, change a role, disable/enable, reset;
their kiosk sign-in (PIN, badge, lockout); and, on a tab of its own, the enrolled kiosks.

Every change goes through ``services.accounts.users`` or ``services.kiosk`` (which write the
event, and on PostgreSQL call the database's admin functions); the list is re-read after
each change. A locked account is unlocked by giving it a new PIN (``credential_forms``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from leanops_desktop.core.actor import Actor
from leanops_desktop.core.enums import Role
from leanops_desktop.core.rows import UserRow
from leanops_desktop.qt.db_runner import (
    READS,
    UNREACHABLE,
    WRITES,
    DbRunner,
    Job,
)
from leanops_desktop.qt.dialogs.admin_dialog import AdminDialog
from leanops_desktop.qt.dialogs.credential_actions import KioskSignInActions
from leanops_desktop.qt.dialogs.kiosks_tab import KiosksTab
from leanops_desktop.qt.dialogs.user_forms import AddUserDialog, NewUserValues, ResetPasswordDialog
from leanops_desktop.qt.messages import MessageBar, MessageService
from leanops_desktop.services.accounts import users
from leanops_desktop.services.kiosk import kiosk_admin
from leanops_desktop.services.kiosk.kiosk_admin import UserWithCredentials

if TYPE_CHECKING:
    from leanops_desktop.db.engine import Database

COLUMNS = ("Email", "Role", "State", "PIN", "Badge", "Kiosk sign-in", "Created")
UNREACHABLE_LIST = "Could not read the accounts: the database does not answer."


class UsersDialog(AdminDialog):
    """Account administration for admins; non-blocking (open it with ``open()``).

    Every read and change runs on the runner (the window's, or one of its own that ends with
    the dialog); the answers fill the list and the message bar."""

    def __init__(
        self,
        db: Database,
        actor: Actor,
        messages: MessageService,
        parent: QWidget | None = None,
        *,
        runner: DbRunner | None = None,
    ) -> None:
        super().__init__(db, actor, messages, parent, runner, title="Users", size=(900, 500))
        self.rows: list[UserRow] = []
        self.credentials: dict[str, UserWithCredentials] = {}
        self.active_form: QDialog | None = None

        title = QLabel("Users", self)
        title.setObjectName("DialogTitle")
        self.message_bar = MessageBar(self)
        self.tabs = QTabWidget(self)
        self.tabs.addTab(self._users_page(), "Users")
        self.kiosks = KiosksTab(
            db, actor, messages, self._runner,
            lambda error, unreachable: self.say_failure(error, unreachable),
            self.tabs,
        )  # fmt: skip
        self.tabs.addTab(self.kiosks, "Kiosks")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 14, 16, 14)
        layout.addWidget(title)
        layout.addWidget(self.message_bar)
        layout.addWidget(self.tabs, 1)
        self.reload()
        self.kiosks.reload()

    def _users_page(self) -> QWidget:
        page = QWidget(self)
        self.table = self._table()
        body = QHBoxLayout(page)
        body.addWidget(self.table, 1)
        body.addLayout(self._side_buttons())
        return page

    def _table(self) -> QTableWidget:
        """The accounts, one a row, selected whole."""
        table = QTableWidget(0, len(COLUMNS), self)
        table.setHorizontalHeaderLabels(COLUMNS)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.verticalHeader().hide()
        table.setAlternatingRowColors(True)
        header = table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in range(1, len(COLUMNS)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        table.itemSelectionChanged.connect(self._update_buttons)
        return table

    def _side_buttons(self) -> QVBoxLayout:
        """Add, change role, disable or enable, reset password; Close at the bottom."""
        self.add_button = QPushButton("Add user…", self)
        self.add_button.clicked.connect(self.open_add_user)
        self.role_button = QToolButton(self)
        self.role_button.setText("Change role")
        self.role_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.role_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        role_menu = QMenu(self.role_button)
        self.role_actions: dict[Role, QAction] = {}
        for role in Role:
            action = role_menu.addAction(f"Make {role.value}")
            action.triggered.connect(lambda _=False, r=role: self.change_role(r))
            self.role_actions[role] = action
        self.role_button.setMenu(role_menu)
        self.active_button = QPushButton("Disable", self)
        self.active_button.clicked.connect(self.toggle_active)
        self.password_button = QPushButton("Reset password…", self)
        self.password_button.clicked.connect(self.open_reset_password)
        self.pin_button = QPushButton("Set PIN…", self)
        self.kiosk_sign_in = KioskSignInActions(
            self._db, self._actor, self._messages, self._runner, self
        )
        self.pin_button.clicked.connect(lambda: self.kiosk_sign_in.open_set_pin())
        self.badge_button = QPushButton("Set badge…", self)
        self.badge_button.clicked.connect(self.kiosk_sign_in.open_set_badge)
        self.clear_badge_button = QPushButton("Clear badge", self)
        self.clear_badge_button.clicked.connect(self.kiosk_sign_in.clear_badge)
        self.unlock_button = QPushButton("Unlock…", self)
        self.unlock_button.clicked.connect(lambda: self.kiosk_sign_in.open_set_pin(unlock=True))
        close = QPushButton("Close", self)
        close.clicked.connect(self.accept)
        side = QVBoxLayout()
        for button in (self.add_button, self.role_button, self.active_button, self.password_button):
            button.setMinimumWidth(150)
            side.addWidget(button)
        side.addSpacing(12)
        side.addWidget(QLabel("Kiosk sign-in", self))
        for button in self._credential_buttons():
            button.setMinimumWidth(150)
            side.addWidget(button)
        side.addStretch(1)
        side.addWidget(close)
        return side

    def _credential_buttons(self) -> tuple[QPushButton, ...]:
        return (self.pin_button, self.badge_button, self.clear_badge_button, self.unlock_button)

    # -- the list --------------------------------------------------------------------------

    def reload(self, select: str | None = None) -> None:
        """Re-read the accounts (keeping the selection, or selecting ``select``)."""
        keep = select or self.selected_email()
        db, actor = self._db, self._actor

        def read() -> list[UserWithCredentials]:
            with db.session() as session:
                return kiosk_admin.users_with_credentials(session, actor)

        self._runner.submit(
            read, lambda rows: self._show_rows(rows, keep), self._read_failed, lane=READS
        )

    def _read_failed(self, error: BaseException) -> None:
        self.say_failure(error, UNREACHABLE_LIST)
        self._show_rows([], None)

    def say_failure(self, error: BaseException, unreachable: str = UNREACHABLE) -> None:
        super().say_failure(error, unreachable)

    def _show_rows(self, rows: list[UserWithCredentials], keep: str | None) -> None:
        self.rows = [row.user for row in rows]
        self.credentials = {row.user.email: row for row in rows}
        self.table.setRowCount(len(self.rows))
        for index, (row, kiosk) in enumerate(zip(self.rows, rows, strict=True)):
            state = "active" if row.is_active else "disabled"
            cells = (
                row.email,
                row.role.value,
                state,
                "set" if kiosk.has_pin else "—",
                "set" if kiosk.has_badge else "—",
                "locked out" if kiosk.locked else "",
                f"{row.created_at:%Y-%m-%d}",
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if not row.is_active:
                    font = QFont(item.font())
                    font.setItalic(True)
                    item.setFont(font)
                    item.setForeground(self.palette().placeholderText())
                self.table.setItem(index, column, item)
            if row.email == keep:
                self.table.selectRow(index)
        self._update_buttons()

    def selected(self) -> UserRow | None:
        rows = self.table.selectionModel().selectedRows()
        return self.rows[rows[0].row()] if rows else None

    def selected_email(self) -> str | None:
        row = self.selected()
        return row.email if row else None

    def select_email(self, email: str) -> None:
        for index, row in enumerate(self.rows):
            if row.email == email:
                self.table.selectRow(index)

    def _update_buttons(self) -> None:
        row = self.selected()
        for button in (self.role_button, self.active_button, self.password_button):
            button.setEnabled(row is not None)
        if row is not None:
            self.active_button.setText("Enable" if not row.is_active else "Disable")
            for role, action in self.role_actions.items():
                action.setEnabled(role != row.role)
        kiosk = self.credentials.get(row.email) if row is not None else None
        self.pin_button.setEnabled(kiosk is not None)
        self.pin_button.setText("Change PIN…" if kiosk and kiosk.has_pin else "Set PIN…")
        self.badge_button.setEnabled(kiosk is not None)
        self.clear_badge_button.setEnabled(kiosk is not None and kiosk.has_badge)
        self.unlock_button.setEnabled(kiosk is not None and kiosk.locked)

    # -- changes ---------------------------------------------------------------------------

    def _write(
        self,
        change: Callable[[Session], UserRow],
        done: Callable[[UserRow], str],
        *,
        in_form: bool = False,
    ) -> Job[UserRow]:
        """Run one user service call on the writes lane; say the outcome in the dialog's bar
        (a form waiting for it says a failure itself)."""
        db = self._db

        def run() -> UserRow:
            with db.session() as session:
                return change(session)

        def succeeded(row: UserRow) -> None:
            self.reload(select=row.email)
            self._messages.info(done(row), source=self)

        def failed(error: BaseException) -> None:
            if not in_form:  # else the form shows it and stays open
                self.say_failure(error)

        return self._runner.submit(run, succeeded, failed, lane=WRITES)

    def open_add_user(self) -> None:
        taken = [row.email for row in self.rows]
        form = AddUserDialog(self._messages, self._add, taken=taken, parent=self)
        self.show_form(form)

    def _add(self, values: NewUserValues) -> Job[UserRow]:
        actor = self._actor
        return self._write(
            lambda session: users.add_user(
                session, actor, email=values.email, role=values.role, password=values.password
            ),
            lambda row: f"Added {row.email} as {row.role.value}.",
            in_form=True,
        )

    def change_role(self, role: Role) -> None:
        row = self.selected()
        if row is None or row.role == role:
            return
        self._write(
            lambda session: users.set_role(session, self._actor, row.email, role),
            lambda changed: f"{changed.email} is now {changed.role.value}.",
        )

    def toggle_active(self) -> None:
        row = self.selected()
        if row is None:
            return
        enable = not row.is_active
        if not enable and not self._messages.confirm(
            f"Disable {row.email}? They can no longer sign in until enabled again.",
            accept_text="Disable",
            source=self,
        ):
            return
        state = "enabled" if enable else "disabled"
        self._write(
            lambda session: users.set_active(session, self._actor, row.email, enable),
            lambda changed: f"{changed.email} is {state}.",
        )

    def open_reset_password(self) -> None:
        row = self.selected()
        if row is None:
            return
        email = row.email

        def submit(password: str) -> Job[UserRow]:
            return self._write(
                lambda session: users.set_password(session, self._actor, email, password),
                lambda _changed: f"The password of {email} was changed.",
                in_form=True,
            )

        self.show_form(ResetPasswordDialog(self._messages, submit, email=email, parent=self))

    def show_form(self, form: QDialog) -> None:
        self.active_form = form
        form.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        form.finished.connect(lambda _result: setattr(self, "active_form", None))
        form.open()
