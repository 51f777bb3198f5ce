"""The users dialog (admins): list accounts, add one, change a role, disable/enable, reset.

Every change goes through ``services.accounts.users`` (which writes the event, and on PostgreSQL
calls the database's admin functions); the list is re-read after each change.
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
    QToolButton,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from leanops_desktop.core.actor import Actor
from leanops_desktop.core.enums import Role
from leanops_desktop.core.errors import LeanOpsError
from leanops_desktop.core.rows import UserRow
from leanops_desktop.qt.db_runner import (
    READS,
    UNREACHABLE,
    WRITES,
    DbRunner,
    Job,
    failure_text,
    is_connection_error,
)
from leanops_desktop.qt.dialogs.user_forms import AddUserDialog, NewUserValues, ResetPasswordDialog
from leanops_desktop.qt.messages import MessageBar, MessageService
from leanops_desktop.services.accounts import users

if TYPE_CHECKING:
    from leanops_desktop.db.engine import Database

COLUMNS = ("Email", "Role", "State", "Created")
UNREACHABLE_LIST = "Could not read the accounts: the database does not answer."


class UsersDialog(QDialog):
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
        super().__init__(parent)
        self._runner = runner if runner is not None else DbRunner(self)
        if runner is None:
            self.finished.connect(lambda _result: self._runner.close())
        self.setWindowTitle("Users — LeanOps")
        self.resize(720, 420)
        self._db = db
        self._actor = actor
        self._messages = messages
        self.rows: list[UserRow] = []
        self.active_form: QDialog | None = None

        title = QLabel("Users", self)
        title.setObjectName("DialogTitle")
        self.message_bar = MessageBar(self)
        self.table = self._table()
        side = self._side_buttons()
        body = QHBoxLayout()
        body.addWidget(self.table, 1)
        body.addLayout(side)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 14, 16, 14)
        layout.addWidget(title)
        layout.addWidget(self.message_bar)
        layout.addLayout(body, 1)
        self.reload()

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
        close = QPushButton("Close", self)
        close.clicked.connect(self.accept)
        for button in (self.add_button, self.role_button, self.active_button, self.password_button):
            button.setMinimumWidth(150)
        side = QVBoxLayout()
        side.addWidget(self.add_button)
        side.addWidget(self.role_button)
        side.addWidget(self.active_button)
        side.addWidget(self.password_button)
        side.addStretch(1)
        side.addWidget(close)
        return side

    # -- the list --------------------------------------------------------------------------

    def reload(self, select: str | None = None) -> None:
        """Re-read the accounts (keeping the selection, or selecting ``select``)."""
        keep = select or self.selected_email()
        db, actor = self._db, self._actor

        def read() -> list[UserRow]:
            with db.session() as session:
                return users.list_users(session, actor)

        self._runner.submit(
            read, lambda rows: self._show_rows(rows, keep), self._read_failed, lane=READS
        )

    def _read_failed(self, error: BaseException) -> None:
        self._say_failure(error, unreachable=UNREACHABLE_LIST)
        self._show_rows([], None)

    def _say_failure(self, error: BaseException, *, unreachable: str = UNREACHABLE) -> None:
        if isinstance(error, LeanOpsError) and not is_connection_error(error):
            self._messages.refused(error, source=self)
        else:
            self._messages.error(failure_text(error, unreachable=unreachable), source=self)

    def _show_rows(self, rows: list[UserRow], keep: str | None) -> None:
        self.rows = rows
        self.table.setRowCount(len(self.rows))
        for index, row in enumerate(self.rows):
            state = "active" if row.is_active else "disabled"
            cells = (row.email, row.role.value, state, f"{row.created_at:%Y-%m-%d}")
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
                self._say_failure(error)

        return self._runner.submit(run, succeeded, failed, lane=WRITES)

    def open_add_user(self) -> None:
        taken = [row.email for row in self.rows]
        form = AddUserDialog(self._messages, self._add, taken=taken, parent=self)
        self._show_form(form)

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

        self._show_form(ResetPasswordDialog(self._messages, submit, email=email, parent=self))

    def _show_form(self, form: QDialog) -> None:
        self.active_form = form
        form.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        form.finished.connect(lambda _result: setattr(self, "active_form", None))
        form.open()
