"""Small forms of the users dialog: add an account, set a new password."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass

from PySide6.QtWidgets import QComboBox, QLineEdit, QWidget

from leanops_desktop.core.enums import Role
from leanops_desktop.core.validation import check_email, check_password
from leanops_desktop.qt.dialogs.form_dialog import FormDialog, Problem
from leanops_desktop.qt.messages import MessageService


@dataclass(frozen=True, slots=True)
class NewUserValues:
    email: str
    role: Role
    password: str

    def __repr__(self) -> str:  # never show the password, not even in a debugger's repr
        return f"NewUserValues(email={self.email!r}, role={self.role!r}, password='***')"


class _PasswordPair:
    """A password field and its repetition, checked together."""

    def __init__(self, form: FormDialog, label: str) -> None:
        self.first = QLineEdit(form)
        self.first.setEchoMode(QLineEdit.EchoMode.Password)
        self.second = QLineEdit(form)
        self.second.setEchoMode(QLineEdit.EchoMode.Password)
        form.add_field(label, self.first, lambda: check_password("password", self.first.text()))
        form.add_field("Repeat", self.second, self._check_same)
        form.watch(self.first, self.first.textEdited)
        form.watch(self.second, self.second.textEdited)

    def _check_same(self) -> object:
        if self.first.text() != self.second.text():
            return Problem("the two passwords differ")
        return None

    def value(self) -> str:
        return self.first.text()


class AddUserDialog(FormDialog):
    """Create an account: email, role and a first password."""

    def __init__(
        self,
        messages: MessageService,
        submit: Callable[[NewUserValues], object],
        *,
        taken: Collection[str] = (),
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(
            messages,
            title="Add user",
            subtitle="The new user signs in with this email and password.",
            submit_text="Add user",
            parent=parent,
        )
        self._taken = frozenset(email.lower() for email in taken)
        self.email_edit = QLineEdit(self)
        self.email_edit.setPlaceholderText("name@company.com")
        self.role_combo = QComboBox(self)
        for role in Role:
            self.role_combo.addItem(role.value.capitalize(), role.value)
        self.role_combo.setCurrentIndex(self.role_combo.findData(Role.OPERATOR.value))
        self.add_field("Email", self.email_edit, self._check_email)
        self.add_field("Role", self.role_combo)
        self.watch(self.email_edit, self.email_edit.textEdited)
        self.passwords = _PasswordPair(self, "Password")
        self.set_submit(lambda: submit(self.values()))
        self.revalidate()
        self.email_edit.setFocus()

    def _check_email(self) -> object:
        email = check_email("email", self.email_edit.text())
        return Problem(f"{email} already has an account") if email in self._taken else None

    def values(self) -> NewUserValues:
        return NewUserValues(
            email=self.email_edit.text().strip(),
            role=Role(self.role_combo.currentData()),
            password=self.passwords.value(),
        )


class ResetPasswordDialog(FormDialog):
    """Set a new password for an account (the user is told it out of band)."""

    def __init__(
        self,
        messages: MessageService,
        submit: Callable[[str], object],
        *,
        email: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(
            messages,
            title=f"Reset password of {email}",
            subtitle="The old password stops working at once.",
            submit_text="Set password",
            parent=parent,
        )
        self.passwords = _PasswordPair(self, "New password")
        self.set_submit(lambda: submit(self.passwords.value()))
        self.revalidate()
        self.passwords.first.setFocus()
